import ArgumentParser
import Sortie

/// `sortie reasons [--markdown]`: lists the reason codes in reporting order (the Markdown form
/// is the table of docs/reference.md).
struct ReasonsCommand: Verb {
    static let configuration = CommandConfiguration(
        commandName: "reasons",
        abstract: "List the reason codes in reporting order, with their details and HTTP status.")

    @Flag(help: "Print the Markdown table of docs/reference.md.")
    var markdown = false

    func run(io: CommandIO) -> ExitStatus {
        if markdown {
            io.stdout(ReasonReference.markdown())
            return .success
        }
        let width = ReasonCode.allCases.map(\.name.count).max() ?? 0
        for code in ReasonCode.allCases {
            let details = code.detailKeys.isEmpty ? "" : "  (" + code.detailKeys.joined(separator: ", ") + ")"
            io.stdout("\(code.name.padding(width))  \(code.facts.status)\(details)\n")
        }
        return .success
    }
}

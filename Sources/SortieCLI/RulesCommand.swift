import ArgumentParser
import Sortie

/// `sortie rules [--markdown]`: lists the lint rules (the Markdown form is docs/lint-rules.md).
struct RulesCommand: Verb {
    static let configuration = CommandConfiguration(
        commandName: "rules",
        abstract: "List the lint rules with their severity and summary.")

    @Flag(help: "Print the full Markdown reference (docs/lint-rules.md).")
    var markdown = false

    func run(io: CommandIO) -> ExitStatus {
        if markdown {
            io.stdout(RuleReference.markdown())
        } else {
            let width = Rules.all.map(\.id.count).max() ?? 0
            for rule in Rules.all {
                let padded = rule.id + String(repeating: " ", count: width - rule.id.count)
                io.stdout("\(padded)  \(rule.severity.rawValue.padding(7))  \(rule.summary)\n")
            }
        }
        return .success
    }
}

extension String {
    func padding(_ width: Int) -> String { self + String(repeating: " ", count: max(0, width - count)) }
}

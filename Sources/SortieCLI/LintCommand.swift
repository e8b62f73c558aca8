import ArgumentParser
import Sortie

extension DiagnosticFormat: ExpressibleByArgument {}

/// `sortie lint [PATH…] [--format text|json|sarif|github] [--strict]`.
struct LintCommand: Verb {
    static let configuration = CommandConfiguration(
        commandName: "lint",
        abstract: "Load, check and compile a policy set; report every problem in every file.",
        discussion: "Exit status: 0 clean, 1 an error (or, with --strict, a warning), 2 a usage or I/O error.")

    @Argument(help: "Policy directories or files.")
    var paths: [String] = ["policies/"]

    @Option(help: "Output format: text, json, sarif or github.")
    var format: DiagnosticFormat = .text

    @Flag(help: "Fail on warnings too.")
    var strict = false

    func run(io: CommandIO) -> ExitStatus {
        let result: CompileResult
        do {
            result = try Compiler.compile(paths: paths)
        } catch {
            io.stderr("sortie: \(error)\n")
            return .usage
        }
        io.stdout(format.render(result.diagnostics, sources: result.sources))
        if format == .text {
            io.stderr(summary(result))
        }
        let failed = result.errorCount > 0 || (strict && result.warningCount > 0)
        return failed ? .failure : .success
    }

    private func summary(_ result: CompileResult) -> String {
        func plural(_ n: Int, _ word: String) -> String { "\(n) \(word)\(n == 1 ? "" : "s")" }
        if result.diagnostics.isEmpty { return "no problems found\n" }
        return "\(plural(result.errorCount, "error")), \(plural(result.warningCount, "warning"))\n"
    }
}

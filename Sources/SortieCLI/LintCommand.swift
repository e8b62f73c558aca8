import ArgumentParser
import Foundation
import Sortie
import SortieServer

extension DiagnosticFormat: ExpressibleByArgument {}

/// `sortie lint [PATH…] [--format text|json|sarif|github] [--strict]`, or `sortie lint --config FILE`.
struct LintCommand: Verb {
    static let configuration = CommandConfiguration(
        commandName: "lint",
        abstract: "Load, check and compile a policy set; report every problem in every file.",
        discussion: "Exit status: 0 clean, 1 an error (or, with --strict, a warning), 2 a usage or I/O error.")

    @Argument(help: "Policy directories or files.")
    var paths: [String] = ["policies/"]

    @Option(help: "Output format: text, json, sarif or github.")
    var format: DiagnosticFormat = .text

    @Option(help: "Check this ServerConfig file (and the files it names) instead of a policy set.")
    var config: String?

    @Flag(help: "Fail on warnings too.")
    var strict = false

    @Flag(help: "Print how long reading and each compiler stage took, on stderr.")
    var timings = false

    func run(io: CommandIO) -> ExitStatus {
        if let config { return lintConfig(config, io: io) }
        let clock = ContinuousClock()
        let started = clock.now
        let result: CompileResult
        do {
            let sources = try PolicySetReader.read(paths: paths)
            if timings { io.stderr("read: \(milliseconds(clock.now - started)) (\(sources.count) files, \(sources.reduce(0) { $0 + $1.bytes.count }) bytes)\n") }
            result = Compiler.compile(sources: sources, root: paths.first ?? ".")
        } catch {
            io.stderr("sortie: \(error)\n")
            return .usage
        }
        if timings {
            for (stage, duration) in result.stageDurations { io.stderr("\(stage): \(milliseconds(duration))\n") }
        }
        io.stdout(format.render(result.diagnostics, sources: result.sources))
        if format == .text {
            io.stderr(summary(result))
        }
        let failed = result.errorCount > 0 || (strict && result.warningCount > 0)
        return failed ? .failure : .success
    }

    /// A server configuration alone: 0 usable, 1 errors (each positioned), 2 unreadable.
    private func lintConfig(_ path: String, io: CommandIO) -> ExitStatus {
        guard FileManager.default.isReadableFile(atPath: path) else {
            io.stderr("sortie: \(path): \(FileManager.default.fileExists(atPath: path) ? "cannot read the file" : "no such file or directory")\n")
            return .usage
        }
        switch ServerAccess.load(path: path) {
        case .success:
            io.stdout(format.render([], sources: [:]))
            if format == .text { io.stderr("no problems found\n") }
            return .success
        case .failure(let problems):
            io.stdout(format.render(problems.diagnostics, sources: problems.sources))
            if format == .text {
                let errors = problems.diagnostics.count { $0.severity == .error }
                io.stderr("\(errors) error\(errors == 1 ? "" : "s"), 0 warnings\n")
            }
            return .failure
        }
    }

    private func milliseconds(_ duration: Duration) -> String {
        let ms = Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
        return "\((ms * 10).rounded() / 10) ms"
    }

    private func summary(_ result: CompileResult) -> String {
        func plural(_ n: Int, _ word: String) -> String { "\(n) \(word)\(n == 1 ? "" : "s")" }
        if result.diagnostics.isEmpty { return "no problems found\n" }
        return "\(plural(result.errorCount, "error")), \(plural(result.warningCount, "warning"))\n"
    }
}

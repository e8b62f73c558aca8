import ArgumentParser
import Sortie

/// A verb that runs against injectable streams and returns its exit status.
protocol Verb: ParsableCommand {
    func run(io: CommandIO) -> ExitStatus
}

/// The `sortie` command: parses the arguments, runs the verb, returns the exit code.
public struct SortieCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "sortie",
        abstract: "Policy engine for agent-initiated outbound conversations (SMS and email).",
        version: SortieVersion.current,
        subcommands: [LintCommand.self, TestCommand.self, EvalCommand.self, CompileCommand.self, RulesCommand.self])

    public init() {}

    /// Runs `sortie` with `arguments` (without the program name). Never exits the process.
    public static func run(_ arguments: [String], io: CommandIO) -> Int32 {
        do {
            let command = try parseAsRoot(arguments)
            guard let verb = command as? any Verb else {
                io.stdout(helpMessage() + "\n")
                return ExitStatus.success.rawValue
            }
            return verb.run(io: io).rawValue
        } catch {
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if code == .success {
                io.stdout(message + "\n")
                return ExitStatus.success.rawValue
            }
            io.stderr(message + "\n")
            return ExitStatus.usage.rawValue
        }
    }
}

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
        subcommands: [LintCommand.self, TestCommand.self, EvalCommand.self, CompileCommand.self, ServeCommand.self,
                      RulesCommand.self, ReasonsCommand.self, SchemaCommand.self, TokenCommand.self])

    public init() {}

    /// The help of the verb the arguments name (`sortie VERB --help`, `sortie help VERB`), else the root's.
    static func help(for arguments: [String]) -> String {
        let verb = arguments.first { !$0.hasPrefix("-") && $0 != "help" }
        guard let target = configuration.subcommands.first(where: { $0.configuration.commandName == verb }) else { return helpMessage() }
        return helpMessage(for: target)
    }

    /// Runs `sortie` with `arguments` (without the program name). Never exits the process.
    public static func run(_ arguments: [String], io: CommandIO) -> Int32 {
        do {
            let command = try parseAsRoot(arguments)
            guard let verb = command as? any Verb else {
                // ArgumentParser answers `--help` and `help VERB` with its own help command.
                io.stdout(help(for: arguments) + "\n")
                return ExitStatus.success.rawValue
            }
            return verb.run(io: io).rawValue
        } catch {
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if code == .success {
                // `sortie VERB --help` and `sortie help VERB` show the verb's help, not the root's.
                let wantsHelp = arguments.contains { $0 == "--help" || $0 == "-h" || $0 == "help" }
                io.stdout((wantsHelp ? help(for: arguments) : message) + "\n")
                return ExitStatus.success.rawValue
            }
            io.stderr(message + "\n")
            return ExitStatus.usage.rawValue
        }
    }
}

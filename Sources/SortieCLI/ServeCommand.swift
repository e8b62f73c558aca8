import ArgumentParser
import Foundation
import Logging
import Sortie
import SortieServer

/// `sortie serve`: the conversation service (README, "The conversation service") on the embedded SQLite store by default.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the conversation service over HTTP.",
        discussion: """
            Every request that can create or change a conversation is decided by the policy first. \
            SIGHUP (or POST /v1/admin/reload) reloads the policy; a set with errors keeps the old one. \
            SIGTERM or SIGINT stop the service after in-flight requests finish. \
            With --config, callers need a bearer token (or, for the gateway, a signed webhook); without it the \
            service runs open, on a loopback address only. \
            Exit status: 0 stopped, 1 the policy or the configuration has errors, 2 a usage, store or I/O error.
            """)

    @Option(help: "A ServerConfig file: token issuers, the gateway's webhook secret, the decision log's redaction key.")
    var config: String?

    @Option(help: "The policy directory, or a bundle from `sortie compile`.")
    var policies: String = "policies/"

    @Option(help: "sqlite:PATH (the default, created on first start) or postgres://…")
    var store: String = "sqlite:.sortie/sortie.db"

    @Option(help: "The address to listen on.")
    var host: String = "127.0.0.1"

    @Option(help: "The port to listen on (0: any free port).")
    var port: Int = 8080

    @Option(help: "The decision log (JSON Lines, rotated by size).")
    var decisionLog: String = ".sortie/decisions.jsonl"

    @Flag(help: "Do not write a decision log.")
    var noDecisionLog = false

    @Option(help: "Rotate the decision log past this many bytes.")
    var decisionLogMaxBytes: Int = 64 << 20

    @Option(help: ArgumentHelp(
        "Let decision log lines wait in memory up to this many milliseconds, so answers do not wait for the file (0: each line is written before its answer).",
        discussion: "A crash of the process loses at most the lines of the last interval; a clean stop (SIGTERM, SIGINT) writes them all."))
    var decisionLogFlushMs: Int = 0

    @Flag(help: "Write destinations, subjects and message bodies to the decision log as keyed hashes (needs decisionLog.redactKeyFile in --config).")
    var decisionLogRedact = false

    @Option(help: "Close an HTTP connection that sends nothing for this many seconds.")
    var idleTimeout: Double = 30

    @Option(help: "Accept at most this many open HTTP connections; more wait until one closes.")
    var maxConnections: Int = 512

    @Option(help: "Refuse request bodies larger than this many bytes (413).")
    var maxBodyBytes: Int = 64 << 10

    @Option(help: "SQLite commits: full (each 201 survives a power cut) or normal (survives a crash of the process).")
    var sqliteDurability: String = "full"

    @Option(help: "PostgreSQL: answer 503 (and roll back) when one store call takes longer than this many seconds.")
    var storeTimeout: Double = 10

    @Option(help: "Refuse a message (409) into a conversation that holds this many already.")
    var maxMessagesPerConversation: Int = 10_000

    @Option(help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: String = "info"

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be between 0 and 65535") }
        guard storeTimeout > 0, storeTimeout <= 3600 else { throw ValidationError("--store-timeout must be between 0 and 3600 seconds") }
        guard maxBodyBytes > 0 else { throw ValidationError("--max-body-bytes must be positive") }
        guard idleTimeout > 0, idleTimeout <= 86_400 else { throw ValidationError("--idle-timeout must be between 0 and 86400 seconds") }
        guard maxConnections > 0 else { throw ValidationError("--max-connections must be positive") }
        guard (0...60_000).contains(decisionLogFlushMs) else { throw ValidationError("--decision-log-flush-ms must be between 0 and 60000") }
        guard maxMessagesPerConversation > 0 else { throw ValidationError("--max-messages-per-conversation must be positive") }
        guard Logger.Level(rawValue: logLevel) != nil else { throw ValidationError("--log-level: unknown level \"\(logLevel)\"") }
    }

    var serverConfiguration: ServerConfiguration {
        var configuration = ServerConfiguration(policies: policies, store: store, host: host, port: port,
                                                decisionLog: noDecisionLog ? nil : decisionLog, decisionLogMaxBytes: decisionLogMaxBytes,
                                                maxBodyBytes: maxBodyBytes, sqliteDurability: sqliteDurability,
                                                storeTimeout: .milliseconds(Int64(storeTimeout * 1000)), configFile: config)
        configuration.decisionLogRedact = decisionLogRedact
        configuration.decisionLogFlushInterval = decisionLogFlushMs > 0 ? .milliseconds(decisionLogFlushMs) : nil
        configuration.idleTimeout = .milliseconds(Int64(idleTimeout * 1000))
        configuration.maxConnections = maxConnections
        configuration.maxMessagesPerConversation = maxMessagesPerConversation
        return configuration
    }

    func serve(io: CommandIO) async -> ExitStatus {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        var logger = Logger(label: "sortie")
        logger.logLevel = level
        let server: SortieServer
        do {
            server = try await SortieServer.make(serverConfiguration, logger: logger)
        } catch let error as PolicyCompileError {
            PolicyLoading.reportErrors(error.diagnostics, sources: error.sources, io: io)
            return .failure
        } catch let error as PolicyBundle.LoadError {
            io.stderr("sortie: \(policies): \(error)\n")
            return .failure
        } catch let problems as ServerAccess.Problems {
            PolicyLoading.reportErrors(problems.diagnostics, sources: problems.sources, io: io)
            return .failure
        } catch {
            io.stderr("sortie: \(error)\n")
            return .usage
        }
        let revision = server.service.policy.revision
        let store = StoreLocation.redacted(store)
        if config == nil {
            io.stderr("sortie serve: running open (no --config): anyone on this machine may act as any agent; "
                      + "listening on loopback only\n")
        }
        do {
            try await server.run { port in
                io.stderr("sortie serve: listening on http://\(host):\(port) (policy \(revision), store \(store))\n")
            }
            return .success
        } catch {
            io.stderr("sortie: \(error)\n")
            return .usage
        }
    }
}

extension ServeCommand: Verb {
    /// `serve` runs only through `SortieCommand.main`, which can wait for it.
    func run(io: CommandIO) -> ExitStatus {
        io.stderr("sortie: serve must be started through SortieCommand.main\n")
        return .usage
    }
}

extension SortieCommand {
    /// Runs `sortie` with `arguments`, including the long-running `serve`. Never exits the process.
    public static func main(_ arguments: [String], io: CommandIO) async -> Int32 {
        if let command = try? parseAsRoot(arguments), let serve = command as? ServeCommand {
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = Logger.Level(rawValue: serve.logLevel) ?? .info
                return handler
            }
            return await serve.serve(io: io).rawValue
        }
        return run(arguments, io: io)
    }
}

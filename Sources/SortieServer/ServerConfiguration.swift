import Foundation
import SortiePostgres
import SortieStore

/// How `sortie serve` runs: where the policy and the store are, where it listens, its limits.
public struct ServerConfiguration: Sendable {
    /// A policy directory (or YAML files' folder) or a bundle from `sortie compile`.
    public var policies: String
    /// `sqlite:PATH` (or a bare path) for the embedded store; `postgres://…` for a shared database.
    public var store: String
    public var host: String
    /// 0 picks a free port (tests); `onServerRunning` tells which.
    public var port: Int
    /// The decision log (JSON Lines); nil for none.
    public var decisionLog: String?
    public var decisionLogMaxBytes: Int
    public var decisionLogKeep: Int
    /// Lines wait in memory up to this long and answers do not wait for the file; a crash of the
    /// process loses at most this window. Nil: each line is written before its answer.
    public var decisionLogFlushInterval: Duration?
    /// Larger request bodies are refused with 413 before they are read whole.
    public var maxBodyBytes: Int
    /// SQLite: `full` syncs every commit (an answered 201 survives a power cut), `normal` does not.
    public var sqliteDurability: String
    /// PostgreSQL: the longest one store call may take, waiting for a connection included;
    /// past it the request answers 503 and its transaction is rolled back.
    public var storeTimeout: Duration
    /// PostgreSQL: how long the start waits for the database to answer and take the migrations.
    public var storeConnectTimeout: Duration = .seconds(10)
    /// The `ServerConfig` file (`--config`); nil runs the service open, on loopback only.
    public var configFile: String?
    /// An HTTP connection that sends nothing for this long (between requests, or in the middle
    /// of one) is closed; a request being answered is not cut.
    public var idleTimeout: Duration = .seconds(30)
    /// Open HTTP connections at most; beyond it new connections are not accepted (they wait in
    /// the listen queue) until one closes.
    public var maxConnections: Int = 512
    /// The decision log hashes destinations, subjects and message bodies with `decisionLogRedactKey`.
    public var decisionLogRedact = false
    /// The HMAC-SHA256 key of `decisionLogRedact` (the server config file's `decisionLog.redactKeyFile`).
    public var decisionLogRedactKey: [UInt8]?
    /// A conversation holding this many messages takes no more: an agent's message or a
    /// customer's reply past it answers 409 `conversation-full`.
    public var maxMessagesPerConversation = 10_000
    /// How long idempotency keys are kept (at least 24 hours in service; tests purge sooner).
    public var idempotencyRetention = IdempotencyRetention()
    /// How often the dispatcher looks at the outbox for messages it was not told of (queued by
    /// another instance, or left by a dispatcher that died); a message this process queues is
    /// pushed at once.
    public var outboxPollInterval: Duration = .seconds(1)

    public init(policies: String = "policies", store: String = "sqlite:.sortie/sortie.db", host: String = "127.0.0.1",
                port: Int = 8080, decisionLog: String? = ".sortie/decisions.jsonl", decisionLogMaxBytes: Int = 64 << 20,
                decisionLogKeep: Int = 5, maxBodyBytes: Int = 64 << 10, sqliteDurability: String = "full",
                storeTimeout: Duration = .seconds(10), configFile: String? = nil) {
        self.policies = policies
        self.store = store
        self.host = host
        self.port = port
        self.decisionLog = decisionLog
        self.decisionLogMaxBytes = decisionLogMaxBytes
        self.decisionLogKeep = decisionLogKeep
        self.maxBodyBytes = maxBodyBytes
        self.sqliteDurability = sqliteDurability
        self.storeTimeout = storeTimeout
        self.configFile = configFile
    }
}

/// The configuration as logs may show it (the service group logs its services at debug level):
/// the store URL without its password, the redaction key never.
extension ServerConfiguration: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String {
        "ServerConfiguration(" + customMirror.children.map { "\($0.label ?? ""): \($0.value)" }.joined(separator: ", ") + ")"
    }

    public var debugDescription: String { description }

    public var customMirror: Mirror {
        Mirror(self, children: [
            "policies": policies, "store": StoreLocation.redacted(store), "host": host, "port": port,
            "decisionLog": decisionLog ?? "none", "decisionLogMaxBytes": decisionLogMaxBytes, "decisionLogKeep": decisionLogKeep,
            "decisionLogFlushInterval": decisionLogFlushInterval.map { "\($0)" } ?? "none",
            "decisionLogRedact": decisionLogRedact, "decisionLogRedactKey": decisionLogRedactKey == nil ? "none" : "***",
            "maxBodyBytes": maxBodyBytes, "sqliteDurability": sqliteDurability, "storeTimeout": storeTimeout,
            "idleTimeout": idleTimeout, "maxConnections": maxConnections, "configFile": configFile ?? "none",
        ], displayStyle: .struct)
    }
}

/// Where the store is, from `--store`.
public enum StoreLocation: Sendable, Equatable {
    case sqlite(path: String)
    case postgres(url: String)

    /// `sqlite:PATH`, `sqlite://PATH`, a bare path, or `postgres://…` / `postgresql://…`.
    public static func parse(_ text: String) throws(ServerError) -> StoreLocation {
        if text.hasPrefix("postgres://") || text.hasPrefix("postgresql://") { return .postgres(url: text) }
        var path = text
        if path.hasPrefix("sqlite://") { path.removeFirst("sqlite://".count) } else if path.hasPrefix("sqlite:") { path.removeFirst("sqlite:".count) }
        guard !path.isEmpty, !path.contains("://") else {
            throw .configuration("--store: \"\(redacted(text))\" is not sqlite:PATH, a file path or postgres://…")
        }
        return .sqlite(path: path)
    }

    /// `--store` as it may be shown (logs, messages): a URL's password replaced by `***`.
    public static func redacted(_ text: String) -> String {
        text.contains("://") ? PostgresStore.redacted(text) : text
    }
}

/// Why the server could not start.
public enum ServerError: Error, Sendable, CustomStringConvertible {
    case configuration(String)
    case store(String)

    public var description: String {
        switch self {
        case .configuration(let why): why
        case .store(let why): why
        }
    }
}

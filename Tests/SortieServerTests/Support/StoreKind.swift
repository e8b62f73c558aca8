import Foundation
import GRDB
import Logging
import PostgresNIO
import Testing

/// The two stores every service test runs against: the embedded SQLite file, and PostgreSQL
/// (the private cluster scripts/test starts; `SORTIE_TEST_POSTGRES_URL` names it).
enum StoreKind: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite, postgres

    var testDescription: String { rawValue }

    static let postgresURL = ProcessInfo.processInfo.environment["SORTIE_TEST_POSTGRES_URL"]

    /// The stores this run can test: PostgreSQL only when scripts/test started it.
    static var available: [StoreKind] { postgresURL == nil ? [.sqlite] : [.sqlite, .postgres] }

    /// SQL that makes a create step fail for real, and SQL that repairs it.
    func fault(_ fault: Fault) -> (plant: [String], repair: [String]) {
        switch self {
        case .sqlite:
            let (table, when) = fault.target
            return (["CREATE TRIGGER fail BEFORE \(table.event) ON \(table.name) WHEN \(when) BEGIN SELECT RAISE(ABORT, 'planted fault'); END"],
                    ["DROP TRIGGER fail"])
        case .postgres:
            let (table, when) = fault.target
            return (["CREATE OR REPLACE FUNCTION sortie_fail() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'planted fault'; END $$",
                     "CREATE TRIGGER fail BEFORE \(table.event) ON \(table.name) FOR EACH ROW WHEN (\(when)) EXECUTE FUNCTION sortie_fail()"],
                    ["DROP TRIGGER fail ON \(table.name)"])
        }
    }

    /// Where a planted fault strikes.
    enum Fault: String, Sendable, CaseIterable {
        case taskInsert, taskAcceptance, outboxInsert, doomedAgentsTaskInsert

        var target: (table: (event: String, name: String), when: String) {
            switch self {
            case .taskInsert: (("INSERT", "tasks"), "1 = 1")
            case .taskAcceptance: (("UPDATE", "tasks"), "NEW.state = 'accepted'")
            case .outboxInsert: (("INSERT", "messages"), "1 = 1")
            case .doomedAgentsTaskInsert: (("INSERT", "tasks"), "NEW.agent_id LIKE 'doomed-%'")
            }
        }
    }
}

/// A PostgreSQL database of its own for one test, dropped afterwards.
enum TestPostgres {
    static func client(_ url: String) throws -> PostgresClient {
        let components = try #require(URLComponents(string: url))
        let database = String(components.path.drop { $0 == "/" })
        return PostgresClient(configuration: .init(host: components.host ?? "127.0.0.1", port: components.port ?? 5432,
                                                   username: components.user ?? "sortie", password: components.password,
                                                   database: database.isEmpty ? nil : database, tls: .disable),
                              backgroundLogger: Logger(label: "sortie-test-postgres"))
    }

    /// Runs `body` with the URL of a new, empty database.
    static func withDatabase<T: Sendable>(_ body: (String) async throws -> T) async throws -> T {
        let admin = try #require(StoreKind.postgresURL, "run the suite with scripts/test: it starts PostgreSQL")
        let name = "sortie_test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
        try await run(admin, ["CREATE DATABASE \(name)"])
        var components = try #require(URLComponents(string: admin))
        components.path = "/" + name
        let url = try #require(components.string)
        do {
            let result = try await body(url)
            try await run(admin, ["DROP DATABASE \(name) WITH (FORCE)"])
            return result
        } catch {
            try? await run(admin, ["DROP DATABASE \(name) WITH (FORCE)"])
            throw error
        }
    }

    /// Runs statements on their own connection pool.
    static func run(_ url: String, _ statements: [String]) async throws {
        let client = try client(url)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addImmediateTask { await client.run() }   // marks the client running before any query
            for statement in statements {
                try await client.query(PostgresQuery(unsafeSQL: statement))
            }
            group.cancelAll()
        }
    }

    static func int(_ url: String, _ sql: String) async throws -> Int {
        try await strings(url, "SELECT (\(sql))::text").first.flatMap { Int($0) } ?? -1
    }

    static func strings(_ url: String, _ sql: String) async throws -> [String] {
        let client = try client(url)
        return try await withThrowingTaskGroup(of: [String].self) { group in
            group.addImmediateTask { await client.run(); return [] }
            var values: [String] = []
            for try await value in try await client.query(PostgresQuery(unsafeSQL: sql)).decode(String?.self) {
                values.append(value ?? "")
            }
            group.cancelAll()
            return values
        }
    }
}

/// What a test reads from (or plants in) the store a live server uses, whichever it is.
struct StoreInspector: Sendable {
    enum Target: Sendable {
        case sqlite(path: String)
        case postgres(url: String)
    }
    let target: Target

    func strings(_ sql: String) async throws -> [String] {
        switch target {
        case .sqlite(let path): return try Database(path).strings(sql)
        case .postgres(let url): return try await TestPostgres.strings(url, sql)
        }
    }

    func int(_ sql: String) async throws -> Int {
        switch target {
        case .sqlite(let path): return try Database(path).int(sql)
        case .postgres(let url): return try await TestPostgres.int(url, sql)
        }
    }

    func execute(_ statements: [String]) async throws {
        switch target {
        case .sqlite(let path): for statement in statements { try Database(path).execute(statement) }
        case .postgres(let url): try await TestPostgres.run(url, statements)
        }
    }

    func count(_ table: String, where condition: String = "1 = 1") async throws -> Int {
        try await int("SELECT COUNT(*) FROM \(table) WHERE \(condition)")
    }

    /// The most open outbound tasks any agent holds on one channel (on `channel` only, if given).
    func mostOpenTasksPerAgentAndChannel(_ channel: String? = nil) async throws -> Int {
        try await int("""
            SELECT COALESCE(MAX(n), 0) FROM (SELECT COUNT(*) AS n FROM tasks WHERE state <> 'completed'
            \(channel.map { "AND channel = '\($0)'" } ?? "") GROUP BY agent_id, channel) AS counts
            """)
    }

    /// The most active conversations any destination has.
    func mostActiveConversationsPerDestination() async throws -> Int {
        try await int("""
            SELECT COALESCE(MAX(n), 0) FROM (SELECT COUNT(*) AS n FROM conversations WHERE state = 'active'
            GROUP BY channel, destination) AS counts
            """)
    }
}

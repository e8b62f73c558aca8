import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import ServiceLifecycle
import Sortie
import SortieServer
import SortieService
import SortieSQLite
import SortieStore
import Testing

/// A real `sortie serve` application on a loopback port chosen by the system, over a real
/// SQLite file and decision log in a temporary folder. `with` runs a body against it and then
/// shuts it down gracefully (in-flight requests finish, then the store's services stop).
struct LiveServer: Sendable {
    let port: Int
    let server: SortieServer
    let folder: URL
    /// Reads (and plants faults in) the store this server uses.
    let inspector: StoreInspector

    var service: ConversationService { server.service }
    var decisionLogPath: String { folder.appendingPathComponent("decisions.jsonl").path }

    /// A live server on `store`: SQLite in the temporary folder, or a new PostgreSQL database.
    static func with<T: Sendable>(store: StoreKind = .sqlite, policies: String,
                                  configure: (inout ServerConfiguration) -> Void = { _ in }, logger: Logger? = nil,
                                  _ body: @Sendable (LiveServer) async throws -> T) async throws -> T {
        switch store {
        case .sqlite:
            return try await with(storeURL: nil, policies: policies, configure: configure, logger: logger, body)
        case .postgres:
            return try await TestPostgres.withDatabase { url in
                try await with(storeURL: url, policies: policies, configure: configure, logger: logger, body)
            }
        }
    }

    /// `logger` replaces the quiet default (a test that reads what the server logs).
    static func with<T: Sendable>(storeURL: String?, policies: String, configure: (inout ServerConfiguration) -> Void,
                                  logger given: Logger? = nil,
                                  _ body: @Sendable (LiveServer) async throws -> T) async throws -> T {
        let folder = try TemporaryFolder.make()
        defer { try? FileManager.default.removeItem(at: folder) }
        let sqlitePath = folder.appendingPathComponent("sortie.db").path
        var configuration = ServerConfiguration(
            policies: policies, store: storeURL ?? "sqlite:" + sqlitePath, port: 0,
            decisionLog: folder.appendingPathComponent("decisions.jsonl").path, sqliteDurability: "normal")
        // The suite runs many servers at once on two cores: 64 creates queued on one agent's row
        // lock can take longer than the 10 s default there. The timeout's own test sets it short.
        configuration.storeTimeout = .seconds(60)
        // A fresh cluster's first connection and migrations, beside the rest of the suite.
        configuration.storeConnectTimeout = .seconds(60)
        configure(&configuration)
        let inspector = StoreInspector(target: storeURL.map { url in
            url.hasPrefix("sqlite:") ? .sqlite(path: String(url.dropFirst("sqlite:".count))) : .postgres(url: url)
        } ?? .sqlite(path: sqlitePath))
        var logger = given ?? Logger(label: "sortie-test")
        if given == nil { logger.logLevel = .critical }
        let server = try await SortieServer.make(configuration, logger: logger)
        let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
        let app = server.application { port in portSink.yield(port) }
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else { throw CancellationError() }
            let live = LiveServer(port: port, server: server, folder: folder, inspector: inspector)
            do {
                let result = try await body(live)
                await group.triggerGracefulShutdown()
                try await tasks.waitForAll()
                server.service.decisionLog?.close()
                return result
            } catch {
                await group.triggerGracefulShutdown()
                try? await tasks.waitForAll()
                throw error
            }
        }
    }

    /// One request on a new connection. The read timeout is generous by default (the suite runs
    /// many servers at once on two cores); a test that must notice a hang passes a shorter one.
    func send(_ method: HTTPRequest.Method, _ path: String, _ body: String? = nil, headers: HTTPFields = [:],
              timeout: Duration = .seconds(90)) async throws -> Reply {
        try await Self.request(port: port, method, path, body, headers: headers, timeout: timeout)
    }

    /// One request to a server on a loopback `port` (a `sortie serve` process, too).
    static func request(port: Int, _ method: HTTPRequest.Method, _ path: String, _ body: String? = nil, headers: HTTPFields = [:],
                        timeout: Duration = .seconds(90)) async throws -> Reply {
        try await TestClient.withClient(host: "127.0.0.1", port: port, configuration: .init(timeout: timeout)) { client in
            let response = try await client.execute(.init(path, method: method, headers: headers,
                                                          body: body.map { ByteBuffer(string: $0) }))
            return Reply(status: Int(response.status.code), body: response.body.map { String(buffer: $0) } ?? "")
        }
    }

    func post(_ path: String, _ body: String) async throws -> Reply { try await send(.post, path, body) }
    func get(_ path: String) async throws -> Reply { try await send(.get, path) }

    /// Polls `/healthz` until it answers 200 (true) or 20 s pass (false).
    func becomesHealthy() async throws -> Bool {
        for _ in 0..<100 {
            if try await get("/healthz").status == 200 { return true }
            try await Task.sleep(for: .milliseconds(200))
        }
        return false
    }
}

/// A response: its status and body, with JSON helpers.
struct Reply: Sendable, CustomStringConvertible {
    let status: Int
    let body: String

    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:]
    }

    /// A value at a dotted path: `decision.reasons.0.code`.
    func at(_ path: String) -> Any? {
        var value: Any? = json
        for part in path.split(separator: ".") {
            if let index = Int(part), let array = value as? [Any] {
                value = index < array.count ? array[index] : nil
            } else {
                value = (value as? [String: Any])?[String(part)]
            }
        }
        return value
    }

    func string(_ path: String) -> String? { at(path) as? String }

    /// The codes of `decision.reasons` (or of `reasons` for a bare decision).
    var reasonCodes: [String] {
        let reasons = (at("decision.reasons") ?? at("reasons")) as? [[String: Any]] ?? []
        return reasons.compactMap { $0["code"] as? String }
    }

    var warningCodes: [String] {
        let warnings = (at("decision.warnings") ?? at("warnings")) as? [[String: Any]] ?? []
        return warnings.compactMap { $0["code"] as? String }
    }

    var description: String { "\(status) \(body)" }
}

enum TemporaryFolder {
    static func make() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("sortie-server-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

/// The example policy set of the repository (`policies/`), the seed's story.
let examplePolicies: String = {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("policies").path
}()

/// JSON for an agent of the example set: premium and available gets the default profile (2 SMS, 3 emails).
func agent(_ id: String, license: String = "premium", state: String = "available", team: String? = nil, site: String? = nil) -> String {
    var fields = ["\"id\":\"\(id)\"", "\"license\":\"\(license)\"", "\"state\":\"\(state)\""]
    if let team { fields.append("\"team\":\"\(team)\"") }
    if let site { fields.append("\"site\":\"\(site)\"") }
    return "{" + fields.joined(separator: ",") + "}"
}

/// A create body for an SMS conversation from the example set's support number.
func smsCreate(agent agentJSON: String, to: String, extra: String = "") -> String {
    "{\"agent\":\(agentJSON),\"channel\":\"sms\",\"to\":\"\(to)\",\"entryPoint\":\"support-sms-fr\"\(extra)}"
}

/// A create body for an email conversation from the example set's customer-service address.
func emailCreate(agent agentJSON: String, to: String, subject: String?, extra: String = "") -> String {
    let subjectJSON = subject.map { "\"\($0)\"" } ?? "null"
    return "{\"agent\":\(agentJSON),\"channel\":\"email\",\"to\":\"\(to)\",\"entryPoint\":\"service-client\",\"subject\":\(subjectJSON)\(extra)}"
}

import Foundation
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing

extension ClusterFaultTests {
    /// Several `sortie serve` processes on one PostgreSQL database, under concurrent mixed load with
    /// colliding destinations, while one instance is killed with SIGKILL and replaced, and then
    /// PostgreSQL itself is restarted. Afterwards the database must show every invariant of the service (README, "The conversation service").
    /// The instances run with a `ServerConfig`, so every request carries its agent's token.
    /// The cluster is the test's own (`PrivatePostgres`): restarting the shared one would fail the
    /// tests running beside it.
    @Suite(.enabled(if: PrivatePostgres.isAvailable, "needs PostgreSQL's binaries: scripts/install-deps installs them"))
    struct MultiInstanceTests {
        /// The instances' current ports; a killed instance is replaced by a new one on a new port.
        final class Instances: Sendable {
            private let state = Mutex<[(process: ServeProcessTests.ServeProcess, port: Int)]>([])
            let arguments: [String]

            init(arguments: [String]) { self.arguments = arguments }

            func start() async throws {
                let process = try ServeProcessTests.ServeProcess(arguments)
                let port = try await process.port()
                state.withLock { $0.append((process, port)) }
            }

            var ports: [Int] { state.withLock { $0.map(\.port) } }

            /// SIGKILL for the first instance (no graceful shutdown), then a new one in its place.
            func killAndReplaceFirst() async throws {
                let victim = state.withLock { $0.removeFirst() }
                kill(victim.process.process.processIdentifier, SIGKILL)
                victim.process.process.waitUntilExit()
                try await start()
            }

            func stopAll() {
                for instance in state.withLock({ $0 }) {
                    kill(instance.process.process.processIdentifier, SIGTERM)
                    instance.process.process.waitUntilExit()
                }
            }
        }

        /// What the client tasks share.
        final class Shared: Sendable {
            let tally = Mutex(Tally())
            let done = Atomic<Int>(0)
        }

        /// What the clients saw.
        struct Tally: Sendable {
            var created: [String: String] = [:]    // idempotency key → conversation id
            var retriedKeys: Set<String> = []
            var statuses: [Int: Int] = [:]
        }

        /// Sends until an answer that is not a transport failure or a 503 (the same request, so a
        /// create keeps its Idempotency-Key), trying the instances in turn.
        static func send(_ instances: Instances, _ method: HTTPRequest.Method, _ path: String, _ body: String, key: String?,
                         token: String, attempt start: Int) async throws -> (Reply, retried: Bool) {
            for attempt in 0..<80 {
                let ports = instances.ports
                guard !ports.isEmpty else { try await Task.sleep(for: .milliseconds(100)); continue }
                let port = ports[(start + attempt) % ports.count]
                var fields = Credentials.bearer(token)
                if let key { fields[.init("Idempotency-Key")!] = key }
                let headers = fields
                do {
                    let reply = try await TestClient.withClient(host: "127.0.0.1", port: port) { client in
                        let response = try await client.execute(.init(path, method: method, headers: headers, body: ByteBuffer(string: body)))
                        return Reply(status: Int(response.status.code), body: response.body.map { String(buffer: $0) } ?? "")
                    }
                    if reply.status != 503 { return (reply, attempt > 0) }
                } catch {
                    // The instance is gone or restarting: try another.
                }
                try await Task.sleep(for: .milliseconds(50 + 10 * attempt))
            }
            Issue.record("no definitive answer after 80 attempts: \(method) \(path)")
            return (Reply(status: 0, body: ""), true)
        }

        @Test(.timeLimit(.minutes(4)))
        func invariantsHoldAcrossInstancesAKilledInstanceAndARestartOfPostgres() async throws {
            let policies = try PolicyFixture.write(PolicyFixture.text(smsLimit: 2, emailLimit: 1))
            defer { try? FileManager.default.removeItem(at: policies) }
            let credentials = try Credentials.make()
            defer { credentials.remove() }
            var minted: [String: String] = [:]
            for n in 0..<200 { minted["agent-\(n)"] = try await credentials.agent("agent-\(n)") }
            let tokens = minted
            try await PostgresFaultTests.withCluster { cluster in
                let url = cluster.url
                let instances = Instances(arguments: ["--policies", policies.path, "--store", url, "--port", "0", "--no-decision-log",
                                                      "--log-level", "critical", "--config", credentials.configPath])
                for _ in 0..<3 { try await instances.start() }
                defer { instances.stopAll() }
                let shared = Shared()
                let operations = 5_000
                let clients = 25

                try await withThrowingTaskGroup(of: Void.self) { group in
                    for client in 0..<clients {
                        group.addTask {
                            var generator = SplitMix(seed: UInt64(client) &* 7919)
                            var open: [(id: String, agent: String)] = []
                            for n in 0..<(operations / clients) {
                                let roll = generator.next() % 10
                                if roll < 6 || open.isEmpty {
                                    let agentId = "agent-\(generator.next() % 200)"
                                    let customer = generator.next() % 300
                                    let key = "c\(client)-\(n)"
                                    let agentJSON = #"{"state":"available"}"#
                                    let body = roll == 0
                                        ? emailCreate(agent: agentJSON, to: "client\(customer)@example.fr", subject: "Dossier \(customer)")
                                        : smsCreate(agent: agentJSON, to: "+3361000\(String(format: "%04d", customer))")
                                    let (reply, retried) = try await Self.send(instances, .post, "/v1/outbound-conversations", body, key: key,
                                                                               token: tokens[agentId]!, attempt: n)
                                    shared.tally.withLock { tally in
                                        tally.statuses[reply.status, default: 0] += 1
                                        if retried { tally.retriedKeys.insert(key) }
                                        if reply.status == 201, let id = reply.string("conversation.id") {
                                            if let earlier = tally.created[key] { #expect(earlier == id, "key \(key) got two conversations") }
                                            tally.created[key] = id
                                        }
                                    }
                                    #expect([201, 403, 409].contains(reply.status), "\(reply)")
                                    if reply.status == 201, let id = reply.string("conversation.id") { open.append((id, agentId)) }
                                } else if roll < 8 {
                                    let (id, owner) = open[Int(generator.next() % UInt64(open.count))]
                                    let (reply, _) = try await Self.send(instances, .post, "/v1/conversations/\(id)/messages", #"{"body":"Bonjour"}"#,
                                                                         key: nil, token: tokens[owner]!, attempt: n)
                                    #expect(reply.status == 201, "\(reply)")
                                } else {
                                    let (id, owner) = open.remove(at: Int(generator.next() % UInt64(open.count)))
                                    let (reply, _) = try await Self.send(instances, .post, "/v1/conversations/\(id)/close", #"{"wrapUpReason":"done"}"#,
                                                                         key: nil, token: tokens[owner]!, attempt: n)
                                    // 409: a retry after a close that was applied but not answered.
                                    #expect(reply.status == 200 || reply.status == 409, "\(reply)")
                                }
                                shared.done.add(1, ordering: .relaxed)
                            }
                        }
                    }
                    // The faults, while the load runs.
                    group.addTask {
                        while shared.done.load(ordering: .relaxed) < operations / 3 { try await Task.sleep(for: .milliseconds(20)) }
                        try await instances.killAndReplaceFirst()
                        while shared.done.load(ordering: .relaxed) < 2 * operations / 3 { try await Task.sleep(for: .milliseconds(20)) }
                        try await cluster.restartServer()
                    }
                    try await group.waitForAll()
                }

                let inspector = StoreInspector(target: .postgres(url: url))
                let seen = shared.tally.withLock { $0 }
                #expect(seen.statuses[201, default: 0] > 100, "\(seen.statuses)")
                #expect(try await inspector.mostOpenTasksPerAgentAndChannel("sms") <= 2)
                #expect(try await inspector.mostOpenTasksPerAgentAndChannel("email") <= 1)
                #expect(try await inspector.mostActiveConversationsPerDestination() <= 1)
                // Every 201 is in the database; nothing exists that no client was answered; no half-written create.
                let stored = Set(try await inspector.strings("SELECT id FROM conversations WHERE origin = 'outbound'"))
                #expect(Set(seen.created.values) == stored)
                #expect(try await inspector.count("conversations", where: "origin = 'outbound' AND id NOT IN (SELECT conversation_id FROM tasks)") == 0)
                #expect(try await inspector.count("tasks", where: "conversation_id NOT IN (SELECT id FROM conversations)") == 0)
                // A key that was retried still has exactly one conversation.
                #expect(try await inspector.count("idempotency_keys") == seen.created.count)
                #expect(try await inspector.int("SELECT COUNT(DISTINCT conversation_id) FROM idempotency_keys") == seen.created.count)
            }
        }
    }
}

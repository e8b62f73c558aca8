import Foundation
import Synchronization
import Testing

extension ClusterFaultTests {
    /// The PostgreSQL store when the database goes away: readiness, reconnection, the store-call
    /// timeout, and a restart of PostgreSQL under load. Each test has a cluster of its own
    /// (`PrivatePostgres`), since it stops or restarts it.
    @Suite(.enabled(if: PrivatePostgres.isAvailable, "needs PostgreSQL's binaries: scripts/install-deps installs them"))
    struct PostgresFaultTests {
        static func withCluster<T: Sendable>(_ body: (PrivatePostgres) async throws -> T) async throws -> T {
            let cluster = try await PrivatePostgres.start()
            do {
                let result = try await body(cluster)
                await cluster.destroy()
                return result
            } catch {
                await cluster.destroy()
                throw error
            }
        }

        @Test(.timeLimit(.minutes(2)))
        func healthzReportsReadinessAndTheStoreReconnectsByItself() async throws {
            let policies = try PolicyFixture.write()
            defer { try? FileManager.default.removeItem(at: policies) }
            try await Self.withCluster { cluster in
                try await LiveServer.with(storeURL: cluster.url, policies: policies.path,
                                          configure: { $0.storeTimeout = .seconds(10) }) { live in   // the product's default
                    #expect(try await live.get("/healthz").status == 200)
                    #expect(try await live.post("/v1/outbound-conversations", smsCreate(agent: agent("a1"), to: "+33612000001")).status == 201)

                    try await cluster.stopServer()
                    let started = ContinuousClock.now
                    let health = try await live.get("/healthz")
                    #expect(health.status == 503, "\(health)")
                    #expect(health.string("status") == "unavailable")
                    // The bound sits well below the 10 s store timeout it must not wait for, and well above a
                    // loaded machine's 2 s.
                    #expect(ContinuousClock.now - started < .seconds(7), "readiness answers within 2 s, whatever the store timeout")
                    let refusedAt = ContinuousClock.now
                    let refused = try await live.post("/v1/outbound-conversations", smsCreate(agent: agent("a2"), to: "+33612000002"))
                    #expect(refused.status == 503, "\(refused)")
                    #expect(ContinuousClock.now - refusedAt < .seconds(14), "a create waits for a connection no longer than --store-timeout")
                    // A create the store cannot take is a failed task creation, decided as such.
                    #expect(refused.reasonCodes == ["TASK_CREATION_FAILED"], "\(refused)")

                    try await cluster.startServer()
                    #expect(try await live.becomesHealthy(), "the pool must reconnect without a restart of the service")
                    #expect(try await live.post("/v1/outbound-conversations", smsCreate(agent: agent("a2"), to: "+33612000002")).status == 201)
                    // The refused create wrote nothing: only the two 201s are there.
                    #expect(try await live.inspector.count("conversations") == 2)
                    #expect(try await live.inspector.count("tasks") == 2)
                    #expect(try await live.inspector.count("customers") == 2)
                }
            }
        }

        @Test(.timeLimit(.minutes(2)))
        func aCallPastTheStoreTimeoutAnswers503AndIsRolledBack() async throws {
            let policies = try PolicyFixture.write()
            defer { try? FileManager.default.removeItem(at: policies) }
            try await Self.withCluster { cluster in
                try await LiveServer.with(storeURL: cluster.url, policies: policies.path,
                                          configure: { $0.storeTimeout = .seconds(2) }) { live in
                    // A task insert that takes 15 s: the create has inserted its customer and conversation
                    // by then. The gap between the 2 s timeout and the 15 s insert leaves room for a machine
                    // loaded by the rest of the suite.
                    try await live.inspector.execute([
                        "CREATE FUNCTION sortie_slow() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(15); RETURN NEW; END $$",
                        "CREATE TRIGGER slow BEFORE INSERT ON tasks FOR EACH ROW EXECUTE FUNCTION sortie_slow()",
                    ])
                    let started = ContinuousClock.now
                    let reply = try await live.post("/v1/outbound-conversations", smsCreate(agent: agent("a1"), to: "+33612000001"))
                    let waited = ContinuousClock.now - started
                    #expect(reply.status == 503, "\(reply)")
                    #expect(reply.reasonCodes == ["TASK_CREATION_FAILED"], "\(reply)")
                    #expect(waited < .seconds(12), "answered after \(waited), at the 2 s timeout, not after the 15 s insert")

                    // Past the trigger's sleep: the abandoned transaction was rolled back, not committed late.
                    try await Task.sleep(for: .seconds(15))
                    #expect(try await live.inspector.count("conversations") == 0)
                    #expect(try await live.inspector.count("customers") == 0)
                    #expect(try await live.inspector.count("tasks") == 0)

                    try await live.inspector.execute(["DROP TRIGGER slow ON tasks"])
                    var status = 0
                    for _ in 0..<10 where status != 201 {   // a 503 on a busy machine is the timeout doing its job
                        status = try await live.post("/v1/outbound-conversations", smsCreate(agent: agent("a1"), to: "+33612000001")).status
                        if status != 201 { try await Task.sleep(for: .milliseconds(500)) }
                    }
                    #expect(status == 201)
                    #expect(try await live.inspector.count("conversations") == 1)
                }
            }
        }

        /// What the load clients saw.
        final class Seen: Sendable {
            let created = Mutex<Set<String>>([])
            let statuses = Mutex<[Int: Int]>([:])
            let done = Atomic<Int>(0)
        }

        /// The regression test for a hang: with postgres-nio alone, a restart under load left about
        /// a third of the in-flight requests waiting forever, and the graceful shutdown with them.
        @Test(.timeLimit(.minutes(3)))
        func aRestartOfPostgresUnderLoadAnswersEveryRequest() async throws {
            let policies = try PolicyFixture.write(PolicyFixture.text(smsLimit: 2, emailLimit: 1))
            defer { try? FileManager.default.removeItem(at: policies) }
            try await Self.withCluster { cluster in
                try await LiveServer.with(storeURL: cluster.url, policies: policies.path, configure: { _ in }) { live in
                    let seen = Seen()
                    let clients = 24
                    let perClient = 60
                    try await withThrowingTaskGroup(of: Void.self) { group in
                        for client in 0..<clients {
                            group.addTask {
                                var open: [String] = []
                                for n in 0..<perClient {
                                    let reply: Reply
                                    if n % 3 == 2, !open.isEmpty {
                                        // A bounded wait: a request that hangs fails the test instead of stalling the suite.
                                        reply = try await live.send(.post, "/v1/conversations/\(open.removeFirst())/close", #"{"wrapUpReason":"done"}"#,
                                                                    timeout: .seconds(30))
                                        #expect([200, 409, 503].contains(reply.status), "\(reply)")
                                    } else {
                                        // Colliding destinations and agents: 40 agents, 90 customers.
                                        let body = smsCreate(agent: agent("agent-\((client * 7 + n) % 40)"),
                                                             to: "+3361200\(String(format: "%04d", (client * 13 + n * 7) % 90))")
                                        reply = try await live.send(.post, "/v1/outbound-conversations", body, timeout: .seconds(30))
                                        #expect([201, 403, 409, 503].contains(reply.status), "\(reply)")
                                        if reply.status == 201, let id = reply.string("conversation.id") {
                                            open.append(id)
                                            seen.created.withLock { _ = $0.insert(id) }
                                        }
                                    }
                                    seen.statuses.withLock { $0[reply.status, default: 0] += 1 }
                                    seen.done.add(1, ordering: .relaxed)
                                }
                            }
                        }
                        group.addTask {
                            while seen.done.load(ordering: .relaxed) < clients * perClient / 3 { try await Task.sleep(for: .milliseconds(10)) }
                            try await cluster.restartServer()
                        }
                        try await group.waitForAll()
                    }
                    #expect(seen.done.load(ordering: .relaxed) == clients * perClient, "every request was answered")
                    #expect(try await live.becomesHealthy())
                    let statuses = seen.statuses.withLock { $0 }
                    #expect(statuses[201, default: 0] > 50, "\(statuses)")
                    #expect(try await live.inspector.mostOpenTasksPerAgentAndChannel("sms") <= 2)
                    #expect(try await live.inspector.mostActiveConversationsPerDestination() <= 1)
                    #expect(try await live.inspector.count("tasks", where: "conversation_id NOT IN (SELECT id FROM conversations)") == 0)
                    #expect(try await live.inspector.count("conversations", where: "id NOT IN (SELECT conversation_id FROM tasks)") == 0)
                    // Every 201 is stored. (A 503 whose commit was the statement in flight may be stored
                    // too: that is what Idempotency-Key retries are for, see MultiInstanceTests.)
                    let stored = Set(try await live.inspector.strings("SELECT id FROM conversations"))
                    #expect(seen.created.withLock { $0 }.isSubset(of: stored))
                    // A create after the restart works on the reconnected pool.
                    #expect(try await live.post("/v1/outbound-conversations", smsCreate(agent: agent("late"), to: "+33699999999")).status == 201)
                }
            }
        }
    }
}

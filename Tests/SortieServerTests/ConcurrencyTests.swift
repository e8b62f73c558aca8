import Foundation
import Testing

/// The service's invariants under concurrent requests on separate connections: an agent never
/// over its limit, one active conversation per destination, every 201 durable.
@Suite struct ConcurrencyTests {
    @Test(arguments: StoreKind.available) func sixtyFourCreatesForOneAgentWithLimitThreeGiveExactlyThree(store: StoreKind) async throws {
        let policies = try PolicyFixture.write(PolicyFixture.text(smsLimit: 3))
        defer { try? FileManager.default.removeItem(at: policies) }
        try await LiveServer.with(store: store, policies: policies.path) { live in
            let statuses = try await withThrowingTaskGroup(of: Reply.self) { group in
                for n in 0..<64 {
                    group.addTask {
                        try await live.post("/v1/outbound-conversations", smsCreate(agent: agent("solo"), to: "+336100\(String(format: "%05d", n))"))
                    }
                }
                return try await group.reduce(into: [Reply]()) { $0.append($1) }
            }
            #expect(statuses.count { $0.status == 201 } == 3)
            #expect(statuses.count { $0.status == 403 && $0.reasonCodes == ["OUTBOUND_LIMIT_REACHED"] } == 61)
            let database = live.inspector
            #expect(try await database.count("conversations") == 3)
            #expect(try await database.count("tasks", where: "agent_id = 'solo' AND state = 'accepted'") == 3)
        }
    }

    @Test(arguments: StoreKind.available) func sixtyFourCreatesToOneDestinationGiveExactlyOne(store: StoreKind) async throws {
        let policies = try PolicyFixture.write()
        defer { try? FileManager.default.removeItem(at: policies) }
        try await LiveServer.with(store: store, policies: policies.path) { live in
            let replies = try await withThrowingTaskGroup(of: Reply.self) { group in
                for n in 0..<64 {
                    // The same customer, written in several ways.
                    let to = ["+33612345678", "+33 6 12 34 56 78", "+33 (0)6 12 34 56 78", "(+33) 6-12-34-56-78"][n % 4]
                    group.addTask { try await live.post("/v1/outbound-conversations", smsCreate(agent: agent("agent-\(n)"), to: to)) }
                }
                return try await group.reduce(into: [Reply]()) { $0.append($1) }
            }
            #expect(replies.count { $0.status == 201 } == 1)
            #expect(replies.count { $0.status == 409 && $0.reasonCodes == ["CONVERSATION_ALREADY_ACTIVE"] } == 63)
            #expect(try await live.inspector.count("conversations", where: "state = 'active'") == 1)
        }
    }

    /// Concurrent creates share a SQLite transaction (group commit), each in its own savepoint:
    /// one that fails must take nothing of the others with it.
    @Test(arguments: StoreKind.available) func aFailingCreateLeavesTheOthersOfItsBatchIntact(store: StoreKind) async throws {
        let policies = try PolicyFixture.write()
        defer { try? FileManager.default.removeItem(at: policies) }
        try await LiveServer.with(store: store, policies: policies.path) { live in
            let database = live.inspector
            try await database.execute(store.fault(.doomedAgentsTaskInsert).plant)
            let replies = try await withThrowingTaskGroup(of: (String, Reply).self) { group in
                for n in 0..<48 {
                    let name = n % 2 == 0 ? "doomed-\(n)" : "fine-\(n)"
                    group.addTask { (name, try await live.post("/v1/outbound-conversations", smsCreate(agent: agent(name), to: "+336200\(String(format: "%05d", n))"))) }
                }
                return try await group.reduce(into: [(String, Reply)]()) { $0.append($1) }
            }
            for (name, reply) in replies {
                if name.hasPrefix("doomed") {
                    #expect(reply.status == 503 && reply.reasonCodes == ["TASK_CREATION_FAILED"], "\(reply)")
                } else {
                    #expect(reply.status == 201, "\(reply)")
                }
            }
            #expect(try await database.count("conversations") == 24)
            #expect(try await database.count("conversations", where: "agent_id LIKE 'doomed-%'") == 0)
            #expect(try await database.count("customers") == 24)
        }
    }

    @Test(arguments: StoreKind.available) func createsAndClosesForFiftyAgentsKeepEveryInvariant(store: StoreKind) async throws {
        let policies = try PolicyFixture.write(PolicyFixture.text(smsLimit: 2, emailLimit: 1))
        defer { try? FileManager.default.removeItem(at: policies) }
        try await LiveServer.with(store: store, policies: policies.path) { live in
            let database = live.inspector
            // Fifty agents, each creating and closing in a loop, over only 40 destinations so that they collide.
            let created = try await withThrowingTaskGroup(of: [String].self) { group in
                for agentNumber in 0..<50 {
                    group.addTask {
                        var mine: [String] = []
                        var generator = SplitMix(seed: UInt64(agentNumber))
                        for _ in 0..<12 {
                            let customer = Int(generator.next() % 40)
                            let body = generator.next() % 3 == 0
                                ? emailCreate(agent: agent("agent-\(agentNumber)"), to: "client\(customer)@example.fr", subject: "Dossier \(customer)")
                                : smsCreate(agent: agent("agent-\(agentNumber)"), to: "+3361000\(String(format: "%04d", customer))")
                            let reply = try await live.post("/v1/outbound-conversations", body)
                            #expect([201, 403, 409].contains(reply.status), "\(reply)")
                            if reply.status == 201, let id = reply.string("conversation.id") {
                                mine.append(id)
                                if generator.next() % 2 == 0 {
                                    let closed = try await live.post("/v1/conversations/\(id)/close", #"{"wrapUpReason":"done"}"#)
                                    #expect(closed.status == 200, "\(closed)")
                                }
                            }
                        }
                        return mine
                    }
                }
                // Meanwhile, the database is sampled: the invariants hold at every moment, not only at the end.
                group.addTask {
                    for _ in 0..<40 {
                        #expect(try await database.mostOpenTasksPerAgentAndChannel() <= 2)
                        #expect(try await database.mostActiveConversationsPerDestination() <= 1)
                        try await Task.sleep(for: .milliseconds(5))
                    }
                    return []
                }
                return try await group.reduce(into: [String]()) { $0 += $1 }
            }
            #expect(!created.isEmpty)
            #expect(try await database.mostOpenTasksPerAgentAndChannel() <= 2)
            #expect(try await database.mostOpenTasksPerAgentAndChannel("email") <= 1)
            #expect(try await database.mostActiveConversationsPerDestination() <= 1)
            // Every 201 is in the database, with its task; no task without its conversation.
            let stored = Set(try await database.strings("SELECT id FROM conversations"))
            #expect(Set(created).isSubset(of: stored))
            #expect(try await database.count("tasks", where: "conversation_id NOT IN (SELECT id FROM conversations)") == 0)
            #expect(try await database.count("conversations") == created.count)
        }
    }
}

/// A small seeded generator, so a failing run can be replayed.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

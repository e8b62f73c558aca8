import Foundation
import GRDB
import Hummingbird
@testable import SortiePostgres
@testable import SortieSQLite
@testable import SortieService
import SortieStore
import Testing

/// Idempotency keys are scoped to the caller and bound to the SHA-256 of the exact body: the
/// same key with another body is 422 and creates nothing, under concurrency too; keys are kept
/// for the retention, then purged; databases from before the binding migrate.
@Suite struct IdempotencyKeyTests {
    func create(_ live: LiveServer, _ body: String, key: String) async throws -> Reply {
        try await Self.create(live, body, key: key)
    }

    static func create(_ live: LiveServer, _ body: String, key: String) async throws -> Reply {
        try await live.send(.post, "/v1/outbound-conversations", body, headers: [.init("Idempotency-Key")!: key])
    }

    @Test(arguments: StoreKind.available)
    func aKeyReusedWithAnotherBodyIs422AndCreatesNothing(store: StoreKind) async throws {
        try await LiveServer.with(store: store, policies: examplePolicies) { live in
            let body = smsCreate(agent: agent("a-1"), to: "+33612345678", extra: #","message":{"body":"Bonjour"}"#)
            let first = try await create(live, body, key: "k-1")
            #expect(first.status == 201, "\(first)")
            // Another destination, and the same request with one more space: both other bodies.
            for other in [smsCreate(agent: agent("a-1"), to: "+33612345679"), body.replacingOccurrences(of: ",", with: ", ")] {
                let reused = try await create(live, other, key: "k-1")
                #expect(reused.status == 422, "\(reused)")
                #expect(reused.string("error.code") == "idempotency-key-reused")
                #expect(reused.at("error.status") as? Int == 422)
            }
            #expect(try await live.inspector.count("conversations") == 1)
            #expect(try await live.inspector.count("messages") == 1)
            #expect(try await live.inspector.count("idempotency_keys") == 1)
            // The first body still gets the first answer.
            let again = try await create(live, body, key: "k-1")
            #expect(again.status == 201)
            #expect(again.body == first.body)
            #expect(try await live.inspector.strings("SELECT body_sha256 FROM idempotency_keys")
                    == [ConversationService.sha256Hex(Array(body.utf8))])
        }
    }

    /// Two bodies under one key at once, from agents whose creates do not wait for each other
    /// (different slots, different destinations): one conversation, and every other answer a
    /// replay of it or a 422.
    @Test(arguments: StoreKind.available)
    func concurrentCreatesUnderOneKeyWithDifferentBodiesCreateOneConversation(store: StoreKind) async throws {
        try await LiveServer.with(store: store, policies: examplePolicies) { live in
            let bodies = [smsCreate(agent: agent("a-1"), to: "+33612345678"), smsCreate(agent: agent("a-2"), to: "+33612345679")]
            let replies = try await withThrowingTaskGroup(of: (Int, Reply).self) { group in
                for n in 0..<16 {
                    group.addTask { (n % 2, try await create(live, bodies[n % 2], key: "k-race")) }
                }
                return try await group.reduce(into: [(Int, Reply)]()) { $0.append($1) }
            }
            #expect(replies.allSatisfy { [201, 422].contains($0.1.status) }, "\(replies)")
            let created = replies.filter { $0.1.status == 201 }
            #expect(Set(created.map { $0.1.string("conversation.id") ?? "" }).count == 1)
            // Only the body that won is answered 201, and only the other one 422.
            #expect(Set(created.map(\.0)).count == 1)
            #expect(!replies.contains { $0.1.status == 422 && $0.0 == created.first?.0 })
            #expect(try await live.inspector.count("conversations") == 1)
            #expect(try await live.inspector.count("tasks") == 1)
            #expect(try await live.inspector.count("idempotency_keys") == 1)
        }
    }

    /// The scope names the caller: one key under two scopes is two keys.
    @Test(arguments: StoreKind.available)
    func oneKeyUnderTwoScopesIsTwoKeys(store: StoreKind) async throws {
        try await LiveServer.with(store: store, policies: examplePolicies) { live in
            let first = smsCreate(agent: agent("a-1"), to: "+33612345678")
            let second = smsCreate(agent: agent("a-2"), to: "+33612345679")
            let before = try await live.inspector.count("conversations")
            let a = await live.service.createOutbound(Array(first.utf8), idempotencyKey: "k", idempotencyScope: "agent|iss|a-1")
            let b = await live.service.createOutbound(Array(second.utf8), idempotencyKey: "k", idempotencyScope: "agent|iss|a-2")
            #expect(a.status == 201)
            #expect(b.status == 201)
            #expect(a.body != b.body)
            // Each scope replays its own answer, and the open scope of HTTP has none under "k".
            #expect(await live.service.createOutbound(Array(first.utf8), idempotencyKey: "k", idempotencyScope: "agent|iss|a-1").body == a.body)
            #expect(await live.service.createOutbound(Array(first.utf8), idempotencyKey: "k", idempotencyScope: "agent|iss|a-2").status == 422)
            #expect(try await create(live, smsCreate(agent: agent("a-3"), to: "+33612345670"), key: "k").status == 201)
            #expect(try await live.inspector.count("conversations") == before + 3)
            #expect(try await live.inspector.count("idempotency_keys", where: "key = 'k'") == 3)
        }
    }

    /// Over HTTP with a `ServerConfig`, the scope is the token's principal: two agents (and an
    /// integration) using one key each get their own conversation, and their own replay.
    @Test(arguments: StoreKind.available)
    func eachPrincipalHasItsOwnKeys(store: StoreKind) async throws {
        let credentials = try Credentials.make()
        defer { credentials.remove() }
        try await LiveServer.with(store: store, policies: examplePolicies, configure: { $0.configFile = credentials.configPath }) { live in
            let callers = [(try await credentials.agent("agent-a"), smsCreate(agent: #"{"id":"agent-a","state":"available"}"#, to: "+33612345678")),
                           (try await credentials.agent("agent-b"), smsCreate(agent: #"{"id":"agent-b","state":"available"}"#, to: "+33612345679")),
                           (try await credentials.token("desktop-backend", roles: [.integration]),
                            smsCreate(agent: agent("agent-c"), to: "+33612345670"))]
            func send(_ token: String, _ body: String) async throws -> Reply {
                var headers = Credentials.bearer(token)
                headers[.init("Idempotency-Key")!] = "k"
                return try await live.send(.post, "/v1/outbound-conversations", body, headers: headers)
            }
            var firsts: [Reply] = []
            for (token, body) in callers {
                let reply = try await send(token, body)
                #expect(reply.status == 201, "\(reply)")
                firsts.append(reply)
            }
            #expect(Set(firsts.map { $0.string("conversation.id") ?? "" }).count == 3)
            for ((token, body), first) in zip(callers, firsts) {
                #expect(try await send(token, body).body == first.body)
            }
            // The integration's key "k" is bound to its own body, not to agent-a's.
            let reused = try await send(callers[2].0, callers[0].1)
            #expect(reused.status == 422, "\(reused)")
            #expect(reused.string("error.code") == "idempotency-key-reused")
            #expect(try await live.inspector.count("conversations") == 3)
            #expect(try await live.inspector.count("idempotency_keys", where: "key = 'k'") == 3)
        }
    }

    /// A key older than the retention (24 hours by default) is purged by the store's purger,
    /// a younger one kept; once purged, the key is free again.
    @Test(arguments: StoreKind.available)
    func keysOlderThanTheRetentionArePurged(store: StoreKind) async throws {
        try await LiveServer.with(store: store, policies: examplePolicies, configure: {
            $0.idempotencyRetention = IdempotencyRetention(purgeEvery: .milliseconds(100))
        }) { live in
            #expect(live.server.configuration.idempotencyRetention.keep == .seconds(24 * 3600))
            let old = smsCreate(agent: agent("a-1"), to: "+33612345678")
            #expect(try await create(live, old, key: "k-old").status == 201)
            #expect(try await create(live, smsCreate(agent: agent("a-2"), to: "+33612345679"), key: "k-new").status == 201)
            // Stored 24 h and 1 min ago, and 23 h 59 min ago.
            let now = Date().timeIntervalSince1970
            try await live.inspector.execute([
                "UPDATE idempotency_keys SET created_at = \(now - 86_460) WHERE key = 'k-old'",
                "UPDATE idempotency_keys SET created_at = \(now - 86_340) WHERE key = 'k-new'",
            ])
            var purged = false
            for _ in 0..<100 where !purged {
                try await Task.sleep(for: .milliseconds(100))
                purged = try await live.inspector.count("idempotency_keys", where: "key = 'k-old'") == 0
            }
            #expect(purged)
            #expect(try await live.inspector.count("idempotency_keys", where: "key = 'k-new'") == 1)
            // Forgotten: the same create is decided again (the destination is taken now).
            let retried = try await create(live, old, key: "k-old")
            #expect(retried.status == 409, "\(retried)")
            #expect(retried.reasonCodes == ["CONVERSATION_ALREADY_ACTIVE"])
        }
    }

    /// A SQLite file from before keys were bound migrates: its keys keep the open scope and no
    /// body hash, so reusing one is 422 (never a replay of an unchecked body) until it is purged.
    @Test func aSQLiteDatabaseWithUnboundKeysMigrates() async throws {
        let folder = try TemporaryFolder.make()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("sortie.db").path
        let old = try DatabaseQueue(path: path)
        try SQLiteSchema.migrator.migrate(old, upTo: "v2: idempotency keys")
        try await old.write { db in try db.execute(sql: Self.unboundKeyRows) }
        try old.close()
        try await LiveServer.with(storeURL: "sqlite:" + path, policies: examplePolicies, configure: { _ in }) { live in
            try await Self.checkMigrated(live)
        }
        let migrations = try await SQLiteStore(path: path).appliedMigrations()
        #expect(migrations.contains("v3: idempotency keys scoped to the caller and bound to the body"))
        #expect(migrations.last == SQLiteSchema.migrator.migrations.last, "brought to the newest version")
    }

    @Test(.enabled(if: StoreKind.postgresURL != nil))
    func aPostgresDatabaseWithUnboundKeysMigrates() async throws {
        try await TestPostgres.withDatabase { url in
            var statements = ["CREATE TABLE schema_migrations (version TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"]
            for (version, sql) in PostgresSchema.migrations.prefix(2) {
                statements += PostgresStore.statements(sql) + ["INSERT INTO schema_migrations (version) VALUES ('\(version)')"]
            }
            try await TestPostgres.run(url, statements + PostgresStore.statements(Self.unboundKeyRows))
            try await LiveServer.with(storeURL: url, policies: examplePolicies, configure: { _ in }) { live in
                try await Self.checkMigrated(live)
            }
        }
    }

    /// A conversation and the key that created it, as the v2 schema kept them.
    static let unboundKeyRows = """
        INSERT INTO customers (id, channel, address, created_at) VALUES ('cust-1', 'sms', '+33612345678', 1);
        INSERT INTO conversations (id, origin, state, channel, customer_id, destination, agent_id, entry_point, created_at)
            VALUES ('conv-1', 'outbound', 'closed', 'sms', 'cust-1', '+33612345678', 'a-1', 'support-sms-fr', 1);
        INSERT INTO idempotency_keys (key, conversation_id, answer, created_at) VALUES ('k-v2', 'conv-1', '{}', \(Date().timeIntervalSince1970));
        """

    static func checkMigrated(_ live: LiveServer) async throws {
        #expect(try await live.inspector.strings("SELECT scope || ' ' || key || ' ' || COALESCE(body_sha256, 'none') FROM idempotency_keys")
                == ["\(Caller.open.scope) k-v2 none"])
        let reused = try await create(live, smsCreate(agent: agent("a-1"), to: "+33612345678"), key: "k-v2")
        #expect(reused.status == 422, "\(reused)")
        #expect(reused.string("error.code") == "idempotency-key-reused")
        #expect(try await live.inspector.count("conversations") == 1)
        // New keys are bound as usual.
        let fresh = try await create(live, smsCreate(agent: agent("a-1"), to: "+33612345678"), key: "k-v3")
        #expect(fresh.status == 201, "\(fresh)")
    }
}

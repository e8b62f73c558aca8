import Foundation
import GRDB
import SortieService
import SortieStore
import Testing

/// The rules both stores share (trimming, decoding rows), their health check, and their
/// services' lifetime.
@Suite struct StoreRulesTests {
    @Test(arguments: StoreKind.available, ["resolu\n", "\u{2028}resolu", "\tresolu\u{85}"])
    func theStoredWrapUpReasonIsTheOneTheEvaluatorCompared(store: StoreKind, reason: String) async throws {
        try await LiveServer.with(store: store, policies: examplePolicies) { live in
            let id = try await ConversationEndpointTests.open(live)
            let body = String(decoding: try JSONEncoder().encode(["wrapUpReason": reason]), as: UTF8.self)
            let closed = try await live.post("/v1/conversations/\(id)/close", body)
            #expect(closed.status == 200, "\(closed)")
            #expect(closed.string("conversation.wrapUpReason") == "resolu")
            #expect(try await live.inspector.strings("SELECT wrap_up_reason FROM conversations") == ["resolu"])
            #expect(try await live.get("/v1/conversations/\(id)").string("conversation.wrapUpReason") == "resolu")
        }
    }

    /// A value the code does not know, written by a newer version or by hand, is an error
    /// that names it, never read as a default.
    @Test(arguments: StoreKind.available, [
        ("conversations", "channel", "fax"),
        ("tasks", "channel", "fax"),
        ("messages", "status", "bounced"),
    ])
    func anUnknownValueInARowIsAnError(store: StoreKind, example: (table: String, column: String, value: String)) async throws {
        try await LiveServer.with(store: store, policies: examplePolicies) { live in
            let created = try await live.post("/v1/outbound-conversations",
                                              smsCreate(agent: agent("a-1"), to: "+33612345678", extra: #","message":{"body":"Bonjour"}"#))
            #expect(created.status == 201, "\(created)")
            let id = try #require(created.string("conversation.id"))
            try await live.inspector.execute(["UPDATE \(example.table) SET \(example.column) = '\(example.value)'"])
            let view = try await live.get("/v1/conversations/\(id)")
            #expect(view.status == 503, "\(view)")
            #expect(view.string("error.code") == "store-unavailable")
        }
    }

    @Test func rowDecodingNamesTheColumnAndTheValue() throws {
        struct Row: StoredRow {
            func text(_ column: String) throws(StoreError) -> String? { column == "state" ? "archived" : column == "origin" ? "outbound" : column == "channel" ? "sms" : "x" }
            func number(_ column: String) throws(StoreError) -> Double? { 0 }
        }
        #expect(throws: StoreError.self) { try ConversationRecord(row: Row()) }
        do {
            _ = try ConversationRecord(row: Row())
        } catch {
            #expect("\(error)" == #"store unavailable: conversations.state holds "archived", which is not one of active, closed"#)
        }
    }

    @Test func wrapUpReasonsAreTrimmedAsCharactersSeeWhiteSpace() {
        #expect(WrapUpReason.trimmed(" resolu\n") == "resolu")
        #expect(WrapUpReason.trimmed("\u{A0}\u{2003}resolu\r\n") == "resolu")
        #expect(WrapUpReason.trimmed("a rappeler") == "a rappeler")
    }

    // MARK: Health

    /// `/healthz` reads the tables, so a broken schema is seen (`SELECT 1` alone still answered).
    @Test(arguments: StoreKind.available)
    func healthReadsTheTablesTheStoreWrites(store: StoreKind) async throws {
        try await LiveServer.with(store: store, policies: examplePolicies) { live in
            // Polled: readiness answers 503 past its 2 s bound, which a loaded machine can exceed.
            #expect(try await live.becomesHealthy())
            try await live.inspector.execute(["ALTER TABLE messages RENAME TO messages_elsewhere"])
            let health = try await live.get("/healthz")
            #expect(health.status == 503, "\(health)")
            #expect(health.string("store")?.hasPrefix("unavailable: ") == true, "\(health)")
            try await live.inspector.execute(["ALTER TABLE messages_elsewhere RENAME TO messages"])
            #expect(try await live.get("/healthz").status == 200)
        }
    }

    /// A failed write makes `/healthz` answer 503 `failing: …` until a write succeeds.
    @Test(arguments: StoreKind.available)
    func aFailedWriteIsReportedUntilAWriteSucceeds(store: StoreKind) async throws {
        try await LiveServer.with(store: store, policies: examplePolicies) { live in
            let (plant, repair) = store.fault(.taskInsert)
            try await live.inspector.execute(plant)
            // The failure is reported for WriteHealth's 10 s window; a loaded machine may take
            // longer than that between two steps, so each check holds only inside the window,
            // counted from before the failing write (never later than the write itself).
            let failedAt = ContinuousClock.now
            let failed = try await live.post("/v1/outbound-conversations", smsCreate(agent: agent("a-1"), to: "+33612345678"))
            #expect(failed.status == 503, "\(failed)")
            func withinWindow() -> Bool { ContinuousClock.now - failedAt < .seconds(9) }
            let health = try await live.get("/healthz")
            if withinWindow() {
                #expect(health.status == 503, "\(health)")
                #expect(health.string("store")?.hasPrefix("failing: task creation failed: ") == true, "\(health)")
                #expect(health.string("store")?.contains("planted fault") == true, "\(health)")
            }
            // A refusal writes nothing, so it says nothing about the writes.
            let refused = try await live.post("/v1/outbound-conversations", smsCreate(agent: agent("a-2", state: "offline"), to: "+33612345679"))
            #expect(refused.status != 201)
            let stillFailing = try await live.get("/healthz").status
            #expect(stillFailing == 503 || !withinWindow())
            try await live.inspector.execute(repair)
            let created = try await live.post("/v1/outbound-conversations", smsCreate(agent: agent("a-1"), to: "+33612345678"))
            #expect(created.status == 201, "\(created)")
            #expect(try await live.get("/healthz").status == 200)
        }
    }

    @Test func aFailedWriteIsReportedForItsWindowOnly() async throws {
        let writes = WriteHealth(window: .milliseconds(100))
        writes.failed(.unavailable("disk full"))
        #expect(writes.recentFailure() == "store unavailable: disk full")
        try await Task.sleep(for: .milliseconds(150))
        #expect(writes.recentFailure() == nil)
    }

    /// An SQLite file whose table pages were overwritten: `SELECT 1` still answers, the tables do not.
    @Test func aCorruptSQLiteFileAnswers503() async throws {
        let folder = try TemporaryFolder.make()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("kept.db").path
        try await LiveServer.with(policies: examplePolicies, configure: { $0.store = "sqlite:" + path }) { live in
            for n in 0..<20 {
                let reply = try await live.post("/v1/outbound-conversations", smsCreate(agent: agent("a-\(n)"), to: "+336100000\(10 + n)"))
                #expect(reply.status == 201)
            }
            #expect(try await live.get("/healthz").status == 200)
        }
        // The clean shutdown emptied the WAL: every page is in the file.
        let pages = try await DatabaseQueue(path: path).read { db in
            try Int.fetchAll(db, sql: """
                SELECT rootpage FROM sqlite_master WHERE type IN ('table', 'index') AND rootpage > 1
                AND tbl_name NOT IN ('grdb_migrations') AND name NOT LIKE 'sqlite_autoindex_grdb%'
                """)
        }
        #expect(!pages.isEmpty)
        let file = try #require(FileHandle(forUpdatingAtPath: path))
        for page in pages {
            try file.seek(toOffset: UInt64((page - 1) * 4_096))
            try file.write(contentsOf: Data(repeating: 0xA5, count: 4_096))
        }
        try file.close()
        try await LiveServer.with(policies: examplePolicies, configure: { $0.store = "sqlite:" + path }) { live in
            let health = try await live.get("/healthz")
            #expect(health.status == 503, "\(health)")
            #expect(health.string("store")?.contains("malformed") == true, "\(health)")
        }
    }

    // MARK: Services

    /// Once its services stopped with the server, the SQLite store answers a create at once
    /// (503) instead of queueing it for a batcher that no longer runs.
    @Test func aCreateAfterTheServicesStoppedIsAnsweredAtOnce() async throws {
        let service = try await LiveServer.with(policies: examplePolicies) { (live: LiveServer) async throws -> ConversationService in
            #expect(try await live.post("/v1/outbound-conversations", smsCreate(agent: agent("a-1"), to: "+33612345678")).status == 201)
            return live.service
        }
        let late = await service.createOutbound(Array(smsCreate(agent: agent("a-2"), to: "+33612345679").utf8), idempotencyKey: nil)
        #expect(late.status == 503)
    }
}

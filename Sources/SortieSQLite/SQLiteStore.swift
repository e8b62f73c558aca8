import Foundation
import GRDB
import Sortie
import SortieStore

/// The embedded default store: one SQLite file in WAL mode. Every call is one `BEGIN IMMEDIATE`
/// transaction on GRDB's single writer connection, so a create's facts cannot change between
/// the read and the insert (creates that arrive together share a transaction, each in its own
/// savepoint: see `CreateBatcher`); reads of a conversation go through the pool's readers.
public final class SQLiteStore: ConversationStore {
    /// How durable a commit is. `full` (the default) syncs the WAL on every commit, so an
    /// answered 201 survives a power cut; `normal` survives a crash of the process only.
    public enum Durability: String, Sendable { case full, normal }

    private let pool: DatabasePool
    private let creates: CreateBatcher
    let checkpointer: WALCheckpointer
    public let path: String

    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    public convenience init(path: String, durability: Durability = .full) throws(StoreError) {
        try self.init(path: path, durability: durability, checkpoints: WALCheckpointer.Settings())
    }

    /// The store with its own checkpoint settings (tests use a small WAL bound).
    init(path: String, durability: Durability, checkpoints: WALCheckpointer.Settings) throws(StoreError) {
        self.path = path
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = \(durability == .full ? "FULL" : "NORMAL")")
            // Checkpoints run beside the writer, not inside a commit: see `WALCheckpointer`.
            try db.execute(sql: "PRAGMA wal_autocheckpoint = 0")
        }
        do {
            let pool = try DatabasePool(path: path, configuration: configuration)
            try SQLiteSchema.migrator.migrate(pool)
            self.pool = pool
            creates = CreateBatcher(pool: pool)
            checkpointer = try WALCheckpointer(path: path, settings: checkpoints)
            checkpointer.start()
        } catch {
            throw .unavailable("cannot open \(path): \(error)")
        }
    }

    /// The migrations applied to the database, oldest first.
    public func appliedMigrations() async throws(StoreError) -> [String] {
        try await read { db in try SQLiteSchema.migrator.appliedMigrations(db) }
    }

    // MARK: Creates

    public func createOutbound(_ draft: OutboundDraft, decide: @escaping @Sendable (OutboundFacts) -> Decision,
                               answer: @escaping @Sendable (Decision, CreatedConversation) -> [UInt8]) async throws(StoreError) -> OutboundOutcome {
        try await creates.submit(CreateBatcher.Request(draft: draft, decide: decide, answer: answer)).get()
    }

    public func rememberedAnswer(idempotencyKey: String) async throws(StoreError) -> [UInt8]? {
        try await read { db in
            try Data.fetchOne(db.cachedStatement(sql: "SELECT answer FROM idempotency_keys WHERE key = ?"), arguments: [idempotencyKey])
                .map { Array($0) }
        }
    }

    /// One create inside the batch's transaction, in its own savepoint: a refused or failed
    /// create rolls back to the savepoint and leaves the batch's other creates untouched.
    static func create(_ db: Database, _ request: CreateBatcher.Request) -> Result<OutboundOutcome, StoreError> {
        let draft = request.draft
        var outcome: OutboundOutcome?
        do {
            try db.inSavepoint {
                if let key = draft.idempotencyKey,
                   let answer = try Data.fetchOne(db.cachedStatement(sql: "SELECT answer FROM idempotency_keys WHERE key = ?"), arguments: [key]) {
                    outcome = .replayed(Array(answer))
                    return .rollback
                }
                let facts = try Self.facts(db, draft)
                let decision = request.decide(facts)
                guard decision.allowed else {
                    outcome = .refused(decision, facts)
                    return .rollback
                }
                do {
                    let created = try Self.insertOutbound(db, draft)
                    if let key = draft.idempotencyKey {
                        try Self.step(StoreError.taskCreationFailed) {
                            try db.cachedStatement(sql: """
                                INSERT INTO idempotency_keys (key, conversation_id, answer, created_at) VALUES (?, ?, ?, ?)
                                """).execute(arguments: [key, created.conversation.id, Data(request.answer(decision, created)), time(draft.now)])
                        }
                    }
                    outcome = .created(decision, facts, created)
                    return .commit
                } catch let failure as StoreError {
                    outcome = .failed(decision, facts, failure)
                    return .rollback
                }
            }
        } catch {
            return .failure(.unavailable("\(error)"))
        }
        return outcome.map { .success($0) } ?? .failure(.unavailable("the create did not run"))
    }

    /// The inserts of an allowed create. Each step's database error becomes the reason code the
    /// service answers: the conversation and its task → `TASK_CREATION_FAILED`, the agent
    /// accepting the task → `AGENT_ASSIGNMENT_FAILED`.
    private static func insertOutbound(_ db: Database, _ draft: OutboundDraft) throws -> CreatedConversation {
        guard let channel = draft.channel, let destination = draft.destination, let entryPoint = draft.entryPoint else {
            throw StoreError.taskCreationFailed("an allowed decision without channel, destination or entry point")
        }
        let now = time(draft.now)
        let (conversation, offered) = try step(StoreError.taskCreationFailed) { () throws -> (ConversationRecord, TaskRecord) in
            let customerId = try customerId(db, channel: channel, address: destination, newId: draft.customerId, now: draft.now)
            let subject = channel == .email ? draft.subject : nil
            // Linked to the customer's last conversation, found by the insert itself.
            let previous = try String.fetchOne(db.cachedStatement(sql: """
                INSERT INTO conversations (id, origin, state, channel, customer_id, destination, agent_id, entry_point, subject,
                                           subject_key, previous_conversation_id, created_at)
                VALUES (?1, 'outbound', 'active', ?2, ?3, ?4, ?5, ?6, ?7, ?8,
                        (SELECT id FROM conversations WHERE customer_id = ?3 ORDER BY created_at DESC, rowid DESC LIMIT 1), ?9)
                RETURNING previous_conversation_id
                """), arguments: [draft.conversationId, channel.rawValue, customerId, destination, draft.agentId, entryPoint,
                                  subject, subject.map(SubjectKey.of), now])
            let conversation = ConversationRecord(
                id: draft.conversationId, origin: .outbound, state: .active, channel: channel, customerId: customerId,
                destination: destination, agentId: draft.agentId, entryPoint: entryPoint,
                subject: subject, previousConversationId: previous, createdAt: draft.now)
            let task = TaskRecord(id: draft.taskId, conversationId: conversation.id, agentId: draft.agentId,
                                  channel: channel, state: .offered, createdAt: draft.now)
            try db.cachedStatement(sql: """
                INSERT INTO tasks (id, conversation_id, agent_id, channel, state, created_at) VALUES (?, ?, ?, ?, ?, ?)
                """).execute(arguments: [task.id, task.conversationId, task.agentId, channel.rawValue, task.state.rawValue, now])
            return (conversation, task)
        }
        try step(StoreError.agentAssignmentFailed) {
            try db.cachedStatement(sql: "UPDATE tasks SET state = 'accepted', accepted_at = ? WHERE id = ?").execute(arguments: [now, offered.id])
        }
        var task = offered
        task.state = .accepted
        task.acceptedAt = draft.now
        let message = try draft.firstMessage.map { first in
            try step(StoreError.taskCreationFailed) { try insertOutbound(db, first, conversationId: conversation.id, now: draft.now) }
        }
        return CreatedConversation(conversation: conversation, task: task, firstMessage: message)
    }

    /// The three facts in one statement (the create path runs on the single writer, so every
    /// statement saved there is throughput).
    static func facts(_ db: Database, _ draft: OutboundDraft) throws -> OutboundFacts {
        let subjectKey = draft.channel == .email ? draft.subject.map(SubjectKey.of) : nil
        guard let row = try Row.fetchOne(db.cachedStatement(sql: """
            SELECT (SELECT COUNT(*) FROM tasks WHERE agent_id = ?1 AND channel = 'sms' AND state <> 'completed') AS sms,
                   (SELECT COUNT(*) FROM tasks WHERE agent_id = ?1 AND channel = 'email' AND state <> 'completed') AS email,
                   EXISTS (SELECT 1 FROM conversations WHERE channel = ?2 AND destination = ?3 AND state = 'active') AS destination_active,
                   EXISTS (SELECT 1 FROM conversations WHERE channel = 'email' AND ?4 IS NOT NULL AND destination = ?3
                           AND subject_key = ?4) AS subject_used
            """), arguments: [draft.agentId, draft.channel?.rawValue, draft.destination, subjectKey]) else {
            throw StoreError.unavailable("the facts query returned no row")
        }
        var active: [String: Int] = [:]
        for channel in Channel.allCases {
            let count: Int = row[channel.rawValue]
            if count > 0 { active[channel.rawValue] = count }
        }
        return OutboundFacts(activeOutbound: active, destinationActive: row["destination_active"],
                             subjectUsed: row["subject_used"])
    }

    public func activeOutbound(agentId: String) async throws(StoreError) -> [String: Int] {
        try await read { db in
            var active: [String: Int] = [:]
            for row in try Row.fetchAll(db.cachedStatement(sql: """
                SELECT channel, COUNT(*) AS n FROM tasks WHERE agent_id = ? AND state <> 'completed' GROUP BY channel
                """), arguments: [agentId]) {
                active[row["channel"]] = row["n"]
            }
            return active
        }
    }

    // MARK: Conversations

    public func conversation(id: String) async throws(StoreError) -> ConversationRecord? {
        try await read { db in try Self.conversation(db, id: id) }
    }

    public func conversationView(id: String) async throws(StoreError) -> ConversationView? {
        try await read { db in
            guard let conversation = try Self.conversation(db, id: id),
                  let customerRow = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM customers WHERE id = ?"), arguments: [conversation.customerId])
            else { return nil }
            let customer = CustomerRecord(id: customerRow["id"], channel: Self.channel(customerRow["channel"]),
                                          address: customerRow["address"], createdAt: Self.date(customerRow["created_at"]))
            let task = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM tasks WHERE conversation_id = ?"), arguments: [id]).map(Self.task)
            let messages = try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM messages WHERE conversation_id = ? ORDER BY seq"),
                                            arguments: [id]).map(Self.message)
            let earlier = try Row.fetchAll(db.cachedStatement(sql: """
                SELECT * FROM conversations WHERE customer_id = ? AND id <> ? AND (created_at < ? OR (created_at = ? AND rowid < (SELECT rowid FROM conversations WHERE id = ?)))
                ORDER BY created_at DESC, rowid DESC
                """), arguments: [conversation.customerId, id, Self.time(conversation.createdAt), Self.time(conversation.createdAt), id]).map(Self.conversation)
            return ConversationView(conversation: conversation, customer: customer, task: task, messages: messages,
                                    earlierConversations: earlier)
        }
    }

    public func appendOutboundMessage(conversationId: String, _ message: MessageDraft, now: Date) async throws(StoreError) -> ConversationChange<MessageRecord> {
        try await transaction { db in
            guard let conversation = try Self.conversation(db, id: conversationId) else { return .notFound }
            guard conversation.state == .active else { return .notActive(conversation) }
            return .done(try Self.insertOutbound(db, message, conversationId: conversationId, now: now))
        }
    }

    public func receiveInbound(_ inbound: InboundDraft) async throws(StoreError) -> InboundOutcome {
        try await transaction { db in
            let customerId = try Self.customerId(db, channel: inbound.channel, address: inbound.from,
                                                 newId: inbound.newCustomerId, now: inbound.now)
            let subjectKey = inbound.subject.map(SubjectKey.of)
            let repliedTo = try inbound.inReplyTo.flatMap { id in
                try String.fetchOne(db.cachedStatement(sql: """
                    SELECT m.conversation_id FROM messages m JOIN conversations c ON c.id = m.conversation_id
                    WHERE m.id = ? AND c.customer_id = ?
                    """), arguments: [id, customerId])
            }
            var conversation: ConversationRecord
            let match: InboundOutcome.Match
            if let active = try Row.fetchOne(db.cachedStatement(sql: """
                SELECT * FROM conversations WHERE channel = ? AND destination = ? AND state = 'active'
                """), arguments: [inbound.channel.rawValue, inbound.from]).map(Self.conversation) {
                conversation = active
                match = .joining(active, inbound, repliedTo: repliedTo)
            } else {
                var previous = repliedTo
                if previous == nil, inbound.channel == .email, let subjectKey {
                    previous = try String.fetchOne(db.cachedStatement(sql: """
                        SELECT id FROM conversations WHERE customer_id = ? AND subject_key = ? ORDER BY created_at DESC, rowid DESC LIMIT 1
                        """), arguments: [customerId, subjectKey])
                }
                if previous == nil {
                    previous = try String.fetchOne(db.cachedStatement(sql: """
                        SELECT id FROM conversations WHERE customer_id = ? ORDER BY created_at DESC, rowid DESC LIMIT 1
                        """), arguments: [customerId])
                }
                conversation = ConversationRecord(
                    id: inbound.newConversationId, origin: .inbound, state: .active, channel: inbound.channel,
                    customerId: customerId, destination: inbound.from, agentId: nil, entryPoint: inbound.entryPoint,
                    subject: inbound.channel == .email ? inbound.subject.map(SubjectKey.stripped) : nil,
                    previousConversationId: previous, createdAt: inbound.now)
                try Self.insert(db, conversation)
                match = .newConversation
            }
            let message = MessageRecord(id: inbound.messageId, conversationId: conversation.id, direction: .inbound,
                                        body: inbound.body, subject: inbound.subject, template: nil, status: .received,
                                        inReplyTo: inbound.inReplyTo, createdAt: inbound.now)
            try Self.insert(db, message)
            return InboundOutcome(conversation: conversation, message: message, match: match)
        }
    }

    public func close(conversationId: String, wrapUpReason: String?, now: Date,
                      decide: @escaping @Sendable (ConversationRecord) -> Decision) async throws(StoreError) -> ConversationChange<(Decision, ConversationRecord)> {
        try await transaction { db in
            guard var conversation = try Self.conversation(db, id: conversationId) else { return .notFound }
            guard conversation.state == .active else { return .notActive(conversation) }
            let decision = decide(conversation)
            guard decision.allowed else { return .done((decision, conversation)) }
            let reason = wrapUpReason.map { String(Substring($0).trimmingCharacters(in: .whitespaces)) }
            try db.cachedStatement(sql: "UPDATE conversations SET state = 'closed', closed_at = ?, wrap_up_reason = ? WHERE id = ?").execute(
                           arguments: [Self.time(now), reason, conversationId])
            try db.cachedStatement(sql: "UPDATE tasks SET state = 'completed', completed_at = ? WHERE conversation_id = ? AND state <> 'completed'").execute(
                           arguments: [Self.time(now), conversationId])
            conversation.state = .closed
            conversation.closedAt = now
            conversation.wrapUpReason = reason
            return .done((decision, conversation))
        }
    }

    public func ping() async throws(StoreError) {
        _ = try await read { db in try Int.fetchOne(db.cachedStatement(sql: "SELECT 1")) }
    }

    public func shutdown() async {
        await checkpointer.stop()
        try? pool.close()
    }

    // MARK: Transactions

    /// Runs `body` in one `BEGIN IMMEDIATE` transaction: all of it is kept, or none.
    private func transaction<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(StoreError) -> T {
        do {
            return try await immediateTransaction(body)
        } catch let error as StoreError {
            throw error
        } catch {
            throw .unavailable("\(error)")
        }
    }

    /// `transaction` with the body's own errors passed through untouched.
    private func immediateTransaction<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await pool.writeWithoutTransaction { db in
            var result: T?
            try db.inTransaction(.immediate) {
                result = try body(db)
                return .commit
            }
            return result!
        }
    }

    private func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(StoreError) -> T {
        do {
            return try await pool.read(body)
        } catch {
            throw .unavailable("\(error)")
        }
    }

    /// Runs one step of a create; a database error becomes `failure` (with SQLite's message).
    private static func step<T>(_ failure: (String) -> StoreError, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as DatabaseError {
            throw failure(error.message ?? "\(error)")
        }
    }

    // MARK: Rows

    private static func customerId(_ db: Database, channel: Channel, address: String, newId: String, now: Date) throws -> String {
        guard let id = try String.fetchOne(db.cachedStatement(sql: """
            INSERT INTO customers (id, channel, address, created_at) VALUES (?, ?, ?, ?)
            ON CONFLICT (channel, address) DO UPDATE SET address = excluded.address
            RETURNING id
            """), arguments: [newId, channel.rawValue, address, time(now)]) else {
            throw StoreError.unavailable("customer \(address) vanished")
        }
        return id
    }

    private static func insert(_ db: Database, _ c: ConversationRecord) throws {
        try db.cachedStatement(sql: """
            INSERT INTO conversations (id, origin, state, channel, customer_id, destination, agent_id, entry_point, subject,
                                       subject_key, previous_conversation_id, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [c.id, c.origin.rawValue, c.state.rawValue, c.channel.rawValue, c.customerId, c.destination,
                             c.agentId, c.entryPoint, c.subject, c.subject.map(SubjectKey.of), c.previousConversationId,
                             time(c.createdAt)])
    }

    private static func insertOutbound(_ db: Database, _ draft: MessageDraft, conversationId: String, now: Date) throws -> MessageRecord {
        let message = MessageRecord(id: draft.id, conversationId: conversationId, direction: .outbound, body: draft.body,
                                    subject: draft.subject, template: draft.template, status: .queued, inReplyTo: nil,
                                    createdAt: now)
        try insert(db, message)
        return message
    }

    private static func insert(_ db: Database, _ m: MessageRecord) throws {
        try db.cachedStatement(sql: """
            INSERT INTO messages (id, conversation_id, direction, body, subject, template, status, in_reply_to, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [m.id, m.conversationId, m.direction.rawValue, m.body, m.subject, m.template,
                             m.status.rawValue, m.inReplyTo, time(m.createdAt)])
    }

    private static func conversation(_ db: Database, id: String) throws -> ConversationRecord? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM conversations WHERE id = ?"), arguments: [id]).map(conversation)
    }

    private static func conversation(_ row: Row) -> ConversationRecord {
        ConversationRecord(
            id: row["id"], origin: ConversationRecord.Origin(rawValue: row["origin"]) ?? .outbound,
            state: ConversationRecord.State(rawValue: row["state"]) ?? .closed, channel: channel(row["channel"]),
            customerId: row["customer_id"], destination: row["destination"], agentId: row["agent_id"],
            entryPoint: row["entry_point"], subject: row["subject"], previousConversationId: row["previous_conversation_id"],
            createdAt: date(row["created_at"]), closedAt: (row["closed_at"] as Double?).map(date),
            wrapUpReason: row["wrap_up_reason"])
    }

    private static func task(_ row: Row) -> TaskRecord {
        TaskRecord(id: row["id"], conversationId: row["conversation_id"], agentId: row["agent_id"],
                   channel: channel(row["channel"]), state: TaskRecord.State(rawValue: row["state"]) ?? .completed,
                   createdAt: date(row["created_at"]), acceptedAt: (row["accepted_at"] as Double?).map(date),
                   completedAt: (row["completed_at"] as Double?).map(date))
    }

    private static func message(_ row: Row) -> MessageRecord {
        MessageRecord(id: row["id"], conversationId: row["conversation_id"],
                      direction: MessageRecord.Direction(rawValue: row["direction"]) ?? .outbound, body: row["body"],
                      subject: row["subject"], template: row["template"],
                      status: MessageRecord.Status(rawValue: row["status"]) ?? .queued, inReplyTo: row["in_reply_to"],
                      createdAt: date(row["created_at"]))
    }

    private static func channel(_ raw: String) -> Channel { Channel(rawValue: raw) ?? .sms }
    private static func time(_ date: Date) -> Double { date.timeIntervalSince1970 }
    private static func date(_ seconds: Double) -> Date { Date(timeIntervalSince1970: seconds) }
}

import Foundation
import GRDB
import ServiceLifecycle
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
    private let writes: WriteHealth
    private let idempotency: IdempotencyRetention
    public let path: String

    /// Opens (creating if needed) the database at `path` and brings its schema up to date.
    /// Creates wait until `services` run.
    /// Idempotency keys are kept as long as `idempotency` says.
    public convenience init(path: String, durability: Durability = .full, writes: WriteHealth = WriteHealth(),
                            idempotency: IdempotencyRetention = IdempotencyRetention()) throws(StoreError) {
        try self.init(path: path, durability: durability, checkpoints: WALCheckpointer.Settings(), writes: writes,
                      idempotency: idempotency)
    }

    /// The store with its own checkpoint settings (tests use a small WAL bound).
    init(path: String, durability: Durability, checkpoints: WALCheckpointer.Settings,
         writes: WriteHealth = WriteHealth(), idempotency: IdempotencyRetention = IdempotencyRetention()) throws(StoreError) {
        self.path = path
        self.writes = writes
        self.idempotency = idempotency
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = \(durability == .full ? "FULL" : "NORMAL")")
            // Checkpoints run beside the writer, not inside a commit: see `WALCheckpointer`.
            try db.execute(sql: "PRAGMA wal_autocheckpoint = 0")
        }
        do {
            // SQLite gives the -wal and -shm files the mode of the database file.
            try OwnerOnlyFiles.createFile(atPath: path)
            let pool = try DatabasePool(path: path, configuration: configuration)
            try SQLiteSchema.migrator.migrate(pool)
            self.pool = pool
            creates = CreateBatcher(pool: pool)
            checkpointer = try WALCheckpointer(path: path, settings: checkpoints)
        } catch {
            throw .unavailable("cannot open \(path): \(error)")
        }
    }

    /// The checkpointer, the create batcher, then the idempotency key purger: at shutdown the
    /// purger stops first, and the batcher finishes the creates it holds before the last
    /// checkpoint empties the WAL.
    public var services: [any Service] {
        [checkpointer, creates, IdempotencyPurger(retention: idempotency) { [self] cutoff throws(StoreError) in
            try await purgeIdempotencyKeys(storedBefore: cutoff)
        }]
    }

    /// Deletes the idempotency keys stored before `cutoff`; returns how many.
    @discardableResult
    public func purgeIdempotencyKeys(storedBefore cutoff: Date) async throws(StoreError) -> Int {
        try await transaction { db in
            try db.cachedStatement(sql: "DELETE FROM idempotency_keys WHERE created_at < ?").execute(arguments: [StoredTime.seconds(cutoff)])
            return PurgedKeys(count: db.changesCount)
        }.count
    }

    /// The migrations applied to the database, oldest first.
    public func appliedMigrations() async throws(StoreError) -> [String] {
        try await read { db in try SQLiteSchema.migrator.appliedMigrations(db) }
    }

    // MARK: Creates

    public func createOutbound(_ draft: OutboundDraft, decide: @escaping @Sendable (OutboundFacts) -> Decision,
                               answer: @escaping @Sendable (Decision, CreatedConversation) -> [UInt8]) async throws(StoreError) -> OutboundOutcome {
        try await writes.track { () async throws(StoreError) in
            try await creates.submit(CreateBatcher.Request(draft: draft, decide: decide, answer: answer)).get()
        }
    }

    public func remembered(_ key: IdempotencyKey) async throws(StoreError) -> RememberedCreate? {
        try await read { db in try Self.remembered(db, key) }
    }

    private static func remembered(_ db: Database, _ key: IdempotencyKey) throws -> RememberedCreate? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT body_sha256, answer FROM idempotency_keys WHERE scope = ? AND key = ?"),
                         arguments: [key.scope, key.key]).map { row in
            RememberedCreate(bodySHA256: try row.decode(forColumn: "body_sha256"), answer: Array(try row.decode(Data.self, forColumn: "answer")))
        }
    }

    /// One create inside the batch's transaction, in its own savepoint: a refused or failed
    /// create rolls back to the savepoint and leaves the batch's other creates untouched.
    static func create(_ db: Database, _ request: CreateBatcher.Request) -> Result<OutboundOutcome, StoreError> {
        let draft = request.draft
        var outcome: OutboundOutcome?
        do {
            try db.inSavepoint {
                if let key = draft.idempotency, let remembered = try Self.remembered(db, key) {
                    outcome = key.outcome(of: remembered)
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
                    if let key = draft.idempotency {
                        try Self.step(StoreError.taskCreationFailed) {
                            try db.cachedStatement(sql: """
                                INSERT INTO idempotency_keys (scope, key, body_sha256, conversation_id, answer, created_at)
                                VALUES (?, ?, ?, ?, ?, ?)
                                """).execute(arguments: [key.scope, key.key, key.bodySHA256, created.conversation.id,
                                                         Data(request.answer(decision, created)), StoredTime.seconds(draft.now)])
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
        let rows = try OutboundRows(draft)
        let now = StoredTime.seconds(draft.now)
        let conversation = try step(StoreError.taskCreationFailed) { () throws -> ConversationRecord in
            let customerId = try customerId(db, channel: rows.channel, address: rows.destination, newId: draft.customerId, now: draft.now)
            // Linked to the customer's last conversation, found by the insert itself.
            let previous = try String.fetchOne(db.cachedStatement(sql: """
                INSERT INTO conversations (id, origin, state, channel, customer_id, destination, agent_id, entry_point, subject,
                                           subject_key, previous_conversation_id, created_at)
                VALUES (?1, 'outbound', 'active', ?2, ?3, ?4, ?5, ?6, ?7, ?8,
                        (SELECT id FROM conversations WHERE customer_id = ?3 ORDER BY created_at DESC, rowid DESC LIMIT 1), ?9)
                RETURNING previous_conversation_id
                """), arguments: [draft.conversationId, rows.channel.rawValue, customerId, rows.destination, draft.agentId,
                                  rows.entryPoint, rows.subject, rows.subjectKey, now])
            let task = rows.offeredTask
            try db.cachedStatement(sql: """
                INSERT INTO tasks (id, conversation_id, agent_id, channel, state, created_at) VALUES (?, ?, ?, ?, ?, ?)
                """).execute(arguments: [task.id, task.conversationId, task.agentId, task.channel.rawValue, task.state.rawValue, now])
            return rows.conversation(customerId: customerId, previousConversationId: previous)
        }
        let task = rows.acceptedTask
        try step(StoreError.agentAssignmentFailed) {
            try db.cachedStatement(sql: "UPDATE tasks SET state = ?, accepted_at = ? WHERE id = ?").execute(
                arguments: [task.state.rawValue, task.acceptedAt.map(StoredTime.seconds), task.id])
        }
        let message = try rows.firstMessage.map { message in
            try step(StoreError.taskCreationFailed) { try insert(db, message) }
            return message
        }
        return CreatedConversation(conversation: conversation, task: task, firstMessage: message)
    }

    /// The facts in one statement (the create path runs on the single writer, so every
    /// statement saved there is throughput). The latest applicable consent change is
    /// `ConsentLookup`'s rule: ?5 NULL (tenant scope) lets every record of the address apply.
    static func facts(_ db: Database, _ draft: OutboundDraft) throws -> OutboundFacts {
        let lookup = draft.consentLookup
        guard let row = try Row.fetchOne(db.cachedStatement(sql: """
            SELECT (SELECT COUNT(*) FROM tasks WHERE agent_id = ?1 AND channel = 'sms' AND state <> 'completed') AS sms,
                   (SELECT COUNT(*) FROM tasks WHERE agent_id = ?1 AND channel = 'email' AND state <> 'completed') AS email,
                   EXISTS (SELECT 1 FROM conversations WHERE channel = ?2 AND destination = ?3 AND state = 'active') AS destination_active,
                   EXISTS (SELECT 1 FROM conversations WHERE channel = 'email' AND ?4 IS NOT NULL AND destination = ?3
                           AND subject_key = ?4) AS subject_used,
                   (\(latestConsentSQL)) AS latest_consent,
                   (SELECT time_zone FROM customers WHERE channel = ?2 AND address = ?3) AS time_zone
            """), arguments: [draft.agentId, draft.channel?.rawValue, draft.destination, draft.subjectKey,
                              lookup?.entryPointKey]) else {
            throw StoreError.unavailable("the facts query returned no row")
        }
        let latest: String? = try row.decode(forColumn: "latest_consent")
        return OutboundFacts(openTasks: [.sms: try row.decode(forColumn: "sms"), .email: try row.decode(forColumn: "email")],
                             destinationActive: try row.decode(forColumn: "destination_active"),
                             subjectUsed: try row.decode(forColumn: "subject_used"),
                             optedOut: try lookup != nil && ConsentLookup.optedOut(latest: consentChange(latest)),
                             recipientTimeZone: try row.decode(forColumn: "time_zone"))
    }

    /// The latest applicable change of (?2 channel, ?3 address) for the entry point key ?5
    /// (`ConsentLookup`): the body of a scalar subquery.
    private static let latestConsentSQL = """
        SELECT change FROM consent_changes WHERE channel = ?2 AND address = ?3
               AND (?5 IS NULL OR scope_key = ?5 OR scope_key = '*') ORDER BY seq DESC LIMIT 1
        """

    /// A stored change, or an error for a value this version does not know.
    private static func consentChange(_ raw: String?) throws -> ConsentChange? {
        guard let raw else { return nil }
        guard let change = ConsentChange(rawValue: raw) else { throw StoreError.unavailable("consent_changes.change holds \"\(raw)\"") }
        return change
    }

    /// Whether `lookup`'s address is opted out, read in the caller's transaction.
    private static func optedOut(_ db: Database, _ lookup: ConsentLookup) throws -> Bool {
        let latest = try String.fetchOne(db.cachedStatement(sql: "SELECT (\(latestConsentSQL))"), arguments: [
            nil, lookup.channel.rawValue, lookup.address, nil, lookup.entryPointKey])
        return ConsentLookup.optedOut(latest: try consentChange(latest))
    }

    private static func insert(_ db: Database, _ c: ConsentRecord) throws {
        try db.cachedStatement(sql: """
            INSERT INTO consent_changes (id, channel, address, scope_key, change, source, by_kind, by_subject, at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [c.id, c.channel.rawValue, c.address, c.scopeKey, c.change.rawValue, c.source.rawValue,
                                     c.by.kind, c.by.subject, StoredTime.seconds(c.at)])
        guard c.change == .optOut else { return }
        // What the opt-out covers and still waits in the outbox, unclaimed, fails unpushed
        // (`ConsentRecord.withdrawnByOptOut`); an earlier STOP's confirmation still goes.
        try db.cachedStatement(sql: """
            UPDATE messages SET status = 'failed', last_error = ?, next_attempt_at = NULL
            WHERE status = 'queued' AND direction = 'outbound' AND (claimed_until IS NULL OR claimed_until <= ?) AND template IS NOT ?
              AND conversation_id IN (SELECT id FROM conversations WHERE channel = ? AND destination = ? AND (? = '*' OR entry_point = ?))
            """).execute(arguments: [ConsentRecord.withdrawnByOptOut, StoredTime.seconds(c.at), InboundConsent.confirmationTemplate,
                                     c.channel.rawValue, c.address, c.scopeKey, c.scopeKey])
    }

    private static func consentHistory(_ db: Database, channel: Channel, address: String) throws -> [ConsentRecord] {
        try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM consent_changes WHERE channel = ? AND address = ? ORDER BY seq"),
                         arguments: [channel.rawValue, address]).map { row throws(StoreError) in try ConsentRecord(row: SQLiteRow(row: row)) }
    }

    public func consentHistory(channel: Channel, address: String) async throws(StoreError) -> [ConsentRecord] {
        try await read { db in try Self.consentHistory(db, channel: channel, address: address) }
    }

    public func setTimeZone(channel: Channel, address: String, timeZone: String?, newCustomerId: String,
                            now: Date) async throws(StoreError) -> CustomerWrite {
        try await transaction { db in
            guard let row = try Row.fetchOne(db.cachedStatement(sql: """
                INSERT INTO customers (id, channel, address, created_at, time_zone) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (channel, address) DO UPDATE SET time_zone = excluded.time_zone
                RETURNING *
                """), arguments: [newCustomerId, channel.rawValue, address, StoredTime.seconds(now), timeZone]) else {
                throw StoreError.unavailable("customer \(address) vanished")
            }
            return CustomerWrite(customer: try CustomerRecord(sqlite: row))
        }
    }

    public func recordConsent(_ record: ConsentRecord) async throws(StoreError) -> ConsentWrite {
        try await transaction { db in
            try Self.insert(db, record)
            return ConsentWrite(history: try Self.consentHistory(db, channel: record.channel, address: record.address))
        }
    }

    public func activeOutbound(agentId: String) async throws(StoreError) -> [String: Int] {
        try await read { db in
            var active: [String: Int] = [:]
            for row in try Row.fetchAll(db.cachedStatement(sql: """
                SELECT channel, COUNT(*) AS n FROM tasks WHERE agent_id = ? AND state <> 'completed' GROUP BY channel
                """), arguments: [agentId]) {
                let channel: String = try row.decode(forColumn: "channel")
                active[channel] = try row.decode(forColumn: "n")
            }
            return active
        }
    }

    // MARK: Conversations

    public func conversation(id: String) async throws(StoreError) -> ConversationRecord? {
        try await read { db in try Self.conversation(db, id: id) }
    }

    public func conversationView(id: String, page: MessagePage) async throws(StoreError) -> ConversationViewLookup {
        try await read { db in
            guard let conversation = try Self.conversation(db, id: id),
                  let customer = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM customers WHERE id = ?"),
                                                  arguments: [conversation.customerId]).map(CustomerRecord.init(sqlite:))
            else { return .notFound }
            var afterSeq: Int64 = 0
            if let cursor = page.after {
                guard let seq = try Int64.fetchOne(db.cachedStatement(sql: "SELECT seq FROM messages WHERE id = ? AND conversation_id = ?"),
                                                   arguments: [cursor.messageId, id]) else { return .unknownCursor(conversation) }
                afterSeq = seq
            }
            let task = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM tasks WHERE conversation_id = ?"), arguments: [id])
                .map(TaskRecord.init(sqlite:))
            let fetched = try Row.fetchAll(db.cachedStatement(sql: """
                SELECT * FROM messages WHERE conversation_id = ? AND seq > ? ORDER BY seq LIMIT ?
                """), arguments: [id, afterSeq, page.fetchCount]).map(MessageRecord.init(sqlite:))
            let (messages, next) = page.cut(fetched)
            let createdAt = StoredTime.seconds(conversation.createdAt)
            let earlier = try Row.fetchAll(db.cachedStatement(sql: """
                SELECT * FROM conversations WHERE customer_id = ? AND id <> ? AND (created_at < ? OR (created_at = ? AND rowid < (SELECT rowid FROM conversations WHERE id = ?)))
                ORDER BY created_at DESC, rowid DESC
                """), arguments: [conversation.customerId, id, createdAt, createdAt, id]).map(ConversationRecord.init(sqlite:))
            return .found(ConversationView(conversation: conversation, customer: customer, task: task, messages: messages,
                                           nextCursor: next, earlierConversations: earlier))
        }
    }

    public func appendOutboundMessage(conversationId: String, _ message: MessageDraft, now: Date, maxMessages: Int,
                                      consentScope: ConsentScope,
                                      decide: @escaping @Sendable (ConversationRecord, _ optedOut: Bool) -> Decision)
        async throws(StoreError) -> ConversationChange<Decided<MessageRoom<MessageRecord>>> {
        try await transaction { db in
            guard let conversation = try Self.conversation(db, id: conversationId) else { return .notFound }
            guard conversation.state == .active else { return .notActive(conversation) }
            let decision = decide(conversation, try Self.optedOut(db, conversation.consentLookup(consentScope)))
            guard decision.allowed else { return .done(.refused(decision)) }
            guard try Self.hasRoom(db, conversationId, maxMessages: maxMessages) else { return .done(.allowed(decision, .full(conversation))) }
            let record = MessageRecord(outbound: message, conversationId: conversationId, now: now)
            try Self.insert(db, record)
            return .done(.allowed(decision, .appended(record)))
        }
    }

    /// Whether the conversation holds fewer than `maxMessages`, counting no further than that.
    private static func hasRoom(_ db: Database, _ conversationId: String, maxMessages: Int) throws -> Bool {
        let count = try Int.fetchOne(db.cachedStatement(sql: """
            SELECT COUNT(*) FROM (SELECT 1 FROM messages WHERE conversation_id = ? LIMIT ?)
            """), arguments: [conversationId, maxMessages]) ?? 0
        return MessageRoom<MessageRecord>.admits(count: count, maxMessages: maxMessages)
    }

    public func receiveInbound(_ inbound: InboundDraft, maxMessages: Int) async throws(StoreError) -> MessageRoom<InboundOutcome> {
        try await transaction { db in
            // The consent change first: it is kept even when the conversation is full.
            var wasOptedOut = false
            if let consent = inbound.consent {
                wasOptedOut = try Self.optedOut(db, consent.lookup)
                try Self.insert(db, consent.record)
            }
            let customerId = try Self.customerId(db, channel: inbound.channel, address: inbound.from,
                                                 newId: inbound.newCustomerId, now: inbound.now)
            let repliedTo = try inbound.inReplyTo.flatMap { id in
                try String.fetchOne(db.cachedStatement(sql: """
                    SELECT m.conversation_id FROM messages m JOIN conversations c ON c.id = m.conversation_id
                    WHERE m.id = ? AND c.customer_id = ?
                    """), arguments: [id, customerId])
            }
            if let active = try Row.fetchOne(db.cachedStatement(sql: """
                SELECT * FROM conversations WHERE channel = ? AND destination = ? AND state = 'active'
                """), arguments: [inbound.channel.rawValue, inbound.from]).map(ConversationRecord.init(sqlite:)) {
                // The customer exists (the active conversation is theirs): the upsert above changed nothing.
                guard try Self.hasRoom(db, active.id, maxMessages: maxMessages) else { return .full(active) }
                let message = inbound.message(conversationId: active.id)
                try Self.insert(db, message)
                let confirmation = try Self.confirm(db, inbound, conversationId: active.id, wasOptedOut: wasOptedOut)
                return .appended(InboundOutcome(conversation: active, message: message, match: .joining(active, inbound, repliedTo: repliedTo),
                                                consent: inbound.consent?.record, confirmation: confirmation))
            }
            var previous: String?
            for lookup in inbound.previousConversationLookups(repliedTo: repliedTo) where previous == nil {
                previous = switch lookup {
                case .repliedTo(let id): id
                case .lastWithSubject(let key):
                    try String.fetchOne(db.cachedStatement(sql: """
                        SELECT id FROM conversations WHERE customer_id = ? AND subject_key = ? ORDER BY created_at DESC, rowid DESC LIMIT 1
                        """), arguments: [customerId, key])
                case .last:
                    try String.fetchOne(db.cachedStatement(sql: """
                        SELECT id FROM conversations WHERE customer_id = ? ORDER BY created_at DESC, rowid DESC LIMIT 1
                        """), arguments: [customerId])
                }
            }
            let conversation = inbound.newConversation(customerId: customerId, previousConversationId: previous)
            try Self.insert(db, conversation)
            let message = inbound.message(conversationId: conversation.id)
            try Self.insert(db, message)
            let confirmation = try Self.confirm(db, inbound, conversationId: conversation.id, wasOptedOut: wasOptedOut)
            return .appended(InboundOutcome(conversation: conversation, message: message, match: .newConversation,
                                            consent: inbound.consent?.record, confirmation: confirmation))
        }
    }

    /// Queues the confirmation of an opt-out, if one goes (`InboundConsent.confirmation`).
    private static func confirm(_ db: Database, _ inbound: InboundDraft, conversationId: String, wasOptedOut: Bool) throws -> MessageRecord? {
        guard let confirmation = inbound.consent?.confirmation(conversationId: conversationId, wasOptedOut: wasOptedOut,
                                                               now: inbound.now) else { return nil }
        try insert(db, confirmation)
        return confirmation
    }

    public func close(conversationId: String, wrapUpReason: String?, now: Date,
                      decide: @escaping @Sendable (ConversationRecord) -> Decision) async throws(StoreError) -> ConversationChange<(Decision, ConversationRecord)> {
        try await transaction { db in
            let plan = ClosePlan(try Self.conversation(db, id: conversationId), now: now, wrapUpReason: wrapUpReason, decide: decide)
            guard case .close(_, let closed) = plan else { return plan.answer }
            try db.cachedStatement(sql: "UPDATE conversations SET state = ?, closed_at = ?, wrap_up_reason = ? WHERE id = ?").execute(
                arguments: [closed.state.rawValue, closed.closedAt.map(StoredTime.seconds), closed.wrapUpReason, conversationId])
            try db.cachedStatement(sql: "UPDATE tasks SET state = 'completed', completed_at = ? WHERE conversation_id = ? AND state <> 'completed'").execute(
                arguments: [StoredTime.seconds(now), conversationId])
            return plan.answer
        }
    }

    /// Reads a row of every table the store writes, so that a corrupt page or a broken schema
    /// is seen, not only a database that answers `SELECT 1`.
    public func health() async -> StoreHealth {
        await .of(readTables: { () async throws(StoreError) in
            try await read { db in
                _ = try Row.fetchOne(db.cachedStatement(sql: StoreHealth.tableReads(SQLiteSchema.writtenTables)))
            }
        }, writes: writes)
    }

    // MARK: Transactions

    /// Runs `body` in one `BEGIN IMMEDIATE` transaction: all of it is kept, or none.
    func transaction<T: WriteResult & Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(StoreError) -> T {
        try await writes.track { () async throws(StoreError) in
            do {
                return try await pool.writeWithoutTransaction { db in
                    var result: T?
                    try db.inTransaction(.immediate) {
                        result = try body(db)
                        return .commit
                    }
                    return result!
                }
            } catch let error as StoreError {
                throw error
            } catch {
                throw .unavailable("\(error)")
            }
        }
    }

    func read<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws(StoreError) -> T {
        do {
            return try await pool.read(body)
        } catch let error as StoreError {
            throw error
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
            """), arguments: [newId, channel.rawValue, address, StoredTime.seconds(now)]) else {
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
                             StoredTime.seconds(c.createdAt)])
    }

    private static func insert(_ db: Database, _ m: MessageRecord) throws {
        try db.cachedStatement(sql: """
            INSERT INTO messages (id, conversation_id, direction, body, subject, template, status, in_reply_to, created_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [m.id, m.conversationId, m.direction.rawValue, m.body, m.subject, m.template,
                             m.status.rawValue, m.inReplyTo, StoredTime.seconds(m.createdAt)])
    }

    private static func conversation(_ db: Database, id: String) throws -> ConversationRecord? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM conversations WHERE id = ?"), arguments: [id])
            .map(ConversationRecord.init(sqlite:))
    }
}

/// A GRDB row as the shared record decoders read it.
struct SQLiteRow: StoredRow {
    let row: Row

    func text(_ column: String) throws(StoreError) -> String? {
        do {
            return try row.decode(String?.self, forColumn: column)
        } catch {
            throw .unavailable("column \(column): \(error)")
        }
    }

    func number(_ column: String) throws(StoreError) -> Double? {
        do {
            return try row.decode(Double?.self, forColumn: column)
        } catch {
            throw .unavailable("column \(column): \(error)")
        }
    }
}

extension CustomerRecord {
    init(sqlite row: Row) throws(StoreError) { try self.init(row: SQLiteRow(row: row)) }
}

extension ConversationRecord {
    init(sqlite row: Row) throws(StoreError) { try self.init(row: SQLiteRow(row: row)) }
}

extension TaskRecord {
    init(sqlite row: Row) throws(StoreError) { try self.init(row: SQLiteRow(row: row)) }
}

extension MessageRecord {
    init(sqlite row: Row) throws(StoreError) { try self.init(row: SQLiteRow(row: row)) }
}

import Foundation
import Logging
import PostgresNIO
import Sortie
import SortieStore

/// The shared store: several `sortie serve` instances on one PostgreSQL database. Every
/// invariant is enforced by the database, never by process memory:
/// - a create locks its agent's row in `agent_channel_slots` (`SELECT … FOR UPDATE`) before it
///   counts the agent's open tasks, so two creates of one agent on one channel run one after
///   the other, on any instance;
/// - the partial unique index `conversations_one_active_per_destination` refuses a second
///   active conversation for a destination; the conflict is answered `CONVERSATION_ALREADY_ACTIVE`;
/// - each call is one transaction; a lost connection rolls it back, and the pool reconnects.
public final class PostgresStore: ConversationStore {
    private let client: PostgresClient
    private let runner: Task<Void, Never>
    private let logger: Logger
    private let calls: GuardedCalls

    /// Connects to `url` (`postgres://user:password@host:port/database`), waits until the
    /// database answers (up to `connectTimeout`), and applies the migrations. No call takes
    /// longer than `callTimeout`, lease wait included (see `GuardedCalls`).
    public init(url: String, logger: Logger = Logger(label: "sortie.postgres"), connectTimeout: Duration = .seconds(10),
                callTimeout: Duration = .seconds(10)) async throws(StoreError) {
        guard let configuration = Self.configuration(url) else {
            throw .unavailable("\(url) is not postgres://user[:password]@host[:port]/database")
        }
        self.logger = logger
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.client = client
        // Immediate: `run()` marks the client running before its first suspension, so the
        // migration below never leases from a client postgres-nio thinks is not running yet.
        runner = Task.immediate { await client.run() }
        var limits = GuardedCalls.Limits()
        limits.timeout = callTimeout
        calls = GuardedCalls(client: client, limits: limits, logger: logger)
        calls.start()
        let deadline = ContinuousClock.now + connectTimeout
        while true {
            do {
                try await migrate(timeout: connectTimeout)
                break
            } catch {
                if ContinuousClock.now > deadline {
                    calls.stop()
                    runner.cancel()
                    throw .unavailable("cannot prepare the database at \(Self.redacted(url)): \(error)")
                }
                try? await Task.sleep(for: .milliseconds(200))
            }
        }
    }

    static func configuration(_ url: String) -> PostgresClient.Configuration? {
        guard let components = URLComponents(string: url), ["postgres", "postgresql"].contains(components.scheme),
              let host = components.host, let user = components.user else { return nil }
        let database = String(components.path.drop { $0 == "/" })
        var configuration = PostgresClient.Configuration(
            host: host, port: components.port ?? 5432, username: user, password: components.password,
            database: database.isEmpty ? nil : database, tls: .disable)
        configuration.options.maximumConnections = 16
        configuration.options.connectTimeout = .seconds(3)
        return configuration
    }

    /// The URL without its password, for messages.
    static func redacted(_ url: String) -> String {
        guard var components = URLComponents(string: url) else { return "the database" }
        if components.password != nil { components.password = "***" }
        return components.string ?? "the database"
    }

    private func migrate(timeout: Duration) async throws {
        let logger = logger
        try await rawTransaction(timeout: timeout) { connection, _ in
            try await connection.query("SELECT pg_advisory_xact_lock(7011723)", logger: logger)
            try await connection.query("""
                CREATE TABLE IF NOT EXISTS schema_migrations (version TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())
                """, logger: logger)
            var applied: Set<String> = []
            for try await version in try await connection.query("SELECT version FROM schema_migrations", logger: logger).decode(String.self) {
                applied.insert(version)
            }
            for (version, sql) in PostgresSchema.migrations where !applied.contains(version) {
                for statement in Self.statements(sql) {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query("INSERT INTO schema_migrations (version) VALUES (\(version))", logger: logger)
            }
        }
    }

    /// A migration's statements: split at semicolons that end a line.
    static func statements(_ sql: String) -> [String] {
        sql.components(separatedBy: ";\n").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            .map { $0.hasSuffix(";") ? String($0.dropLast()) : $0 }
            .filter { !$0.split(separator: "\n").allSatisfy { $0.trimmingCharacters(in: .whitespaces).hasPrefix("--") || $0.isEmpty } }
    }

    /// The migrations applied to the database, oldest first.
    public func appliedMigrations() async throws(StoreError) -> [String] {
        try await connection { connection, logger in
            var versions: [String] = []
            for try await version in try await connection.query("SELECT version FROM schema_migrations ORDER BY applied_at, version",
                                                            logger: logger).decode(String.self) {
                versions.append(version)
            }
            return versions
        }
    }

    // MARK: Creates

    public func createOutbound(_ draft: OutboundDraft, decide: @escaping @Sendable (OutboundFacts) -> Decision,
                               answer: @escaping @Sendable (Decision, CreatedConversation) -> [UInt8]) async throws(StoreError) -> OutboundOutcome {
        var conflictSeen = false
        while true {
            do {
                return try await createOnce(draft, decide: decide, answer: answer, destinationKnownActive: conflictSeen)
            } catch let failure as CreateFailure {
                switch failure {
                case .destinationConflict:
                    // Another instance activated the destination between our read and our insert:
                    // decide again, knowing it, in a new transaction.
                    conflictSeen = true
                    continue
                case .idempotencyConflict(let key):
                    if let remembered = try await rememberedAnswer(idempotencyKey: key) { return .replayed(remembered) }
                    throw .unavailable("idempotency key \(key) conflicted but holds no answer")
                case .step(let decision, let facts, let error):
                    return .failed(decision, facts, error)
                }
            } catch let error as StoreError {
                throw error
            } catch {
                throw .unavailable("\(String(reflecting: error))")
            }
        }
    }

    private enum CreateFailure: Error {
        case destinationConflict
        case idempotencyConflict(String)
        case step(Decision, OutboundFacts, StoreError)
    }

    private func createOnce(_ draft: OutboundDraft, decide: @escaping @Sendable (OutboundFacts) -> Decision,
                            answer: @escaping @Sendable (Decision, CreatedConversation) -> [UInt8],
                            destinationKnownActive: Bool) async throws -> OutboundOutcome {
        return try await rawTransaction { connection, logger -> OutboundOutcome in
            try await Self.lockSlot(connection, draft, logger: logger)
            // After the lock: a retry of the same key waits for the first create to commit, then replays it.
            if let key = draft.idempotencyKey,
               let remembered = try await Self.answer(connection, key: key, logger: logger) {
                return .replayed(remembered)
            }
            var facts = try await Self.facts(connection, draft, logger: logger)
            facts.destinationActive = facts.destinationActive || destinationKnownActive
            let decision = decide(facts)
            guard decision.allowed else { return .refused(decision, facts) }
            do {
                let created = try await Self.insertOutbound(connection, draft, logger: logger)
                if let key = draft.idempotencyKey {
                    try await Self.step(StoreError.taskCreationFailed) {
                        let bytes = answer(decision, created)
                        try await connection.query("""
                            INSERT INTO idempotency_keys (key, conversation_id, answer, created_at)
                            VALUES (\(key), \(created.conversation.id), \(ByteBuffer(bytes: bytes)), \(draft.now.timeIntervalSince1970))
                            """, logger: logger)
                    }
                }
                return .created(decision, facts, created)
            } catch let error as PSQLError where Self.isUniqueViolation(error, constraint: "conversations_one_active_per_destination") {
                throw CreateFailure.destinationConflict
            } catch let error as PSQLError where Self.isUniqueViolation(error, constraint: "idempotency_keys_pkey") {
                throw CreateFailure.idempotencyConflict(draft.idempotencyKey ?? "")
            } catch let error as StepError {
                throw CreateFailure.step(decision, facts, error.failure)
            }
        }
    }

    /// Locks the agent's slot row for the channel until the transaction ends: creates of one
    /// agent on one channel run one after the other, whichever instance serves them.
    static func lockSlot(_ connection: PostgresConnection, _ draft: OutboundDraft, logger: Logger) async throws {
        guard let channel = draft.channel else { return }
        try await connection.query("""
            INSERT INTO agent_channel_slots (agent_id, channel) VALUES (\(draft.agentId), \(channel.rawValue)) ON CONFLICT DO NOTHING
            """, logger: logger)
        try await connection.query("""
            SELECT 1 FROM agent_channel_slots WHERE agent_id = \(draft.agentId) AND channel = \(channel.rawValue) FOR UPDATE
            """, logger: logger)
    }

    /// The three facts, read after the slot lock (READ COMMITTED: each statement sees every
    /// create committed before it, including the one that held the lock).
    static func facts(_ connection: PostgresConnection, _ draft: OutboundDraft, logger: Logger) async throws -> OutboundFacts {
        let subjectKey = draft.channel == .email ? draft.subject.map(SubjectKey.of) : nil
        let rows = try await connection.query("""
            SELECT (SELECT COUNT(*) FROM tasks WHERE agent_id = \(draft.agentId) AND channel = 'sms' AND state <> 'completed'),
                   (SELECT COUNT(*) FROM tasks WHERE agent_id = \(draft.agentId) AND channel = 'email' AND state <> 'completed'),
                   EXISTS (SELECT 1 FROM conversations WHERE channel = \(draft.channel?.rawValue) AND destination = \(draft.destination)
                           AND state = 'active'),
                   EXISTS (SELECT 1 FROM conversations WHERE channel = 'email' AND \(subjectKey)::text IS NOT NULL
                           AND destination = \(draft.destination) AND subject_key = \(subjectKey))
            """, logger: logger)
        for try await (sms, email, destinationActive, subjectUsed) in rows.decode((Int, Int, Bool, Bool).self) {
            var active: [String: Int] = [:]
            if sms > 0 { active["sms"] = sms }
            if email > 0 { active["email"] = email }
            return OutboundFacts(activeOutbound: active, destinationActive: destinationActive, subjectUsed: subjectUsed)
        }
        throw StoreError.unavailable("the facts query returned no row")
    }

    private static func insertOutbound(_ connection: PostgresConnection, _ draft: OutboundDraft, logger: Logger) async throws -> CreatedConversation {
        guard let channel = draft.channel, let destination = draft.destination, let entryPoint = draft.entryPoint else {
            throw StepError(failure: .taskCreationFailed("an allowed decision without channel, destination or entry point"))
        }
        let now = draft.now.timeIntervalSince1970
        let subject = channel == .email ? draft.subject : nil
        let customerId = try await customerId(connection, channel: channel, address: destination, newId: draft.customerId, now: now, logger: logger)
        // A unique violation on the destination is not a failed step: it is the other instance's
        // conversation, answered CONVERSATION_ALREADY_ACTIVE by the caller.
        var previous: String?
        let inserted = try await connection.query("""
            INSERT INTO conversations (id, origin, state, channel, customer_id, destination, agent_id, entry_point, subject,
                                       subject_key, previous_conversation_id, created_at)
            VALUES (\(draft.conversationId), 'outbound', 'active', \(channel.rawValue), \(customerId), \(destination), \(draft.agentId),
                    \(entryPoint), \(subject), \(subject.map(SubjectKey.of)),
                    (SELECT id FROM conversations WHERE customer_id = \(customerId) ORDER BY created_at DESC, seq DESC LIMIT 1), \(now))
            RETURNING previous_conversation_id
            """, logger: logger)
        for try await value in inserted.decode(String?.self) { previous = value }
        let conversation = ConversationRecord(
            id: draft.conversationId, origin: .outbound, state: .active, channel: channel, customerId: customerId,
            destination: destination, agentId: draft.agentId, entryPoint: entryPoint, subject: subject,
            previousConversationId: previous, createdAt: draft.now)
        var task = TaskRecord(id: draft.taskId, conversationId: conversation.id, agentId: draft.agentId, channel: channel,
                              state: .offered, createdAt: draft.now)
        try await step(StoreError.taskCreationFailed) {
            try await connection.query("""
                INSERT INTO tasks (id, conversation_id, agent_id, channel, state, created_at)
                VALUES (\(task.id), \(task.conversationId), \(task.agentId), \(channel.rawValue), 'offered', \(now))
                """, logger: logger)
        }
        try await step(StoreError.agentAssignmentFailed) {
            try await connection.query("UPDATE tasks SET state = 'accepted', accepted_at = \(now) WHERE id = \(task.id)", logger: logger)
        }
        task.state = .accepted
        task.acceptedAt = draft.now
        var message: MessageRecord?
        if let first = draft.firstMessage {
            let record = MessageRecord(id: first.id, conversationId: conversation.id, direction: .outbound, body: first.body,
                                       subject: first.subject, template: first.template, status: .queued, inReplyTo: nil,
                                       createdAt: draft.now)
            try await step(StoreError.taskCreationFailed) { try await insert(connection, record, logger: logger) }
            message = record
        }
        return CreatedConversation(conversation: conversation, task: task, firstMessage: message)
    }

    /// A create step's database error, carried out of the transaction as the reason code it means.
    private struct StepError: Error {
        var failure: StoreError
    }

    private static func step(_ failure: (String) -> StoreError, _ body: () async throws -> Void) async throws {
        do {
            try await body()
        } catch let error as PSQLError where error.serverInfo != nil && !isUniqueViolation(error, constraint: nil) {
            throw StepError(failure: failure(error.serverInfo?[.message] ?? "\(error)"))
        }
    }

    static func isUniqueViolation(_ error: PSQLError, constraint: String?) -> Bool {
        guard error.serverInfo?[.sqlState] == "23505" else { return false }
        guard let constraint else { return true }
        return error.serverInfo?[.constraintName] == constraint
    }

    private static func customerId(_ connection: PostgresConnection, channel: Sortie.Channel, address: String, newId: String,
                                   now: Double, logger: Logger) async throws -> String {
        let rows = try await connection.query("""
            INSERT INTO customers (id, channel, address, created_at) VALUES (\(newId), \(channel.rawValue), \(address), \(now))
            ON CONFLICT (channel, address) DO UPDATE SET address = EXCLUDED.address
            RETURNING id
            """, logger: logger)
        for try await id in rows.decode(String.self) { return id }
        throw StoreError.unavailable("customer \(address) vanished")
    }

    private static func answer(_ connection: PostgresConnection, key: String, logger: Logger) async throws -> [UInt8]? {
        let rows = try await connection.query("SELECT answer FROM idempotency_keys WHERE key = \(key)", logger: logger)
        for try await buffer in rows.decode(ByteBuffer.self) { return Array(buffer.readableBytesView) }
        return nil
    }

    public func rememberedAnswer(idempotencyKey: String) async throws(StoreError) -> [UInt8]? {
        try await connection { connection, logger in try await Self.answer(connection, key: idempotencyKey, logger: logger) }
    }

    public func activeOutbound(agentId: String) async throws(StoreError) -> [String: Int] {
        try await connection { connection, logger in
            var active: [String: Int] = [:]
            let rows = try await connection.query("""
                SELECT channel, COUNT(*)::bigint FROM tasks WHERE agent_id = \(agentId) AND state <> 'completed' GROUP BY channel
                """, logger: logger)
            for try await (channel, count) in rows.decode((String, Int).self) { active[channel] = count }
            return active
        }
    }

    // MARK: Conversations

    static let conversationColumns = """
        id, origin, state, channel, customer_id, destination, agent_id, entry_point, subject, previous_conversation_id,
        created_at, closed_at, wrap_up_reason
        """

    public func conversation(id: String) async throws(StoreError) -> ConversationRecord? {
        try await connection { connection, logger in try await Self.conversation(connection, id: id, lock: false, logger: logger) }
    }

    private static func conversation(_ connection: PostgresConnection, id: String, lock: Bool, logger: Logger) async throws -> ConversationRecord? {
        let rows = try await connection.query(PostgresQuery(unsafeSQL: """
            SELECT \(conversationColumns) FROM conversations WHERE id = $1\(lock ? " FOR UPDATE" : "")
            """, binds: binds(id)), logger: logger)
        for try await row in rows { return try conversation(row) }
        return nil
    }

    static func binds(_ values: String...) -> PostgresBindings {
        var bindings = PostgresBindings()
        for value in values { bindings.append(value) }
        return bindings
    }

    private static func conversation(_ row: PostgresRow) throws -> ConversationRecord {
        let (id, origin, state, channel, customerId, destination, agentId, entryPoint, subject, previous, createdAt, closedAt, reason) =
            try row.decode((String, String, String, String, String, String, String?, String, String?, String?, Double, Double?, String?).self)
        return ConversationRecord(
            id: id, origin: ConversationRecord.Origin(rawValue: origin) ?? .outbound,
            state: ConversationRecord.State(rawValue: state) ?? .closed, channel: Sortie.Channel(rawValue: channel) ?? .sms,
            customerId: customerId, destination: destination, agentId: agentId, entryPoint: entryPoint, subject: subject,
            previousConversationId: previous, createdAt: Date(timeIntervalSince1970: createdAt),
            closedAt: closedAt.map(Date.init(timeIntervalSince1970:)), wrapUpReason: reason)
    }

    public func conversationView(id: String) async throws(StoreError) -> ConversationView? {
        try await connection { connection, logger -> ConversationView? in
            guard let conversation = try await Self.conversation(connection, id: id, lock: false, logger: logger) else { return nil }
            var customer: CustomerRecord?
            for try await (cid, channel, address, created) in try await connection.query("""
                SELECT id, channel, address, created_at FROM customers WHERE id = \(conversation.customerId)
                """, logger: logger).decode((String, String, String, Double).self) {
                customer = CustomerRecord(id: cid, channel: Sortie.Channel(rawValue: channel) ?? .sms, address: address,
                                          createdAt: Date(timeIntervalSince1970: created))
            }
            guard let customer else { return nil }
            var task: TaskRecord?
            for try await (tid, conversationId, agentId, channel, state, created, accepted, completed) in try await connection.query("""
                SELECT id, conversation_id, agent_id, channel, state, created_at, accepted_at, completed_at FROM tasks
                WHERE conversation_id = \(id)
                """, logger: logger).decode((String, String, String, String, String, Double, Double?, Double?).self) {
                task = TaskRecord(id: tid, conversationId: conversationId, agentId: agentId, channel: Sortie.Channel(rawValue: channel) ?? .sms,
                                  state: TaskRecord.State(rawValue: state) ?? .completed, createdAt: Date(timeIntervalSince1970: created),
                                  acceptedAt: accepted.map(Date.init(timeIntervalSince1970:)),
                                  completedAt: completed.map(Date.init(timeIntervalSince1970:)))
            }
            var messages: [MessageRecord] = []
            for try await (mid, conversationId, direction, body, subject, template, status, inReplyTo, created) in try await connection.query("""
                SELECT id, conversation_id, direction, body, subject, template, status, in_reply_to, created_at FROM messages
                WHERE conversation_id = \(id) ORDER BY seq
                """, logger: logger).decode((String, String, String, String, String?, String?, String, String?, Double).self) {
                messages.append(MessageRecord(id: mid, conversationId: conversationId,
                                              direction: MessageRecord.Direction(rawValue: direction) ?? .outbound, body: body,
                                              subject: subject, template: template, status: MessageRecord.Status(rawValue: status) ?? .queued,
                                              inReplyTo: inReplyTo, createdAt: Date(timeIntervalSince1970: created)))
            }
            var earlier: [ConversationRecord] = []
            let rows = try await connection.query(PostgresQuery(unsafeSQL: """
                SELECT \(Self.conversationColumns) FROM conversations
                WHERE customer_id = $1 AND id <> $2
                  AND (created_at, seq) < (SELECT created_at, seq FROM conversations WHERE id = $2)
                ORDER BY created_at DESC, seq DESC
                """, binds: Self.binds(conversation.customerId, id)), logger: logger)
            for try await row in rows { earlier.append(try Self.conversation(row)) }
            return ConversationView(conversation: conversation, customer: customer, task: task, messages: messages,
                                    earlierConversations: earlier)
        }
    }

    public func appendOutboundMessage(conversationId: String, _ message: MessageDraft, now: Date) async throws(StoreError) -> ConversationChange<MessageRecord> {
        try await transaction { connection, logger in
            guard let conversation = try await Self.conversation(connection, id: conversationId, lock: true, logger: logger) else { return .notFound }
            guard conversation.state == .active else { return .notActive(conversation) }
            let record = MessageRecord(id: message.id, conversationId: conversationId, direction: .outbound, body: message.body,
                                       subject: message.subject, template: message.template, status: .queued, inReplyTo: nil, createdAt: now)
            try await Self.insert(connection, record, logger: logger)
            return .done(record)
        }
    }

    private static func insert(_ connection: PostgresConnection, _ m: MessageRecord, logger: Logger) async throws {
        try await connection.query("""
            INSERT INTO messages (id, conversation_id, direction, body, subject, template, status, in_reply_to, created_at)
            VALUES (\(m.id), \(m.conversationId), \(m.direction.rawValue), \(m.body), \(m.subject), \(m.template),
                    \(m.status.rawValue), \(m.inReplyTo), \(m.createdAt.timeIntervalSince1970))
            """, logger: logger)
    }

    public func receiveInbound(_ inbound: InboundDraft) async throws(StoreError) -> InboundOutcome {
        // Two replies at once from a new customer may both try to open a conversation: the
        // unique index lets one win, and the other files its message into it on the retry.
        for attempt in 0..<3 {
            do {
                return try await receiveInboundOnce(inbound)
            } catch let error as PSQLError where attempt < 2 && Self.isUniqueViolation(error, constraint: nil) {
                continue
            } catch let error as StoreError {
                throw error
            } catch {
                throw .unavailable("\(String(reflecting: error))")
            }
        }
        throw .unavailable("inbound message could not be filed")
    }

    private func receiveInboundOnce(_ inbound: InboundDraft) async throws -> InboundOutcome {
        try await rawTransaction { connection, logger in
            let now = inbound.now.timeIntervalSince1970
            let customerId = try await Self.customerId(connection, channel: inbound.channel, address: inbound.from,
                                                       newId: inbound.newCustomerId, now: now, logger: logger)
            let subjectKey = inbound.subject.map(SubjectKey.of)
            var repliedTo: String?
            if let reference = inbound.inReplyTo {
                for try await id in try await connection.query("""
                    SELECT m.conversation_id FROM messages m JOIN conversations c ON c.id = m.conversation_id
                    WHERE m.id = \(reference) AND c.customer_id = \(customerId)
                    """, logger: logger).decode(String.self) { repliedTo = id }
            }
            var active: ConversationRecord?
            for try await row in try await connection.query(PostgresQuery(unsafeSQL: """
                SELECT \(Self.conversationColumns) FROM conversations WHERE channel = $1 AND destination = $2 AND state = 'active' FOR UPDATE
                """, binds: Self.binds(inbound.channel.rawValue, inbound.from)), logger: logger) {
                active = try Self.conversation(row)
            }
            let conversation: ConversationRecord
            let match: InboundOutcome.Match
            if let active {
                conversation = active
                match = .joining(active, inbound, repliedTo: repliedTo)
            } else {
                var previous = repliedTo
                if previous == nil, inbound.channel == .email, let subjectKey {
                    for try await id in try await connection.query("""
                        SELECT id FROM conversations WHERE customer_id = \(customerId) AND subject_key = \(subjectKey)
                        ORDER BY created_at DESC, seq DESC LIMIT 1
                        """, logger: logger).decode(String.self) { previous = id }
                }
                if previous == nil {
                    for try await id in try await connection.query("""
                        SELECT id FROM conversations WHERE customer_id = \(customerId) ORDER BY created_at DESC, seq DESC LIMIT 1
                        """, logger: logger).decode(String.self) { previous = id }
                }
                let subject = inbound.channel == .email ? inbound.subject.map(SubjectKey.stripped) : nil
                conversation = ConversationRecord(
                    id: inbound.newConversationId, origin: .inbound, state: .active, channel: inbound.channel,
                    customerId: customerId, destination: inbound.from, agentId: nil, entryPoint: inbound.entryPoint,
                    subject: subject, previousConversationId: previous, createdAt: inbound.now)
                try await connection.query("""
                    INSERT INTO conversations (id, origin, state, channel, customer_id, destination, agent_id, entry_point, subject,
                                               subject_key, previous_conversation_id, created_at)
                    VALUES (\(conversation.id), 'inbound', 'active', \(inbound.channel.rawValue), \(customerId), \(inbound.from), NULL,
                            \(inbound.entryPoint), \(subject), \(subject.map(SubjectKey.of)), \(previous), \(now))
                    """, logger: logger)
                match = .newConversation
            }
            let message = MessageRecord(id: inbound.messageId, conversationId: conversation.id, direction: .inbound,
                                        body: inbound.body, subject: inbound.subject, template: nil, status: .received,
                                        inReplyTo: inbound.inReplyTo, createdAt: inbound.now)
            try await Self.insert(connection, message, logger: logger)
            return InboundOutcome(conversation: conversation, message: message, match: match)
        }
    }

    public func close(conversationId: String, wrapUpReason: String?, now: Date,
                      decide: @escaping @Sendable (ConversationRecord) -> Decision) async throws(StoreError) -> ConversationChange<(Decision, ConversationRecord)> {
        try await transaction { connection, logger in
            guard var conversation = try await Self.conversation(connection, id: conversationId, lock: true, logger: logger) else { return .notFound }
            guard conversation.state == .active else { return .notActive(conversation) }
            let decision = decide(conversation)
            guard decision.allowed else { return .done((decision, conversation)) }
            let reason = wrapUpReason.map { $0.trimmingCharacters(in: .whitespaces) }
            let time = now.timeIntervalSince1970
            try await connection.query("""
                UPDATE conversations SET state = 'closed', closed_at = \(time), wrap_up_reason = \(reason) WHERE id = \(conversationId)
                """, logger: logger)
            try await connection.query("""
                UPDATE tasks SET state = 'completed', completed_at = \(time) WHERE conversation_id = \(conversationId) AND state <> 'completed'
                """, logger: logger)
            conversation.state = .closed
            conversation.closedAt = now
            conversation.wrapUpReason = reason
            return .done((decision, conversation))
        }
    }

    /// Readiness: at most 2 s (or the call timeout, if shorter), so that a probe gets its
    /// answer while the database is down.
    public func ping() async throws(StoreError) {
        try await connection(timeout: min(.seconds(2), calls.limits.timeout)) { connection, logger in
            _ = try await connection.query("SELECT 1", logger: logger)
        }
    }

    public func shutdown() async {
        runner.cancel()
        calls.stop()
        _ = await runner.value
    }

    // MARK: Plumbing

    /// One call on one connection, guarded (`GuardedCalls`); errors become `StoreError`.
    private func connection<T: Sendable>(timeout: Duration? = nil,
                                         _ body: @escaping @Sendable (PostgresConnection, Logger) async throws -> T) async throws(StoreError) -> T {
        try await Self.storeErrors { try await self.rawConnection(timeout: timeout, body) }
    }

    /// One transaction on one guarded connection; errors become `StoreError`.
    private func transaction<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection, Logger) async throws -> T) async throws(StoreError) -> T {
        try await Self.storeErrors { try await self.rawTransaction(body) }
    }

    private static func storeErrors<T: Sendable>(_ body: () async throws -> T) async throws(StoreError) -> T {
        do {
            return try await body()
        } catch let error as StoreError {
            throw error
        } catch {
            throw .unavailable("\(String(reflecting: error))")
        }
    }

    private func rawConnection<T: Sendable>(timeout: Duration? = nil,
                                            _ body: @escaping @Sendable (PostgresConnection, Logger) async throws -> T) async throws -> T {
        let logger = logger
        return try await calls.run(timeout: timeout) { connection in try await body(connection, logger) }
    }

    /// One transaction on one guarded connection; the body's own error comes out as thrown,
    /// after a rollback.
    private func rawTransaction<T: Sendable>(timeout: Duration? = nil,
                                             _ body: @escaping @Sendable (PostgresConnection, Logger) async throws -> T) async throws -> T {
        try await rawConnection(timeout: timeout) { connection, logger in
            try await connection.query("BEGIN", logger: logger)
            let value: T
            do {
                value = try await body(connection, logger)
            } catch {
                // Not on a closed connection: that write could wait forever (see GuardedCalls),
                // and PostgreSQL rolls back a transaction whose connection is gone anyway.
                if !connection.isClosed { _ = try? await connection.query("ROLLBACK", logger: logger) }
                throw error
            }
            try CallWatch.current?.beginCommit()
            try await connection.query("COMMIT", logger: logger)
            return value
        }
    }
}

import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle
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
    private let logger: Logger
    private let calls: GuardedCalls
    private let writes: WriteHealth
    private let idempotency: IdempotencyRetention

    /// Connects to `url` (`postgres://user:password@host:port/database`), waits until the
    /// database answers (up to `connectTimeout`), and applies the migrations. No call takes
    /// longer than `callTimeout`, lease wait included (see `GuardedCalls`). Calls run once
    /// `services` do.
    public init(url: String, logger: Logger = Logger(label: "sortie.postgres"), connectTimeout: Duration = .seconds(10),
                callTimeout: Duration = .seconds(10), writes: WriteHealth = WriteHealth(),
                idempotency: IdempotencyRetention = IdempotencyRetention()) async throws(StoreError) {
        let configuration = try Self.configuration(url)
        self.logger = logger
        self.writes = writes
        self.idempotency = idempotency
        client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        var limits = GuardedCalls.Limits()
        limits.timeout = callTimeout
        calls = GuardedCalls(client: client, limits: limits, logger: logger)
        do {
            try await Self.migrate(configuration, logger: logger, connectTimeout: connectTimeout, callTimeout: callTimeout)
        } catch {
            throw .unavailable("cannot prepare the database at \(Self.redacted(url)): \(error)")
        }
    }

    /// The connection pool, the watchdog of its calls, then the idempotency key purger: at
    /// shutdown the purger stops first, and the watchdog answers any call still in flight
    /// before the pool closes.
    public var services: [any Service] {
        [client, calls, IdempotencyPurger(retention: idempotency, logger: logger) { [self] cutoff throws(StoreError) in
            try await purgeIdempotencyKeys(storedBefore: cutoff)
        }]
    }

    /// The pool's configuration from `url`, TLS included (see `PostgresTLS`). Messages show the
    /// URL without its password.
    static func configuration(_ url: String) throws(StoreError) -> PostgresClient.Configuration {
        guard let components = URLComponents(string: url), ["postgres", "postgresql"].contains(components.scheme),
              let host = components.host, !host.isEmpty, let user = components.user else {
            throw .unavailable("\(redacted(url)) is not postgres://user[:password]@host[:port]/database")
        }
        let database = String(components.path.drop { $0 == "/" })
        var configuration = PostgresClient.Configuration(
            host: host, port: components.port ?? 5432, username: user, password: components.password,
            database: database.isEmpty ? nil : database, tls: try PostgresTLS.parse(components).configuration())
        configuration.options.maximumConnections = 16
        configuration.options.connectTimeout = .seconds(3)
        return configuration
    }

    /// The URL without its password, for messages.
    public static func redacted(_ url: String) -> String {
        guard var components = URLComponents(string: url) else { return "the database" }
        if components.password != nil { components.password = "***" }
        return components.string ?? "the database"
    }

    /// Applies the migrations on a pool of its own, which runs for that time only (the store's
    /// pool runs with the service group, after the store is open). An attempt may take the
    /// longer of the two timeouts (DDL on a busy database is slow, not unreachable); a failed
    /// one is tried again until `connectTimeout` has passed.
    private static func migrate(_ configuration: PostgresClient.Configuration, logger: Logger, connectTimeout: Duration,
                                callTimeout: Duration) async throws {
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        var limits = GuardedCalls.Limits()
        limits.timeout = max(connectTimeout, callTimeout)
        let calls = GuardedCalls(client: client, limits: limits, logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            // Immediate: `run()` marks the client running before its first suspension, so the
            // migration never leases from a client postgres-nio thinks is not running yet.
            group.addImmediateTask { await client.run() }
            group.addTask { await calls.run() }
            defer { group.cancelAll() }
            let deadline = ContinuousClock.now + connectTimeout
            while true {
                do {
                    try await calls.transaction { connection, logger in try await migrate(connection, logger: logger) }
                    return
                } catch {
                    if ContinuousClock.now > deadline { throw error }
                    try await Task.sleep(for: .milliseconds(200))
                }
            }
        }
    }

    private static func migrate(_ connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("SELECT pg_advisory_xact_lock(7011723)", logger: logger)
        try await connection.query("""
            CREATE TABLE IF NOT EXISTS schema_migrations (version TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())
            """, logger: logger)
        var applied: Set<String> = []
        for try await version in try await connection.query("SELECT version FROM schema_migrations", logger: logger).decode(String.self) {
            applied.insert(version)
        }
        for (version, sql) in PostgresSchema.migrations where !applied.contains(version) {
            for statement in statements(sql) {
                try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
            }
            try await connection.query("INSERT INTO schema_migrations (version) VALUES (\(version))", logger: logger)
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
        try await writes.track { () async throws(StoreError) in
            try await createTracked(draft, decide: decide, answer: answer)
        }
    }

    private func createTracked(_ draft: OutboundDraft, decide: @escaping @Sendable (OutboundFacts) -> Decision,
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
                    // A concurrent create under the key committed first (its conversation did not
                    // conflict with ours): answer as if we had come after it.
                    if let remembered = try await remembered(key) { return key.outcome(of: remembered) }
                    throw .unavailable("an idempotency key conflicted but holds no answer")
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
        case idempotencyConflict(IdempotencyKey)
        case step(Decision, OutboundFacts, StoreError)
    }

    private func createOnce(_ draft: OutboundDraft, decide: @escaping @Sendable (OutboundFacts) -> Decision,
                            answer: @escaping @Sendable (Decision, CreatedConversation) -> [UInt8],
                            destinationKnownActive: Bool) async throws -> OutboundOutcome {
        return try await calls.transaction { connection, logger -> OutboundOutcome in
            try await Self.lockSlot(connection, draft, logger: logger)
            if let lookup = draft.consentLookup { try await Self.lockAddress(connection, lookup, logger: logger) }
            // After the lock: a retry of the same key waits for the first create to commit, then replays it.
            if let key = draft.idempotency, let remembered = try await Self.remembered(connection, key, logger: logger) {
                return key.outcome(of: remembered)
            }
            var facts = try await Self.facts(connection, draft, logger: logger)
            facts.destinationActive = facts.destinationActive || destinationKnownActive
            let decision = decide(facts)
            guard decision.allowed else { return .refused(decision, facts) }
            do {
                let created = try await Self.insertOutbound(connection, draft, logger: logger)
                if let key = draft.idempotency {
                    try await Self.step(StoreError.taskCreationFailed) {
                        let bytes = answer(decision, created)
                        try await connection.query("""
                            INSERT INTO idempotency_keys (scope, key, body_sha256, conversation_id, answer, created_at)
                            VALUES (\(key.scope), \(key.key), \(key.bodySHA256), \(created.conversation.id), \(ByteBuffer(bytes: bytes)),
                                    \(StoredTime.seconds(draft.now)))
                            """, logger: logger)
                    }
                }
                return .created(decision, facts, created)
            } catch let error as PSQLError where Self.isUniqueViolation(error, constraint: "conversations_one_active_per_destination") {
                throw CreateFailure.destinationConflict
            } catch let error as PSQLError where Self.isUniqueViolation(error, constraint: "idempotency_keys_pkey") {
                guard let key = draft.idempotency else { throw error }
                throw CreateFailure.idempotencyConflict(key)
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

    /// The facts, read after the slot and address locks (READ COMMITTED: each statement sees
    /// every create, and every consent change, committed before it, including the one that held
    /// the lock). The latest applicable consent change is `ConsentLookup`'s rule: a NULL key
    /// (tenant scope) lets every record of the address apply.
    static func facts(_ connection: PostgresConnection, _ draft: OutboundDraft, logger: Logger) async throws -> OutboundFacts {
        let subjectKey = draft.subjectKey
        let lookup = draft.consentLookup
        let rows = try await connection.query("""
            SELECT (SELECT COUNT(*) FROM tasks WHERE agent_id = \(draft.agentId) AND channel = 'sms' AND state <> 'completed'),
                   (SELECT COUNT(*) FROM tasks WHERE agent_id = \(draft.agentId) AND channel = 'email' AND state <> 'completed'),
                   EXISTS (SELECT 1 FROM conversations WHERE channel = \(draft.channel?.rawValue) AND destination = \(draft.destination)
                           AND state = 'active'),
                   EXISTS (SELECT 1 FROM conversations WHERE channel = 'email' AND \(subjectKey)::text IS NOT NULL
                           AND destination = \(draft.destination) AND subject_key = \(subjectKey)),
                   (SELECT change FROM consent_changes WHERE channel = \(draft.channel?.rawValue) AND address = \(draft.destination)
                           AND (\(lookup?.entryPointKey)::text IS NULL OR scope_key = \(lookup?.entryPointKey) OR scope_key = '*')
                    ORDER BY seq DESC LIMIT 1),
                   (SELECT time_zone FROM customers WHERE channel = \(draft.channel?.rawValue) AND address = \(draft.destination))
            """, logger: logger)
        for try await (sms, email, destinationActive, subjectUsed, latest, timeZone) in rows.decode((Int, Int, Bool, Bool, String?, String?).self) {
            return OutboundFacts(openTasks: [.sms: sms, .email: email], destinationActive: destinationActive, subjectUsed: subjectUsed,
                                 optedOut: try lookup != nil && ConsentLookup.optedOut(latest: consentChange(latest)),
                                 recipientTimeZone: timeZone)
        }
        throw StoreError.unavailable("the facts query returned no row")
    }

    private static func insertOutbound(_ connection: PostgresConnection, _ draft: OutboundDraft, logger: Logger) async throws -> CreatedConversation {
        let rows: OutboundRows
        do {
            rows = try OutboundRows(draft)
        } catch {
            throw StepError(failure: error)
        }
        let now = StoredTime.seconds(draft.now)
        let customerId = try await customerId(connection, channel: rows.channel, address: rows.destination, newId: draft.customerId,
                                              now: now, logger: logger)
        // A unique violation on the destination is not a failed step: it is the other instance's
        // conversation, answered CONVERSATION_ALREADY_ACTIVE by the caller.
        var previous: String?
        let inserted = try await connection.query("""
            INSERT INTO conversations (id, origin, state, channel, customer_id, destination, agent_id, entry_point, subject,
                                       subject_key, previous_conversation_id, created_at)
            VALUES (\(draft.conversationId), 'outbound', 'active', \(rows.channel.rawValue), \(customerId), \(rows.destination),
                    \(draft.agentId), \(rows.entryPoint), \(rows.subject), \(rows.subjectKey),
                    (SELECT id FROM conversations WHERE customer_id = \(customerId) ORDER BY created_at DESC, seq DESC LIMIT 1), \(now))
            RETURNING previous_conversation_id
            """, logger: logger)
        for try await value in inserted.decode(String?.self) { previous = value }
        let conversation = rows.conversation(customerId: customerId, previousConversationId: previous)
        let offered = rows.offeredTask
        try await step(StoreError.taskCreationFailed) {
            try await connection.query("""
                INSERT INTO tasks (id, conversation_id, agent_id, channel, state, created_at)
                VALUES (\(offered.id), \(offered.conversationId), \(offered.agentId), \(offered.channel.rawValue),
                        \(offered.state.rawValue), \(now))
                """, logger: logger)
        }
        let task = rows.acceptedTask
        try await step(StoreError.agentAssignmentFailed) {
            try await connection.query("""
                UPDATE tasks SET state = \(task.state.rawValue), accepted_at = \(task.acceptedAt.map(StoredTime.seconds)) WHERE id = \(task.id)
                """, logger: logger)
        }
        let message = rows.firstMessage
        if let message {
            try await step(StoreError.taskCreationFailed) { try await insert(connection, message, logger: logger) }
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

    private static func remembered(_ connection: PostgresConnection, _ key: IdempotencyKey, logger: Logger) async throws -> RememberedCreate? {
        let rows = try await connection.query("""
            SELECT body_sha256, answer FROM idempotency_keys WHERE scope = \(key.scope) AND key = \(key.key)
            """, logger: logger)
        for try await (hash, buffer) in rows.decode((String?, ByteBuffer).self) {
            return RememberedCreate(bodySHA256: hash, answer: Array(buffer.readableBytesView))
        }
        return nil
    }

    public func remembered(_ key: IdempotencyKey) async throws(StoreError) -> RememberedCreate? {
        try await connection { connection, logger in try await Self.remembered(connection, key, logger: logger) }
    }

    /// Deletes the idempotency keys stored before `cutoff`; returns how many.
    @discardableResult
    public func purgeIdempotencyKeys(storedBefore cutoff: Date) async throws(StoreError) -> Int {
        try await transaction { connection, logger in
            var count = 0
            for try await purged in try await connection.query("""
                WITH purged AS (DELETE FROM idempotency_keys WHERE created_at < \(StoredTime.seconds(cutoff)) RETURNING 1)
                SELECT COUNT(*)::bigint FROM purged
                """, logger: logger).decode(Int.self) { count = purged }
            return PurgedKeys(count: count)
        }.count
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

    static let messageColumns = """
        id, conversation_id, direction, body, subject, template, status, in_reply_to, created_at, attempts, last_error,
        provider_message_id
        """

    static let customerColumns = "id, channel, address, created_at, time_zone"

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
        for try await row in rows { return try ConversationRecord(row: PostgresStoredRow(row)) }
        return nil
    }

    static func binds(_ values: String...) -> PostgresBindings {
        var bindings = PostgresBindings()
        for value in values { bindings.append(value) }
        return bindings
    }

    public func conversationView(id: String, page: MessagePage) async throws(StoreError) -> ConversationViewLookup {
        try await connection { connection, logger -> ConversationViewLookup in
            guard let conversation = try await Self.conversation(connection, id: id, lock: false, logger: logger) else { return .notFound }
            var customer: CustomerRecord?
            for try await row in try await connection.query("""
                SELECT \(unescaped: Self.customerColumns) FROM customers WHERE id = \(conversation.customerId)
                """, logger: logger) {
                customer = try CustomerRecord(row: PostgresStoredRow(row))
            }
            guard let customer else { return .notFound }
            var afterSeq = 0
            if let cursor = page.after {
                var found: Int?
                for try await seq in try await connection.query("""
                    SELECT seq FROM messages WHERE id = \(cursor.messageId) AND conversation_id = \(id)
                    """, logger: logger).decode(Int.self) { found = seq }
                guard let found else { return .unknownCursor(conversation) }
                afterSeq = found
            }
            var task: TaskRecord?
            for try await row in try await connection.query("""
                SELECT id, conversation_id, agent_id, channel, state, created_at, accepted_at, completed_at FROM tasks
                WHERE conversation_id = \(id)
                """, logger: logger) {
                task = try TaskRecord(row: PostgresStoredRow(row))
            }
            var fetched: [MessageRecord] = []
            for try await row in try await connection.query("""
                SELECT \(unescaped: Self.messageColumns) FROM messages
                WHERE conversation_id = \(id) AND seq > \(afterSeq) ORDER BY seq LIMIT \(page.fetchCount)
                """, logger: logger) {
                fetched.append(try MessageRecord(row: PostgresStoredRow(row)))
            }
            let (messages, next) = page.cut(fetched)
            var earlier: [ConversationRecord] = []
            let rows = try await connection.query(PostgresQuery(unsafeSQL: """
                SELECT \(Self.conversationColumns) FROM conversations
                WHERE customer_id = $1 AND id <> $2
                  AND (created_at, seq) < (SELECT created_at, seq FROM conversations WHERE id = $2)
                ORDER BY created_at DESC, seq DESC
                """, binds: Self.binds(conversation.customerId, id)), logger: logger)
            for try await row in rows { earlier.append(try ConversationRecord(row: PostgresStoredRow(row))) }
            return .found(ConversationView(conversation: conversation, customer: customer, task: task, messages: messages,
                                           nextCursor: next, earlierConversations: earlier))
        }
    }

    public func setTimeZone(channel: Sortie.Channel, address: String, timeZone: String?, newCustomerId: String,
                            now: Date) async throws(StoreError) -> CustomerWrite {
        try await transaction { connection, logger in
            for try await row in try await connection.query("""
                INSERT INTO customers (id, channel, address, created_at, time_zone)
                VALUES (\(newCustomerId), \(channel.rawValue), \(address), \(StoredTime.seconds(now)), \(timeZone))
                ON CONFLICT (channel, address) DO UPDATE SET time_zone = EXCLUDED.time_zone
                RETURNING \(unescaped: Self.customerColumns)
                """, logger: logger) {
                return CustomerWrite(customer: try CustomerRecord(row: PostgresStoredRow(row)))
            }
            throw StoreError.unavailable("customer \(address) vanished")
        }
    }

    public func appendOutboundMessage(conversationId: String, _ message: MessageDraft, now: Date, maxMessages: Int,
                                      consentScope: ConsentScope,
                                      decide: @escaping @Sendable (ConversationRecord, _ optedOut: Bool) -> Decision)
        async throws(StoreError) -> ConversationChange<Decided<MessageRoom<MessageRecord>>> {
        try await transaction { connection, logger in
            // The address lock before the conversation's, in the order an inbound STOP takes
            // them; a conversation's destination never changes, so the first read names it.
            guard let unlocked = try await Self.conversation(connection, id: conversationId, lock: false, logger: logger) else { return .notFound }
            let lookup = unlocked.consentLookup(consentScope)
            try await Self.lockAddress(connection, lookup, logger: logger)
            // Locked: appends to one conversation run one after the other, so the count holds.
            guard let conversation = try await Self.conversation(connection, id: conversationId, lock: true, logger: logger) else { return .notFound }
            guard conversation.state == .active else { return .notActive(conversation) }
            let decision = decide(conversation, try await Self.optedOut(connection, lookup, logger: logger))
            guard decision.allowed else { return .done(.refused(decision)) }
            guard try await Self.hasRoom(connection, conversationId, maxMessages: maxMessages, logger: logger) else {
                return .done(.allowed(decision, .full(conversation)))
            }
            let record = MessageRecord(outbound: message, conversationId: conversationId, now: now)
            try await Self.insert(connection, record, logger: logger)
            return .done(.allowed(decision, .appended(record)))
        }
    }

    /// Whether the conversation (locked by the caller) holds fewer than `maxMessages`, counting
    /// no further than that.
    private static func hasRoom(_ connection: PostgresConnection, _ conversationId: String, maxMessages: Int,
                                logger: Logger) async throws -> Bool {
        var count = 0
        for try await n in try await connection.query("""
            SELECT COUNT(*)::bigint FROM (SELECT 1 FROM messages WHERE conversation_id = \(conversationId) LIMIT \(maxMessages)) AS held
            """, logger: logger).decode(Int.self) { count = n }
        return MessageRoom<MessageRecord>.admits(count: count, maxMessages: maxMessages)
    }

    static func insert(_ connection: PostgresConnection, _ m: MessageRecord, logger: Logger) async throws {
        try await connection.query("""
            INSERT INTO messages (id, conversation_id, direction, body, subject, template, status, in_reply_to, created_at)
            VALUES (\(m.id), \(m.conversationId), \(m.direction.rawValue), \(m.body), \(m.subject), \(m.template),
                    \(m.status.rawValue), \(m.inReplyTo), \(StoredTime.seconds(m.createdAt)))
            """, logger: logger)
    }

    public func receiveInbound(_ inbound: InboundDraft, maxMessages: Int) async throws(StoreError) -> MessageRoom<InboundOutcome> {
        try await writes.track { () async throws(StoreError) in
            // Two replies at once from a new customer may both try to open a conversation: the
            // unique index lets one win, and the other files its message into it on the retry.
            for attempt in 0..<3 {
                do {
                    return try await receiveInboundOnce(inbound, maxMessages: maxMessages)
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
    }

    private func receiveInboundOnce(_ inbound: InboundDraft, maxMessages: Int) async throws -> MessageRoom<InboundOutcome> {
        try await calls.transaction { connection, logger in
            // The consent change first, under the address lock: it is kept even when the
            // conversation is full, and two STOPs at once see each other (one confirmation).
            var wasOptedOut = false
            if let consent = inbound.consent {
                try await Self.lockAddress(connection, consent.lookup, logger: logger)
                wasOptedOut = try await Self.optedOut(connection, consent.lookup, logger: logger)
                try await Self.insert(connection, consent.record, logger: logger)
            }
            let customerId = try await Self.customerId(connection, channel: inbound.channel, address: inbound.from,
                                                       newId: inbound.newCustomerId, now: StoredTime.seconds(inbound.now), logger: logger)
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
                active = try ConversationRecord(row: PostgresStoredRow(row))
            }
            if let active {
                // Locked above (FOR UPDATE), as appends lock it: the count holds until the commit.
                guard try await Self.hasRoom(connection, active.id, maxMessages: maxMessages, logger: logger) else { return .full(active) }
                let message = inbound.message(conversationId: active.id)
                try await Self.insert(connection, message, logger: logger)
                let confirmation = try await Self.confirm(connection, inbound, conversationId: active.id, wasOptedOut: wasOptedOut, logger: logger)
                return .appended(InboundOutcome(conversation: active, message: message, match: .joining(active, inbound, repliedTo: repliedTo),
                                                consent: inbound.consent?.record, confirmation: confirmation))
            }
            var previous: String?
            for lookup in inbound.previousConversationLookups(repliedTo: repliedTo) where previous == nil {
                switch lookup {
                case .repliedTo(let id):
                    previous = id
                case .lastWithSubject(let key):
                    for try await id in try await connection.query("""
                        SELECT id FROM conversations WHERE customer_id = \(customerId) AND subject_key = \(key)
                        ORDER BY created_at DESC, seq DESC LIMIT 1
                        """, logger: logger).decode(String.self) { previous = id }
                case .last:
                    for try await id in try await connection.query("""
                        SELECT id FROM conversations WHERE customer_id = \(customerId) ORDER BY created_at DESC, seq DESC LIMIT 1
                        """, logger: logger).decode(String.self) { previous = id }
                }
            }
            let conversation = inbound.newConversation(customerId: customerId, previousConversationId: previous)
            try await connection.query("""
                INSERT INTO conversations (id, origin, state, channel, customer_id, destination, agent_id, entry_point, subject,
                                           subject_key, previous_conversation_id, created_at)
                VALUES (\(conversation.id), \(conversation.origin.rawValue), \(conversation.state.rawValue), \(conversation.channel.rawValue),
                        \(customerId), \(conversation.destination), \(conversation.agentId), \(conversation.entryPoint),
                        \(conversation.subject), \(conversation.subject.map(SubjectKey.of)), \(previous),
                        \(StoredTime.seconds(conversation.createdAt)))
                """, logger: logger)
            let message = inbound.message(conversationId: conversation.id)
            try await Self.insert(connection, message, logger: logger)
            let confirmation = try await Self.confirm(connection, inbound, conversationId: conversation.id, wasOptedOut: wasOptedOut, logger: logger)
            return .appended(InboundOutcome(conversation: conversation, message: message, match: .newConversation,
                                            consent: inbound.consent?.record, confirmation: confirmation))
        }
    }

    public func close(conversationId: String, wrapUpReason: String?, now: Date,
                      decide: @escaping @Sendable (ConversationRecord) -> Decision) async throws(StoreError) -> ConversationChange<(Decision, ConversationRecord)> {
        try await transaction { connection, logger in
            let found = try await Self.conversation(connection, id: conversationId, lock: true, logger: logger)
            let plan = ClosePlan(found, now: now, wrapUpReason: wrapUpReason, decide: decide)
            guard case .close(_, let closed) = plan else { return plan.answer }
            try await connection.query("""
                UPDATE conversations SET state = \(closed.state.rawValue), closed_at = \(closed.closedAt.map(StoredTime.seconds)),
                                         wrap_up_reason = \(closed.wrapUpReason)
                WHERE id = \(conversationId)
                """, logger: logger)
            try await connection.query("""
                UPDATE tasks SET state = 'completed', completed_at = \(StoredTime.seconds(now))
                WHERE conversation_id = \(conversationId) AND state <> 'completed'
                """, logger: logger)
            return plan.answer
        }
    }

    /// Readiness: a row of every table the store writes, read in at most 2 s (or the call
    /// timeout, if shorter) so that a probe gets its answer while the database is down; and
    /// the last write failure.
    public func health() async -> StoreHealth {
        await .of(readTables: { () async throws(StoreError) in
            try await connection(timeout: min(.seconds(2), calls.limits.timeout)) { connection, logger in
                _ = try await connection.query(PostgresQuery(unsafeSQL: StoreHealth.tableReads(PostgresSchema.writtenTables)),
                                               logger: logger).collect()
            }
        }, writes: writes)
    }

    // MARK: Plumbing

    /// One call on one connection, guarded (`GuardedCalls`); errors become `StoreError`.
    func connection<T: Sendable>(timeout: Duration? = nil,
                                         _ body: @escaping @Sendable (PostgresConnection, Logger) async throws -> T) async throws(StoreError) -> T {
        try await Self.storeErrors { try await self.calls.connection(timeout: timeout, body) }
    }

    /// One write transaction on one guarded connection; errors become `StoreError`, and both
    /// they and what the transaction wrote are noted for `health()`.
    func transaction<T: WriteResult & Sendable>(_ body: @escaping @Sendable (PostgresConnection, Logger) async throws -> T) async throws(StoreError) -> T {
        try await writes.track { () async throws(StoreError) in
            try await Self.storeErrors { try await self.calls.transaction(body) }
        }
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
}

extension GuardedCalls {
    /// One guarded call, given the connection and the store's logger.
    func connection<T: Sendable>(timeout: Duration? = nil,
                                 _ body: @escaping @Sendable (PostgresConnection, Logger) async throws -> T) async throws -> T {
        let logger = logger
        return try await run(timeout: timeout) { connection in try await body(connection, logger) }
    }

    /// One transaction on one guarded connection; the body's own error comes out as thrown,
    /// after a rollback.
    func transaction<T: Sendable>(timeout: Duration? = nil,
                                  _ body: @escaping @Sendable (PostgresConnection, Logger) async throws -> T) async throws -> T {
        try await connection(timeout: timeout) { connection, logger in
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

/// A PostgreSQL row as the shared record decoders read it.
struct PostgresStoredRow: StoredRow {
    let row: PostgresRandomAccessRow

    init(_ row: PostgresRow) {
        self.row = row.makeRandomAccess()
    }

    func text(_ column: String) throws(StoreError) -> String? {
        try decode(column, as: String?.self)
    }

    func number(_ column: String) throws(StoreError) -> Double? {
        if row.contains(column), row[column].dataType == .int4 || row[column].dataType == .int8 {
            return try decode(column, as: Int?.self).map(Double.init)
        }
        return try decode(column, as: Double?.self)
    }

    private func decode<T: PostgresDecodable>(_ column: String, as type: T.Type) throws(StoreError) -> T {
        guard row.contains(column) else { throw .unavailable("the row has no column \(column)") }
        do {
            return try row[column].decode(T.self)
        } catch {
            throw .unavailable("column \(column): \(String(reflecting: error))")
        }
    }
}

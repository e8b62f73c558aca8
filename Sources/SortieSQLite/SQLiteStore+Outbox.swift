import Foundation
import GRDB
import Sortie
import SortieStore

/// The outbox on SQLite: claims are writes on the single writer connection, so two claims never
/// interleave; the lease rules (`Outbox`) still apply, for a dispatcher that dies mid-push.
extension SQLiteStore {
    /// A conversation's first queued message, due and not under a live lease (`?1`: now).
    static let claimable = """
        m.status = 'queued' AND m.direction = 'outbound'
        AND (m.next_attempt_at IS NULL OR m.next_attempt_at <= ?1)
        AND (m.claimed_until IS NULL OR m.claimed_until <= ?1)
        AND NOT EXISTS (SELECT 1 FROM messages e WHERE e.conversation_id = m.conversation_id AND e.status = 'queued' AND e.seq < m.seq)
        """

    public func claimDeliveries(now: Date, claim: String, leaseUntil: Date, limit: Int) async throws(StoreError) -> [OutboundDelivery] {
        try await transaction { db in
            let ids = try String.fetchAll(db.cachedStatement(sql: """
                UPDATE messages SET claim = ?2, claimed_until = ?3
                WHERE seq IN (SELECT m.seq FROM messages m WHERE \(Self.claimable) ORDER BY m.seq LIMIT ?4)
                RETURNING id
                """), arguments: [StoredTime.seconds(now), claim, StoredTime.seconds(leaseUntil), limit])
            guard !ids.isEmpty else { return OutboxWrite([OutboundDelivery]()) }
            let rows = try Row.fetchAll(db, sql: """
                SELECT m.id, m.conversation_id, m.subject, m.in_reply_to, m.body, m.attempts, c.channel, c.entry_point, c.destination
                FROM messages m JOIN conversations c ON c.id = m.conversation_id
                WHERE m.id IN (\(Array(repeating: "?", count: ids.count).joined(separator: ","))) ORDER BY m.seq
                """, arguments: StatementArguments(ids))
            return OutboxWrite(try rows.map { row in
                guard let channel = Channel(rawValue: row["channel"]) else {
                    throw StoreError.unavailable("conversations.channel holds \"\(row["channel"] as String)\"")
                }
                return OutboundDelivery(messageId: row["id"], conversationId: row["conversation_id"], channel: channel,
                                        entryPoint: row["entry_point"], destination: row["destination"], subject: row["subject"],
                                        inReplyTo: row["in_reply_to"], body: row["body"], attempts: row["attempts"], claim: claim)
            })
        }.value
    }

    public func finishDeliveries(_ reports: [DeliveryReport]) async throws(StoreError) {
        guard !reports.isEmpty else { return }
        _ = try await transaction { db in
            for report in reports {
                let id = report.delivery.messageId
                try db.cachedStatement(sql: "INSERT INTO message_attempts (message_id, at, http_status, error) VALUES (?, ?, ?, ?)")
                    .execute(arguments: [id, StoredTime.seconds(report.attempt.at), report.attempt.httpStatus, report.attempt.error])
                try db.cachedStatement(sql: "UPDATE messages SET attempts = attempts + 1 WHERE id = ?").execute(arguments: [id])
                // Only the claim's holder writes the outcome, and only over `queued`: a receipt
                // that came first stays.
                switch report.outcome {
                case .sent(let providerMessageId):
                    try db.cachedStatement(sql: """
                        UPDATE messages SET status = CASE WHEN status = 'queued' THEN 'sent' ELSE status END,
                               provider_message_id = COALESCE(provider_message_id, ?),
                               last_error = CASE WHEN status = 'queued' THEN NULL ELSE last_error END, claim = NULL, claimed_until = NULL
                        WHERE id = ? AND claim = ?
                        """).execute(arguments: [providerMessageId, id, report.delivery.claim])
                case .failed(let error):
                    try db.cachedStatement(sql: """
                        UPDATE messages SET status = CASE WHEN status = 'queued' THEN 'failed' ELSE status END,
                               last_error = CASE WHEN status = 'queued' THEN ? ELSE last_error END, claim = NULL, claimed_until = NULL
                        WHERE id = ? AND claim = ?
                        """).execute(arguments: [error, id, report.delivery.claim])
                case .retry(let at):
                    try db.cachedStatement(sql: """
                        UPDATE messages SET next_attempt_at = ?, last_error = CASE WHEN status = 'queued' THEN ? ELSE last_error END,
                               claim = NULL, claimed_until = NULL
                        WHERE id = ? AND claim = ?
                        """).execute(arguments: [StoredTime.seconds(at), report.attempt.error, id, report.delivery.claim])
                }
            }
            return OutboxWrite(())
        }
    }

    public func applyReceipt(_ receipt: DeliveryReceipt) async throws(StoreError) -> ReceiptOutcome {
        try await transaction { db in
            guard var message = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM messages WHERE id = ? AND direction = 'outbound'"),
                                                 arguments: [receipt.messageId]).map(MessageRecord.init(sqlite:)) else {
                return ReceiptOutcome.notFound
            }
            guard message.status.advances(to: receipt.status) else { return .applied(message, changed: false) }
            message.apply(receipt)
            try db.cachedStatement(sql: "UPDATE messages SET status = ?, provider_message_id = ?, last_error = ? WHERE id = ?")
                .execute(arguments: [message.status.rawValue, message.providerMessageId, message.lastError, message.id])
            return .applied(message, changed: true)
        }
    }

    public func outboxState() async throws(StoreError) -> OutboxState {
        try await read { db in
            guard let row = try Row.fetchOne(db.cachedStatement(sql: """
                SELECT (SELECT COUNT(*) FROM messages WHERE status = 'queued') AS depth,
                       (SELECT MIN(created_at) FROM messages WHERE status = 'queued') AS oldest,
                       (SELECT MIN(MAX(COALESCE(m.next_attempt_at, 0), COALESCE(m.claimed_until, 0))) FROM messages m
                        WHERE m.status = 'queued' AND m.direction = 'outbound'
                          AND NOT EXISTS (SELECT 1 FROM messages e WHERE e.conversation_id = m.conversation_id
                                          AND e.status = 'queued' AND e.seq < m.seq)) AS next_due
                """)) else { return OutboxState(depth: 0, oldestQueuedAt: nil, nextDueAt: nil) }
            return OutboxState(depth: row["depth"], oldestQueuedAt: (row["oldest"] as Double?).map(StoredTime.date),
                               nextDueAt: (row["next_due"] as Double?).map(StoredTime.date))
        }
    }

    public func deliveryAttempts(messageIds: [String]) async throws(StoreError) -> [String: [DeliveryAttempt]] {
        guard !messageIds.isEmpty else { return [:] }
        return try await read { db in
            var attempts: [String: [DeliveryAttempt]] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT message_id, at, http_status, error FROM message_attempts
                WHERE message_id IN (\(Array(repeating: "?", count: messageIds.count).joined(separator: ","))) ORDER BY seq
                """, arguments: StatementArguments(messageIds)) {
                attempts[row["message_id"], default: []].append(
                    DeliveryAttempt(at: StoredTime.date(row["at"]), httpStatus: row["http_status"], error: row["error"]))
            }
            return attempts
        }
    }
}

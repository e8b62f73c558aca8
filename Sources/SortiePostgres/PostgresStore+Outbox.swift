import Foundation
import Logging
import PostgresNIO
import Sortie
import SortieStore

/// The outbox on PostgreSQL: a claim locks the rows it takes with `FOR UPDATE SKIP LOCKED`, so
/// instances claiming at once take different messages, and writes a lease, so a message stays
/// with its claimer after the claim's transaction ends (`Outbox`).
extension PostgresStore {
    public func claimDeliveries(now: Date, claim: String, leaseUntil: Date, limit: Int) async throws(StoreError) -> [OutboundDelivery] {
        try await transaction { connection, logger in
            let now = StoredTime.seconds(now)
            var deliveries: [OutboundDelivery] = []
            // The earlier-message check reads committed rows: a message whose predecessor another
            // instance holds is skipped, since its predecessor is still queued.
            let rows = try await connection.query("""
                WITH taken AS (
                    SELECT m.seq FROM messages m
                    WHERE m.status = 'queued' AND m.direction = 'outbound'
                      AND (m.next_attempt_at IS NULL OR m.next_attempt_at <= \(now))
                      AND (m.claimed_until IS NULL OR m.claimed_until <= \(now))
                      AND NOT EXISTS (SELECT 1 FROM messages e WHERE e.conversation_id = m.conversation_id
                                      AND e.status = 'queued' AND e.seq < m.seq)
                    ORDER BY m.seq LIMIT \(limit)
                    FOR UPDATE OF m SKIP LOCKED
                ), claimed AS (
                    UPDATE messages SET claim = \(claim), claimed_until = \(StoredTime.seconds(leaseUntil))
                    FROM taken WHERE messages.seq = taken.seq
                    RETURNING messages.seq, messages.id, messages.conversation_id, messages.subject, messages.in_reply_to,
                              messages.body, messages.attempts
                )
                SELECT claimed.id, claimed.conversation_id, claimed.subject, claimed.in_reply_to, claimed.body, claimed.attempts,
                       c.channel, c.entry_point, c.destination
                FROM claimed JOIN conversations c ON c.id = claimed.conversation_id ORDER BY claimed.seq
                """, logger: logger)
            for try await (id, conversationId, subject, inReplyTo, body, attempts, channel, entryPoint, destination) in rows.decode(
                (String, String, String?, String?, String, Int, String, String, String).self) {
                guard let channel = Channel(rawValue: channel) else { throw StoreError.unavailable("conversations.channel holds \"\(channel)\"") }
                deliveries.append(OutboundDelivery(messageId: id, conversationId: conversationId, channel: channel, entryPoint: entryPoint,
                                                   destination: destination, subject: subject, inReplyTo: inReplyTo, body: body,
                                                   attempts: attempts, claim: claim))
            }
            return OutboxWrite(deliveries)
        }.value
    }

    public func finishDeliveries(_ reports: [DeliveryReport]) async throws(StoreError) {
        guard !reports.isEmpty else { return }
        _ = try await transaction { connection, logger in
            for report in reports {
                let id = report.delivery.messageId
                let claim = report.delivery.claim
                try await connection.query("""
                    INSERT INTO message_attempts (message_id, at, http_status, error)
                    VALUES (\(id), \(StoredTime.seconds(report.attempt.at)), \(report.attempt.httpStatus), \(report.attempt.error))
                    """, logger: logger)
                try await connection.query("UPDATE messages SET attempts = attempts + 1 WHERE id = \(id)", logger: logger)
                // Only the claim's holder writes the outcome, and only over `queued`: a receipt
                // that came first stays.
                switch report.outcome {
                case .sent(let providerMessageId):
                    try await connection.query("""
                        UPDATE messages SET status = CASE WHEN status = 'queued' THEN 'sent' ELSE status END,
                               provider_message_id = COALESCE(provider_message_id, \(providerMessageId)),
                               last_error = CASE WHEN status = 'queued' THEN NULL ELSE last_error END,
                               claim = NULL, claimed_until = NULL
                        WHERE id = \(id) AND claim = \(claim)
                        """, logger: logger)
                case .failed(let error):
                    try await connection.query("""
                        UPDATE messages SET status = CASE WHEN status = 'queued' THEN 'failed' ELSE status END,
                               last_error = CASE WHEN status = 'queued' THEN \(error) ELSE last_error END, claim = NULL, claimed_until = NULL
                        WHERE id = \(id) AND claim = \(claim)
                        """, logger: logger)
                case .retry(let at):
                    try await connection.query("""
                        UPDATE messages SET next_attempt_at = \(StoredTime.seconds(at)),
                               last_error = CASE WHEN status = 'queued' THEN \(report.attempt.error) ELSE last_error END,
                               claim = NULL, claimed_until = NULL
                        WHERE id = \(id) AND claim = \(claim)
                        """, logger: logger)
                }
            }
            return OutboxWrite(())
        }
    }

    public func applyReceipt(_ receipt: DeliveryReceipt) async throws(StoreError) -> ReceiptOutcome {
        try await transaction { connection, logger in
            var found: MessageRecord?
            for try await row in try await connection.query("""
                SELECT \(unescaped: Self.messageColumns) FROM messages WHERE id = \(receipt.messageId) AND direction = 'outbound' FOR UPDATE
                """, logger: logger) {
                found = try MessageRecord(row: PostgresStoredRow(row))
            }
            guard var message = found else { return ReceiptOutcome.notFound }
            guard message.status.advances(to: receipt.status) else { return .applied(message, changed: false) }
            message.apply(receipt)
            try await connection.query("""
                UPDATE messages SET status = \(message.status.rawValue), provider_message_id = \(message.providerMessageId),
                       last_error = \(message.lastError)
                WHERE id = \(message.id)
                """, logger: logger)
            return .applied(message, changed: true)
        }
    }

    public func outboxState() async throws(StoreError) -> OutboxState {
        try await connection { connection, logger in
            var state = OutboxState(depth: 0, oldestQueuedAt: nil, nextDueAt: nil)
            for try await (depth, oldest, nextDue) in try await connection.query("""
                SELECT (SELECT COUNT(*)::bigint FROM messages WHERE status = 'queued'),
                       (SELECT MIN(created_at) FROM messages WHERE status = 'queued'),
                       (SELECT MIN(GREATEST(COALESCE(m.next_attempt_at, 0), COALESCE(m.claimed_until, 0))) FROM messages m
                        WHERE m.status = 'queued' AND m.direction = 'outbound'
                          AND NOT EXISTS (SELECT 1 FROM messages e WHERE e.conversation_id = m.conversation_id
                                          AND e.status = 'queued' AND e.seq < m.seq))
                """, logger: logger).decode((Int, Double?, Double?).self) {
                state = OutboxState(depth: depth, oldestQueuedAt: oldest.map(StoredTime.date), nextDueAt: nextDue.map(StoredTime.date))
            }
            return state
        }
    }

    public func deliveryAttempts(messageIds: [String]) async throws(StoreError) -> [String: [DeliveryAttempt]] {
        guard !messageIds.isEmpty else { return [:] }
        return try await connection { connection, logger in
            var attempts: [String: [DeliveryAttempt]] = [:]
            for try await (id, at, status, error) in try await connection.query("""
                SELECT message_id, at, http_status, error FROM message_attempts WHERE message_id = ANY(\(messageIds)) ORDER BY seq
                """, logger: logger).decode((String, Double, Int?, String?).self) {
                attempts[id, default: []].append(DeliveryAttempt(at: StoredTime.date(at), httpStatus: status, error: error))
            }
            return attempts
        }
    }
}

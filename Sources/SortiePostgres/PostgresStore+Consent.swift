import Foundation
import Logging
import PostgresNIO
import Sortie
import SortieStore

/// Consent changes on PostgreSQL. Every call that reads or writes an address's consent first
/// takes the address's transaction-level advisory lock, so a STOP and a create or a message to
/// that address run one after the other on any instance: nothing is queued for an address on
/// the strength of a read made before its opt-out committed.
extension PostgresStore {
    /// The advisory key space of address locks (the two-key form, apart from the migration's
    /// one-key lock).
    static let addressLockSpace: Int32 = 7_011_724

    static func lockAddress(_ connection: PostgresConnection, channel: Sortie.Channel, address: String, logger: Logger) async throws {
        try await connection.query("""
            SELECT pg_advisory_xact_lock(\(addressLockSpace), hashtext(\(channel.rawValue) || ' ' || \(address)))
            """, logger: logger)
    }

    static func lockAddress(_ connection: PostgresConnection, _ lookup: ConsentLookup, logger: Logger) async throws {
        try await lockAddress(connection, channel: lookup.channel, address: lookup.address, logger: logger)
    }

    /// A stored change, or an error for a value this version does not know.
    static func consentChange(_ raw: String?) throws -> ConsentChange? {
        guard let raw else { return nil }
        guard let change = ConsentChange(rawValue: raw) else { throw StoreError.unavailable("consent_changes.change holds \"\(raw)\"") }
        return change
    }

    /// Whether `lookup`'s address is opted out (`ConsentLookup`: the latest applicable change).
    static func optedOut(_ connection: PostgresConnection, _ lookup: ConsentLookup, logger: Logger) async throws -> Bool {
        var latest: String?
        for try await change in try await connection.query("""
            SELECT change FROM consent_changes WHERE channel = \(lookup.channel.rawValue) AND address = \(lookup.address)
                   AND (\(lookup.entryPointKey)::text IS NULL OR scope_key = \(lookup.entryPointKey) OR scope_key = '*')
            ORDER BY seq DESC LIMIT 1
            """, logger: logger).decode(String.self) { latest = change }
        return ConsentLookup.optedOut(latest: try consentChange(latest))
    }

    static func insert(_ connection: PostgresConnection, _ c: ConsentRecord, logger: Logger) async throws {
        try await connection.query("""
            INSERT INTO consent_changes (id, channel, address, scope_key, change, source, by_kind, by_subject, at)
            VALUES (\(c.id), \(c.channel.rawValue), \(c.address), \(c.scopeKey), \(c.change.rawValue), \(c.source.rawValue),
                    \(c.by.kind), \(c.by.subject), \(StoredTime.seconds(c.at)))
            """, logger: logger)
        guard c.change == .optOut else { return }
        // What the opt-out covers and still waits in the outbox, unclaimed, fails unpushed
        // (`ConsentRecord.withdrawnByOptOut`); an earlier STOP's confirmation still goes.
        try await connection.query("""
            UPDATE messages SET status = 'failed', last_error = \(ConsentRecord.withdrawnByOptOut), next_attempt_at = NULL
            WHERE status = 'queued' AND direction = 'outbound' AND (claimed_until IS NULL OR claimed_until <= \(StoredTime.seconds(c.at)))
              AND template IS DISTINCT FROM \(InboundConsent.confirmationTemplate)
              AND conversation_id IN (SELECT id FROM conversations WHERE channel = \(c.channel.rawValue) AND destination = \(c.address)
                                      AND (\(c.scopeKey) = '*' OR entry_point = \(c.scopeKey)))
            """, logger: logger)
    }

    /// Queues the confirmation of an opt-out, if one goes (`InboundConsent.confirmation`).
    static func confirm(_ connection: PostgresConnection, _ inbound: InboundDraft, conversationId: String, wasOptedOut: Bool,
                        logger: Logger) async throws -> MessageRecord? {
        guard let confirmation = inbound.consent?.confirmation(conversationId: conversationId, wasOptedOut: wasOptedOut,
                                                               now: inbound.now) else { return nil }
        try await insert(connection, confirmation, logger: logger)
        return confirmation
    }

    static func consentHistory(_ connection: PostgresConnection, channel: Sortie.Channel, address: String,
                               logger: Logger) async throws -> [ConsentRecord] {
        var history: [ConsentRecord] = []
        for try await row in try await connection.query("""
            SELECT id, channel, address, scope_key, change, source, by_kind, by_subject, at FROM consent_changes
            WHERE channel = \(channel.rawValue) AND address = \(address) ORDER BY seq
            """, logger: logger) {
            history.append(try ConsentRecord(row: PostgresStoredRow(row)))
        }
        return history
    }

    public func consentHistory(channel: Sortie.Channel, address: String) async throws(StoreError) -> [ConsentRecord] {
        try await connection { connection, logger in try await Self.consentHistory(connection, channel: channel, address: address, logger: logger) }
    }

    public func recordConsent(_ record: ConsentRecord) async throws(StoreError) -> ConsentWrite {
        try await transaction { connection, logger in
            try await Self.lockAddress(connection, channel: record.channel, address: record.address, logger: logger)
            try await Self.insert(connection, record, logger: logger)
            return ConsentWrite(history: try await Self.consentHistory(connection, channel: record.channel, address: record.address,
                                                                       logger: logger))
        }
    }
}

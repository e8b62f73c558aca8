import Foundation
import Sortie

/// How a consent change reached the service.
public enum ConsentSource: String, Sendable, Hashable, Codable, CaseIterable {
    /// The customer wrote an opt-out or opt-in keyword (`POST /v1/inbound`).
    case keyword
    /// An administrator or an integration imported or lifted a suppression (the consent API).
    case api
}

/// Who made a consent change: the customer (kind `customer`, subject its address) or the
/// principal that called the consent API (its kind and subject, as the decision log names it).
public struct ConsentActor: Sendable, Hashable, Codable {
    public var kind: String
    public var subject: String?

    public init(kind: String, subject: String?) {
        self.kind = kind
        self.subject = subject
    }

    /// The customer who wrote the keyword.
    public static func customer(_ address: String) -> ConsentActor { ConsentActor(kind: "customer", subject: address) }
}

/// One consent change, as stored: a record is never updated nor deleted, and the state of a
/// key is its latest record (`ConsentLookup`).
public struct ConsentRecord: Sendable, Hashable, Codable {
    public var id: String
    public var channel: Channel
    /// The normalized address.
    public var address: String
    /// The entry point it applies to; nil: every entry point of the tenant.
    public var entryPoint: String?
    public var change: ConsentChange
    public var source: ConsentSource
    public var by: ConsentActor
    public var at: Date

    public init(id: String, channel: Channel, address: String, entryPoint: String?, change: ConsentChange,
                source: ConsentSource, by: ConsentActor, at: Date) {
        self.id = id
        self.channel = channel
        self.address = address
        self.entryPoint = entryPoint
        self.change = change
        self.source = source
        self.by = by
        self.at = at
    }

    /// The stored `scope_key`: the entry point's name, or `*` for the whole tenant.
    public var scopeKey: String { entryPoint ?? ConsentLookup.tenantWide }
}

/// Which records decide whether an address is opted out for one entry point: the one rule
/// every store's query and the consent API's state follow.
///
/// The latest record among the applicable ones decides. Under `entry-point` scope those are
/// the entry point's own and the tenant-wide ones (an imported suppression without an entry
/// point stops every sender; a later START to one sender lifts it for that sender only);
/// under `tenant` scope every record of the address applies.
public struct ConsentLookup: Sendable, Hashable {
    /// The scope key of a change that applies to every entry point.
    public static let tenantWide = "*"

    public var channel: Channel
    public var address: String
    /// The entry point's key, whose records (and the tenant-wide ones) apply; nil: every record
    /// of the address applies (`tenant` scope).
    public var entryPointKey: String?

    public init(channel: Channel, address: String, entryPoint: String?, scope: ConsentScope) {
        self.channel = channel
        self.address = address
        entryPointKey = switch scope {
        case .entryPoint: entryPoint ?? Self.tenantWide
        case .tenant: nil
        }
    }

    /// Whether `record` is one that decides this lookup.
    public func applies(to record: ConsentRecord) -> Bool {
        guard record.channel == channel, record.address == address else { return false }
        guard let entryPointKey else { return true }
        return record.scopeKey == entryPointKey || record.scopeKey == Self.tenantWide
    }

    /// The state `history` (oldest first) gives: its latest applicable record is an opt-out.
    public func optedOut(_ history: [ConsentRecord]) -> Bool {
        history.last(where: applies)?.change == .optOut
    }

    /// The state from the latest applicable change, as a store's query finds it.
    public static func optedOut(latest: ConsentChange?) -> Bool { latest == .optOut }

    /// The scope key a keyword change records: the entry point written to, or the whole tenant
    /// under `tenant` scope.
    public static func keywordEntryPoint(_ entryPoint: String, scope: ConsentScope) -> String? {
        switch scope {
        case .entryPoint: entryPoint
        case .tenant: nil
        }
    }
}

/// What an inbound keyword does, decided by the service and written by the store in the
/// inbound's transaction.
public struct InboundConsent: Sendable, Hashable {
    /// The `template` of a confirmation message: it is no policy name (those have no dot), and
    /// it keeps the confirmation out of what a later opt-out withdraws.
    public static let confirmationTemplate = "consent.confirmation"

    /// The change to record.
    public var record: ConsentRecord
    /// The state before the change: the confirmation goes only to an address not opted out yet.
    public var lookup: ConsentLookup
    /// The one message sent back after an opt-out (nil for an opt-in).
    public var confirmation: MessageDraft?

    public init(record: ConsentRecord, lookup: ConsentLookup, confirmation: MessageDraft?) {
        self.record = record
        self.lookup = lookup
        self.confirmation = confirmation
    }

    /// The confirmation to queue in `conversationId`, given the state before the change: only
    /// for an opt-out of an address that was not opted out already (a second STOP sends none).
    public func confirmation(conversationId: String, wasOptedOut: Bool, now: Date) -> MessageRecord? {
        guard record.change == .optOut, !wasOptedOut, let confirmation else { return nil }
        return MessageRecord(outbound: confirmation, conversationId: conversationId, now: now)
    }
}

extension ConsentRecord {
    /// The error of a queued message that an opt-out withdrew before any push: SPEC §7 refuses
    /// every further outbound message to an opted-out recipient, and one waiting in the outbox
    /// (a retry, a backlog) would otherwise still go. A message already being pushed (its
    /// lease live) is left to its push: the gateway may have it already.
    public static let withdrawnByOptOut = "RECIPIENT_OPTED_OUT: the recipient opted out before this message was pushed"

    /// A row of `consent_changes`.
    public init(row: some StoredRow) throws(StoreError) {
        let columns = RowReader(row: row, table: "consent_changes")
        let change = try columns.text("change")
        guard let known = ConsentChange(rawValue: change) else {
            throw .unavailable("consent_changes.change holds \"\(change)\", which is not opt-out or opt-in")
        }
        let key = try columns.text("scope_key")
        self.init(id: try columns.text("id"), channel: try columns.value("channel"), address: try columns.text("address"),
                  entryPoint: key == ConsentLookup.tenantWide ? nil : key, change: known, source: try columns.value("source"),
                  by: ConsentActor(kind: try columns.text("by_kind"), subject: try columns.optionalText("by_subject")),
                  at: try columns.date("at"))
    }
}

/// A consent change written by the consent API, and the history that followed it.
public struct ConsentWrite: Sendable, WriteResult {
    /// Every record of the address, oldest first, the new one last.
    public var history: [ConsentRecord]
    public var written: Written { .committed }

    public init(history: [ConsentRecord]) { self.history = history }
}

extension OutboundDraft {
    /// Whose opt-outs stop this create; nil without a channel or a normalized destination
    /// (the evaluator refuses those before it looks at consent).
    public var consentLookup: ConsentLookup? {
        guard let channel, let destination else { return nil }
        return ConsentLookup(channel: channel, address: destination, entryPoint: entryPoint, scope: consentScope)
    }
}

extension ConversationRecord {
    /// Whose opt-outs stop a further message in this conversation.
    public func consentLookup(_ scope: ConsentScope) -> ConsentLookup {
        ConsentLookup(channel: channel, address: destination, entryPoint: entryPoint, scope: scope)
    }
}

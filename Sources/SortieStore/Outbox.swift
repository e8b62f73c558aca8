import Foundation
import Synchronization
import Sortie

/// A queued message, claimed for one push to the channel gateway.
public struct OutboundDelivery: Sendable, Hashable {
    public var messageId: String
    public var conversationId: String
    public var channel: Channel
    /// The conversation's entry point (its name): the dispatcher sends from its address.
    public var entryPoint: String
    /// The normalized destination.
    public var destination: String
    public var subject: String?
    public var inReplyTo: String?
    public var body: String
    /// The pushes made before this one.
    public var attempts: Int
    /// The claim's token: only its holder may record the push's outcome.
    public var claim: String

    public init(messageId: String, conversationId: String, channel: Channel, entryPoint: String, destination: String,
                subject: String?, inReplyTo: String?, body: String, attempts: Int, claim: String) {
        self.messageId = messageId
        self.conversationId = conversationId
        self.channel = channel
        self.entryPoint = entryPoint
        self.destination = destination
        self.subject = subject
        self.inReplyTo = inReplyTo
        self.body = body
        self.attempts = attempts
        self.claim = claim
    }
}

/// One push of a message to the gateway, as stored and as `GET /v1/conversations/{id}` shows it.
public struct DeliveryAttempt: Sendable, Hashable, Codable {
    /// When the push started.
    public var at: Date
    /// The gateway's HTTP status; nil when no answer came (timeout, connection error).
    public var httpStatus: Int?
    /// Why the push did not succeed; nil for a 2xx.
    public var error: String?

    public init(at: Date, httpStatus: Int?, error: String?) {
        self.at = at
        self.httpStatus = httpStatus
        self.error = error
    }
}

/// What a push makes of its message.
public enum DeliveryOutcome: Sendable, Hashable {
    /// The gateway took it: `sent`, with the gateway's id for it when it gave one.
    case sent(providerMessageId: String?)
    /// The gateway refused it for good, or every attempt was used: `failed` with this error.
    case failed(String)
    /// Push it again, not before this time.
    case retry(at: Date)
}

/// A push's result, for `Outbox.finish`.
public struct DeliveryReport: Sendable, Hashable {
    public var delivery: OutboundDelivery
    public var attempt: DeliveryAttempt
    public var outcome: DeliveryOutcome

    public init(delivery: OutboundDelivery, attempt: DeliveryAttempt, outcome: DeliveryOutcome) {
        self.delivery = delivery
        self.attempt = attempt
        self.outcome = outcome
    }
}

/// A delivery receipt from the gateway (`POST /v1/messages/{id}/status`).
public struct DeliveryReceipt: Sendable, Hashable {
    public enum Status: String, Sendable, CaseIterable { case delivered, failed }

    public var messageId: String
    public var status: Status
    public var providerMessageId: String?
    public var error: String?
    public var now: Date

    public init(messageId: String, status: Status, providerMessageId: String?, error: String?, now: Date) {
        self.messageId = messageId
        self.status = status
        self.providerMessageId = providerMessageId
        self.error = error
        self.now = now
    }
}

/// What a receipt did.
public enum ReceiptOutcome: Sendable, Hashable {
    /// No outbound message has this id.
    case notFound
    /// The message as it stands after the receipt (unchanged when the receipt would have moved
    /// its status back or sideways).
    case applied(MessageRecord, changed: Bool)
}

/// The outbox at a glance, for metrics and the dispatcher's next wake-up.
public struct OutboxState: Sendable, Hashable {
    /// Queued outbound messages.
    public var depth: Int
    /// When the oldest queued message was created.
    public var oldestQueuedAt: Date?
    /// The earliest time a queued message may be pushed (its retry time, or its lease's end).
    public var nextDueAt: Date?

    public init(depth: Int, oldestQueuedAt: Date?, nextDueAt: Date?) {
        self.depth = depth
        self.oldestQueuedAt = oldestQueuedAt
        self.nextDueAt = nextDueAt
    }
}

/// The outbox's rules, the same on every store.
///
/// - A message is claimable when it is `queued`, its retry time has come, no live lease holds
///   it, and no earlier message of its conversation is still `queued`: messages of one
///   conversation go out in order, one at a time.
/// - A claim is a lease: its token and an end time. A dispatcher that dies mid-push loses its
///   claim when the lease ends, and the message is pushed again (with the same `webhook-id`).
/// - A push's outcome is written only by the claim's holder, and moves the status only from
///   `queued`: a receipt that came first is never undone.
public protocol Outbox: Sendable {
    /// Claims up to `limit` claimable messages for `claim`, until `leaseUntil`.
    func claimDeliveries(now: Date, claim: String, leaseUntil: Date, limit: Int) async throws(StoreError) -> [OutboundDelivery]

    /// Records each push (its attempt, always) and its outcome (when the report's claim still
    /// holds the message), in one transaction.
    func finishDeliveries(_ reports: [DeliveryReport]) async throws(StoreError)

    /// Applies a receipt if it moves the message's status forward (`MessageRecord.Status.rank`).
    func applyReceipt(_ receipt: DeliveryReceipt) async throws(StoreError) -> ReceiptOutcome

    /// The outbox's depth, oldest message and next due time.
    func outboxState() async throws(StoreError) -> OutboxState

    /// Every push of these messages, oldest first, by message id.
    func deliveryAttempts(messageIds: [String]) async throws(StoreError) -> [String: [DeliveryAttempt]]
}

extension MessageRecord.Status {
    /// How far along a message is: a status only moves to a higher rank
    /// (queued → sent → delivered or failed; received is an inbound message's only status).
    public var rank: Int {
        switch self {
        case .queued: 0
        case .sent: 1
        case .delivered, .failed, .received: 2
        }
    }

    /// Whether a receipt of `status` moves an outbound message in this status forward.
    public func advances(to status: DeliveryReceipt.Status) -> Bool {
        let next: MessageRecord.Status = status == .delivered ? .delivered : .failed
        return self != .received && next.rank > rank
    }
}

/// Wakes the dispatcher when a message was queued in this process, so that it pushes at once
/// instead of at its next poll. Each subscriber has its own stream; any number of
/// notifications before it reads make one wake-up.
public final class OutboxSignal: Sendable {
    private let subscribers = Mutex<[UUID: AsyncStream<Void>.Continuation]>([:])

    public init() {}

    /// A stream of wake-ups, ended when its reader is cancelled.
    public func subscribe() -> AsyncStream<Void> {
        let id = UUID()
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        continuation.onTermination = { [weak self] _ in
            _ = self?.subscribers.withLock { $0.removeValue(forKey: id) }
        }
        subscribers.withLock { $0[id] = continuation }
        return stream
    }

    /// A message was committed to the outbox.
    public func notify() {
        for continuation in subscribers.withLock({ Array($0.values) }) { continuation.yield() }
    }
}

/// The channel gateway as `/healthz` reports it: set by the dispatcher, read by the service.
public final class GatewayStatus: Sendable {
    public enum State: Sendable, Hashable {
        /// No gateway is configured: messages stay queued.
        case none
        /// The last push got an answer that was not a server error.
        case ok
        /// The last push failed in a way that will be retried, with its short form
        /// (`PushAnswer.summary`: a status or the kind of failure, never the gateway's text).
        case failing(String)

        /// `none`, `ok` or `failing`.
        public var name: String {
            switch self {
            case .none: "none"
            case .ok: "ok"
            case .failing: "failing"
            }
        }
    }

    private let state = Mutex<State>(.none)

    public init() {}

    public var current: State { state.withLock { $0 } }

    public func set(_ new: State) {
        state.withLock { $0 = new }
    }
}

/// A write of the outbox that committed, with what it returns.
public struct OutboxWrite<Value: Sendable>: Sendable, WriteResult {
    public let value: Value
    public init(_ value: Value) { self.value = value }
    public var written: Written { .committed }
}

extension ReceiptOutcome: WriteResult {
    public var written: Written {
        if case .applied(_, changed: true) = self { return .committed }
        return .nothing
    }
}

extension DeliveryOutcome {
    /// The message's status once this outcome is written over `queued`.
    public var status: MessageRecord.Status {
        switch self {
        case .sent: .sent
        case .failed: .failed
        case .retry: .queued
        }
    }
}

extension MessageRecord {
    /// The message once `receipt` is applied (the caller checked that it `advances`): its new
    /// status, the receipt's gateway id if the message had none (the first id the gateway gave
    /// is kept, as a push's answer keeps it), and the receipt's error for a failure.
    public mutating func apply(_ receipt: DeliveryReceipt) {
        status = receipt.status == .delivered ? .delivered : .failed
        if providerMessageId == nil, let id = receipt.providerMessageId { providerMessageId = id }
        if receipt.status == .failed { lastError = receipt.error ?? "the gateway reported a failed delivery" }
    }
}

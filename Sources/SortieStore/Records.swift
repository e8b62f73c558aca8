import Foundation
import Sortie

/// A customer: one normalized address on one channel (`+33612345678` on sms, `a@b.fr` on email).
public struct CustomerRecord: Sendable, Hashable, Codable {
    public var id: String
    public var channel: Channel
    public var address: String
    public var createdAt: Date
    /// The customer's IANA time zone, when known: a create's `recipientTimeZone`.
    public var timeZone: String?

    public init(id: String, channel: Channel, address: String, createdAt: Date, timeZone: String? = nil) {
        self.id = id
        self.channel = channel
        self.address = address
        self.createdAt = createdAt
        self.timeZone = timeZone
    }
}

/// A conversation with one customer address. At most one is `active` per address.
public struct ConversationRecord: Sendable, Hashable, Codable {
    public enum State: String, Sendable, Codable, CaseIterable { case active, closed }
    /// Who started it: an agent (`outbound`) or the customer (`inbound`).
    public enum Origin: String, Sendable, Codable, CaseIterable { case outbound, inbound }

    public var id: String
    public var origin: Origin
    public var state: State
    public var channel: Channel
    public var customerId: String
    /// The normalized destination: the customer's address.
    public var destination: String
    /// The agent that owns it; nil for a conversation the customer started and no agent took yet.
    public var agentId: String?
    /// The entry point (the "From") it runs on.
    public var entryPoint: String
    /// Email only: the subject, as the agent wrote it.
    public var subject: String?
    /// The customer's conversation this one follows, when it was not the first.
    public var previousConversationId: String?
    public var createdAt: Date
    public var closedAt: Date?
    public var wrapUpReason: String?

    public init(id: String, origin: Origin, state: State, channel: Channel, customerId: String, destination: String,
                agentId: String?, entryPoint: String, subject: String?, previousConversationId: String?,
                createdAt: Date, closedAt: Date? = nil, wrapUpReason: String? = nil) {
        self.id = id
        self.origin = origin
        self.state = state
        self.channel = channel
        self.customerId = customerId
        self.destination = destination
        self.agentId = agentId
        self.entryPoint = entryPoint
        self.subject = subject
        self.previousConversationId = previousConversationId
        self.createdAt = createdAt
        self.closedAt = closedAt
        self.wrapUpReason = wrapUpReason
    }
}

/// The outbound task of a conversation: offered → accepted → completed. An agent's open
/// (offered or accepted) tasks on a channel are its `activeOutbound` count.
public struct TaskRecord: Sendable, Hashable, Codable {
    public enum State: String, Sendable, Codable, CaseIterable { case offered, accepted, completed }

    public var id: String
    public var conversationId: String
    public var agentId: String
    public var channel: Channel
    public var state: State
    public var createdAt: Date
    public var acceptedAt: Date?
    public var completedAt: Date?

    public init(id: String, conversationId: String, agentId: String, channel: Channel, state: State,
                createdAt: Date, acceptedAt: Date? = nil, completedAt: Date? = nil) {
        self.id = id
        self.conversationId = conversationId
        self.agentId = agentId
        self.channel = channel
        self.state = state
        self.createdAt = createdAt
        self.acceptedAt = acceptedAt
        self.completedAt = completedAt
    }
}

/// One message of a conversation. Outbound messages wait in the outbox (`queued`) for the
/// channel's gateway; inbound ones are `received`.
public struct MessageRecord: Sendable, Hashable, Codable {
    public enum Direction: String, Sendable, Codable, CaseIterable { case inbound, outbound }
    public enum Status: String, Sendable, Codable, CaseIterable { case queued, sent, delivered, failed, received }

    public var id: String
    public var conversationId: String
    public var direction: Direction
    public var body: String
    public var subject: String?
    /// The template the agent picked, when the body came from one.
    public var template: String?
    public var status: Status
    /// Email: the message id this one answers.
    public var inReplyTo: String?
    public var createdAt: Date
    /// Outbound: the pushes to the channel gateway so far.
    public var attempts: Int
    /// Outbound: why the last push, or the gateway's receipt, failed.
    public var lastError: String?
    /// Outbound: the gateway's id for the message, from its answer or its receipt.
    public var providerMessageId: String?
    /// Outbound, in `GET /v1/conversations/{id}` only: every push, oldest first.
    public var deliveryAttempts: [DeliveryAttempt]?

    public init(id: String, conversationId: String, direction: Direction, body: String, subject: String?,
                template: String?, status: Status, inReplyTo: String?, createdAt: Date,
                attempts: Int = 0, lastError: String? = nil, providerMessageId: String? = nil) {
        self.id = id
        self.conversationId = conversationId
        self.direction = direction
        self.body = body
        self.subject = subject
        self.template = template
        self.status = status
        self.inReplyTo = inReplyTo
        self.createdAt = createdAt
        self.attempts = attempts
        self.lastError = lastError
        self.providerMessageId = providerMessageId
    }
}

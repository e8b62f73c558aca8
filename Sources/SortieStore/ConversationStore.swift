import Foundation
import ServiceLifecycle
import Sortie

/// What a create reads from the store, in the transaction that then inserts: the facts the
/// evaluator cannot know (the request's `activeOutbound`, `destinationActive`, `subjectUsed`,
/// `optedOut`, `recipientTimeZone`: docs/reference.md).
public struct OutboundFacts: Sendable, Hashable {
    /// The agent's open outbound tasks per channel name.
    public var activeOutbound: [String: Int]
    /// An active conversation exists with the destination.
    public var destinationActive: Bool
    /// Email: this subject was used before with this customer.
    public var subjectUsed: Bool
    /// The destination has opted out for the entry point (or the tenant), per the consent scope
    /// (`ConsentLookup`).
    public var optedOut: Bool
    /// The time zone stored for the customer, if any.
    public var recipientTimeZone: String?

    public init(activeOutbound: [String: Int], destinationActive: Bool, subjectUsed: Bool, optedOut: Bool = false,
                recipientTimeZone: String? = nil) {
        self.activeOutbound = activeOutbound
        self.destinationActive = destinationActive
        self.subjectUsed = subjectUsed
        self.optedOut = optedOut
        self.recipientTimeZone = recipientTimeZone
    }
}

/// A message to insert; ids and times are chosen by the service so that stores stay simple.
public struct MessageDraft: Sendable, Hashable {
    public var id: String
    public var body: String
    public var subject: String?
    public var template: String?

    public init(id: String, body: String, subject: String?, template: String?) {
        self.id = id
        self.body = body
        self.subject = subject
        self.template = template
    }
}

/// An outbound conversation to create if the evaluator allows it.
public struct OutboundDraft: Sendable, Hashable {
    public var conversationId: String
    public var taskId: String
    public var customerId: String
    public var agentId: String
    /// The channel, or nil when the request names an unsupported one (the evaluator will refuse).
    public var channel: Channel?
    /// The normalized destination, or nil when it does not normalize (the evaluator will refuse).
    public var destination: String?
    public var entryPoint: String?
    public var subject: String?
    public var firstMessage: MessageDraft?
    public var now: Date
    /// The client's `Idempotency-Key`, scoped and bound to the body: a create under a key that
    /// already created a conversation creates nothing, and replays the first answer for the
    /// same body (`IdempotencyKey.outcome(of:)`).
    public var idempotency: IdempotencyKey?
    /// The policy's consent scope, which says whose opt-outs stop this create (`ConsentLookup`).
    public var consentScope: ConsentScope

    public init(conversationId: String, taskId: String, customerId: String, agentId: String, channel: Channel?,
                destination: String?, entryPoint: String?, subject: String?, firstMessage: MessageDraft?, now: Date,
                idempotency: IdempotencyKey? = nil, consentScope: ConsentScope = .entryPoint) {
        self.consentScope = consentScope
        self.conversationId = conversationId
        self.taskId = taskId
        self.customerId = customerId
        self.agentId = agentId
        self.channel = channel
        self.destination = destination
        self.entryPoint = entryPoint
        self.subject = subject
        self.firstMessage = firstMessage
        self.now = now
        self.idempotency = idempotency
    }
}

/// The rows a create inserted.
public struct CreatedConversation: Sendable, Hashable {
    public var conversation: ConversationRecord
    /// The outbound task, already accepted by the agent.
    public var task: TaskRecord
    public var firstMessage: MessageRecord?

    public init(conversation: ConversationRecord, task: TaskRecord, firstMessage: MessageRecord?) {
        self.conversation = conversation
        self.task = task
        self.firstMessage = firstMessage
    }
}

/// What a create did, with the facts it read and the decision they gave.
public enum OutboundOutcome: Sendable {
    /// The decision refused: nothing was written.
    case refused(Decision, OutboundFacts)
    case created(Decision, OutboundFacts, CreatedConversation)
    /// The decision allowed, but a step failed (`.taskCreationFailed` or `.agentAssignmentFailed`)
    /// and the transaction was rolled back: nothing was written.
    case failed(Decision, OutboundFacts, StoreError)
    /// The draft's idempotency key already created a conversation: nothing was written, and
    /// this is the answer the first create gave.
    case replayed([UInt8])
    /// The draft's idempotency key already created a conversation from another body: nothing
    /// was written.
    case keyReused
}

/// A customer's message, already normalized by the service.
public struct InboundDraft: Sendable, Hashable {
    public var messageId: String
    /// Used only when no conversation is active for the customer.
    public var newConversationId: String
    /// Used only when the customer writes for the first time.
    public var newCustomerId: String
    public var channel: Channel
    /// The customer's normalized address.
    public var from: String
    /// The entry point the customer wrote to.
    public var entryPoint: String
    public var body: String
    public var subject: String?
    public var inReplyTo: String?
    public var now: Date
    /// The consent change the message's text asks for (an opt-out or opt-in keyword), if any.
    public var consent: InboundConsent?

    public init(messageId: String, newConversationId: String, newCustomerId: String, channel: Channel, from: String,
                entryPoint: String, body: String, subject: String?, inReplyTo: String?, now: Date,
                consent: InboundConsent? = nil) {
        self.consent = consent
        self.messageId = messageId
        self.newConversationId = newConversationId
        self.newCustomerId = newCustomerId
        self.channel = channel
        self.from = from
        self.entryPoint = entryPoint
        self.body = body
        self.subject = subject
        self.inReplyTo = inReplyTo
        self.now = now
    }
}

/// Where an inbound message went, and why.
public struct InboundOutcome: Sendable, Hashable {
    /// How the message found its conversation.
    public enum Match: String, Sendable, Codable {
        /// Email: it answers a message of the active conversation.
        case inReplyTo
        /// Email: its subject, without `Re:`/`Fwd:`/`TR:` prefixes, is the active conversation's.
        case subject
        /// The customer's active conversation on the channel.
        case activeConversation
        /// None was active: a new conversation, linked to the customer's earlier one.
        case newConversation

        /// Why `inbound` joins the customer's `active` conversation, given the conversation its
        /// `inReplyTo` names (`repliedTo`): the same rule for every store.
        public static func joining(_ active: ConversationRecord, _ inbound: InboundDraft, repliedTo: String?) -> Match {
            guard inbound.channel == .email else { return .activeConversation }
            if repliedTo == active.id { return .inReplyTo }
            if let subject = inbound.subject, let own = active.subject, SubjectKey.of(own) == SubjectKey.of(subject) { return .subject }
            return .activeConversation
        }
    }
    public var conversation: ConversationRecord
    public var message: MessageRecord
    public var match: Match
    /// The consent change the message recorded.
    public var consent: ConsentRecord?
    /// The confirmation of an opt-out, queued in the conversation after the message.
    public var confirmation: MessageRecord?

    public init(conversation: ConversationRecord, message: MessageRecord, match: Match, consent: ConsentRecord? = nil,
                confirmation: MessageRecord? = nil) {
        self.conversation = conversation
        self.message = message
        self.match = match
        self.consent = consent
        self.confirmation = confirmation
    }
}

/// What a decided write did: refused (nothing written), or allowed with what it wrote.
public enum Decided<Value: Sendable>: Sendable {
    case refused(Decision)
    case allowed(Decision, Value)
}

/// The result of an action on one conversation.
public enum ConversationChange<Value: Sendable>: Sendable {
    case done(Value)
    case notFound
    /// The conversation is closed.
    case notActive(ConversationRecord)
}

/// A conversation with everything `GET /v1/conversations/{id}` shows.
public struct ConversationView: Sendable, Hashable {
    public var conversation: ConversationRecord
    public var customer: CustomerRecord
    public var task: TaskRecord?
    /// One page of the messages, oldest first (`MessagePage`).
    public var messages: [MessageRecord]
    /// Where the next page starts; nil on the last page.
    public var nextCursor: MessageCursor?
    /// The customer's other conversations that started before this one, newest first.
    public var earlierConversations: [ConversationRecord]

    public init(conversation: ConversationRecord, customer: CustomerRecord, task: TaskRecord?,
                messages: [MessageRecord], nextCursor: MessageCursor? = nil, earlierConversations: [ConversationRecord]) {
        self.conversation = conversation
        self.customer = customer
        self.task = task
        self.messages = messages
        self.nextCursor = nextCursor
        self.earlierConversations = earlierConversations
    }
}

/// Why a store call failed. Whatever the case, the call changed nothing.
public enum StoreError: Error, Sendable, CustomStringConvertible {
    /// The conversation, its customer or its task could not be inserted.
    case taskCreationFailed(String)
    /// The task could not be accepted for the agent.
    case agentAssignmentFailed(String)
    /// The database cannot be reached or failed in another way.
    case unavailable(String)

    public var description: String {
        switch self {
        case .taskCreationFailed(let why): "task creation failed: \(why)"
        case .agentAssignmentFailed(let why): "agent assignment failed: \(why)"
        case .unavailable(let why): "store unavailable: \(why)"
        }
    }
}

/// The conversation service's storage. Each call is one transaction: it reads what it needs
/// and writes all or nothing, so the service's invariants (README, "The conversation service") hold however many requests (or service
/// instances, for a shared database) run at once:
/// - an agent never holds more open outbound tasks on a channel than its limit: the limit is
///   checked by `decide` on counts read inside the transaction that inserts;
/// - at most one active conversation per normalized destination: checked the same way, and
///   backed by a unique index; a store that detects the conflict only at insert time must call
///   `decide` again with `destinationActive: true` and report that decision;
/// - a refused or failed call writes nothing.
public protocol ConversationStore: Outbox {
    /// Reads the facts for `draft`, asks `decide` and, if the decision allows, inserts the
    /// customer (if new), the conversation, its task (offered, then accepted by the agent) and
    /// the first message — all in the transaction that read the facts. With an idempotency key,
    /// `answer` renders the reply to keep under the key, in the same transaction. Throws only
    /// when the database cannot be used at all (nothing written then either).
    func createOutbound(_ draft: OutboundDraft, decide: @escaping @Sendable (OutboundFacts) -> Decision,
                       answer: @escaping @Sendable (Decision, CreatedConversation) -> [UInt8]) async throws(StoreError) -> OutboundOutcome

    /// What is kept under an idempotency key (its scope and key), if a create under it succeeded.
    func remembered(_ key: IdempotencyKey) async throws(StoreError) -> RememberedCreate?

    /// The agent's open outbound tasks per channel name.
    func activeOutbound(agentId: String) async throws(StoreError) -> [String: Int]

    func conversation(id: String) async throws(StoreError) -> ConversationRecord?

    /// The conversation with one page of its messages, read by a keyset query (`seq` after the
    /// cursor's message), so that a page costs the same wherever it starts.
    func conversationView(id: String, page: MessagePage) async throws(StoreError) -> ConversationViewLookup

    /// Asks `decide` about an agent's further message, given the conversation and whether its
    /// destination opted out (`ConsentLookup` under `consentScope`, read in the transaction
    /// that appends), and if allowed appends it (queued in the outbox) to the active
    /// conversation, unless it holds `maxMessages` already (counted in the same transaction).
    func appendOutboundMessage(conversationId: String, _ message: MessageDraft, now: Date, maxMessages: Int,
                               consentScope: ConsentScope,
                               decide: @escaping @Sendable (ConversationRecord, _ optedOut: Bool) -> Decision)
        async throws(StoreError) -> ConversationChange<Decided<MessageRoom<MessageRecord>>>

    /// Files a customer's message: into the customer's active conversation on the channel
    /// (unless it holds `maxMessages` already: `.full`), else into a new conversation linked to
    /// the customer's earlier one (the conversation `inReplyTo` names, else the last with the
    /// same subject, else the last). Its consent change, if any, is recorded in the same
    /// transaction, even when the conversation is full (a STOP is never lost), and an opt-out
    /// of an address not opted out yet queues its confirmation after the message
    /// (`InboundConsent.confirmation`).
    func receiveInbound(_ inbound: InboundDraft, maxMessages: Int) async throws(StoreError) -> MessageRoom<InboundOutcome>

    /// Every consent change of the address on the channel, oldest first.
    func consentHistory(channel: Channel, address: String) async throws(StoreError) -> [ConsentRecord]

    /// Records one consent change (the consent API's import or lift of a suppression) and
    /// answers the address's history, the new record last, read in the same transaction.
    func recordConsent(_ record: ConsentRecord) async throws(StoreError) -> ConsentWrite

    /// Sets (or, with nil, forgets) the time zone of the customer with this address on the
    /// channel, creating the customer (as `newCustomerId`) if it never wrote nor was written to;
    /// answers the customer as stored.
    func setTimeZone(channel: Channel, address: String, timeZone: String?, newCustomerId: String,
                     now: Date) async throws(StoreError) -> CustomerWrite

    /// Asks `decide` about closing the conversation and, if allowed, closes it with the
    /// wrap-up reason and completes its task, which frees the agent's slot.
    func close(conversationId: String, wrapUpReason: String?, now: Date,
               decide: @escaping @Sendable (ConversationRecord) -> Decision) async throws(StoreError) -> ConversationChange<(Decision, ConversationRecord)>

    /// Readiness: a cheap read of every table the store writes, and its last write failure
    /// (`WriteHealth`).
    func health() async -> StoreHealth

    /// The store's background work (connection pools, watchdogs, checkpoints, batching), in the
    /// order it starts: run by the service group of `sortie serve` before the HTTP server, and
    /// stopped after it, in reverse order. Calls wait (creates on SQLite) or fail until these run.
    var services: [any Service] { get }
}

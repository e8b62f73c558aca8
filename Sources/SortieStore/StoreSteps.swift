import Foundation
import Sortie

// The domain steps every store takes the same way. A store only runs the SQL between them:
// two stores may differ in their dialect, never in what they build, trim or look up first.

extension OutboundFacts {
    /// The facts from the agent's open outbound tasks per channel; channels with none are left
    /// out, as the evaluator's `activeOutbound` expects.
    public init(openTasks: [Channel: Int], destinationActive: Bool, subjectUsed: Bool, optedOut: Bool = false,
                recipientTimeZone: String? = nil) {
        var active: [String: Int] = [:]
        for (channel, count) in openTasks where count > 0 { active[channel.rawValue] = count }
        self.init(activeOutbound: active, destinationActive: destinationActive, subjectUsed: subjectUsed, optedOut: optedOut,
                  recipientTimeZone: recipientTimeZone)
    }
}

/// What an allowed create inserts, built from its draft.
public struct OutboundRows: Sendable {
    public let draft: OutboundDraft
    public let channel: Channel
    public let destination: String
    public let entryPoint: String

    /// The draft of an allowed create. An allowed decision always had a channel, a normalized
    /// destination and an entry point; without them the create fails (`TASK_CREATION_FAILED`).
    public init(_ draft: OutboundDraft) throws(StoreError) {
        guard let channel = draft.channel, let destination = draft.destination, let entryPoint = draft.entryPoint else {
            throw .taskCreationFailed("an allowed decision without channel, destination or entry point")
        }
        self.draft = draft
        self.channel = channel
        self.destination = destination
        self.entryPoint = entryPoint
    }

    /// The conversation's subject: email only, as the agent wrote it.
    public var subject: String? { channel == .email ? draft.subject : nil }

    /// The key `subjectUsed` and threading compare (`SubjectKey`).
    public var subjectKey: String? { subject.map(SubjectKey.of) }

    /// The conversation, once the store knows the customer and the customer's last conversation.
    public func conversation(customerId: String, previousConversationId: String?) -> ConversationRecord {
        ConversationRecord(id: draft.conversationId, origin: .outbound, state: .active, channel: channel,
                           customerId: customerId, destination: destination, agentId: draft.agentId,
                           entryPoint: entryPoint, subject: subject, previousConversationId: previousConversationId,
                           createdAt: draft.now)
    }

    /// The task as inserted: offered to the agent.
    public var offeredTask: TaskRecord {
        TaskRecord(id: draft.taskId, conversationId: draft.conversationId, agentId: draft.agentId, channel: channel,
                   state: .offered, createdAt: draft.now)
    }

    /// The task once the agent accepted it, in the same transaction.
    public var acceptedTask: TaskRecord {
        var task = offeredTask
        task.state = .accepted
        task.acceptedAt = draft.now
        return task
    }

    /// The first message, queued in the outbox.
    public var firstMessage: MessageRecord? {
        draft.firstMessage.map { MessageRecord(outbound: $0, conversationId: draft.conversationId, now: draft.now) }
    }
}

extension OutboundDraft {
    /// The subject key the `subjectUsed` fact compares: email only.
    public var subjectKey: String? { channel == .email ? subject.map(SubjectKey.of) : nil }
}

extension MessageRecord {
    /// An agent's message, queued in the outbox.
    public init(outbound draft: MessageDraft, conversationId: String, now: Date) {
        self.init(id: draft.id, conversationId: conversationId, direction: .outbound, body: draft.body,
                  subject: draft.subject, template: draft.template, status: .queued, inReplyTo: nil, createdAt: now)
    }
}

/// Where a new inbound conversation's previous conversation is looked for.
public enum PreviousConversationLookup: Sendable, Hashable {
    /// The conversation that `inReplyTo` names (the store found it already).
    case repliedTo(String)
    /// Email: the customer's last conversation with this subject key.
    case lastWithSubject(key: String)
    /// The customer's last conversation.
    case last
}

extension InboundDraft {
    /// The subject key threading compares.
    public var subjectKey: String? { subject.map(SubjectKey.of) }

    /// The lookups for the previous conversation, in the order a store tries them: the
    /// conversation `inReplyTo` names, else (email) the last with the same subject, else the last.
    public func previousConversationLookups(repliedTo: String?) -> [PreviousConversationLookup] {
        var lookups: [PreviousConversationLookup] = []
        if let repliedTo { lookups.append(.repliedTo(repliedTo)) }
        if channel == .email, let subjectKey { lookups.append(.lastWithSubject(key: subjectKey)) }
        lookups.append(.last)
        return lookups
    }

    /// The conversation the message opens when none is active for the customer.
    public func newConversation(customerId: String, previousConversationId: String?) -> ConversationRecord {
        ConversationRecord(id: newConversationId, origin: .inbound, state: .active, channel: channel, customerId: customerId,
                           destination: from, agentId: nil, entryPoint: entryPoint,
                           subject: channel == .email ? subject.map(SubjectKey.stripped) : nil,
                           previousConversationId: previousConversationId, createdAt: now)
    }

    /// The message, filed into `conversationId`.
    public func message(conversationId: String) -> MessageRecord {
        MessageRecord(id: messageId, conversationId: conversationId, direction: .inbound, body: body, subject: subject,
                      template: nil, status: .received, inReplyTo: inReplyTo, createdAt: now)
    }
}

/// The one trimming rule for wrap-up reasons.
public enum WrapUpReason {
    /// The reason without leading and trailing white space, as `Character.isWhitespace` sees it
    /// (line breaks included): exactly what the evaluator compares with `wrapUpReasons`, so the
    /// store keeps the reason that was checked.
    public static func trimmed(_ reason: String) -> String {
        String(Substring(reason).trimmingWhitespace())
    }
}

/// What a close does with the conversation it read (locked, in its transaction).
public enum ClosePlan: Sendable {
    /// Answer this and write nothing: an unknown or closed conversation, or a refusal.
    case answer(ConversationChange<(Decision, ConversationRecord)>)
    /// Write `closed` (and complete its task), then answer `.done((decision, closed))`.
    case close(Decision, closed: ConversationRecord)

    /// The close of `found` at `now`, as `decide` rules.
    public init(_ found: ConversationRecord?, now: Date, wrapUpReason: String?, decide: (ConversationRecord) -> Decision) {
        guard let conversation = found else { self = .answer(.notFound); return }
        guard conversation.state == .active else { self = .answer(.notActive(conversation)); return }
        let decision = decide(conversation)
        guard decision.allowed else { self = .answer(.done((decision, conversation))); return }
        self = .close(decision, closed: conversation.closed(at: now, wrapUpReason: wrapUpReason))
    }

    /// What the close answers (once it wrote, for `.close`).
    public var answer: ConversationChange<(Decision, ConversationRecord)> {
        switch self {
        case .answer(let answer): answer
        case .close(let decision, let closed): .done((decision, closed))
        }
    }
}

extension ConversationRecord {
    /// The conversation once closed at `now` with `wrapUpReason` (trimmed: `WrapUpReason`).
    public func closed(at now: Date, wrapUpReason: String?) -> ConversationRecord {
        var closed = self
        closed.state = .closed
        closed.closedAt = now
        closed.wrapUpReason = wrapUpReason.map(WrapUpReason.trimmed)
        return closed
    }
}

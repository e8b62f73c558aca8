import Sortie
import SortieStore


/// `POST /v1/inbound`.
struct InboundReply: Encodable {
    var conversation: ConversationRecord
    var message: MessageRecord
    var match: InboundOutcome.Match
    /// The consent change an opt-out or opt-in keyword recorded.
    var consent: ConsentRecord?
    /// The confirmation of an opt-out, queued after the message.
    var confirmation: MessageRecord?
}

/// `GET`, `PUT` and `DELETE /v1/consent/{channel}/{address}`.
struct ConsentReply: Encodable {
    var channel: Channel
    /// The normalized address.
    var address: String
    /// The policy's consent scope, under which `optedOut` is read.
    var scope: ConsentScope
    /// Per entry point of the channel (and any a record names): whether a message from it is
    /// refused (`RECIPIENT_OPTED_OUT`).
    var optedOut: [String: Bool]
    /// Every change, oldest first.
    var history: [ConsentRecord]
}


/// `GET /v1/conversations/{id}`.
struct ConversationReply: Encodable {
    var conversation: ConversationRecord
    var customer: CustomerRecord
    var task: TaskRecord?
    var messages: [MessageRecord]
    /// `after` for the next page of messages; null on the last page.
    var nextCursor: String?
    var earlierConversations: [ConversationRecord]

    init(_ view: ConversationView) {
        conversation = view.conversation
        customer = view.customer
        task = view.task
        messages = view.messages
        nextCursor = view.nextCursor?.text
        earlierConversations = view.earlierConversations
    }

    private enum CodingKeys: String, CodingKey { case conversation, customer, task, messages, nextCursor, earlierConversations }

    /// As synthesized, except that the last page says `"nextCursor": null` rather than leaving it out.
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(conversation, forKey: .conversation)
        try container.encode(customer, forKey: .customer)
        try container.encodeIfPresent(task, forKey: .task)
        try container.encode(messages, forKey: .messages)
        try container.encode(nextCursor, forKey: .nextCursor)
        try container.encode(earlierConversations, forKey: .earlierConversations)
    }
}

/// `POST /v1/admin/reload`.
struct ReloadReply: Encodable {
    var reloaded: Bool
    /// The revision in use after the call.
    var revision: String
    var previousRevision: String?
    /// The rejected set's errors, as `sortie lint --format json` reports them.
    var report: JSONRenderer.Report?
    var error: String?
}

/// `GET /healthz`.
struct HealthReply: Encodable {
    var status: String
    var revision: String
    var store: String
    /// `none`, `ok` or `failing` (`GatewayStatus`).
    var gateway: String
    /// Why the last push failed, while `gateway` is `failing`.
    var gatewayError: String?
}

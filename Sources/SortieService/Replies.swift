import Sortie
import SortieStore


/// `POST /v1/inbound`.
struct InboundReply: Encodable {
    var conversation: ConversationRecord
    var message: MessageRecord
    var match: InboundOutcome.Match
}


/// `GET /v1/conversations/{id}`.
struct ConversationReply: Encodable {
    var conversation: ConversationRecord
    var customer: CustomerRecord
    var task: TaskRecord?
    var messages: [MessageRecord]
    var earlierConversations: [ConversationRecord]

    init(_ view: ConversationView) {
        conversation = view.conversation
        customer = view.customer
        task = view.task
        messages = view.messages
        earlierConversations = view.earlierConversations
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
}

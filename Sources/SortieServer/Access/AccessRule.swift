import SortieAccess
import SortieService

/// How far a role reaches on a route: not at all, the caller's own agent and conversations, or any.
enum Reach: Int, Sendable, Comparable {
    case none, own, any

    static func < (a: Reach, b: Reach) -> Bool { a.rawValue < b.rawValue }
}

/// Who may call a route: one row of the access table (docs/reference.md, "Who may do what").
///
/// Every route names its row when it is registered (`Routes`), and `Authorization` applies
/// it before the handler runs; no handler checks a role itself.
struct AccessRule: Sendable, Equatable {
    var agent: Reach = .none
    var admin: Reach = .none
    var integration: Reach = .none
    /// A Standard Webhooks signature stands for an integration token (the channel gateway).
    var signedWebhook = false
    /// No credential is needed, and one that does not verify is ignored.
    var isPublic = false

    /// Options and creates: an agent as itself, an integration on behalf of the body's agent.
    static let actAsAgent = AccessRule(agent: .own, integration: .any)
    /// Messages, operations and closes: an agent on its own conversations, an integration on any.
    static let changeConversation = AccessRule(agent: .own, integration: .any)
    /// Reading a conversation: an agent its own; an administrator or an integration any.
    static let readConversation = AccessRule(agent: .own, admin: .any, integration: .any)
    /// What the channel gateway posts: an integration, or a signed webhook.
    static let gateway = AccessRule(integration: .any, signedWebhook: true)
    /// The bare evaluator and the metrics: administrators and integrations.
    static let operate = AccessRule(admin: .any, integration: .any)
    /// The consent API: administrators and integrations (the gateway or a CRM importing suppressions).
    static let consent = AccessRule(admin: .any, integration: .any)
    /// What the service knows of a customer (its time zone): administrators and integrations.
    static let customerFacts = AccessRule(admin: .any, integration: .any)
    /// Reloading the policy and the configuration: administrators only.
    static let administer = AccessRule(admin: .any)
    /// Liveness and the API document.
    static let anyone = AccessRule(isPublic: true)

    /// How far `principal` reaches: the farthest of its roles.
    func reach(of principal: Principal) -> Reach {
        var best = Reach.none
        if principal.roles.contains(.agent) { best = max(best, agent) }
        if principal.roles.contains(.admin) { best = max(best, admin) }
        if principal.roles.contains(.integration) { best = max(best, integration) }
        return best
    }

    /// The caller `principal` is on this route, or nil when none of its roles may call it.
    func caller(_ principal: Principal) -> Caller? {
        switch reach(of: principal) {
        case .none: nil
        case .own: principal.agent == nil ? nil : Caller(principal: principal, actsAsItself: true)
        case .any: Caller(principal: principal, actsAsItself: false)
        }
    }
}

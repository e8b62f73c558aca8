import Sortie
import SortieAccess

/// Who a request acts for, as the server's access check established it.
///
/// A caller that may act only as one agent (an agent token) has ``agent``: that agent's facts
/// replace the body's, and only its conversations exist for it. Every other caller (open
/// mode, an integration acting on behalf of the body's agent, an administrator) has none.
public struct Caller: Sendable, Equatable {
    public let principal: Principal
    /// Set when the caller acts as this agent and no other.
    public let agent: Principal.Agent?

    public init(principal: Principal, actsAsItself: Bool) {
        self.principal = principal
        self.agent = actsAsItself ? principal.agent : nil
    }

    /// Anyone on this machine, acting as any agent (a service without a configuration).
    public static let open = Caller(principal: .open, actsAsItself: false)

    /// The idempotency keys' scope: one caller's keys never answer another's requests.
    public var scope: String {
        [principal.kind.rawValue, principal.issuer ?? "", principal.subject ?? ""]
            .map { "\($0.utf8.count):\($0)" }.joined()
    }

    /// Whether this caller may see a conversation of `agentId` (another agent's is not found).
    func reaches(conversationOf agentId: String?) -> Bool {
        guard let agent else { return true }
        return agentId == agent.id
    }

    /// The principal as the decision log names it: `{"kind", "subject", "issuer"}`.
    func writePrincipal(_ w: inout JSONWriter) {
        w.object { o in
            o.member("issuer") { $0.string(principal.issuer) }
            o.member("kind") { $0.string(principal.kind.rawValue) }
            o.member("subject") { $0.string(principal.subject) }
        }
    }
}

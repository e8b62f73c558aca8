/// Who calls the service: an agent, an administrator, an integration, or anyone (open mode).
///
/// A verified token yields an `agent`, `admin` or `integration` principal; ``Principal/open``
/// is what the service uses when it runs without a configuration. Its JSON form, for the
/// decision log, is `{"kind", "subject", "issuer"}` only: roles and agent facts stay out of it.
public struct Principal: Sendable, Equatable, Encodable {
    /// The kind a decision-log line names.
    public enum Kind: String, Sendable, Codable {
        case agent, admin, integration, open
    }

    /// A role a token can grant; the server's access table checks these, not ``kind``.
    public enum Role: String, Sendable, Hashable, Codable, CaseIterable {
        case agent, admin, integration
    }

    /// The facts an agent's token states about it: they replace the request body's.
    public struct Agent: Sendable, Equatable {
        public var id: String
        /// `nil` when the token has no license claim: an unknown license, never eligible.
        public var license: String?
        public var team: String?
        public var site: String?

        public init(id: String, license: String? = nil, team: String? = nil, site: String? = nil) {
            self.id = id
            self.license = license
            self.team = team
            self.site = site
        }
    }

    public let kind: Kind
    /// The token's `sub`; `nil` only for ``open``.
    public let subject: String?
    /// The token's `iss`; `nil` only for ``open``.
    public let issuer: String?
    public let roles: Set<Role>
    /// Present exactly when ``roles`` contains ``Role/agent``.
    public let agent: Agent?

    /// A principal from verified claims; its kind follows from the roles (``kind(for:)``).
    public init(subject: String, issuer: String, roles: Set<Role>, agent: Agent?) {
        self.kind = Self.kind(for: roles)
        self.subject = subject
        self.issuer = issuer
        self.roles = roles
        self.agent = agent
    }

    private init(kind: Kind, roles: Set<Role>) {
        self.kind = kind
        self.subject = nil
        self.issuer = nil
        self.roles = roles
        self.agent = nil
    }

    /// The caller of a service without a configuration: anyone on this machine, acting as any agent.
    ///
    /// It holds every role, because open mode lets it do everything; the agent comes from the
    /// request body, so ``agent`` is `nil`.
    public static let open = Principal(kind: .open, roles: Set(Role.allCases))

    /// The kind for a set of roles: admin if it holds admin, else integration, else agent.
    ///
    /// The kind only names the principal in the decision log; a principal with several roles
    /// keeps them all, and access is decided by role. The most privileged role names it, so a
    /// log reader sees at once the most it could have done.
    public static func kind(for roles: Set<Role>) -> Kind {
        if roles.contains(.admin) { return .admin }
        if roles.contains(.integration) { return .integration }
        return .agent
    }

    private enum CodingKeys: String, CodingKey {
        case kind, subject, issuer
    }

    /// Always the three keys, `null` for open's subject and issuer, so every log line has one shape.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(kind, forKey: .kind)
        try container.encode(subject, forKey: .subject)
        try container.encode(issuer, forKey: .issuer)
    }
}

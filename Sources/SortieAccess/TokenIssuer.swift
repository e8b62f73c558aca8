import Foundation
import JWTKit

/// Signs HS256 tokens that a ``TokenVerifier`` with the same secret accepts (`sortie token`).
///
/// For tests, scripts and development: production tokens come from an identity provider.
public struct TokenIssuer: Sendable {
    /// The longest life a token may be given.
    public static let maximumLifetimeSeconds = 30 * 24 * 3600

    let key: HMACKey
    public let issuer: String
    public let audience: String
    public let claims: ClaimNames

    /// An issuer signing with `secret` (at least 32 bytes, as ``TokenVerifier`` demands).
    public init(secret: [UInt8], issuer: String, audience: String,
                claims: ClaimNames = ClaimNames()) throws(AccessConfigurationError) {
        guard secret.count >= minimumHMACKeyBytes else {
            throw AccessConfigurationError("the HMAC secret must be at least \(minimumHMACKeyBytes) bytes")
        }
        guard !issuer.isEmpty else { throw AccessConfigurationError("the issuer is empty") }
        guard !audience.isEmpty else { throw AccessConfigurationError("the audience is empty") }
        self.key = HMACKey(from: secret)
        self.issuer = issuer
        self.audience = audience
        self.claims = claims
    }

    /// A token for `agent`, valid from `now` for `lifetimeSeconds`.
    ///
    /// `roles` `nil` leaves the roles claim out, which a verifier reads as agent. The token has
    /// `iss`, `aud`, `sub` (the agent id, and the agent claim if it has another name), `iat`,
    /// `nbf` and `exp`, and the license, team and site claims that are given.
    public func sign(agent: String, license: String? = nil, team: String? = nil, site: String? = nil,
                     roles: Set<Principal.Role>? = nil, lifetimeSeconds: Int,
                     now: Date = Date()) async throws -> String {
        guard !agent.isEmpty else { throw AccessConfigurationError("the agent id is empty") }
        guard (1...Self.maximumLifetimeSeconds).contains(lifetimeSeconds) else {
            throw AccessConfigurationError("the lifetime must be between 1 second and 30 days")
        }
        if let roles, roles.isEmpty { throw AccessConfigurationError("the roles are empty") }
        let issuedAt = Int64(now.timeIntervalSince1970.rounded(.down))
        var values: [String: JSONValue] = [
            "iss": .string(issuer), "aud": .string(audience), "sub": .string(agent),
            "iat": .integer(issuedAt), "nbf": .integer(issuedAt), "exp": .integer(issuedAt + Int64(lifetimeSeconds)),
        ]
        values[claims.agent] = .string(agent)
        if let license { values[claims.license] = .string(license) }
        if let team { values[claims.team] = .string(team) }
        if let site { values[claims.site] = .string(site) }
        if let roles {
            // In the order of Role's cases, so one set of roles always gives one token.
            values[claims.roles] = .array(Principal.Role.allCases.filter(roles.contains).map { .string($0.rawValue) })
        }
        let keys = JWTKeyCollection()
        await keys.add(hmac: key, digestAlgorithm: .sha256)
        return try await keys.sign(ClaimSet(values))
    }
}

import Foundation
import JWTKit

/// Verifies bearer tokens (RFC 7519, checked as RFC 8725 advises) against the configured issuers.
///
/// The unverified `iss` chooses the issuer; from then on only that issuer's keys, algorithms,
/// audiences and leeway count. A token is accepted only if its `alg` is in the issuer's
/// allow-list and fits the chosen key's type, its signature verifies, `iss` and `aud` match,
/// `exp` is present and not past, and neither `nbf` nor `iat` is in the future (each with the
/// leeway). Every other outcome is a ``TokenError``.
///
/// ```swift
/// let verifier = try TokenVerifier(issuers: [
///     IssuerConfiguration(issuer: "https://idp.acme.example", audiences: ["sortie"], keys: .jwks(jwksBytes)),
/// ])
/// switch await verifier.verify(authorization: request.headers[.authorization]) {
/// case .success(let principal): …
/// case .failure(let error): // 401, WWW-Authenticate: error.wwwAuthenticate; log error.reason
/// }
/// ```
public struct TokenVerifier: Sendable {
    /// An issuer as the verifier uses it: the configuration checked, its keys parsed.
    struct Issuer: Sendable {
        let name: String
        let audiences: Set<String>
        let algorithms: Set<TokenAlgorithm>
        let keys: [VerificationKey]
        let claims: ClaimNames
        let leeway: Double
        /// A secret has no `kid`: a token's `kid` does not choose among one secret.
        let isSecret: Bool
    }

    /// Tokens longer than this are refused before they are parsed.
    public static let maximumTokenBytes = 16 * 1024

    let issuers: [String: Issuer]

    /// A verifier for `issuers`; throws when one of them cannot be used as configured.
    public init(issuers: [IssuerConfiguration]) throws(AccessConfigurationError) {
        var byName: [String: Issuer] = [:]
        for configuration in issuers {
            let issuer = try Self.check(configuration)
            guard byName[issuer.name] == nil else {
                throw AccessConfigurationError("issuer \(issuer.name) is configured twice")
            }
            byName[issuer.name] = issuer
        }
        self.issuers = byName
    }

    /// Verifies the value of an `Authorization` header (`nil` when the request had none).
    public func verify(authorization: String?, now: Date = Date()) async -> Result<Principal, TokenError> {
        guard let authorization else { return .failure(.missing) }
        // RFC 7235: the scheme is case-insensitive; one space, then the token68.
        let parts = authorization.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].lowercased() == "bearer", !parts[1].isEmpty else {
            return .failure(.notBearer)
        }
        return await verify(String(parts[1]), now: now)
    }

    /// Verifies a bearer token and returns who it names.
    public func verify(_ token: String, now: Date = Date()) async -> Result<Principal, TokenError> {
        do throws(TokenError) {
            return .success(try await principal(of: token, now: now.timeIntervalSince1970))
        } catch {
            return .failure(error)
        }
    }

    private func principal(of token: String, now: Double) async throws(TokenError) -> Principal {
        let bytes = Array(token.utf8)
        guard bytes.count <= Self.maximumTokenBytes else { throw .tooLarge }
        // Unverified: read only to choose the issuer, the key and the algorithm.
        let header: JWTHeader
        let unverified: ClaimSet
        do {
            let parsed = try DefaultJWTParser().parse(bytes, as: ClaimSet.self)
            header = parsed.header
            unverified = parsed.payload
        } catch {
            throw .malformed
        }
        guard header.fields["crit"] == nil else { throw .criticalHeader }
        guard case .string(let issuerName)? = unverified["iss"], let issuer = issuers[issuerName] else {
            throw .unknownIssuer
        }
        guard let name = header.alg, let algorithm = TokenAlgorithm(rawValue: name),
              issuer.algorithms.contains(algorithm) else {
            throw .algorithmNotAllowed
        }
        let key = try issuer.key(for: header.fields["kid"])
        guard key.fits(algorithm) else { throw .algorithmDoesNotFitKey }

        let claims: ClaimSet
        do {
            claims = try await key.collection(for: algorithm).verify(bytes, as: ClaimSet.self)
        } catch {
            throw .badSignature
        }
        return try issuer.principal(from: claims, now: now)
    }

    private static func check(_ configuration: IssuerConfiguration) throws(AccessConfigurationError) -> Issuer {
        let name = configuration.issuer
        guard !name.isEmpty else { throw AccessConfigurationError("an issuer has an empty name") }
        guard !configuration.audiences.isEmpty, !configuration.audiences.contains("") else {
            throw AccessConfigurationError("issuer \(name): audiences must name at least one non-empty audience")
        }
        guard (0...maximumLeewaySeconds).contains(configuration.leewaySeconds) else {
            throw AccessConfigurationError("issuer \(name): leewaySeconds must be between 0 and \(maximumLeewaySeconds)")
        }
        guard !configuration.claims.all.contains("") else {
            throw AccessConfigurationError("issuer \(name): a claim name is empty")
        }
        let keys: [VerificationKey]
        let algorithms: [TokenAlgorithm]
        switch configuration.keys {
        case .hmacSecret(let secret):
            guard secret.count >= minimumHMACKeyBytes else {
                throw AccessConfigurationError("issuer \(name): the HMAC secret must be at least \(minimumHMACKeyBytes) bytes")
            }
            algorithms = configuration.algorithms ?? [.hs256]
            guard algorithms == [.hs256] else {
                throw AccessConfigurationError("issuer \(name): an issuer with an HMAC secret allows exactly [HS256]")
            }
            keys = [VerificationKey(kid: nil, pinnedAlgorithm: nil, material: .hmac(HMACKey(from: secret)))]
        case .jwks(let document):
            algorithms = configuration.algorithms ?? TokenAlgorithm.defaultAllowList
            guard !algorithms.isEmpty else { throw AccessConfigurationError("issuer \(name): algorithms is empty") }
            // HS256 with a JWKS would make a public key a shared secret: the classic confusion.
            guard !algorithms.contains(.hs256) else {
                throw AccessConfigurationError("issuer \(name): HS256 needs an HMAC secret, not a JWKS")
            }
            keys = try VerificationKey.keys(ofJWKS: document, issuer: name)
            guard keys.contains(where: { key in algorithms.contains(where: key.fits) }) else {
                throw AccessConfigurationError("issuer \(name): no key of the JWKS fits the allowed algorithms")
            }
        }
        return Issuer(name: name, audiences: Set(configuration.audiences), algorithms: Set(algorithms), keys: keys,
                      claims: configuration.claims, leeway: Double(configuration.leewaySeconds),
                      isSecret: { if case .hmacSecret = configuration.keys { true } else { false } }())
    }
}

extension TokenVerifier.Issuer {
    /// The key a token's `kid` header names, or the only key when it names none.
    func key(for kid: JWTHeaderField?) throws(TokenError) -> VerificationKey {
        if isSecret { return keys[0] }
        switch kid {
        case nil:
            guard keys.count == 1 else { throw .ambiguousKey }
            return keys[0]
        case .string(let kid)?:
            guard let key = keys.first(where: { $0.kid == kid }) else { throw .unknownKey }
            return key
        default:
            throw .malformed
        }
    }

    /// The principal of verified claims, once `iss`, `aud` and the time claims hold.
    func principal(from claims: ClaimSet, now: Double) throws(TokenError) -> Principal {
        guard claims["iss"] == .string(name) else { throw .wrongIssuer }
        let audiences: [JSONValue]
        switch claims["aud"] {
        case .string(let audience)?: audiences = [.string(audience)]
        case .array(let values)?: audiences = values
        default: throw .wrongAudience
        }
        guard audiences.contains(where: { if case .string(let audience) = $0 { self.audiences.contains(audience) } else { false } })
        else { throw .wrongAudience }

        // RFC 7519 §4.1.4: the current time must be before exp (plus the leeway).
        guard let expiryClaim = claims["exp"] else { throw .missingExpiry }
        guard let expiry = expiryClaim.seconds else { throw .malformed }
        guard now < expiry + leeway else { throw .expired }
        if let notBeforeClaim = claims["nbf"] {
            guard let notBefore = notBeforeClaim.seconds else { throw .malformed }
            guard notBefore <= now + leeway else { throw .notYetValid }
        }
        if let issuedAtClaim = claims["iat"] {
            guard let issuedAt = issuedAtClaim.seconds else { throw .malformed }
            guard issuedAt <= now + leeway else { throw .issuedInFuture }
        }

        guard case .string(let subject)? = claims["sub"], !subject.isEmpty else { throw .invalidSubject }
        let roles = try self.roles(in: claims)
        var agent: Principal.Agent?
        if roles.contains(.agent) {
            guard case .string(let id)? = claims[self.claims.agent], !id.isEmpty else { throw .invalidAgentClaims }
            agent = Principal.Agent(id: id, license: try optionalString(claims[self.claims.license]),
                                    team: try optionalString(claims[self.claims.team]),
                                    site: try optionalString(claims[self.claims.site]))
        }
        return Principal(subject: subject, issuer: name, roles: roles, agent: agent)
    }

    /// The roles claim: absent means agent; otherwise every entry must be a known role.
    ///
    /// An unknown role refuses the whole token rather than being dropped: a token that says
    /// `["agent", "read-only"]` means less than agent, and granting agent would read it wrong.
    private func roles(in claims: ClaimSet) throws(TokenError) -> Set<Principal.Role> {
        guard let value = claims[self.claims.roles] else { return [.agent] }
        guard case .array(let entries) = value, !entries.isEmpty else { throw .invalidRoles }
        var roles: Set<Principal.Role> = []
        for entry in entries {
            guard case .string(let name) = entry else { throw .invalidRoles }
            guard let role = Principal.Role(rawValue: name) else { throw .unknownRole }
            roles.insert(role)
        }
        return roles
    }

    /// A missing or `null` claim is `nil`; any other non-string is refused.
    private func optionalString(_ value: JSONValue?) throws(TokenError) -> String? {
        switch value {
        case nil, .null?: nil
        case .string(let text)?: text
        default: throw .invalidAgentClaims
        }
    }
}

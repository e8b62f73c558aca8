/// A JWS algorithm a token may name in its `alg` header; `none` has no case, so it can never be allowed.
public enum TokenAlgorithm: String, Sendable, CaseIterable {
    case rs256 = "RS256", rs384 = "RS384", rs512 = "RS512"
    case ps256 = "PS256", ps384 = "PS384", ps512 = "PS512"
    case es256 = "ES256", es384 = "ES384", es512 = "ES512"
    case edDSA = "EdDSA"
    case hs256 = "HS256"

    /// The allow-list of an issuer with a JWKS that names none.
    public static let defaultAllowList: [TokenAlgorithm] = [.rs256, .es256, .edDSA]
}

/// Where a token's claims put the agent's facts; the defaults are `sub`, `license`, `team`, `site` and `roles`.
public struct ClaimNames: Sendable, Equatable {
    public var agent: String
    public var license: String
    public var team: String
    public var site: String
    public var roles: String

    public init(agent: String = "sub", license: String = "license", team: String = "team",
                site: String = "site", roles: String = "roles") {
        self.agent = agent
        self.license = license
        self.team = team
        self.site = site
        self.roles = roles
    }

    var all: [String] { [agent, license, team, site, roles] }
}

/// One issuer the service trusts: who it is, for whom its tokens are, and how they are signed.
public struct IssuerConfiguration: Sendable {
    /// The keys that verify an issuer's signatures.
    public enum Keys: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
        /// A JWKS document (RFC 7517), as the file's bytes: public keys chosen by `kid`.
        case jwks([UInt8])
        /// An HS256 secret (development and tests): the issuer's algorithms are then exactly `[HS256]`.
        case hmacSecret([UInt8])

        // A configuration may be printed or logged; the secret must not be.
        public var description: String {
            switch self {
            case .jwks(let bytes): "jwks(\(bytes.count) bytes)"
            case .hmacSecret: "hmacSecret(redacted)"
            }
        }

        public var debugDescription: String { description }
        public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .enum) }
    }

    /// Equals the token's `iss`.
    public var issuer: String
    /// The token's `aud` must hold one of them.
    public var audiences: [String]
    public var keys: Keys
    /// `nil`: ``TokenAlgorithm/defaultAllowList`` for a JWKS, `[HS256]` for a secret.
    public var algorithms: [TokenAlgorithm]?
    public var claims: ClaimNames
    /// Clock skew allowed on `exp`, `nbf` and `iat`.
    public var leewaySeconds: Int

    public init(issuer: String, audiences: [String], keys: Keys, algorithms: [TokenAlgorithm]? = nil,
                claims: ClaimNames = ClaimNames(), leewaySeconds: Int = 60) {
        self.issuer = issuer
        self.audiences = audiences
        self.keys = keys
        self.algorithms = algorithms
        self.claims = claims
        self.leewaySeconds = leewaySeconds
    }
}

/// A configuration of ``TokenVerifier``, ``TokenIssuer`` or ``WebhookVerifier`` that cannot be used.
///
/// The message names the issuer or the field, never a secret; the server's configuration
/// loader turns it into a positioned diagnostic.
public struct AccessConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}

/// The shortest HS256 key accepted: RFC 7518 §3.2 asks for at least the hash's 256 bits.
let minimumHMACKeyBytes = 32

/// The largest leeway accepted: beyond it `exp` would hardly bound a token's life.
let maximumLeewaySeconds = 600

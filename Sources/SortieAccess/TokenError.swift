/// Why a bearer token was refused: a short reason that is safe to log, and the 401 to answer.
///
/// No case carries a value taken from the token, so neither the token nor any part an
/// attacker wrote can reach a log line through it.
public enum TokenError: Error, Sendable, Equatable, CaseIterable, CustomStringConvertible {
    /// No `Authorization` header.
    case missing
    /// An `Authorization` header that is not `Bearer <token>`.
    case notBearer
    case tooLarge
    /// Not a compact JWS of three base64url parts with JSON header and payload.
    case malformed
    /// A `crit` header: no extension is understood, so none may be required.
    case criticalHeader
    case unknownIssuer
    /// `alg` is missing, `none`, unknown, or outside the issuer's allow-list.
    case algorithmNotAllowed
    /// The token's `kid` names no key of the issuer.
    case unknownKey
    /// No `kid`, and the issuer's JWKS has several keys.
    case ambiguousKey
    /// The key chosen cannot check that algorithm (say, HS256 against an RSA key).
    case algorithmDoesNotFitKey
    case badSignature
    case wrongIssuer
    case wrongAudience
    case missingExpiry
    case expired
    case notYetValid
    case issuedInFuture
    /// No `sub`, or not a non-empty string.
    case invalidSubject
    /// The agent claim is missing or empty, or license, team or site is not a string.
    case invalidAgentClaims
    /// The roles claim is not a non-empty array of strings.
    case invalidRoles
    /// The roles claim names a role this service does not know.
    case unknownRole

    /// The status the server answers.
    public var httpStatus: Int { 401 }

    /// The `WWW-Authenticate` header (RFC 6750 §3): `invalid_token` only when a credential was sent.
    public var wwwAuthenticate: String {
        self == .missing ? "Bearer" : #"Bearer error="invalid_token""#
    }

    /// A short, fixed phrase for logs.
    public var reason: String {
        switch self {
        case .missing: "no bearer token"
        case .notBearer: "the authorization header is not a bearer token"
        case .tooLarge: "the token is too large"
        case .malformed: "the token is not a well-formed JWT"
        case .criticalHeader: "the token has a crit header"
        case .unknownIssuer: "the token's issuer is not configured"
        case .algorithmNotAllowed: "the token's algorithm is not allowed for its issuer"
        case .unknownKey: "the token's kid names no key of its issuer"
        case .ambiguousKey: "the token has no kid and its issuer has several keys"
        case .algorithmDoesNotFitKey: "the token's algorithm does not fit the key's type"
        case .badSignature: "the token's signature does not verify"
        case .wrongIssuer: "the token's issuer does not match"
        case .wrongAudience: "the token is not for this audience"
        case .missingExpiry: "the token has no exp"
        case .expired: "the token has expired"
        case .notYetValid: "the token is not valid yet (nbf)"
        case .issuedInFuture: "the token is issued in the future (iat)"
        case .invalidSubject: "the token has no valid sub"
        case .invalidAgentClaims: "the token's agent claims are missing or not strings"
        case .invalidRoles: "the token's roles claim is not a non-empty array of strings"
        case .unknownRole: "the token's roles claim names an unknown role"
        }
    }

    public var description: String { reason }
}

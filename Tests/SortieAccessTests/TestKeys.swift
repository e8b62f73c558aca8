import CryptoExtras
import Foundation
import JWTKit
@testable import SortieAccess

/// Key pairs made once per test run (RSA generation is slow), and helpers to sign with them.
enum TestKeys {
    static let issuer = "https://idp.acme.example"
    static let audience = "sortie"
    /// A fixed instant, so each test states its times relative to it.
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    static let rsa: JWTKit.Insecure.RSA.PrivateKey = {
        // Without its keys no test here can run: stop loudly rather than skip.
        try! JWTKit.Insecure.RSA.PrivateKey(backing: _RSA.Signing.PrivateKey(keySize: .bits2048))
    }()
    static let otherRSA: JWTKit.Insecure.RSA.PrivateKey = {
        try! JWTKit.Insecure.RSA.PrivateKey(backing: _RSA.Signing.PrivateKey(keySize: .bits2048))
    }()
    static let p256 = ES256PrivateKey()
    static let ed25519: EdDSA.PrivateKey = { try! EdDSA.PrivateKey(curve: .ed25519) }()
    static let hmacSecret = Array("a development secret of well over thirty-two bytes".utf8)

    static func base64URL(_ data: some DataProtocol) -> String {
        Data(data).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func rsaJWK(_ key: JWTKit.Insecure.RSA.PrivateKey, kid: String?, alg: String? = "RS256") -> String {
        let (n, e) = try! key.publicKey.getKeyPrimitives()
        return jwk(["kty": "RSA", "kid": kid, "alg": alg, "use": "sig", "n": base64URL(n), "e": base64URL(e)])
    }

    static func p256JWK(kid: String?) -> String {
        let (x, y) = p256.publicKey.parameters!
        return jwk(["kty": "EC", "kid": kid, "crv": "P-256", "x": x, "y": y])
    }

    static func ed25519JWK(kid: String?) -> String {
        jwk(["kty": "OKP", "kid": kid, "crv": "Ed25519", "x": base64URL(ed25519.publicKey.rawRepresentation)])
    }

    private static func jwk(_ fields: [String: String?]) -> String {
        let pairs = fields.compactMap { key, value in value.map { "\"\(key)\":\"\($0)\"" } }.sorted()
        return "{" + pairs.joined(separator: ",") + "}"
    }

    static func jwks(_ keys: String...) -> [UInt8] {
        Array(("{\"keys\":[" + keys.joined(separator: ",") + "]}").utf8)
    }

    /// The JWKS most tests use: an RSA, a P-256 and an Ed25519 key, each with a kid.
    static var standardJWKS: [UInt8] {
        jwks(rsaJWK(rsa, kid: "r1"), p256JWK(kid: "e1"), ed25519JWK(kid: "o1"))
    }

    static func verifier(algorithms: [TokenAlgorithm]? = nil, jwks: [UInt8] = standardJWKS,
                         claims: ClaimNames = ClaimNames(), leeway: Int = 60) throws -> TokenVerifier {
        try TokenVerifier(issuers: [
            IssuerConfiguration(issuer: issuer, audiences: [audience, "sortie-staging"], keys: .jwks(jwks),
                                algorithms: algorithms, claims: claims, leewaySeconds: leeway),
        ])
    }

    static func hmacVerifier() throws -> TokenVerifier {
        try TokenVerifier(issuers: [
            IssuerConfiguration(issuer: "https://dev.local", audiences: [audience], keys: .hmacSecret(hmacSecret)),
        ])
    }

    /// Claims that pass: this issuer and audience, an hour to live, issued now.
    static func claims(_ changes: [String: JSONValue?] = [:]) -> ClaimSet {
        let start = Int64(now.timeIntervalSince1970)
        var values: [String: JSONValue] = [
            "iss": .string(issuer), "aud": .string(audience), "sub": .string("agent-7"),
            "iat": .integer(start), "exp": .integer(start + 3600),
            "license": .string("premium"), "team": .string("north"), "site": .string("lyon"),
        ]
        for (name, value) in changes { values[name] = value }
        return ClaimSet(values)
    }

    enum Signer {
        case rs256(JWTKit.Insecure.RSA.PrivateKey), ps256(JWTKit.Insecure.RSA.PrivateKey), es256, edDSA
        case hs256([UInt8])
    }

    /// A token signed by jwt-kit with `signer`, with `kid` (or none) and any extra header fields.
    static func token(_ claims: ClaimSet = claims(), signer: Signer, kid: String? = nil,
                      header: [String: JWTHeaderField] = [:]) async throws -> String {
        let keys = JWTKeyCollection()
        switch signer {
        case .rs256(let key): await keys.add(rsa: key, digestAlgorithm: .sha256)
        case .ps256(let key): await keys.add(pss: key, digestAlgorithm: .sha256)
        case .es256: await keys.add(ecdsa: p256)
        case .edDSA: await keys.add(eddsa: ed25519)
        case .hs256(let secret): await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
        }
        var fields = header
        if let kid { fields["kid"] = .string(kid) }
        return try await keys.sign(claims, header: JWTHeader(fields: fields))
    }

    /// The base64url of a JSON text, for hand-built (attack) tokens.
    static func segment(_ json: String) -> String { base64URL(Array(json.utf8)) }

    static func payloadSegment(_ claims: ClaimSet) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return base64URL(try! encoder.encode(claims))
    }
}

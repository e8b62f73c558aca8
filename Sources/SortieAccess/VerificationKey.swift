import Foundation
import JWTKit

/// One public key of an issuer (or its HMAC secret), parsed once at configuration time.
struct VerificationKey: Sendable {
    enum Material: Sendable {
        case rsa(JWTKit.Insecure.RSA.PublicKey)
        case p256(ES256PublicKey)
        case p384(ES384PublicKey)
        case p521(ES512PublicKey)
        case ed25519(EdDSA.PublicKey)
        case hmac(HMACKey)
    }

    /// The JWK's `kid`; `nil` for a key without one and for a secret.
    let kid: String?
    /// The JWK's own `alg`, when it names one: then only that algorithm may use the key.
    let pinnedAlgorithm: String?
    let material: Material

    /// Whether `algorithm` may be checked with this key: the key's type decides, so an RSA
    /// public key can never act as an HMAC secret, nor a P-256 key as a P-384 one.
    func fits(_ algorithm: TokenAlgorithm) -> Bool {
        if let pinnedAlgorithm, pinnedAlgorithm != algorithm.rawValue { return false }
        switch (material, algorithm) {
        case (.rsa, .rs256), (.rsa, .rs384), (.rsa, .rs512), (.rsa, .ps256), (.rsa, .ps384), (.rsa, .ps512),
             (.p256, .es256), (.p384, .es384), (.p521, .es512), (.ed25519, .edDSA), (.hmac, .hs256):
            return true
        default:
            return false
        }
    }

    /// A jwt-kit key collection holding this key alone, for `algorithm` alone.
    ///
    /// A collection falls back to its default key when a `kid` is unknown, and a JWK's signer
    /// takes the first algorithm it is asked for; one key for one algorithm leaves jwt-kit
    /// nothing to choose. Call only when ``fits(_:)`` holds.
    func collection(for algorithm: TokenAlgorithm) async -> JWTKeyCollection {
        let keys = JWTKeyCollection()
        switch (material, algorithm) {
        case (.rsa(let key), .rs256): await keys.add(rsa: key, digestAlgorithm: .sha256)
        case (.rsa(let key), .rs384): await keys.add(rsa: key, digestAlgorithm: .sha384)
        case (.rsa(let key), .rs512): await keys.add(rsa: key, digestAlgorithm: .sha512)
        case (.rsa(let key), .ps256): await keys.add(pss: key, digestAlgorithm: .sha256)
        case (.rsa(let key), .ps384): await keys.add(pss: key, digestAlgorithm: .sha384)
        case (.rsa(let key), .ps512): await keys.add(pss: key, digestAlgorithm: .sha512)
        case (.p256(let key), _): await keys.add(ecdsa: key)
        case (.p384(let key), _): await keys.add(ecdsa: key)
        case (.p521(let key), _): await keys.add(ecdsa: key)
        case (.ed25519(let key), _): await keys.add(eddsa: key)
        case (.hmac(let key), _): await keys.add(hmac: key, digestAlgorithm: .sha256)
        case (.rsa, _): break  // excluded by fits(_:); an empty collection verifies nothing
        }
        return keys
    }

    /// The keys of a JWKS document, each checked: public only, a known type, distinct `kid`s.
    static func keys(ofJWKS bytes: [UInt8], issuer: String) throws(AccessConfigurationError) -> [VerificationKey] {
        let set: JWKS
        do {
            set = try JSONDecoder().decode(JWKS.self, from: Data(bytes))
        } catch {
            throw AccessConfigurationError("issuer \(issuer): the JWKS is not a JSON Web Key Set of RSA, EC or OKP keys")
        }
        guard !set.keys.isEmpty else { throw AccessConfigurationError("issuer \(issuer): the JWKS has no key") }
        var keys: [VerificationKey] = []
        var kids: Set<String> = []
        for (index, jwk) in set.keys.enumerated() {
            let name = jwk.keyIdentifier.map { "key \"\($0.string)\"" } ?? "key \(index + 1)"
            if let kid = jwk.keyIdentifier?.string {
                guard kids.insert(kid).inserted else {
                    throw AccessConfigurationError("issuer \(issuer): two keys of the JWKS have the kid \"\(kid)\"")
                }
            }
            // A private key in a file of public keys is a leak to fix, not a key to use.
            guard jwk.privateExponent == nil, jwk.prime1 == nil, jwk.prime2 == nil else {
                throw AccessConfigurationError("issuer \(issuer): \(name) of the JWKS holds private key material")
            }
            let material: Material
            do {
                material = try Self.material(of: jwk)
            } catch {
                throw AccessConfigurationError("issuer \(issuer): \(name) of the JWKS is not a usable public key")
            }
            keys.append(VerificationKey(kid: jwk.keyIdentifier?.string, pinnedAlgorithm: jwk.algorithm?.rawValue,
                                        material: material))
        }
        return keys
    }

    private struct UnusableKey: Error {}

    private static func material(of jwk: JWK) throws -> Material {
        switch jwk.keyType {
        case .rsa:
            guard let n = jwk.modulus, let e = jwk.exponent else { throw UnusableKey() }
            return .rsa(try JWTKit.Insecure.RSA.PublicKey(modulus: n, exponent: e))
        case .ecdsa:
            guard let x = jwk.x, let y = jwk.y, let curve = jwk.curve?.rawValue else { throw UnusableKey() }
            switch curve {
            case ECDSACurve.p256.rawValue: return .p256(try ES256PublicKey(parameters: (x, y)))
            case ECDSACurve.p384.rawValue: return .p384(try ES384PublicKey(parameters: (x, y)))
            case ECDSACurve.p521.rawValue: return .p521(try ES512PublicKey(parameters: (x, y)))
            default: throw UnusableKey()
            }
        case .octetKeyPair:
            guard let x = jwk.x, jwk.curve?.rawValue == EdDSACurve.ed25519.rawValue else { throw UnusableKey() }
            return .ed25519(try EdDSA.PublicKey(x: x, curve: .ed25519))
        default:
            throw UnusableKey()
        }
    }
}

import Crypto
import Foundation
import JWTKit
import Testing
@testable import SortieAccess

private let now = TestKeys.now
private let start = Int64(TestKeys.now.timeIntervalSince1970)

/// The outcome of verifying `token` with `verifier` at the test's fixed instant.
private func verify(_ token: String, _ verifier: TokenVerifier) async -> Result<Principal, TokenError> {
    await verifier.verify(token, now: now)
}

private func refusal(_ result: Result<Principal, TokenError>) -> TokenError? {
    if case .failure(let error) = result { error } else { nil }
}

@Suite struct AcceptedTokenTests {
    @Test func rs256() async throws {
        let token = try await TestKeys.token(signer: .rs256(TestKeys.rsa), kid: "r1")
        let principal = try await verify(token, TestKeys.verifier()).get()
        #expect(principal.kind == .agent)
        #expect(principal.subject == "agent-7")
        #expect(principal.issuer == TestKeys.issuer)
        #expect(principal.roles == [.agent])
        #expect(principal.agent == Principal.Agent(id: "agent-7", license: "premium", team: "north", site: "lyon"))
    }

    @Test func es256() async throws {
        let token = try await TestKeys.token(signer: .es256, kid: "e1")
        #expect(try await verify(token, TestKeys.verifier()).get().subject == "agent-7")
    }

    @Test func edDSA() async throws {
        let token = try await TestKeys.token(signer: .edDSA, kid: "o1")
        #expect(try await verify(token, TestKeys.verifier()).get().subject == "agent-7")
    }

    @Test func hs256() async throws {
        let claims = TestKeys.claims(["iss": .string("https://dev.local")])
        let token = try await TestKeys.token(claims, signer: .hs256(TestKeys.hmacSecret))
        #expect(try await verify(token, TestKeys.hmacVerifier()).get().issuer == "https://dev.local")
    }

    @Test func ps256WhenAllowed() async throws {
        let token = try await TestKeys.token(signer: .ps256(TestKeys.rsa), kid: "r2")
        let verifier = try TestKeys.verifier(algorithms: [.ps256],
                                             jwks: TestKeys.jwks(TestKeys.rsaJWK(TestKeys.rsa, kid: "r2", alg: nil)))
        #expect(try await verify(token, verifier).get().subject == "agent-7")
    }

    @Test func onlyKeyWithoutKid() async throws {
        let token = try await TestKeys.token(signer: .rs256(TestKeys.rsa))
        let verifier = try TestKeys.verifier(jwks: TestKeys.jwks(TestKeys.rsaJWK(TestKeys.rsa, kid: nil)))
        #expect(try await verify(token, verifier).get().subject == "agent-7")
    }

    @Test func audienceArrayHoldingARightOne() async throws {
        let claims = TestKeys.claims(["aud": .array([.string("billing"), .string("sortie-staging")])])
        let token = try await TestKeys.token(claims, signer: .rs256(TestKeys.rsa), kid: "r1")
        #expect(try await verify(token, TestKeys.verifier()).get().subject == "agent-7")
    }

    @Test func expiredWithinTheLeeway() async throws {
        let claims = TestKeys.claims(["exp": .integer(start - 59)])
        let token = try await TestKeys.token(claims, signer: .rs256(TestKeys.rsa), kid: "r1")
        #expect(try await verify(token, TestKeys.verifier()).get().subject == "agent-7")
    }

    @Test func nbfAndIatWithinTheLeeway() async throws {
        let claims = TestKeys.claims(["nbf": .integer(start + 59), "iat": .integer(start + 59)])
        let token = try await TestKeys.token(claims, signer: .rs256(TestKeys.rsa), kid: "r1")
        #expect(try await verify(token, TestKeys.verifier()).get().subject == "agent-7")
    }

    @Test func bearerHeaderWithAnyCaseScheme() async throws {
        let token = try await TestKeys.token(signer: .rs256(TestKeys.rsa), kid: "r1")
        let verifier = try TestKeys.verifier()
        #expect(try await verifier.verify(authorization: "bearer " + token, now: now).get().subject == "agent-7")
        #expect(try await verifier.verify(authorization: "Bearer " + token, now: now).get().subject == "agent-7")
    }
}

@Suite struct RefusedTokenTests {
    private func refused(_ token: String, _ verifier: TokenVerifier? = nil) async throws -> TokenError? {
        let error = refusal(await verify(token, try verifier ?? TestKeys.verifier()))
        if let error {
            // Whatever the reason, the error never repeats the token or a part of it.
            for text in ["\(error)", String(reflecting: error), error.reason, error.wwwAuthenticate] {
                for part in token.split(separator: ".") where part.count > 8 {
                    #expect(!text.contains(part))
                }
            }
            #expect(error.httpStatus == 401)
            #expect(error.wwwAuthenticate == #"Bearer error="invalid_token""#)
        }
        return error
    }

    @Test func algNone() async throws {
        let payload = TestKeys.payloadSegment(TestKeys.claims())
        for alg in ["none", "None", "NONE"] {
            let token = TestKeys.segment(#"{"alg":"\#(alg)","typ":"JWT"}"#) + "." + payload + "."
            #expect(try await refused(token) == .algorithmNotAllowed)
        }
    }

    @Test func missingAlg() async throws {
        let token = TestKeys.segment(#"{"typ":"JWT","kid":"r1"}"#) + "." + TestKeys.payloadSegment(TestKeys.claims()) + ".c2ln"
        #expect(try await refused(token) == .algorithmNotAllowed)
    }

    @Test func strippedSignature() async throws {
        let token = try await TestKeys.token(signer: .rs256(TestKeys.rsa), kid: "r1")
        let parts = token.split(separator: ".")
        #expect(try await refused(parts[0] + "." + parts[1] + ".") == .badSignature)
        #expect(try await refused(parts[0] + "." + parts[1]) == .malformed)
    }

    @Test func tamperedPayload() async throws {
        let token = try await TestKeys.token(signer: .rs256(TestKeys.rsa), kid: "r1")
        let parts = token.split(separator: ".")
        let forged = TestKeys.payloadSegment(TestKeys.claims(["roles": .array([.string("admin")])]))
        #expect(try await refused(parts[0] + "." + forged + "." + parts[2]) == .badSignature)
    }

    @Test func signedByAnotherRSAKey() async throws {
        let token = try await TestKeys.token(signer: .rs256(TestKeys.otherRSA), kid: "r1")
        #expect(try await refused(token) == .badSignature)
    }

    @Test func expiredBeyondTheLeeway() async throws {
        let claims = TestKeys.claims(["exp": .integer(start - 61)])
        #expect(try await refused(TestKeys.token(claims, signer: .rs256(TestKeys.rsa), kid: "r1")) == .expired)
        let strict = try TestKeys.verifier(leeway: 0)
        let justNow = TestKeys.claims(["exp": .integer(start)])
        #expect(try await refused(TestKeys.token(justNow, signer: .rs256(TestKeys.rsa), kid: "r1"), strict) == .expired)
    }

    @Test func notBeforeInTheFuture() async throws {
        let claims = TestKeys.claims(["nbf": .integer(start + 61)])
        #expect(try await refused(TestKeys.token(claims, signer: .rs256(TestKeys.rsa), kid: "r1")) == .notYetValid)
    }

    @Test func issuedInTheFuture() async throws {
        let claims = TestKeys.claims(["iat": .integer(start + 61)])
        #expect(try await refused(TestKeys.token(claims, signer: .rs256(TestKeys.rsa), kid: "r1")) == .issuedInFuture)
    }

    @Test func timeClaimsThatAreNotNumbers() async throws {
        for name in ["exp", "nbf", "iat"] {
            let claims = TestKeys.claims([name: .string("\(start)")])
            #expect(try await refused(TestKeys.token(claims, signer: .rs256(TestKeys.rsa), kid: "r1")) == .malformed)
        }
    }

    @Test func wrongIssuer() async throws {
        let claims = TestKeys.claims(["iss": .string("https://idp.evil.example")])
        #expect(try await refused(TestKeys.token(claims, signer: .rs256(TestKeys.rsa), kid: "r1")) == .unknownIssuer)
        let none = TestKeys.claims(["iss": nil])
        #expect(try await refused(TestKeys.token(none, signer: .rs256(TestKeys.rsa), kid: "r1")) == .unknownIssuer)
    }

    /// The unverified iss picks the issuer; another issuer's key then signs nothing for it.
    @Test func signedWithAnotherIssuersKey() async throws {
        let verifier = try TokenVerifier(issuers: [
            IssuerConfiguration(issuer: TestKeys.issuer, audiences: [TestKeys.audience],
                                keys: .jwks(TestKeys.jwks(TestKeys.rsaJWK(TestKeys.rsa, kid: "r1")))),
            IssuerConfiguration(issuer: "https://other.example", audiences: [TestKeys.audience],
                                keys: .jwks(TestKeys.jwks(TestKeys.rsaJWK(TestKeys.otherRSA, kid: "r1")))),
        ])
        let token = try await TestKeys.token(signer: .rs256(TestKeys.otherRSA), kid: "r1")
        #expect(try await refused(token, verifier) == .badSignature)
    }

    @Test func wrongAudience() async throws {
        for audience: JSONValue? in [.string("billing"), .array([.string("billing")]), .array([]), .integer(1), nil] {
            let claims = TestKeys.claims(["aud": audience])
            #expect(try await refused(TestKeys.token(claims, signer: .rs256(TestKeys.rsa), kid: "r1")) == .wrongAudience)
        }
    }

    @Test func noExpiry() async throws {
        let claims = TestKeys.claims(["exp": nil])
        #expect(try await refused(TestKeys.token(claims, signer: .rs256(TestKeys.rsa), kid: "r1")) == .missingExpiry)
    }

    @Test func unknownKid() async throws {
        #expect(try await refused(TestKeys.token(signer: .rs256(TestKeys.rsa), kid: "r9")) == .unknownKey)
        // One key in the set, but the token names another: it is not "the only key".
        let single = try TestKeys.verifier(jwks: TestKeys.jwks(TestKeys.rsaJWK(TestKeys.rsa, kid: "r1")))
        #expect(try await refused(TestKeys.token(signer: .rs256(TestKeys.rsa), kid: "r9"), single) == .unknownKey)
    }

    @Test func algorithmOutsideTheAllowList() async throws {
        let rsaOnly = try TestKeys.verifier(algorithms: [.rs256])
        #expect(try await refused(TestKeys.token(signer: .es256, kid: "e1"), rsaOnly) == .algorithmNotAllowed)
        #expect(try await refused(TestKeys.token(signer: .ps256(TestKeys.rsa), kid: "r1"), rsaOnly) == .algorithmNotAllowed)
        // PS256 is not in the default list either.
        let ps = try await TestKeys.token(signer: .ps256(TestKeys.rsa), kid: "r1")
        #expect(try await refused(ps) == .algorithmNotAllowed)
    }

    @Test func algorithmThatDoesNotFitTheKey() async throws {
        // ES256, allowed, but the kid names the RSA key.
        #expect(try await refused(TestKeys.token(signer: .es256, kid: "r1")) == .algorithmDoesNotFitKey)
        // The JWK pins RS256: PS256 may not use it, even when allowed.
        let pinned = try TestKeys.verifier(algorithms: [.rs256, .ps256])
        #expect(try await refused(TestKeys.token(signer: .ps256(TestKeys.rsa), kid: "r1"), pinned) == .algorithmDoesNotFitKey)
    }

    /// The classic confusion: HS256 keyed with the RSA public key's bytes, sent to an RS256 issuer.
    @Test func hs256WithTheRSAPublicKeyAsSecret() async throws {
        let pem = Array(TestKeys.rsa.publicKey.pemRepresentation.utf8)
        let der = Array(TestKeys.rsa.publicKey.derRepresentation)
        let verifiers = [try TestKeys.verifier(algorithms: [.rs256]), try TestKeys.verifier()]
        for secret in [pem, der, Array(pem.dropLast())] {
            for kid in ["r1", nil] {
                let token = try await TestKeys.token(signer: .hs256(secret), kid: kid)
                for verifier in verifiers {
                    #expect(try await refused(token, verifier) == .algorithmNotAllowed)
                }
            }
        }
    }

    @Test func hs256CannotBeAllowedWithAJWKS() throws {
        #expect(throws: AccessConfigurationError.self) { try TestKeys.verifier(algorithms: [.rs256, .hs256]) }
    }

    @Test func twoKeysAndNoKid() async throws {
        let two = try TestKeys.verifier(jwks: TestKeys.jwks(TestKeys.rsaJWK(TestKeys.rsa, kid: nil),
                                                            TestKeys.rsaJWK(TestKeys.otherRSA, kid: nil)))
        #expect(try await refused(TestKeys.token(signer: .rs256(TestKeys.rsa)), two) == .ambiguousKey)
        #expect(try await refused(TestKeys.token(signer: .rs256(TestKeys.rsa))) == .ambiguousKey)
    }

    @Test func criticalHeader() async throws {
        let token = try await TestKeys.token(signer: .rs256(TestKeys.rsa), kid: "r1",
                                             header: ["crit": .array([.string("exp")]), "exp": .int(1)])
        #expect(try await refused(token) == .criticalHeader)
    }

    @Test func malformedTokens() async throws {
        for token in ["", "abc", "a.b", "a.b.c.d", "a.b.c", "!!.??.**", "eyJhbGciOiJSUzI1NiJ9.bm90IGpzb24.c2ln"] {
            #expect(try await refused(token) == .malformed, "\(token)")
        }
        // Well-formed but empty: no issuer to check it against.
        #expect(try await refused("e30.e30.") == .unknownIssuer)
    }

    @Test func tooLarge() async throws {
        let claims = TestKeys.claims(["pad": .string(String(repeating: "x", count: TokenVerifier.maximumTokenBytes))])
        #expect(try await refused(TestKeys.token(claims, signer: .rs256(TestKeys.rsa), kid: "r1")) == .tooLarge)
    }

    @Test func missingOrNonBearerAuthorization() async throws {
        let verifier = try TestKeys.verifier()
        let missing = refusal(await verifier.verify(authorization: nil, now: now))
        #expect(missing == .missing)
        #expect(missing?.wwwAuthenticate == "Bearer")
        #expect(missing?.httpStatus == 401)
        for header in ["Basic dXNlcjpwYXNz", "Bearer", "Bearer ", "Token abc"] {
            let error = refusal(await verifier.verify(authorization: header, now: now))
            #expect(error == .notBearer, "\(header)")
            #expect(error?.wwwAuthenticate == #"Bearer error="invalid_token""#)
        }
    }

    @Test func everyReasonIsShortAndFixed() {
        for error in TokenError.allCases {
            #expect(!error.reason.isEmpty && error.reason.count < 80)
            #expect(error.description == error.reason)
        }
    }
}

@Suite struct ClaimTests {
    private func principal(_ claims: ClaimSet, _ verifier: TokenVerifier? = nil) async throws -> Result<Principal, TokenError> {
        let token = try await TestKeys.token(claims, signer: .rs256(TestKeys.rsa), kid: "r1")
        return await verify(token, try verifier ?? TestKeys.verifier())
    }

    @Test func defaultRoleIsAgent() async throws {
        let result = try await principal(TestKeys.claims(["license": nil, "team": nil, "site": nil]))
        let agent = try result.get()
        #expect(agent.roles == [.agent])
        #expect(agent.kind == .agent)
        #expect(agent.agent == Principal.Agent(id: "agent-7", license: nil, team: nil, site: nil))
    }

    @Test func nullLicenseIsNoLicense() async throws {
        let agent = try await principal(TestKeys.claims(["license": .null])).get()
        #expect(agent.agent?.license == nil)
    }

    @Test func customClaimNames() async throws {
        let names = ClaimNames(agent: "agent_id", license: "https://acme.example/license", team: "grp",
                               site: "location", roles: "sortie_roles")
        let claims = TestKeys.claims([
            "sub": .string("user-19"), "agent_id": .string("A-19"), "https://acme.example/license": .string("basic"),
            "grp": .string("south"), "location": .string("nantes"), "sortie_roles": .array([.string("agent")]),
            // The default names are not read when others are configured.
            "license": .string("premium"), "roles": .array([.string("admin")]),
        ])
        let agent = try await principal(claims, TestKeys.verifier(claims: names)).get()
        #expect(agent.subject == "user-19")
        #expect(agent.roles == [.agent])
        #expect(agent.agent == Principal.Agent(id: "A-19", license: "basic", team: "south", site: "nantes"))
    }

    @Test func rolePrecedenceNamesTheKind() async throws {
        let cases: [([String], Principal.Kind)] = [
            (["agent"], .agent), (["integration"], .integration), (["admin"], .admin),
            (["agent", "integration"], .integration), (["integration", "admin", "agent"], .admin),
        ]
        for (names, kind) in cases {
            let result = try await principal(TestKeys.claims(["roles": .array(names.map { .string($0) })]))
            let principal = try result.get()
            #expect(principal.kind == kind)
            #expect(principal.roles == Set(names.compactMap(Principal.Role.init(rawValue:))))
            // Agent facts come with the agent role only.
            #expect((principal.agent != nil) == names.contains("agent"))
        }
    }

    @Test func unknownRoleRefusesTheToken() async throws {
        let result = try await principal(TestKeys.claims(["roles": .array([.string("agent"), .string("read-only")])]))
        #expect(refusal(result) == .unknownRole)
    }

    @Test func invalidRolesClaims() async throws {
        for roles: JSONValue in [.array([]), .string("agent"), .array([.integer(1)]), .null] {
            #expect(refusal(try await principal(TestKeys.claims(["roles": roles]))) == .invalidRoles)
        }
    }

    @Test func invalidSubjectAndAgentClaims() async throws {
        #expect(refusal(try await principal(TestKeys.claims(["sub": nil]))) == .invalidSubject)
        #expect(refusal(try await principal(TestKeys.claims(["sub": .string("")]))) == .invalidSubject)
        #expect(refusal(try await principal(TestKeys.claims(["license": .integer(3)]))) == .invalidAgentClaims)
        let names = ClaimNames(agent: "agent_id")
        #expect(refusal(try await principal(TestKeys.claims(), TestKeys.verifier(claims: names))) == .invalidAgentClaims)
        // An admin needs no agent claim.
        let admin = TestKeys.claims(["roles": .array([.string("admin")])])
        #expect(try await principal(admin, TestKeys.verifier(claims: names)).get().agent == nil)
    }

    @Test func principalJSONShape() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let agent = Principal(subject: "agent-7", issuer: "https://idp", roles: [.agent, .admin],
                              agent: .init(id: "agent-7", license: "premium"))
        #expect(String(decoding: try encoder.encode(agent), as: UTF8.self)
                    == #"{"issuer":"https://idp","kind":"admin","subject":"agent-7"}"#)
        #expect(String(decoding: try encoder.encode(Principal.open), as: UTF8.self)
                    == #"{"issuer":null,"kind":"open","subject":null}"#)
        #expect(Principal.open.roles == Set(Principal.Role.allCases))
    }
}

@Suite struct IssuerConfigurationTests {
    private func refusedConfiguration(_ configuration: IssuerConfiguration) -> Bool {
        (try? TokenVerifier(issuers: [configuration])) == nil
    }

    private func jwksIssuer(_ jwks: [UInt8], algorithms: [TokenAlgorithm]? = nil) -> IssuerConfiguration {
        IssuerConfiguration(issuer: TestKeys.issuer, audiences: [TestKeys.audience], keys: .jwks(jwks), algorithms: algorithms)
    }

    @Test func refusesWhatCannotBeUsed() {
        let secret = IssuerConfiguration.Keys.hmacSecret(TestKeys.hmacSecret)
        #expect(refusedConfiguration(.init(issuer: "", audiences: ["a"], keys: secret)))
        #expect(refusedConfiguration(.init(issuer: "i", audiences: [], keys: secret)))
        #expect(refusedConfiguration(.init(issuer: "i", audiences: [""], keys: secret)))
        #expect(refusedConfiguration(.init(issuer: "i", audiences: ["a"], keys: .hmacSecret(Array(repeating: 1, count: 31)))))
        #expect(refusedConfiguration(.init(issuer: "i", audiences: ["a"], keys: secret, algorithms: [.rs256])))
        #expect(refusedConfiguration(.init(issuer: "i", audiences: ["a"], keys: secret, leewaySeconds: -1)))
        #expect(refusedConfiguration(.init(issuer: "i", audiences: ["a"], keys: secret, claims: ClaimNames(roles: ""))))
        #expect(refusedConfiguration(jwksIssuer(Array("not json".utf8))))
        #expect(refusedConfiguration(jwksIssuer(TestKeys.jwks())))
        #expect(refusedConfiguration(jwksIssuer(TestKeys.standardJWKS, algorithms: [])))
        #expect(refusedConfiguration(jwksIssuer(TestKeys.jwks(TestKeys.p256JWK(kid: "e1")), algorithms: [.rs256])))
        #expect(refusedConfiguration(jwksIssuer(TestKeys.jwks(TestKeys.p256JWK(kid: "k"), TestKeys.ed25519JWK(kid: "k")))))
        #expect(throws: AccessConfigurationError.self) {
            try TokenVerifier(issuers: [.init(issuer: "i", audiences: ["a"], keys: secret),
                                        .init(issuer: "i", audiences: ["b"], keys: secret)])
        }
    }

    @Test func refusesPrivateKeysInTheJWKS() throws {
        let key = P256.Signing.PrivateKey()
        let point = key.publicKey.x963Representation
        let x = TestKeys.base64URL(point[1..<33]), y = TestKeys.base64URL(point[33..<65])
        let d = TestKeys.base64URL(key.rawRepresentation)
        let jwk = #"{"kty":"EC","kid":"e1","crv":"P-256","x":"\#(x)","y":"\#(y)","d":"\#(d)"}"#
        #expect(refusedConfiguration(jwksIssuer(TestKeys.jwks(jwk))))
    }

    @Test func neverPrintsTheSecret() throws {
        let configuration = IssuerConfiguration(issuer: "i", audiences: ["a"], keys: .hmacSecret(TestKeys.hmacSecret))
        let secret = String(decoding: TestKeys.hmacSecret, as: UTF8.self)
        var dumped = ""
        dump(configuration, to: &dumped)
        for text in ["\(configuration)", String(reflecting: configuration), dumped, "\(configuration.keys)"] {
            #expect(!text.contains(secret))
            #expect(!text.contains("\(TestKeys.hmacSecret)"))
        }
    }
}

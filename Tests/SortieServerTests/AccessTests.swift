import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import JWTKit
import Logging
import Synchronization
import SortieAccess
@testable import SortieServer
import Testing

/// The access table (docs/reference.md, "Who may do what") over real loopback HTTP: every
/// route × no credential, the agent, another agent, an administrator and an integration.
@Suite struct AccessTests {
    /// What a caller gets on a route.
    enum Outcome: String, Sendable, CustomStringConvertible {
        /// The route acted (whatever the decision): neither 401, 403 `forbidden` nor a hidden 404.
        case acts
        case unauthenticated
        case forbidden
        /// 404 `not-found`, as for a conversation that does not exist.
        case hidden

        var description: String { rawValue }

        static func of(_ reply: Reply) -> Outcome {
            switch (reply.status, reply.string("error.code")) {
            case (401, _): .unauthenticated
            case (403, "forbidden"?): .forbidden
            case (404, "not-found"?): .hidden
            default: .acts
            }
        }
    }

    /// The callers of the table's columns.
    enum Column: String, CaseIterable, Sendable, CustomStringConvertible {
        case none, agent, otherAgent, admin, integration
        var description: String { rawValue }
    }

    /// One route: how to call it (on the agent's conversation `id`) and what each column gets.
    struct Row: Sendable {
        let method: HTTPRequest.Method
        let path: @Sendable (String) -> String
        let body: @Sendable (Column, Int) -> String?
        let expected: [Column: Outcome]
    }

    static let tokenAgentBody = #"{"state":"available"}"#

    /// `messageId`: an outbound message of the agent's conversation, which the receipt row acts on.
    static func rows(messageId: String = "msg-unknown") -> [(String, Row)] {
        let asAgent: [Column: Outcome] = [.none: .unauthenticated, .agent: .acts, .otherAgent: .acts, .admin: .forbidden, .integration: .acts]
        let onConversation: [Column: Outcome] = [.none: .unauthenticated, .agent: .acts, .otherAgent: .hidden, .admin: .forbidden, .integration: .acts]
        let gateway: [Column: Outcome] = [.none: .unauthenticated, .agent: .forbidden, .otherAgent: .forbidden, .admin: .forbidden, .integration: .acts]
        let operate: [Column: Outcome] = [.none: .unauthenticated, .agent: .forbidden, .otherAgent: .forbidden, .admin: .acts, .integration: .acts]
        let consentAPI = operate
        let administer: [Column: Outcome] = [.none: .unauthenticated, .agent: .forbidden, .otherAgent: .forbidden, .admin: .acts, .integration: .forbidden]
        let anyone = Dictionary(uniqueKeysWithValues: Column.allCases.map { ($0, Outcome.acts) })
        /// A token caller's agent is its token's; an integration names the agent in the body.
        @Sendable func agentJSON(_ column: Column) -> String {
            column == .integration ? agent("agent-a") : tokenAgentBody
        }
        return [
            ("POST /v1/outbound-options", Row(method: .post, path: { _ in "/v1/outbound-options" },
                                              body: { column, _ in "{\"agent\":\(agentJSON(column))}" }, expected: asAgent)),
            ("POST /v1/outbound-conversations", Row(method: .post, path: { _ in "/v1/outbound-conversations" },
                                                    body: { column, n in emailCreate(agent: agentJSON(column), to: "c\(n)@example.fr", subject: "Dossier \(n)") },
                                                    expected: asAgent)),
            ("POST /v1/conversations/{id}/messages", Row(method: .post, path: { "/v1/conversations/\($0)/messages" },
                                                        body: { _, _ in #"{"body":"Bonjour"}"# }, expected: onConversation)),
            ("POST /v1/conversations/{id}/operations", Row(method: .post, path: { "/v1/conversations/\($0)/operations" },
                                                          body: { _, _ in #"{"operation":"conference"}"# }, expected: onConversation)),
            ("GET /v1/conversations/{id}", Row(method: .get, path: { "/v1/conversations/\($0)" }, body: { _, _ in nil },
                                               expected: [.none: .unauthenticated, .agent: .acts, .otherAgent: .hidden, .admin: .acts, .integration: .acts])),
            ("POST /v1/inbound", Row(method: .post, path: { _ in "/v1/inbound" },
                                     body: { _, n in "{\"channel\":\"sms\",\"from\":\"+3361200\(String(format: "%04d", n))\",\"to\":\"+33186950000\",\"body\":\"Bonjour\"}" },
                                     expected: gateway)),
            ("POST /v1/messages/{id}/status", Row(method: .post, path: { _ in "/v1/messages/\(messageId)/status" },
                                                 body: { _, _ in #"{"status":"delivered"}"# }, expected: gateway)),
            ("POST /v1/decisions", Row(method: .post, path: { _ in "/v1/decisions" },
                                       body: { _, _ in "{\"action\":\"options\",\"agent\":\(agent("agent-a"))}" }, expected: operate)),
            ("GET /metrics", Row(method: .get, path: { _ in "/metrics" }, body: { _, _ in nil }, expected: operate)),
            ("GET /v1/consent/{channel}/{address}", Row(method: .get, path: { _ in "/v1/consent/sms/+33613000001" },
                                                       body: { _, _ in nil }, expected: consentAPI)),
            ("PUT /v1/consent/{channel}/{address}", Row(method: .put, path: { _ in "/v1/consent/sms/+33613000001" },
                                                       body: { _, _ in #"{"entryPoint":"support-sms-fr"}"# }, expected: consentAPI)),
            ("DELETE /v1/consent/{channel}/{address}", Row(method: .delete, path: { _ in "/v1/consent/sms/+33613000001" },
                                                          body: { _, _ in nil }, expected: consentAPI)),
            ("PUT /v1/customers/{channel}/{address}/time-zone", Row(method: .put, path: { _ in "/v1/customers/sms/+33613000002/time-zone" },
                                                                   body: { _, _ in #"{"timeZone":"Europe/Paris"}"# }, expected: operate)),
            ("POST /v1/admin/reload", Row(method: .post, path: { _ in "/v1/admin/reload" }, body: { _, _ in "{}" }, expected: administer)),
            ("GET /healthz", Row(method: .get, path: { _ in "/healthz" }, body: { _, _ in nil }, expected: anyone)),
            ("GET /v1/openapi.json", Row(method: .get, path: { _ in "/v1/openapi.json" }, body: { _, _ in nil }, expected: anyone)),
            // Last: it closes the conversation the rows above use.
            ("POST /v1/conversations/{id}/close", Row(method: .post, path: { "/v1/conversations/\($0)/close" },
                                                     body: { _, _ in #"{"wrapUpReason":"resolu"}"# }, expected: onConversation)),
        ]
    }

    /// Runs `body` against a server started with a `ServerConfig`.
    static func withServer<T: Sendable>(store: StoreKind = .sqlite, extraSpec: String = "",
                                        _ body: @Sendable (LiveServer, Credentials) async throws -> T) async throws -> T {
        let credentials = try Credentials.make(extraSpec: extraSpec)
        defer { credentials.remove() }
        return try await LiveServer.with(store: store, policies: examplePolicies,
                                         configure: { $0.configFile = credentials.configPath }) { live in
            try await body(live, credentials)
        }
    }

    @Test(arguments: StoreKind.available)
    func everyRouteAndEveryCallerAsTheTableSays(store: StoreKind) async throws {
        try await Self.withServer(store: store) { live, credentials in
            let tokens: [Column: String] = [
                .agent: try await credentials.agent("agent-a"),
                .otherAgent: try await credentials.agent("agent-b"),
                .admin: try await credentials.token("ops", roles: [.admin]),
                .integration: try await credentials.token("desktop-backend", roles: [.integration]),
            ]
            // The agent's own conversation, which the conversation rows act on.
            let created = try await live.send(.post, "/v1/outbound-conversations",
                                              smsCreate(agent: Self.tokenAgentBody, to: "+33612000001",
                                                        extra: #","message":{"body":"Bonjour"}"#),
                                              headers: Credentials.bearer(tokens[.agent]))
            #expect(created.status == 201, "\(created)")
            let id = try #require(created.string("conversation.id"))
            let messageId = try #require(created.string("message.id"))
            var n = 0
            for (name, row) in Self.rows(messageId: messageId) {
                for column in Column.allCases {
                    n += 1
                    let reply = try await live.send(row.method, row.path(id), row.body(column, n),
                                                    headers: Credentials.bearer(tokens[column]))
                    let expected = row.expected[column]!
                    #expect(Outcome.of(reply) == expected, "\(name) as \(column): \(reply)")
                    if expected == .unauthenticated {
                        #expect(reply.string("error.code") == "unauthenticated", "\(name) as \(column)")
                    }
                }
            }
        }
    }

    @Test func aMissingOrRefusedTokenIs401WithWWWAuthenticate() async throws {
        try await Self.withServer { live, credentials in
            let body = "{\"agent\":\(Self.tokenAgentBody)}"
            let none = try await live.rawSend(.post, "/v1/outbound-options", body, headers: [:])
            #expect(none.status == 401)
            #expect(none.headers[.wwwAuthenticate] == "Bearer")

            let expired = try await credentials.issuer.sign(agent: "agent-a", license: "premium", lifetimeSeconds: 60,
                                                            now: Date().addingTimeInterval(-3600))
            let stranger = try TokenIssuer(secret: Array(repeating: 0x41, count: 32), issuer: Credentials.issuerName,
                                           audience: Credentials.audience)
            let forged = try await stranger.sign(agent: "agent-a", license: "premium", lifetimeSeconds: 600)
            let otherAudience = try TokenIssuer(secret: Array(try Data(contentsOf: credentials.folder.appendingPathComponent("dev-hs256.key"))),
                                                issuer: Credentials.issuerName, audience: "someone-else")
            let misdirected = try await otherAudience.sign(agent: "agent-a", license: "premium", lifetimeSeconds: 600)
            for (what, header) in [("expired", "Bearer \(expired)"), ("signed by another key", "Bearer \(forged)"),
                                   ("for another audience", "Bearer \(misdirected)"), ("not a JWT", "Bearer abc.def.ghi"),
                                   ("not a bearer token", "Basic YWdlbnQ6c2VjcmV0")] {
                let reply = try await live.rawSend(.post, "/v1/outbound-options", body, headers: [.authorization: header])
                #expect(reply.status == 401, "\(what)")
                #expect(reply.headers[.wwwAuthenticate] == "Bearer error=\"invalid_token\"", "\(what)")
                #expect(reply.body.contains("\"unauthenticated\""), "\(what)")
                #expect(!reply.body.contains(header.dropFirst(7)), "the answer never echoes the token")
            }
            // A public route answers whatever the header holds.
            let health = try await live.rawSend(.get, "/healthz", nil, headers: [.authorization: "Bearer abc.def.ghi"])
            #expect(health.status == 200)
        }
    }

    @Test(arguments: StoreKind.available)
    func anAgentTokenStatesTheAgentsFacts(store: StoreKind) async throws {
        try await Self.withServer(store: store) { live, credentials in
            let premium = Credentials.bearer(try await credentials.agent("agent-a"))
            // The token's license, team and site decide: the body cannot lift them.
            for (field, agentJSON) in [("agent.license", #"{"state":"available","license":"premium"}"#),
                                       ("agent.team", #"{"state":"available","team":"recouvrement-fr"}"#),
                                       ("agent.site", #"{"state":"available","site":"lyon"}"#),
                                       ("agent.id", #"{"id":"agent-007","state":"available"}"#)] {
                let reply = try await live.send(.post, "/v1/outbound-options", "{\"agent\":\(agentJSON)}", headers: premium)
                #expect(reply.status == 403, "\(field): \(reply)")
                #expect(reply.string("error.code") == "identity-mismatch", "\(field)")
                #expect(reply.string("error.field") == field)
                let create = try await live.send(.post, "/v1/outbound-conversations", smsCreate(agent: agentJSON, to: "+33612000009"),
                                                 headers: premium)
                #expect(create.string("error.code") == "identity-mismatch", "\(field): \(create)")
            }
            #expect(try await live.inspector.count("conversations") == 0, "a refused create writes nothing")
            // Its own id may be written.
            let own = try await live.send(.post, "/v1/outbound-options", #"{"agent":{"id":"agent-a","state":"available"}}"#, headers: premium)
            #expect(own.status == 200, "\(own)")
            #expect(own.string("decision.profile") == "digital-default")

            // The profile follows the token's team; a standard license, or none, is not eligible.
            let collector = Credentials.bearer(try await credentials.agent("agent-c", team: "recouvrement-fr"))
            let options = try await live.send(.post, "/v1/outbound-options", "{\"agent\":\(Self.tokenAgentBody)}", headers: collector)
            #expect(options.string("decision.profile") == "recouvrement", "\(options)")
            for license in ["standard", nil] {
                let token = Credentials.bearer(try await credentials.agent("agent-d", license: license))
                let refused = try await live.send(.post, "/v1/outbound-conversations", smsCreate(agent: Self.tokenAgentBody, to: "+33612000010"),
                                                  headers: token)
                #expect(refused.status == 403, "\(license ?? "no license"): \(refused)")
                #expect(refused.reasonCodes.first == "LICENSE_NOT_ELIGIBLE", "\(license ?? "no license"): \(refused)")
            }

            // An integration acts on behalf of the agent the body names, with the body's facts.
            let integration = Credentials.bearer(try await credentials.token("desktop-backend", roles: [.integration]))
            let onBehalf = try await live.send(.post, "/v1/outbound-options", "{\"agent\":\(agent("agent-007"))}", headers: integration)
            #expect(onBehalf.string("decision.profile") == "conseillers-vip", "\(onBehalf)")
        }
    }

    @Test func everyDecisionLogLineNamesItsPrincipal() async throws {
        try await Self.withServer { live, credentials in
            let agentToken = Credentials.bearer(try await credentials.agent("agent-a"))
            let integration = Credentials.bearer(try await credentials.token("desktop-backend", roles: [.integration]))
            _ = try await live.send(.post, "/v1/outbound-options", "{\"agent\":\(Self.tokenAgentBody)}", headers: agentToken)
            _ = try await live.send(.post, "/v1/outbound-options", "{\"agent\":\(agent("agent-b"))}", headers: integration)
            let lines = try String(contentsOfFile: live.decisionLogPath, encoding: .utf8).split(separator: "\n")
            let principals = try lines.map { line in
                try #require((try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["principal"] as? [String: String])
            }
            #expect(principals == [["kind": "agent", "subject": "agent-a", "issuer": Credentials.issuerName],
                                   ["kind": "integration", "subject": "desktop-backend", "issuer": Credentials.issuerName]])
        }
    }

    @Test func noTokenReachesALogLine() async throws {
        let captured = CapturedLog()
        var logger = Logger(label: "sortie-test") { _ in captured }
        logger.logLevel = .trace
        let credentials = try Credentials.make()
        defer { credentials.remove() }
        let good = try await credentials.agent("agent-a")
        let expired = try await credentials.issuer.sign(agent: "agent-a", license: "premium", lifetimeSeconds: 60,
                                                        now: Date().addingTimeInterval(-3600))
        try await LiveServer.with(policies: examplePolicies, configure: { $0.configFile = credentials.configPath }, logger: logger) { live in
            for token in [good, expired, good + "x"] {
                _ = try await live.send(.post, "/v1/outbound-options", "{\"agent\":\(Self.tokenAgentBody)}", headers: Credentials.bearer(token))
            }
        }
        let text = captured.text
        #expect(text.contains("bearer token refused"), "the refusal is logged, with its reason")
        for token in [good, expired] {
            // No part of a token: its header, payload or signature.
            for part in token.split(separator: ".") { #expect(!text.contains(part), "a token part was logged") }
        }
    }

    @Test func anOpenServerLogsTheOpenPrincipal() async throws {
        try await LiveServer.with(policies: examplePolicies) { live in
            _ = try await live.post("/v1/outbound-options", "{\"agent\":\(agent("agent-a"))}")
            let line = try String(contentsOfFile: live.decisionLogPath, encoding: .utf8)
            #expect(line.contains(#""principal":{"issuer":null,"kind":"open","subject":null}"#), "\(line)")
        }
    }

    @Test(arguments: StoreKind.available)
    func signedWebhooksFileInboundMessagesOnce(store: StoreKind) async throws {
        try await Self.withServer(store: store) { live, credentials in
            let body = #"{"channel":"sms","from":"+33612345678","to":"+33186950000","body":"STOP"}"#
            let first = try await live.rawSend(.post, "/v1/inbound", body, headers: credentials.signed(body, id: "msg_1"))
            #expect(first.status == 201, "\(first)")
            // A repeat of the delivery is answered as the first time and files nothing more.
            let repeated = try await live.rawSend(.post, "/v1/inbound", body, headers: credentials.signed(body, id: "msg_1"))
            #expect(repeated.status == first.status)
            #expect(repeated.body == first.body)
            #expect(try await live.inspector.count("messages") == 1)

            var wrongSignature = credentials.signed(body, id: "msg_2")
            wrongSignature[HTTPField.Name("webhook-signature")!] = credentials.signed(body + " ", id: "msg_2")[HTTPField.Name("webhook-signature")!]
            let stale = credentials.signed(body, id: "msg_3", at: Date().addingTimeInterval(-301))
            var missing = credentials.signed(body, id: "msg_4")
            missing[HTTPField.Name("webhook-timestamp")!] = nil
            for (what, headers) in [("a wrong signature", wrongSignature), ("a stale timestamp", stale), ("a missing header", missing)] {
                let reply = try await live.rawSend(.post, "/v1/inbound", body, headers: headers)
                #expect(reply.status == 401, "\(what): \(reply.body)")
                #expect(reply.body.contains("\"unauthenticated\""), "\(what)")
            }
            #expect(try await live.inspector.count("messages") == 1, "no refused delivery filed anything")
            // A signature stands only for the gateway's route.
            let elsewhere = try await live.rawSend(.post, "/v1/outbound-options", "{}", headers: credentials.signed("{}", id: "msg_5"))
            #expect(elsewhere.status == 401)
        }
    }

    @Test(arguments: StoreKind.available)
    func oneAgentsLoadCannotChangeAnothersDecisions(store: StoreKind) async throws {
        try await Self.withServer(store: store) { live, credentials in
            let busy = Credentials.bearer(try await credentials.agent("agent-busy"))
            let calm = Credentials.bearer(try await credentials.agent("agent-calm"))
            // 64 creates of one agent at once: its limit of 2 SMS holds.
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for i in 0..<64 {
                    group.addTask {
                        try await live.send(.post, "/v1/outbound-conversations",
                                            smsCreate(agent: Self.tokenAgentBody, to: "+336130\(String(format: "%05d", i))"), headers: busy).status
                    }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == 201 }.count == 2)
            #expect(statuses.filter { $0 == 403 }.count == 62)
            // The other agent's slots are its own: no body can fill them for it.
            let other = try await live.send(.post, "/v1/outbound-conversations",
                                            smsCreate(agent: Self.tokenAgentBody, to: "+33614000001"), headers: calm)
            #expect(other.status == 201, "\(other)")
            let options = try await live.send(.post, "/v1/outbound-options", "{\"agent\":\(Self.tokenAgentBody)}", headers: calm)
            #expect(options.at("decision.channels.0.active") as? Int == 1, "\(options)")
        }
    }

    @Test(arguments: StoreKind.available)
    func sixtyFourAgentsToOneDestinationGiveOneConversation(store: StoreKind) async throws {
        try await Self.withServer(store: store) { live, credentials in
            var tokens: [String] = []
            for i in 0..<64 { tokens.append(try await credentials.agent("agent-\(i)")) }
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for token in tokens {
                    group.addTask {
                        try await live.send(.post, "/v1/outbound-conversations", smsCreate(agent: Self.tokenAgentBody, to: "+33615000000"),
                                            headers: Credentials.bearer(token)).status
                    }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == 201 }.count == 1)
            #expect(statuses.filter { $0 == 409 }.count == 63)
            #expect(try await live.inspector.count("conversations") == 1)
        }
    }

    @Test func aBrokenConfigurationOnReloadKeepsTheWorkingOne() async throws {
        try await Self.withServer { live, credentials in
            let admin = Credentials.bearer(try await credentials.token("ops", roles: [.admin]))
            let working = try String(contentsOfFile: credentials.configPath, encoding: .utf8)
            try Data(working.replacingOccurrences(of: "audiences:", with: "audience:").utf8).write(to: URL(fileURLWithPath: credentials.configPath))
            let rejected = try await live.send(.post, "/v1/admin/reload", "{}", headers: admin)
            #expect(rejected.status == 422, "\(rejected)")
            #expect(rejected.body.contains("unknown-field"), "\(rejected)")
            // The old configuration still verifies tokens.
            let options = try await live.send(.post, "/v1/outbound-options", "{\"agent\":\(Self.tokenAgentBody)}",
                                              headers: Credentials.bearer(try await credentials.agent("agent-a")))
            #expect(options.status == 200, "\(options)")

            // A working new configuration replaces the old one: another key signs from now on.
            let newKey = Array(repeating: UInt8(ascii: "k"), count: 40)
            try Data(newKey).write(to: credentials.folder.appendingPathComponent("next.key"))
            try Data(working.replacingOccurrences(of: "dev-hs256.key", with: "next.key").utf8).write(to: URL(fileURLWithPath: credentials.configPath))
            let reloaded = try await live.send(.post, "/v1/admin/reload", "{}", headers: admin)
            #expect(reloaded.status == 200, "\(reloaded)")
            let next = try TokenIssuer(secret: newKey, issuer: Credentials.issuerName, audience: Credentials.audience)
            let nextToken = Credentials.bearer(try await next.sign(agent: "agent-a", license: "premium", lifetimeSeconds: 600))
            #expect(try await live.send(.post, "/v1/outbound-options", "{\"agent\":\(Self.tokenAgentBody)}", headers: nextToken).status == 200)
            #expect(try await live.send(.post, "/v1/outbound-options", "{\"agent\":\(Self.tokenAgentBody)}", headers: admin).status == 401,
                    "a token of the old key no longer verifies")
        }
    }

    @Test func anES256IssuerWithAJWKSFile() async throws {
        let key = ES256PrivateKey()
        let (x, y) = try #require(key.publicKey.parameters)
        let jwks = #"{"keys":[{"kty":"EC","crv":"P-256","kid":"e1","use":"sig","x":"\#(x)","y":"\#(y)"}]}"#
        let credentials = try Credentials.make(issuers: """
                - issuer: https://idp.example
                  audiences: [sortie]
                  algorithms: [ES256]
                  jwksFile: idp-jwks.json
            """)
        defer { credentials.remove() }
        try Data(jwks.utf8).write(to: credentials.folder.appendingPathComponent("idp-jwks.json"))
        struct Claims: JWTPayload {
            var iss: IssuerClaim
            var aud: AudienceClaim
            var sub: SubjectClaim
            var exp: ExpirationClaim
            var license: String
            func verify(using algorithm: some JWTAlgorithm) throws {}
        }
        let keys = JWTKeyCollection()
        await keys.add(ecdsa: key, kid: "e1")
        let token = try await keys.sign(Claims(iss: "https://idp.example", aud: "sortie", sub: "agent-a",
                                               exp: .init(value: Date().addingTimeInterval(300)), license: "premium"),
                                        kid: "e1")
        let otherKeys = JWTKeyCollection()
        await otherKeys.add(ecdsa: ES256PrivateKey(), kid: "e1")
        let forged = try await otherKeys.sign(Claims(iss: "https://idp.example", aud: "sortie", sub: "agent-a",
                                                     exp: .init(value: Date().addingTimeInterval(300)), license: "premium"),
                                              kid: "e1")
        try await LiveServer.with(policies: examplePolicies, configure: { $0.configFile = credentials.configPath }) { live in
            let body = "{\"agent\":\(Self.tokenAgentBody)}"
            let accepted = try await live.send(.post, "/v1/outbound-options", body, headers: Credentials.bearer(token))
            #expect(accepted.status == 200, "\(accepted)")
            let refused = try await live.send(.post, "/v1/outbound-options", body, headers: Credentials.bearer(forged))
            #expect(refused.status == 401, "\(refused)")
        }
    }

    @Test func startingNeedsAUsableConfigurationAndALoopbackAddressWhenOpen() async throws {
        let policies = examplePolicies
        let folder = try TemporaryFolder.make()
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = "sqlite:" + folder.appendingPathComponent("s.db").path
        for host in ["0.0.0.0", "192.168.1.10", "::"] {
            await #expect(throws: ServerError.self, "open on \(host)") {
                _ = try await SortieServer.make(ServerConfiguration(policies: policies, store: store, host: host, port: 0, decisionLog: nil))
            }
        }
        for host in ["127.0.0.1", "127.8.9.10", "::1", "localhost"] {
            #expect(SortieServer.isLoopback(host), "\(host)")
        }
        let credentials = try Credentials.make()
        defer { credentials.remove() }
        // With an issuer, any address.
        _ = try await SortieServer.make(ServerConfiguration(policies: policies, store: store, host: "0.0.0.0", port: 0, decisionLog: nil,
                                                            configFile: credentials.configPath))
        try Data("apiVersion: sortie/v1\nkind: ServerConfig\nmetadata: { name: x }\nspec: { issuers: 3 }\n".utf8)
            .write(to: URL(fileURLWithPath: credentials.configPath))
        await #expect(throws: ServerAccess.Problems.self) {
            _ = try await SortieServer.make(ServerConfiguration(policies: policies, store: store, port: 0, decisionLog: nil,
                                                                configFile: credentials.configPath))
        }
    }
}

extension LiveServer {
    /// A response with its headers.
    struct RawReply: Sendable {
        let status: Int
        let headers: HTTPFields
        let body: String
    }

    func rawSend(_ method: HTTPRequest.Method, _ path: String, _ body: String?, headers: HTTPFields) async throws -> RawReply {
        try await TestClient.withClient(host: "127.0.0.1", port: port, configuration: .init(timeout: .seconds(90))) { client in
            let response = try await client.execute(.init(path, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) }))
            return RawReply(status: Int(response.status.code), headers: response.headers, body: response.body.map { String(buffer: $0) } ?? "")
        }
    }
}

/// Every log line a server writes, with its metadata, as text.
final class CapturedLog: LogHandler, @unchecked Sendable {
    private let lines = Mutex<[String]>([])
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        lines.withLock { $0.append("\(event.level) \(event.message) \(event.metadata ?? [:]) \(metadata)") }
    }

    var text: String { lines.withLock { $0.joined(separator: "\n") } }
}

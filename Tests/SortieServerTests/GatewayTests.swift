import Foundation
import HTTPTypes
import Sortie
import SortieAccess
@testable import SortieGateway
import SortieServer
import SortieStore
import Synchronization
import Testing

/// A server with a channel gateway (SPEC §6): its configuration, an integration token for the
/// calls, and helpers that create conversations and read their messages.
struct GatewayServer: Sendable {
    let live: LiveServer
    let credentials: Credentials
    let token: String

    var headers: HTTPFields { Credentials.bearer(token) }

    /// A server whose configuration pushes to `gatewayURL`, run with `body`.
    static func with<T: Sendable>(store: StoreKind = .sqlite, gatewayURL: String, gateway: String = "",
                                  configure: @escaping @Sendable (inout ServerConfiguration) -> Void = { _ in },
                                  _ body: @Sendable (GatewayServer) async throws -> T) async throws -> T {
        // The receiver's verifier is made from these credentials' secret: make them first.
        let credentials = try Credentials.make(extraSpec: """
              gateway:
                url: \(gatewayURL)
            \(gateway.isEmpty ? "    timeoutSeconds: 10\n    maxBackoffSeconds: 1" : gateway)
            """)
        defer { credentials.remove() }
        let token = try await credentials.token("gateway-tests", roles: [.integration])
        return try await LiveServer.with(store: store, policies: examplePolicies, configure: {
            $0.configFile = credentials.configPath
            $0.outboxPollInterval = .milliseconds(200)
            configure(&$0)
        }) { live in
            try await body(GatewayServer(live: live, credentials: credentials, token: token))
        }
    }

    /// Creates an SMS conversation to `to` with a first message; returns the conversation and message ids.
    func create(agent id: String, to: String, message: String = "Bonjour") async throws -> (conversation: String, message: String) {
        let reply = try await live.send(.post, "/v1/outbound-conversations",
                                        smsCreate(agent: agent(id), to: to, extra: ",\"message\":{\"body\":\"\(message)\"}"), headers: headers)
        try #require(reply.status == 201, "\(reply)")
        return (try #require(reply.string("conversation.id")), try #require(reply.string("message.id")))
    }

    /// Sends another message in a conversation; returns its id.
    func send(_ conversation: String, _ text: String) async throws -> String {
        let reply = try await live.send(.post, "/v1/conversations/\(conversation)/messages", "{\"body\":\"\(text)\"}", headers: headers)
        try #require(reply.status == 201, "\(reply)")
        return try #require(reply.string("message.id"))
    }

    /// The conversation's messages, as `GET /v1/conversations/{id}` shows them.
    func messages(_ conversation: String) async throws -> [[String: Any]] {
        let reply = try await live.send(.get, "/v1/conversations/\(conversation)", headers: headers)
        try #require(reply.status == 200, "\(reply)")
        return reply.at("messages") as? [[String: Any]] ?? []
    }

    /// Polls until the message has `status`, or `timeout` passes; returns it as last seen.
    func message(_ id: String, in conversation: String, becomes status: String,
                 within timeout: Duration = .seconds(30)) async throws -> [String: Any] {
        let deadline = ContinuousClock.now + timeout
        var last: [String: Any] = [:]
        while ContinuousClock.now < deadline {
            last = try await messages(conversation).first { $0["id"] as? String == id } ?? [:]
            if last["status"] as? String == status { return last }
            try await Task.sleep(for: .milliseconds(50))
        }
        return last
    }

    func receipt(_ id: String, _ body: String, headers: HTTPFields? = nil) async throws -> Reply {
        try await live.send(.post, "/v1/messages/\(id)/status", body, headers: headers ?? self.headers)
    }
}

@Suite struct GatewayTests {
    static var stores: [StoreKind] { StoreKind.available }

    /// The receiver starts first (on a port the system picks), the server is configured with its
    /// address, and the receiver then learns the server's secret.
    static func withGateway<T: Sendable>(store: StoreKind = .sqlite, gateway: String = "",
                                         _ body: @Sendable (GatewayServer, GatewayReceiver) async throws -> T) async throws -> T {
        try await GatewayReceiver.with { receiver in
            try await GatewayServer.with(store: store, gatewayURL: receiver.url, gateway: gateway) { server in
                receiver.verify(with: server.credentials.webhooks)
                return try await body(server, receiver)
            }
        }
    }

    @Test(arguments: stores)
    func aQueuedMessageIsPushedSignedAndMarkedSent(store: StoreKind) async throws {
        try await Self.withGateway(store: store) { server, receiver in
            let (conversation, message) = try await server.create(agent: "gw-a1", to: "+33 6 12 00 00 01", message: "Votre dossier")
            #expect(await receiver.waitFor { $0.count == 1 })
            let push = try #require(receiver.pushes.first)
            #expect(push.id == message)
            #expect(push.signatureValid)
            #expect(abs((Double(push.timestamp) ?? 0) - Date().timeIntervalSince1970) < 60)
            #expect(push.json["type"] as? String == "message.outbound")
            let body = push.message
            #expect(body["id"] as? String == message)
            #expect(body["conversationId"] as? String == conversation)
            #expect(body["channel"] as? String == "sms")
            #expect(body["from"] as? String == "+33186950000")
            #expect(body["to"] as? String == "+33612000001")
            #expect(body["body"] as? String == "Votre dossier")
            #expect(body.keys.contains("subject") && body["subject"] is NSNull)
            #expect(body.keys.contains("inReplyTo") && body["inReplyTo"] is NSNull)

            let sent = try await server.message(message, in: conversation, becomes: "sent")
            #expect(sent["status"] as? String == "sent", "\(sent)")
            #expect(sent["providerMessageId"] as? String == "gw-\(message)")
            #expect(sent["attempts"] as? Int == 1)
            let attempts = sent["deliveryAttempts"] as? [[String: Any]] ?? []
            #expect(attempts.count == 1 && attempts.first?["httpStatus"] as? Int == 200, "\(attempts)")

            let health = try await server.live.get("/healthz")
            #expect(health.status == 200 && health.string("gateway") == "ok", "\(health)")
        }
    }

    @Test func anEmailCarriesItsSubjectAndTheEntryPointsAddress() async throws {
        try await Self.withGateway { server, receiver in
            let reply = try await server.live.send(.post, "/v1/outbound-conversations",
                                                   emailCreate(agent: agent("gw-mail"), to: "Client@Example.FR", subject: "Votre contrat",
                                                               extra: ",\"message\":{\"body\":\"Bonjour\"}"), headers: server.headers)
            try #require(reply.status == 201, "\(reply)")
            #expect(await receiver.waitFor { $0.count == 1 })
            let body = try #require(receiver.pushes.first).message
            #expect(body["channel"] as? String == "email")
            #expect(body["from"] as? String == "service-client@acme-assurances.fr")
            #expect(body["to"] as? String == "client@example.fr")
            #expect(body["subject"] as? String == "Votre contrat")
        }
    }

    @Test func aRefusalFailsTheMessageWithTheGatewaysText() async throws {
        try await Self.withGateway { server, receiver in
            receiver.answer { _, _ in .init(status: 400, body: "{\"error\":\"number not reachable\"}") }
            let (conversation, message) = try await server.create(agent: "gw-a2", to: "+33612000002")
            let failed = try await server.message(message, in: conversation, becomes: "failed")
            #expect(failed["status"] as? String == "failed", "\(failed)")
            #expect((failed["lastError"] as? String)?.contains("HTTP 400") == true, "\(failed)")
            #expect((failed["lastError"] as? String)?.contains("number not reachable") == true, "\(failed)")
            #expect(failed["attempts"] as? Int == 1)
            // Failed for good: never pushed again.
            try await Task.sleep(for: .milliseconds(1500))
            #expect(receiver.pushes.count == 1)
        }
    }

    @Test(arguments: [500, 503, 408, 429])
    func aRetryableAnswerIsPushedAgainUntilItIsTaken(status: Int) async throws {
        try await Self.withGateway { server, receiver in
            receiver.answer { push, earlier in earlier < 2 ? .init(status: status, body: "busy") : .ok("gw-\(push.id)") }
            let (conversation, message) = try await server.create(agent: "gw-r\(status)", to: "+336120\(status)00")
            let sent = try await server.message(message, in: conversation, becomes: "sent")
            #expect(sent["status"] as? String == "sent", "\(sent)")
            #expect(sent["attempts"] as? Int == 3)
            let statuses = (sent["deliveryAttempts"] as? [[String: Any]] ?? []).map { $0["httpStatus"] as? Int }
            #expect(statuses == [status, status, 200])
            let errors = (sent["deliveryAttempts"] as? [[String: Any]] ?? []).map { $0["error"] as? String }
            #expect(errors == ["HTTP \(status): busy", "HTTP \(status): busy", nil])
            #expect(receiver.pushes.allSatisfy { $0.id == message && $0.signatureValid })
        }
    }

    @Test func aPushWithoutAnswerInTimeIsRetried() async throws {
        try await Self.withGateway(gateway: "    timeoutSeconds: 1\n    maxBackoffSeconds: 1") { server, receiver in
            receiver.answer { push, earlier in earlier == 0 ? .init(delay: .seconds(3)) : .ok("gw-\(push.id)") }
            let (conversation, message) = try await server.create(agent: "gw-t1", to: "+33612000003")
            let sent = try await server.message(message, in: conversation, becomes: "sent")
            #expect(sent["status"] as? String == "sent", "\(sent)")
            let first = (sent["deliveryAttempts"] as? [[String: Any]])?.first
            #expect(first?["httpStatus"] is NSNull || first?["httpStatus"] == nil, "\(String(describing: first))")
            #expect((first?["error"] as? String)?.contains("no answer within 1 s") == true, "\(String(describing: first))")
        }
    }

    @Test func retryAfterIsWaitedFor() async throws {
        try await Self.withGateway(gateway: "    timeoutSeconds: 10\n    maxBackoffSeconds: 10") { server, receiver in
            receiver.answer { push, earlier in earlier == 0 ? .init(status: 429, headers: ["Retry-After": "2"]) : .ok("gw-\(push.id)") }
            let (conversation, message) = try await server.create(agent: "gw-ra", to: "+33612000004")
            _ = try await server.message(message, in: conversation, becomes: "sent")
            let pushes = receiver.pushes
            try #require(pushes.count == 2)
            #expect(pushes[1].at.timeIntervalSince(pushes[0].at) >= 1.9, "pushed again after \(pushes[1].at.timeIntervalSince(pushes[0].at)) s")
        }
    }

    @Test func afterMaxAttemptsTheMessageIsFailed() async throws {
        try await Self.withGateway(gateway: "    timeoutSeconds: 10\n    maxAttempts: 3\n    maxBackoffSeconds: 1") { server, receiver in
            receiver.answer { _, _ in .init(status: 502, body: "bad gateway") }
            let (conversation, message) = try await server.create(agent: "gw-max", to: "+33612000005")
            let failed = try await server.message(message, in: conversation, becomes: "failed")
            #expect(failed["status"] as? String == "failed", "\(failed)")
            #expect(failed["attempts"] as? Int == 3)
            #expect((failed["lastError"] as? String)?.hasPrefix("no success after 3 attempts") == true, "\(failed)")
            try await Task.sleep(for: .milliseconds(1500))
            #expect(receiver.pushes.count == 3)
            let health = try await server.live.get("/healthz")
            #expect(health.status == 200, "a gateway outage never fails readiness: \(health)")
            // /healthz is public: the status only, never the gateway's text ("bad gateway").
            #expect(health.string("gateway") == "failing" && health.string("gatewayError") == "HTTP 502", "\(health)")
        }
    }

    @Test func aConversationsMessagesGoOutInOrderWhileTheFirstKeepsFailing() async throws {
        try await Self.withGateway { server, receiver in
            // The conversation's first message fails three times before the gateway takes it.
            receiver.answer { push, earlier in
                push.message["body"] as? String == "un" && earlier < 3 ? .init(status: 503) : .ok("gw-\(push.id)")
            }
            let (conversation, one) = try await server.create(agent: "gw-order", to: "+33612000006", message: "un")
            let two = try await server.send(conversation, "deux")
            let three = try await server.send(conversation, "trois")
            _ = try await server.message(three, in: conversation, becomes: "sent")
            // Nothing of the conversation went out while its first message was pending.
            #expect(receiver.pushes.map(\.id) == [one, one, one, one, two, three])
        }
    }

    @Test(arguments: stores)
    func receiptsOnlyMoveAStatusForward(store: StoreKind) async throws {
        try await Self.withGateway(store: store) { server, receiver in
            let (conversation, message) = try await server.create(agent: "gw-rc", to: "+33612000007")
            _ = try await server.message(message, in: conversation, becomes: "sent")

            let delivered = try await server.receipt(message, "{\"status\":\"delivered\",\"providerMessageId\":\"carrier-9\"}")
            #expect(delivered.status == 200, "\(delivered)")
            #expect(delivered.string("message.status") == "delivered")
            // The gateway's answer named it first: the first id is kept.
            #expect(delivered.string("message.providerMessageId") == "gw-\(message)")
            // Backwards or sideways: 200, nothing changes.
            let late = try await server.receipt(message, "{\"status\":\"failed\",\"error\":\"late\"}")
            #expect(late.status == 200 && late.string("message.status") == "delivered", "\(late)")
            let repeatReceipt = try await server.receipt(message, "{\"status\":\"delivered\"}")
            #expect(repeatReceipt.status == 200 && repeatReceipt.string("message.status") == "delivered")
            let seen = try await server.messages(conversation).first { $0["id"] as? String == message }
            #expect(seen?["status"] as? String == "delivered" && seen?["lastError"] == nil, "\(String(describing: seen))")

            // A signed webhook stands for the gateway.
            let (otherConversation, other) = try await server.create(agent: "gw-rc2", to: "+33612000008")
            _ = try await server.message(other, in: otherConversation, becomes: "sent")
            let body = "{\"status\":\"failed\",\"error\":\"handset off\"}"
            let signed = try await server.receipt(other, body, headers: server.credentials.signed(body, id: "rcpt-1"))
            #expect(signed.status == 200 && signed.string("message.status") == "failed" && signed.string("message.lastError") == "handset off",
                    "\(signed)")
            let replay = try await server.receipt(other, "{\"status\":\"delivered\"}",
                                                  headers: server.credentials.signed("{\"status\":\"delivered\"}", id: "rcpt-2"))
            #expect(replay.status == 200 && replay.string("message.status") == "failed", "failed is final: \(replay)")
        }
    }

    @Test func aBadReceiptIsRefusedNamingTheField() async throws {
        try await Self.withGateway { server, _ in
            let (conversation, message) = try await server.create(agent: "gw-bad", to: "+33612000009")
            let unknown = try await server.receipt("msg-nope", "{\"status\":\"delivered\"}")
            #expect(unknown.status == 404 && unknown.string("error.code") == "not-found", "\(unknown)")
            let badStatus = try await server.receipt(message, "{\"status\":\"sent\"}")
            #expect(badStatus.status == 400 && badStatus.string("error.field") == "status", "\(badStatus)")
            let missing = try await server.receipt(message, "{}")
            #expect(missing.status == 400 && missing.string("error.field") == "status", "\(missing)")
            let extra = try await server.receipt(message, "{\"status\":\"delivered\",\"color\":\"red\"}")
            #expect(extra.status == 400 && extra.string("error.field") == "color", "\(extra)")
            let long = try await server.receipt(message, "{\"status\":\"failed\",\"error\":\"\(String(repeating: "x", count: 1001))\"}")
            #expect(long.status == 400 && long.string("error.field") == "error", "\(long)")
            // An inbound message takes no receipt.
            let inbound = try await server.live.send(.post, "/v1/inbound",
                                                     "{\"channel\":\"sms\",\"from\":\"+33612000009\",\"to\":\"+33186950000\",\"body\":\"ok\"}",
                                                     headers: server.headers)
            let inboundId = try #require(inbound.string("message.id"), "\(inbound)")
            let onInbound = try await server.receipt(inboundId, "{\"status\":\"delivered\"}")
            #expect(onInbound.status == 404, "\(onInbound)")
            // The refused receipts changed nothing.
            let seen = try await server.messages(conversation).first { $0["id"] as? String == message }
            #expect(seen?["status"] as? String != "failed", "\(String(describing: seen))")
        }
    }

    @Test func aLargeAnswerIsReadInPartAndStillCounts() async throws {
        try await Self.withGateway { server, receiver in
            let big = "{\"providerMessageId\":\"gw-big\",\"padding\":\"" + String(repeating: "x", count: 200_000) + "\"}"
            receiver.answer { _, _ in .init(body: big) }
            let (conversation, message) = try await server.create(agent: "gw-big", to: "+33612000013")
            let sent = try await server.message(message, in: conversation, becomes: "sent")
            #expect(sent["status"] as? String == "sent" && sent["attempts"] as? Int == 1, "\(sent)")
            #expect(receiver.pushes.count == 1)
        }
    }

    @Test func aReceiptThatCameBeforeThePushsAnswerIsKept() async throws {
        try await Self.withGateway { server, receiver in
            // The gateway posts its receipt, then answers the push.
            receiver.answer { push, _ in .init(body: "{\"providerMessageId\":\"gw-\(push.id)\"}", delay: .seconds(2)) }
            let (conversation, message) = try await server.create(agent: "gw-early", to: "+33612000014")
            #expect(await receiver.waitFor { $0.count == 1 })
            let early = try await server.receipt(message, "{\"status\":\"failed\",\"error\":\"handset off\"}")
            #expect(early.status == 200 && early.string("message.status") == "failed", "\(early)")
            // The push's 200 is recorded (an attempt) but does not undo the receipt.
            var seen: [String: Any] = [:]
            for _ in 0..<200 where seen["attempts"] as? Int != 1 {
                seen = try await server.messages(conversation).first { $0["id"] as? String == message } ?? [:]
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(seen["status"] as? String == "failed" && seen["lastError"] as? String == "handset off" && seen["attempts"] as? Int == 1,
                    "\(seen)")
            #expect(seen["providerMessageId"] as? String == "gw-\(message)")
        }
    }

    @Test func aGatewayURLWithCredentialsIsAConfigurationError() async throws {
        let folder = try TemporaryFolder.make()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("server.yaml").path
        try Data("whsec_\(Data(repeating: 7, count: 32).base64EncodedString())".utf8).write(to: folder.appendingPathComponent("gateway.secret"))
        try Data("""
            apiVersion: sortie/v1
            kind: ServerConfig
            metadata: { name: url-credentials }
            spec:
              webhooks:
                secretFile: gateway.secret
              gateway:
                url: https://user:hunter2@gateway.example/sortie
            """.utf8).write(to: URL(fileURLWithPath: path))
        guard case .failure(let problems) = ServerAccess.load(path: path) else { Issue.record("loaded"); return }
        let problem = try #require(problems.diagnostics.first)
        #expect(problem.message.contains("credentials in the URL are not sent"), "\(problem.message)")
        #expect(problem.message.contains("line 8"), "\(problem.message)")
        // Neither the message nor the rendered report repeats the credential.
        #expect(!problems.description.contains("hunter2"), "\(problems.description)")
    }

    @Test func theGatewayDownForAWhileGetsEveryMessageOnceItIsBack() async throws {
        let port = try unusedLoopbackPort()
        try await GatewayServer.with(gatewayURL: "http://127.0.0.1:\(port)/sortie") { server in
            var expected: [String: [String]] = [:]
            for n in 0..<4 {
                let (conversation, message) = try await server.create(agent: "gw-down\(n)", to: "+3361200010\(n)")
                expected[conversation] = [message, try await server.send(conversation, "suite \(n)")]
            }
            let expectedOrder = expected
            // Nobody listens: every push is a connection error, retried.
            var health = try await server.live.get("/healthz")
            for _ in 0..<100 where health.string("gateway") != "failing" {
                try await Task.sleep(for: .milliseconds(100))
                health = try await server.live.get("/healthz")
            }
            #expect(health.status == 200 && health.string("gateway") == "failing", "\(health)")
            // Refused, or (on a loaded machine) not connected within the timeout.
            #expect(["cannot reach the gateway", "no answer in time"].contains(health.string("gatewayError") ?? ""), "\(health)")

            try await GatewayReceiver.with(verifier: server.credentials.webhooks, port: port) { receiver in
                #expect(await receiver.waitFor(.seconds(60)) { pushes in Set(pushes.map(\.id)).count == 8 }, "\(receiver.pushes.map(\.id))")
                for (conversation, messages) in expectedOrder {
                    // At least once (a push that timed out on a loaded machine goes again), and in
                    // order: every push of a message comes before the first of the next.
                    let order = receiver.pushes.filter { $0.conversationId == conversation }.map(\.id)
                    let positions = order.compactMap { messages.firstIndex(of: $0) }
                    #expect(positions.count == order.count && positions == positions.sorted() && Set(positions) == Set(messages.indices),
                            "\(order)")
                    for message in messages {
                        let seen = try await server.message(message, in: conversation, becomes: "sent")
                        #expect(seen["status"] as? String == "sent", "\(seen)")
                    }
                }
            }
        }
    }

    @Test func withoutAGatewayMessagesStayQueuedAndHealthSaysSo() async throws {
        try await LiveServer.with(policies: examplePolicies) { live in
            let reply = try await live.post("/v1/outbound-conversations",
                                            smsCreate(agent: agent("gw-none"), to: "+33612000011", extra: ",\"message\":{\"body\":\"x\"}"))
            try #require(reply.status == 201, "\(reply)")
            let health = try await live.get("/healthz")
            #expect(health.status == 200 && health.string("gateway") == "none", "\(health)")
            var metrics = try await live.get("/metrics")
            for _ in 0..<100 where !metrics.body.contains("sortie_outbox_depth 1") {
                try await Task.sleep(for: .milliseconds(100))
                metrics = try await live.get("/metrics")
            }
            #expect(metrics.body.contains("sortie_outbox_depth 1"), "\(metrics.body)")
            let view = try await live.get("/v1/conversations/\(try #require(reply.string("conversation.id")))")
            #expect(view.string("messages.0.status") == "queued" && view.at("messages.0.attempts") as? Int == 0, "\(view)")
        }
    }

    @Test func metricsCountDeliveriesAttemptsAndLatency() async throws {
        try await Self.withGateway { server, receiver in
            receiver.answer { push, earlier in earlier == 0 ? .init(status: 503) : .ok("gw-\(push.id)") }
            let (conversation, message) = try await server.create(agent: "gw-metrics", to: "+33612000012")
            _ = try await server.message(message, in: conversation, becomes: "sent")
            let metrics = try await server.live.send(.get, "/metrics", headers: server.headers)
            #expect(metrics.body.contains("sortie_gateway_deliveries_total{outcome=\"sent\"} 1"), "\(metrics.body)")
            #expect(metrics.body.contains("sortie_gateway_deliveries_total{outcome=\"retried\"} 1"))
            #expect(metrics.body.contains("sortie_gateway_attempts_total 2"))
            #expect(metrics.body.contains("sortie_gateway_latency_seconds_count 2"))
            #expect(metrics.body.contains("sortie_outbox_depth"))
            #expect(metrics.body.contains("sortie_outbox_oldest_queued_seconds"))
        }
    }

    @Test func aGatewayWithoutAWebhookSecretIsAConfigurationError() async throws {
        let folder = try TemporaryFolder.make()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("server.yaml").path
        try Data("""
            apiVersion: sortie/v1
            kind: ServerConfig
            metadata: { name: no-secret }
            spec:
              gateway:
                url: http://127.0.0.1:9/sortie
            """.utf8).write(to: URL(fileURLWithPath: path))
        guard case .failure(let problems) = ServerAccess.load(path: path) else { Issue.record("loaded"); return }
        let problem = try #require(problems.diagnostics.first)
        #expect(problem.message.contains("spec.webhooks.secretFile"), "\(problem.message)")
        #expect(problem.start?.line == 6, "at the gateway's url")
    }
}

/// The pure parts: what an answer means, and when a push is tried again.
@Suite struct DeliveryRulesTests {
    /// The push body, byte for byte as `JSONEncoder` (sorted keys, slashes as they are) writes
    /// the same object: the reference, kept here only.
    @Test(arguments: [(String?.none, String?.none, "Bonjour"), ("Réunion \"à 10 h\"", "msg-0", "ligne 1\nligne 2\t/ \\ \u{1}é")])
    func thePushBodyIsTheContractsJSON(subject: String?, inReplyTo: String?, text: String) throws {
        struct Reference: Encodable {
            struct Message: Encodable {
                let id, conversationId, channel, from, to: String
                let subject, inReplyTo: String?
                let body: String
                func encode(to encoder: any Encoder) throws {
                    var c = encoder.container(keyedBy: CodingKeys.self)
                    try c.encode(id, forKey: .id); try c.encode(conversationId, forKey: .conversationId)
                    try c.encode(channel, forKey: .channel); try c.encode(from, forKey: .from); try c.encode(to, forKey: .to)
                    try c.encode(subject, forKey: .subject); try c.encode(inReplyTo, forKey: .inReplyTo); try c.encode(body, forKey: .body)
                }
                enum CodingKeys: String, CodingKey { case id, conversationId, channel, from, to, subject, inReplyTo, body }
            }
            let type = "message.outbound"
            let message: Message
        }
        let delivery = OutboundDelivery(messageId: "msg-1", conversationId: "conv-1", channel: .email, entryPoint: "support-email",
                                        destination: "client@exemple.fr", subject: subject, inReplyTo: inReplyTo, body: text,
                                        attempts: 0, claim: "c")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let reference = try encoder.encode(Reference(message: .init(id: "msg-1", conversationId: "conv-1", channel: "email",
                                                                    from: "support@exemple.fr", to: "client@exemple.fr",
                                                                    subject: subject, inReplyTo: inReplyTo, body: text)))
        let body = GatewayPush.body(delivery, from: "support@exemple.fr")
        #expect(String(decoding: body, as: UTF8.self) == String(decoding: reference, as: UTF8.self))
    }

    @Test func answersAreClassifiedAsTheContractSays() {
        #expect(PushAnswer.of(status: 200, body: Array("{\"providerMessageId\":\"p1\"}".utf8), retryAfter: nil)
                == .accepted(status: 200, providerMessageId: "p1"))
        #expect(PushAnswer.of(status: 202, body: Array("not json".utf8), retryAfter: nil) == .accepted(status: 202, providerMessageId: nil))
        #expect(PushAnswer.of(status: 204, body: [], retryAfter: nil) == .accepted(status: 204, providerMessageId: nil))
        #expect(PushAnswer.of(status: 400, body: Array(" bad number\n".utf8), retryAfter: nil) == .rejected(status: 400, text: "HTTP 400: bad number"))
        #expect(PushAnswer.of(status: 404, body: [], retryAfter: nil) == .rejected(status: 404, text: "HTTP 404"))
        for status in [408, 429, 500, 502, 503, 504, 302] {
            guard case .retryable(let got, _, _) = PushAnswer.of(status: status, body: [], retryAfter: .seconds(3)) else {
                Issue.record("\(status) is not retried"); continue
            }
            #expect(got == status)
        }
        // What the gateway wrote is stored: control characters (NUL, which PostgreSQL refuses) are not.
        #expect(PushAnswer.of(status: 400, body: Array("bad\u{0}num\u{7}ber".utf8), retryAfter: nil)
                == .rejected(status: 400, text: "HTTP 400: bad num ber"))
        #expect(PushAnswer.of(status: 200, body: Array("{\"providerMessageId\":\"a\\u0000b\"}".utf8), retryAfter: nil)
                == .accepted(status: 200, providerMessageId: nil))
        #expect(PushAnswer.retryable(status: 503, error: "HTTP 503: the body", retryAfter: nil).summary == "HTTP 503")
        #expect(PushAnswer.retryable(status: nil, error: "cannot reach the gateway: connection refused (errno 111)", retryAfter: nil).summary
                == "cannot reach the gateway")
        let long = PushAnswer.of(status: 422, body: Array(repeating: UInt8(ascii: "x"), count: 5_000), retryAfter: nil)
        guard case .rejected(_, let text) = long else { Issue.record("\(long)"); return }
        #expect(text.count == "HTTP 422: ".count + PushAnswer.textLimit)
    }

    @Test func backoffIsExponentialWithFullJitterAndCapped() {
        let backoff = Backoff(base: .seconds(1), maxBackoff: .seconds(600))
        #expect(backoff.bound(afterFailures: 1) == .seconds(1))
        #expect(backoff.bound(afterFailures: 2) == .seconds(2))
        #expect(backoff.bound(afterFailures: 5) == .seconds(16))
        #expect(backoff.bound(afterFailures: 11) == .seconds(600))
        #expect(backoff.bound(afterFailures: 99) == .seconds(600))
        #expect(backoff.delay(afterFailures: 4, retryAfter: nil, unit: { 0 }) == .zero)
        #expect(backoff.delay(afterFailures: 4, retryAfter: nil, unit: { 0.5 }) == .seconds(4))
        #expect(backoff.delay(afterFailures: 4, retryAfter: nil, unit: { 0.999_999 }) <= .seconds(8))
        // Retry-After is a floor, the cap a ceiling.
        #expect(backoff.delay(afterFailures: 1, retryAfter: .seconds(30), unit: { 0.5 }) == .seconds(30))
        #expect(backoff.delay(afterFailures: 1, retryAfter: .seconds(3_600), unit: { 0.5 }) == .seconds(600))
        // Random units stay within the bound.
        for failures in 1...12 {
            for _ in 0..<50 {
                let wait = backoff.delay(afterFailures: failures, retryAfter: nil, unit: { Double.random(in: 0..<1) })
                #expect(wait >= .zero && wait <= backoff.bound(afterFailures: failures))
            }
        }
    }

    @Test func retryAfterReadsSecondsAndHTTPDates() {
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        #expect(Backoff.retryAfter("120", now: now) == .seconds(120))
        #expect(Backoff.retryAfter(" 5 ", now: now) == .seconds(5))
        #expect(Backoff.retryAfter("Tue, 14 Nov 2023 22:13:40 GMT", now: now) == .seconds(20))
        #expect(Backoff.retryAfter("Tue, 14 Nov 2023 22:00:00 GMT", now: now) == .zero)
        #expect(Backoff.retryAfter("-3", now: now) == nil)
        #expect(Backoff.retryAfter("soon", now: now) == nil)
        #expect(Backoff.retryAfter(nil, now: now) == nil)
    }

    @Test func theLastAllowedAttemptFailsTheMessage() {
        let now = Date(timeIntervalSince1970: 1_000)
        let answer = PushAnswer.retryable(status: 503, error: "HTTP 503", retryAfter: nil)
        let backoff = Backoff(maxBackoff: .seconds(60))
        let (_, retry) = answer.outcome(startedAt: now, failuresBefore: 1, maxAttempts: 3, backoff: backoff, now: now, unit: { 0.5 })
        #expect(retry == .retry(at: now.addingTimeInterval(1)))
        let (attempt, last) = answer.outcome(startedAt: now, failuresBefore: 2, maxAttempts: 3, backoff: backoff, now: now, unit: { 0.5 })
        #expect(last == .failed("no success after 3 attempts; the last: HTTP 503"))
        #expect(attempt == DeliveryAttempt(at: now, httpStatus: 503, error: "HTTP 503"))
        let (_, refused) = PushAnswer.rejected(status: 403, text: "HTTP 403").outcome(startedAt: now, failuresBefore: 0, maxAttempts: 3,
                                                                                      backoff: backoff, now: now, unit: { 0 })
        #expect(refused == .failed("HTTP 403"))
    }

    @Test func statusesOnlyMoveForward() {
        #expect(MessageRecord.Status.queued.advances(to: .delivered))
        #expect(MessageRecord.Status.queued.advances(to: .failed))
        #expect(MessageRecord.Status.sent.advances(to: .delivered))
        #expect(MessageRecord.Status.sent.advances(to: .failed))
        #expect(!MessageRecord.Status.delivered.advances(to: .failed))
        #expect(!MessageRecord.Status.delivered.advances(to: .delivered))
        #expect(!MessageRecord.Status.failed.advances(to: .delivered))
        #expect(!MessageRecord.Status.received.advances(to: .delivered))
    }
}

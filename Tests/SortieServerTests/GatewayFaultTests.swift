import Foundation
import HTTPTypes
import SortieServer
import Synchronization
import Testing

extension ClusterFaultTests {
    /// The dispatcher when things break: its process killed mid-push, several instances on one
    /// PostgreSQL database, and PostgreSQL restarted while messages go out.
    @Suite struct GatewayFaultTests {
        /// Each conversation's messages, oldest first, as the clients queued them.
        final class Expected: Sendable {
            let ids = Mutex<[String: [String]]>([:])
        }

        /// Every push of a message comes before the first push of the conversation's next message,
        /// and every message was pushed: `messages` are the conversation's, oldest first.
        static func inOrder(_ pushed: [String], _ messages: [String]) -> Bool {
            let positions = pushed.compactMap { messages.firstIndex(of: $0) }
            return positions.count == pushed.count && positions == positions.sorted() && Set(positions) == Set(messages.indices)
        }

        @Test(.timeLimit(.minutes(3)))
        func aMessageWhosePushWasCutByASIGKILLGoesAgainWithTheSameWebhookId() async throws {
            let folder = try TemporaryFolder.make()
            defer { try? FileManager.default.removeItem(at: folder) }
            try await Self.withGateway(["timeoutSeconds: 5", "maxBackoffSeconds: 1"]) { receiver, credentials, token in
                let arguments = ["--config", credentials.configPath, "--policies", examplePolicies,
                                 "--store", "sqlite:" + folder.appendingPathComponent("sortie.db").path, "--port", "0"]
                // The first push is held past the push timeout (the dispatcher would give up on it at
                // 5 s, but it is killed first); a later one is answered at once.
                receiver.answer { push, earlier in earlier == 0 ? .init(delay: .seconds(12)) : .ok("gw-\(push.id)") }
                let first = try ServeProcessTests.ServeProcess(arguments)
                let firstPort = try await first.port()
                let created = try await Self.send(firstPort, .post, "/v1/outbound-conversations",
                                                  smsCreate(agent: agent("kill-a1"), to: "+33612000201", extra: #","message":{"body":"Bonjour"}"#),
                                                  token: token)
                try #require(created.0 == 201, "\(created)")
                let message = try #require(Reply(status: created.0, body: created.1).string("message.id"))
                let conversation = try #require(Reply(status: created.0, body: created.1).string("conversation.id"))
                #expect(await receiver.waitFor(.seconds(30)) { $0.count == 1 })

                await ServeProcessTests.stop(first.process, signal: SIGKILL)

                // A new instance on the same file takes the message over once the dead one's lease
                // (2 × 5 s + 5 s) ends, and pushes it again under the same id.
                let second = try ServeProcessTests.ServeProcess(arguments)
                let secondPort: Int
                do {
                    secondPort = try await second.port()
                } catch {
                    await ServeProcessTests.stop(second.process)
                    throw error
                }
                #expect(await receiver.waitFor(.seconds(60)) { $0.count == 2 }, "\(receiver.pushes.map(\.id))")
                #expect(receiver.pushes.map(\.id) == [message, message])
                #expect(receiver.pushes.allSatisfy { $0.signatureValid })
                var status: String?
                for _ in 0..<100 where status != "sent" {
                    let view = try await Self.send(secondPort, .get, "/v1/conversations/\(conversation)", nil, token: token)
                    status = Reply(status: view.0, body: view.1).string("messages.0.status")
                    if status != "sent" { try await Task.sleep(for: .milliseconds(100)) }
                }
                await ServeProcessTests.stop(second.process)
                #expect(status == "sent")
            }
        }

        /// A receiver that checks signatures, credentials whose `ServerConfig` sends the gateway's
        /// pushes to it with `settings` (lines under `gateway:`), and an integration token.
        static func withGateway<T: Sendable>(_ settings: [String],
                                             _ body: @Sendable (GatewayReceiver, Credentials, String) async throws -> T) async throws -> T {
            try await GatewayReceiver.with { receiver in
                let lines = ["gateway:", "  url: \(receiver.url)"] + settings.map { "  " + $0 }
                let credentials = try Credentials.make(extraSpec: lines.map { "  " + $0 }.joined(separator: "\n"))
                defer { credentials.remove() }
                receiver.verify(with: credentials.webhooks)
                return try await body(receiver, credentials, try await credentials.token("fault-tests", roles: [.integration]))
            }
        }

        static func send(_ port: Int, _ method: HTTPRequest.Method, _ path: String, _ body: String?, token: String) async throws -> (Int, String) {
            let reply = try await LiveServer.request(port: port, method, path, body, headers: Credentials.bearer(token))
            return (reply.status, reply.body)
        }

        @Test(.enabled(if: StoreKind.postgresURL != nil), .timeLimit(.minutes(5)))
        func twoInstancesSendTwoThousandMessagesOnceAtATimeAndInOrder() async throws {
            try await Self.withGateway(["timeoutSeconds: 10", "maxBackoffSeconds: 1"]) { receiver, credentials, token in
                try await TestPostgres.withDatabase { url in
                    do {
                        // Each push takes a moment, so that pushes of the two instances overlap in time.
                        receiver.answer { push, _ in .init(body: "{\"providerMessageId\":\"gw-\(push.id)\"}", delay: .milliseconds(5)) }
                        let configure: @Sendable (inout ServerConfiguration) -> Void = {
                            $0.configFile = credentials.configPath
                            $0.outboxPollInterval = .milliseconds(200)
                        }
                        try await LiveServer.with(storeURL: url, policies: examplePolicies, configure: configure) { one in
                            try await LiveServer.with(storeURL: url, policies: examplePolicies, configure: configure) { two in
                                let instances = [one, two]
                                let headers = Credentials.bearer(token)
                                // 200 conversations (two per agent: the SMS limit), each with a first
                                // message and nine more, sent through both instances in turn.
                                let conversations = 200, perConversation = 10
                                let expected = Expected()
                                try await withThrowingTaskGroup(of: Void.self) { group in
                                    for client in 0..<20 {
                                        group.addTask {
                                            for n in stride(from: client, to: conversations, by: 20) {
                                                let created = try await instances[n % 2].send(
                                                    .post, "/v1/outbound-conversations",
                                                    smsCreate(agent: agent("multi-\(n / 2)"), to: "+336130\(String(format: "%05d", n))",
                                                              extra: #","message":{"body":"0"}"#), headers: headers)
                                                try #require(created.status == 201, "\(created)")
                                                let conversation = try #require(created.string("conversation.id"))
                                                var ids = [try #require(created.string("message.id"))]
                                                for k in 1..<perConversation {
                                                    let sent = try await instances[(n + k) % 2].send(.post, "/v1/conversations/\(conversation)/messages",
                                                                                                    "{\"body\":\"\(k)\"}", headers: headers)
                                                    try #require(sent.status == 201, "\(sent)")
                                                    ids.append(try #require(sent.string("message.id")))
                                                }
                                                expected.ids.withLock { $0[conversation] = ids }
                                            }
                                        }
                                    }
                                    try await group.waitForAll()
                                }
                                let total = conversations * perConversation
                                #expect(await receiver.waitFor(.seconds(180)) { Set($0.map(\.id)).count == total },
                                        "\(Set(receiver.pushes.map(\.id)).count) of \(total) pushed")
                                #expect(receiver.overlaps == 0, "a message was pushed by two instances at once")
                                let pushes = receiver.pushes
                                #expect(pushes.allSatisfy { $0.signatureValid })
                                for (conversation, messages) in expected.ids.withLock({ $0 }) {
                                    let order = pushes.filter { $0.conversationId == conversation }.map(\.id)
                                    #expect(Self.inOrder(order, messages), "\(conversation): \(order)")
                                }
                                // Every message ends sent, on the shared database.
                                var queued = -1
                                for _ in 0..<200 where queued != 0 {
                                    queued = try await one.inspector.count("messages", where: "status <> 'sent'")
                                    if queued != 0 { try await Task.sleep(for: .milliseconds(100)) }
                                }
                                #expect(queued == 0)
                            }
                        }
                    }
                }
            }
        }

        final class Flag: Sendable {
            let value = Atomic<Bool>(false)
        }

        @Test(.enabled(if: PrivatePostgres.isAvailable), .timeLimit(.minutes(4)))
        func aRestartOfPostgresDuringDispatchLosesNoMessage() async throws {
            try await Self.withGateway(["timeoutSeconds: 10", "maxAttempts: 100", "maxBackoffSeconds: 1"]) { receiver, credentials, token in
                try await PostgresFaultTests.withCluster { cluster in
                    do {
                        // Closed (503, retried) while the messages are queued, then open at 20 ms a push.
                        let open = Flag()
                        receiver.answer { push, _ in
                            open.value.load(ordering: .relaxed) ? .init(body: "{\"providerMessageId\":\"gw-\(push.id)\"}", delay: .milliseconds(20))
                                                          : .init(status: 503)
                        }
                        try await LiveServer.with(storeURL: cluster.url, policies: examplePolicies, configure: {
                            $0.configFile = credentials.configPath
                            $0.outboxPollInterval = .milliseconds(200)
                        }) { live in
                            let headers = Credentials.bearer(token)
                            // 20 conversations of 5 messages, queued by four clients at once.
                            let expected = Expected()
                            try await withThrowingTaskGroup(of: Void.self) { group in
                                for client in 0..<4 {
                                    group.addTask {
                                        for n in stride(from: client, to: 20, by: 4) {
                                            let created = try await live.send(.post, "/v1/outbound-conversations",
                                                                              smsCreate(agent: agent("restart-\(n / 2)"), to: "+336140\(String(format: "%05d", n))",
                                                                                        extra: #","message":{"body":"0"}"#), headers: headers)
                                            try #require(created.status == 201, "\(created)")
                                            let conversation = try #require(created.string("conversation.id"))
                                            var ids = [try #require(created.string("message.id"))]
                                            for k in 1..<5 {
                                                let sent = try await live.send(.post, "/v1/conversations/\(conversation)/messages", "{\"body\":\"\(k)\"}",
                                                                               headers: headers)
                                                try #require(sent.status == 201, "\(sent)")
                                                ids.append(try #require(sent.string("message.id")))
                                            }
                                            expected.ids.withLock { $0[conversation] = ids }
                                        }
                                    }
                                }
                                try await group.waitForAll()
                            }
                            // Mid-dispatch: the gateway opens, and PostgreSQL restarts once some of the 100 went out.
                            let opened = Date()
                            open.value.store(true, ordering: .relaxed)
                            #expect(await receiver.waitFor(.seconds(60)) { $0.filter { $0.at > opened }.count >= 20 })
                            try await cluster.restartServer()
                            let before = Set(receiver.pushes.filter { $0.at > opened }.map(\.id)).count
                            #expect(before < 100, "every message went out before the restart: the test shows nothing")
                            #expect(await receiver.waitFor(.seconds(120)) { Set($0.map(\.id)).count == 100 },
                                    "\(Set(receiver.pushes.map(\.id)).count) of 100 pushed")
                            let pushes = receiver.pushes
                            for (conversation, messages) in expected.ids.withLock({ $0 }) {
                                let order = pushes.filter { $0.conversationId == conversation }.map(\.id)
                                #expect(Self.inOrder(order, messages), "\(conversation): \(order)")
                            }
                            var unsent = -1
                            for _ in 0..<300 where unsent != 0 {
                                unsent = (try? await live.inspector.count("messages", where: "status <> 'sent'")) ?? -1
                                if unsent != 0 { try await Task.sleep(for: .milliseconds(100)) }
                            }
                            #expect(unsent == 0)
                        }
                    }
                }
            }
        }
    }
}

import Foundation
import SortieStore
import Testing

/// `GET /v1/conversations/{id}` answers one page of messages with a cursor to the next, and a
/// conversation takes at most `maxMessagesPerConversation` messages, counted in the
/// transaction that appends.
@Suite struct ConversationPagingTests {
    /// A conversation of `count` messages "m-0", "m-1"…: the first with the create, the rest
    /// from the agent and the customer in turn. Returns its id.
    static func conversation(_ live: LiveServer, messages count: Int, to: String = "+33612345678") async throws -> String {
        let created = try await live.post("/v1/outbound-conversations", smsCreate(agent: agent("a-1"), to: to, extra: #","message":{"body":"m-0"}"#))
        let id = try #require(created.string("conversation.id"), "\(created)")
        for n in 1..<count {
            let reply = n % 2 == 0
                ? try await live.post("/v1/conversations/\(id)/messages", #"{"body":"m-\#(n)"}"#)
                : try await live.post("/v1/inbound", #"{"channel":"sms","from":"\#(to)","to":"+33186950000","body":"m-\#(n)"}"#)
            #expect([200, 201].contains(reply.status), "\(reply)")
        }
        return id
    }

    /// Every page of the conversation with `limit`: the bodies of each page and its nextCursor.
    static func pages(_ live: LiveServer, _ id: String, limit: Int) async throws -> [(bodies: [String], next: String?)] {
        var pages: [(bodies: [String], next: String?)] = []
        var after: String?
        repeat {
            let reply = try await live.get("/v1/conversations/\(id)?limit=\(limit)" + (after.map { "&after=\($0)" } ?? ""))
            #expect(reply.status == 200, "\(reply)")
            let messages = reply.at("messages") as? [[String: Any]] ?? []
            #expect(reply.json.keys.contains("nextCursor"))
            after = reply.string("nextCursor")
            pages.append((messages.compactMap { $0["body"] as? String }, after))
        } while after != nil && pages.count < 10
        return pages
    }

    @Test(arguments: StoreKind.available)
    func pagesGiveEveryMessageOnceInOrder(store: StoreKind) async throws {
        try await LiveServer.with(store: store, policies: examplePolicies) { live in
            let id = try await Self.conversation(live, messages: 250)
            let expected = (0..<250).map { "m-\($0)" }
            let hundreds = try await Self.pages(live, id, limit: 100)
            #expect(hundreds.map(\.bodies.count) == [100, 100, 50])
            #expect(hundreds.flatMap(\.bodies) == expected)
            #expect(hundreds.last?.next == nil)
            // A size that divides the count: the last full page says there is no next one.
            let fifties = try await Self.pages(live, id, limit: 50)
            #expect(fifties.map(\.bodies.count) == [50, 50, 50, 50, 50])
            #expect(fifties.flatMap(\.bodies) == expected)
            // Without a limit, a page of 100; the rest of the reply is as before.
            let first = try await live.get("/v1/conversations/\(id)")
            #expect((first.at("messages") as? [Any])?.count == 100)
            #expect(first.string("nextCursor") == hundreds[0].next)
            #expect(first.string("conversation.id") == id)
            #expect(first.string("customer.address") == "+33612345678")
            #expect(first.at("earlierConversations") is [Any])
            // The cursor of a page does not depend on what was appended since.
            _ = try await live.post("/v1/conversations/\(id)/messages", #"{"body":"m-250"}"#)
            let last = try await live.get("/v1/conversations/\(id)?limit=500&after=\(try #require(hundreds[1].next))")
            #expect((last.at("messages") as? [[String: Any]])?.compactMap { $0["body"] as? String } == (200...250).map { "m-\($0)" })
        }
    }

    @Test(arguments: StoreKind.available)
    func aBadLimitOrCursorIs400NamingTheParameter(store: StoreKind) async throws {
        try await LiveServer.with(store: store, policies: examplePolicies) { live in
            let id = try await Self.conversation(live, messages: 3)
            let other = try await Self.conversation(live, messages: 3, to: "+33612345679")
            let otherCursor = try #require(try await live.get("/v1/conversations/\(other)?limit=1").string("nextCursor"))
            for limit in ["0", "501", "-1", "abc", "", "1e2", "+5", "100.0", "99999999999999999999"] {
                let reply = try await live.get("/v1/conversations/\(id)?limit=\(limit)")
                #expect(reply.status == 400, "limit=\(limit): \(reply)")
                #expect(reply.string("error.code") == "invalid-request")
                #expect(reply.string("error.field") == "limit")
            }
            // Malformed, not base64url, naming no message, or a message of another conversation.
            for after in ["", "!!!", "bm90LWEtbWVzc2FnZQ", "bm90LWEtbWVzc2FnZQ==", otherCursor] {
                let reply = try await live.get("/v1/conversations/\(id)?after=\(after)")
                #expect(reply.status == 400, "after=\(after): \(reply)")
                #expect(reply.string("error.code") == "invalid-request")
                #expect(reply.string("error.field") == "after")
            }
            #expect(try await live.get("/v1/conversations/\(id)?limit=1&after=\(otherCursor)").status == 400)
            #expect(try await live.get("/v1/conversations/\(id)?limit=500").status == 200)
            #expect(try await live.get("/v1/conversations/\(id)?limit=1").status == 200)
            #expect(try await live.get("/v1/conversations/conv-nope?limit=1").status == 404)
        }
    }

    /// Another agent's conversation is not found whatever the page asked, so that a cursor
    /// cannot tell that it exists.
    @Test(arguments: StoreKind.available)
    func anotherAgentsConversationIs404WithAnyCursor(store: StoreKind) async throws {
        let credentials = try Credentials.make()
        defer { credentials.remove() }
        try await LiveServer.with(store: store, policies: examplePolicies, configure: { $0.configFile = credentials.configPath }) { live in
            let owner = Credentials.bearer(try await credentials.agent("agent-a"))
            let stranger = Credentials.bearer(try await credentials.agent("agent-b"))
            let created = try await live.send(.post, "/v1/outbound-conversations",
                                              smsCreate(agent: #"{"state":"available"}"#, to: "+33612345678", extra: #","message":{"body":"m-0"}"#),
                                              headers: owner)
            let id = try #require(created.string("conversation.id"), "\(created)")
            let unknown = MessageCursor(after: "msg-nope").text
            #expect(try await live.send(.get, "/v1/conversations/\(id)?after=\(unknown)", headers: owner).status == 400)
            #expect(try await live.send(.get, "/v1/conversations/\(id)?after=\(unknown)", headers: stranger).status == 404)
            #expect(try await live.send(.get, "/v1/conversations/\(id)?limit=1", headers: stranger).status == 404)
            #expect(try await live.send(.get, "/v1/conversations/\(id)?limit=1", headers: owner).status == 200)
        }
    }

    /// Past the limit an agent's message and a customer's reply both answer 409
    /// `conversation-full`, and nothing is written; concurrent appends never pass it.
    @Test(arguments: StoreKind.available)
    func aFullConversationTakesNoMoreMessages(store: StoreKind) async throws {
        try await LiveServer.with(store: store, policies: examplePolicies, configure: { $0.maxMessagesPerConversation = 10 }) { live in
            let id = try await Self.conversation(live, messages: 2)
            let replies = try await withThrowingTaskGroup(of: Reply.self) { group in
                for n in 0..<20 {
                    group.addTask { try await live.post("/v1/conversations/\(id)/messages", #"{"body":"race \#(n)"}"#) }
                }
                return try await group.reduce(into: [Reply]()) { $0.append($1) }
            }
            #expect(replies.filter { $0.status == 201 }.count == 8, "\(replies)")
            let refused = replies.filter { $0.status != 201 }
            #expect(refused.count == 12)
            #expect(refused.allSatisfy { $0.status == 409 && $0.string("error.code") == "conversation-full" }, "\(refused)")
            #expect(try await live.inspector.count("messages") == 10)
            let conversations = try await live.inspector.count("conversations")
            let inbound = try await live.post("/v1/inbound", #"{"channel":"sms","from":"+33612345678","to":"+33186950000","body":"encore"}"#)
            #expect(inbound.status == 409, "\(inbound)")
            #expect(inbound.string("error.code") == "conversation-full")
            #expect(try await live.inspector.count("messages") == 10)
            #expect(try await live.inspector.count("conversations") == conversations)
            // Closed, the conversation no longer holds the customer's replies: the next one starts a new conversation.
            #expect(try await live.post("/v1/conversations/\(id)/close", #"{"wrapUpReason":"resolu"}"#).status == 200)
            #expect(try await live.post("/v1/inbound", #"{"channel":"sms","from":"+33612345678","to":"+33186950000","body":"encore"}"#).status == 201)
        }
    }
}

import Foundation
import Testing

/// The endpoints on an existing conversation: messages, inbound, operations, close, and the
/// conversation view, over real HTTP on loopback.
@Suite struct ConversationEndpointTests {
    /// Creates an SMS conversation for `agentId` with `to`; returns its id.
    static func open(_ live: LiveServer, agent agentId: String = "a-1", to: String = "+33612345678") async throws -> String {
        let reply = try await live.post("/v1/outbound-conversations", smsCreate(agent: agent(agentId), to: to))
        #expect(reply.status == 201, "\(reply)")
        return try #require(reply.string("conversation.id"))
    }

    @Test(arguments: StoreKind.available) func agentMessagesLandInTheOutbox(store: StoreKind) async throws {
        try await LiveServer.with(store: store, policies: examplePolicies) { live in
            let id = try await Self.open(live)
            let sent = try await live.post("/v1/conversations/\(id)/messages", #"{"body":"Bonjour, c'est Acme."}"#)
            #expect(sent.status == 201, "\(sent)")
            #expect(sent.string("message.status") == "queued")
            #expect(sent.string("message.direction") == "outbound")
            let templated = try await live.post("/v1/conversations/\(id)/messages",
                                                #"{"template":"rappel-rendez-vous","variables":{"prenom":"Léa","date":"3 mars","heure":"10h"}}"#)
            #expect(templated.status == 201)
            #expect(templated.string("message.template") == "rappel-rendez-vous")
            let missing = try await live.post("/v1/conversations/\(id)/messages", #"{"template":"rappel-rendez-vous","variables":{}}"#)
            #expect(missing.status == 422)
            #expect(missing.at("error.missing") as? [String] == ["prenom", "date", "heure"])
            let malformed = try await live.post("/v1/conversations/\(id)/messages", #"{"text":"hi"}"#)
            #expect(malformed.status == 400)
            #expect(malformed.string("error.field") == "(request).text")
            let unknown = try await live.post("/v1/conversations/conv-nope/messages", #"{"body":"hi"}"#)
            #expect(unknown.status == 404)
            #expect(unknown.string("error.code") == "not-found")
            #expect(try await live.inspector.count("messages", where: "status = 'queued'") == 2)
        }
    }

    @Test(arguments: StoreKind.available) func operationsAreDecidedByTheOperationRulesAlone(store: StoreKind) async throws {
        try await LiveServer.with(store: store, policies: examplePolicies) { live in
            let id = try await Self.open(live)
            let transfer = try await live.post("/v1/conversations/\(id)/operations", #"{"operation":"transfer"}"#)
            #expect(transfer.status == 403)
            #expect(transfer.reasonCodes == ["TRANSFER_NOT_ALLOWED"])
            let conference = try await live.post("/v1/conversations/\(id)/operations", #"{"operation":"conference"}"#)
            #expect(conference.reasonCodes == ["CONFERENCE_NOT_ALLOWED"])
            let created = try await live.post("/v1/conversations/\(id)/operations", #"{"operation":"workflow","trigger":"task-created"}"#)
            #expect(created.status == 403)
            #expect(created.reasonCodes == ["WORKFLOW_TRIGGER_NOT_ALLOWED"])
            let manual = try await live.post("/v1/conversations/\(id)/operations", #"{"operation":"workflow","trigger":"manual"}"#)
            #expect(manual.status == 200, "\(manual)")
            #expect(manual.at("decision.allowed") as? Bool == true)
            let invalid = try await live.post("/v1/conversations/\(id)/operations", #"{"operation":"hold"}"#)
            #expect(invalid.status == 400)
            #expect(invalid.reasonCodes == ["INVALID_REQUEST"])
            let unknown = try await live.post("/v1/conversations/conv-nope/operations", #"{"operation":"transfer"}"#)
            #expect(unknown.status == 404)
        }
    }

    @Test(arguments: StoreKind.available) func closeNeedsAKnownWrapUpReasonAndFreesTheSlot(store: StoreKind) async throws {
        try await LiveServer.with(store: store, policies: examplePolicies) { live in
            let first = try await Self.open(live, to: "+33610000001")
            _ = try await Self.open(live, to: "+33610000002")
            let full = try await live.post("/v1/outbound-conversations", smsCreate(agent: agent("a-1"), to: "+33610000003"))
            #expect(full.reasonCodes == ["OUTBOUND_LIMIT_REACHED"])

            let noReason = try await live.post("/v1/conversations/\(first)/close", "{}")
            #expect(noReason.status == 422)
            #expect(noReason.reasonCodes == ["WRAP_UP_REASON_REQUIRED"])
            let unknownReason = try await live.post("/v1/conversations/\(first)/close", #"{"wrapUpReason":"bof"}"#)
            #expect(unknownReason.status == 422)
            #expect(unknownReason.reasonCodes == ["WRAP_UP_REASON_UNKNOWN"])
            #expect(try await live.inspector.count("conversations", where: "state = 'active'") == 2)

            let closed = try await live.post("/v1/conversations/\(first)/close", #"{"wrapUpReason":" resolu "}"#)
            #expect(closed.status == 200, "\(closed)")
            #expect(closed.string("conversation.state") == "closed")
            #expect(closed.string("conversation.wrapUpReason") == "resolu")
            let view = try await live.get("/v1/conversations/\(first)")
            #expect(view.string("task.state") == "completed")

            // The slot is free again.
            let now = try await live.post("/v1/outbound-conversations", smsCreate(agent: agent("a-1"), to: "+33610000003"))
            #expect(now.status == 201, "\(now)")
            // A closed conversation takes no more messages, operations or closes.
            let again = try await live.post("/v1/conversations/\(first)/close", #"{"wrapUpReason":"resolu"}"#)
            #expect(again.status == 409)
            #expect(again.string("error.code") == "conversation-closed")
            #expect(try await live.post("/v1/conversations/\(first)/messages", #"{"body":"x"}"#).status == 409)
            #expect(try await live.post("/v1/conversations/\(first)/operations", #"{"operation":"transfer"}"#).status == 409)
            #expect(try await live.post("/v1/conversations/conv-nope/close", #"{"wrapUpReason":"resolu"}"#).status == 404)
            #expect(try await live.get("/v1/conversations/conv-nope").status == 404)
        }
    }

    @Test(arguments: StoreKind.available) func inboundSmsJoinsTheActiveConversationElseStartsALinkedOne(store: StoreKind) async throws {
        try await LiveServer.with(store: store, policies: examplePolicies) { live in
            let id = try await Self.open(live, to: "+33612345678")
            let reply = #"{"channel":"sms","from":"+33 6 12 34 56 78","to":"+33186950000","body":"Merci !"}"#
            let joined = try await live.post("/v1/inbound", reply)
            #expect(joined.status == 200, "\(joined)")
            #expect(joined.string("conversation.id") == id)
            #expect(joined.string("match") == "activeConversation")
            #expect(joined.string("message.direction") == "inbound")

            _ = try await live.post("/v1/conversations/\(id)/close", #"{"wrapUpReason":"resolu"}"#)
            let later = try await live.post("/v1/inbound", #"{"channel":"sms","from":"+33612345678","to":"+33186950000","body":"Encore moi"}"#)
            #expect(later.status == 201, "\(later)")
            #expect(later.string("match") == "newConversation")
            #expect(later.string("conversation.origin") == "inbound")
            #expect(later.string("conversation.previousConversationId") == id)
            #expect(later.string("conversation.customerId") == joined.string("conversation.customerId"))
            let newId = try #require(later.string("conversation.id"))
            let view = try await live.get("/v1/conversations/\(newId)")
            #expect((view.at("earlierConversations") as? [[String: Any]])?.compactMap { $0["id"] as? String } == [id])
            #expect((view.at("messages") as? [Any])?.count == 1)

            // The new conversation holds the destination: an agent cannot open a second one.
            let blocked = try await live.post("/v1/outbound-conversations", smsCreate(agent: agent("a-2"), to: "+33612345678"))
            #expect(blocked.status == 409)
        }
    }

    @Test(arguments: StoreKind.available) func inboundEmailThreadsByInReplyToThenBySubject(store: StoreKind) async throws {
        try await LiveServer.with(store: store, policies: examplePolicies) { live in
            let created = try await live.post("/v1/outbound-conversations", emailCreate(
                agent: agent("a-1"), to: "client@example.fr", subject: "Votre dossier 42", extra: #","message":{"body":"Bonjour"}"#))
            #expect(created.status == 201, "\(created)")
            let id = try #require(created.string("conversation.id"))
            let messageId = try #require(created.string("message.id"))
            #expect(created.string("message.subject") == "Votre dossier 42")

            let byReference = try await live.post("/v1/inbound", #"{"channel":"email","from":"CLIENT@example.fr","to":"service-client@acme-assurances.fr","subject":"Autre chose","body":"Merci","inReplyTo":"\#(messageId)"}"#)
            #expect(byReference.status == 200, "\(byReference)")
            #expect(byReference.string("match") == "inReplyTo")
            #expect(byReference.string("conversation.id") == id)
            let bySubject = try await live.post("/v1/inbound", #"{"channel":"email","from":"client@example.fr","to":"service-client@acme-assurances.fr","subject":"RE: TR: votre dossier 42","body":"Et aussi"}"#)
            #expect(bySubject.string("match") == "subject")
            #expect(bySubject.string("conversation.id") == id)

            _ = try await live.post("/v1/conversations/\(id)/close", #"{"wrapUpReason":"resolu"}"#)
            let afterClose = try await live.post("/v1/inbound", #"{"channel":"email","from":"client@example.fr","to":"service-client@acme-assurances.fr","subject":"Re: Votre dossier 42","body":"Une question","inReplyTo":"\#(messageId)"}"#)
            #expect(afterClose.status == 201)
            #expect(afterClose.string("match") == "newConversation")
            #expect(afterClose.string("conversation.subject") == "Votre dossier 42")
            #expect(afterClose.string("conversation.previousConversationId") == id)
        }
    }

    @Test(arguments: StoreKind.available) func inboundIsCheckedBeforeAnythingIsWritten(store: StoreKind) async throws {
        try await LiveServer.with(store: store, policies: examplePolicies) { live in
            let cases: [(String, Int, String)] = [
                (#"{"channel":"sms","from":"+33612345678","to":"+33186950000"}"#, 400, "invalid-request"),
                (#"{"channel":"sms","from":"+33612345678","to":"+33186950000","body":"x","extra":1}"#, 400, "invalid-request"),
                (#"{"channel":"fax","from":"+33612345678","to":"+33186950000","body":"x"}"#, 422, "channel-not-supported"),
                (#"{"channel":"sms","from":"0612345678","to":"+33186950000","body":"x"}"#, 422, "invalid-sender"),
                (#"{"channel":"sms","from":"+33612345678","to":"+33100000000","body":"x"}"#, 422, "unknown-entry-point"),
                (#"not json"#, 400, "invalid-request"),
            ]
            for (body, status, code) in cases {
                let reply = try await live.post("/v1/inbound", body)
                #expect(reply.status == status, "\(body) → \(reply)")
                #expect(reply.string("error.code") == code, "\(body) → \(reply)")
            }
            #expect(try await live.inspector.count("messages") == 0)
            #expect(try await live.inspector.count("customers") == 0)
        }
    }
}

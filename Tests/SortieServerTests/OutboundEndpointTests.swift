import Foundation
import Testing

/// `POST /v1/outbound-conversations` and `POST /v1/outbound-options` over real HTTP on
/// loopback, against the example policy set: every status a create can answer.
@Suite struct OutboundEndpointTests {
    @Test(arguments: StoreKind.available) func createAnswers201WithAcceptedTaskFirstMessageAndDecision(store: StoreKind) async throws {
        try await LiveServer.with(store: store, policies: examplePolicies) { live in
            let reply = try await live.post("/v1/outbound-conversations", smsCreate(
                agent: agent("agent-1"), to: "+33 6 12 34 56 78",
                extra: #","id":"r-1","message":{"template":"rappel-rendez-vous","variables":{"prenom":"Léa","date":"3 mars","heure":"10h"}}"#))
            #expect(reply.status == 201, "\(reply)")
            #expect(reply.string("conversation.state") == "active")
            #expect(reply.string("conversation.destination") == "+33612345678")
            #expect(reply.string("conversation.agentId") == "agent-1")
            #expect(reply.string("task.state") == "accepted")
            #expect(reply.string("task.conversationId") == reply.string("conversation.id"))
            #expect(reply.string("message.status") == "queued")
            #expect(reply.string("message.body") == "Bonjour Léa, nous vous rappelons votre rendez-vous du 3 mars à 10h avec notre expert. Acme Assurances")
            #expect(reply.at("decision.allowed") as? Bool == true)
            #expect(reply.string("decision.id") == "r-1")
            #expect(reply.string("decision.profile") == "digital-default")
            #expect(reply.string("decision.revision") == live.service.policy.revision)

            let id = try #require(reply.string("conversation.id"))
            let view = try await live.get("/v1/conversations/\(id)")
            #expect(view.status == 200)
            #expect(view.string("task.state") == "accepted")
            #expect(view.string("customer.address") == "+33612345678")
            #expect((view.at("messages") as? [Any])?.count == 1)
        }
    }

    @Test(arguments: StoreKind.available) func refusalsAnswerTheStatusOfTheirFirstReasonAndWriteNothing(store: StoreKind) async throws {
        try await LiveServer.with(store: store, policies: examplePolicies) { live in
            let cases: [(body: String, status: Int, codes: [String])] = [
                (smsCreate(agent: agent("a-std", license: "standard"), to: "+33611111111"), 403, ["LICENSE_NOT_ELIGIBLE"]),
                (smsCreate(agent: agent("a-idle", state: "idle"), to: "+33611111112"), 403, ["AGENT_STATE_NOT_ALLOWED"]),
                (smsCreate(agent: agent("a-lyon", site: "lyon"), to: "+33611111113"), 403, ["CHANNEL_NOT_IN_PROFILE"]),
                (smsCreate(agent: agent("a-1"), to: "0612345678"), 422, ["INVALID_DESTINATION"]),
                (#"{"agent":\#(agent("a-1")),"channel":"sms","to":"+33611111114","entryPoint":"nowhere"}"#, 422, ["ENTRY_POINT_NOT_FOUND"]),
                (#"{"agent":\#(agent("a-1")),"channel":"sms","to":"+33611111115","entryPoint":"service-client"}"#, 422, ["ENTRY_POINT_CHANNEL_MISMATCH"]),
                (#"{"agent":\#(agent("a-1")),"channel":"fax","to":"+33611111116","entryPoint":"support-sms-fr"}"#, 422, ["CHANNEL_NOT_SUPPORTED"]),
                (emailCreate(agent: agent("a-1"), to: "client@example.fr", subject: nil), 422, ["EMAIL_SUBJECT_REQUIRED"]),
            ]
            for (body, status, codes) in cases {
                let reply = try await live.post("/v1/outbound-conversations", body)
                #expect(reply.status == status, "\(body) → \(reply)")
                #expect(reply.reasonCodes == codes, "\(body) → \(reply)")
                #expect(reply.at("conversation") == nil)
                #expect(reply.at("decision.allowed") as? Bool == false)
            }
            #expect(try await live.inspector.count("conversations") == 0)
            #expect(try await live.inspector.count("tasks") == 0)
            #expect(try await live.inspector.count("customers") == 0)
        }
    }

    @Test(arguments: StoreKind.available) func theStoreSuppliesActiveOutboundDestinationActiveAndSubjectUsed(store: StoreKind) async throws {
        try await LiveServer.with(store: store, policies: examplePolicies) { live in
            // digital-default allows 2 SMS: the third is OUTBOUND_LIMIT_REACHED (403) with the count from the store.
            for n in 1...2 {
                let ok = try await live.post("/v1/outbound-conversations", smsCreate(agent: agent("a-1"), to: "+3361000000\(n)"))
                #expect(ok.status == 201, "\(ok)")
            }
            let third = try await live.post("/v1/outbound-conversations", smsCreate(agent: agent("a-1"), to: "+33610000003"))
            #expect(third.status == 403)
            #expect(third.reasonCodes == ["OUTBOUND_LIMIT_REACHED"])
            #expect(third.at("decision.reasons.0.details.active") as? Int == 2)
            #expect(third.at("decision.reasons.0.details.limit") as? Int == 2)

            // Another agent, same destination (written differently): 409.
            let taken = try await live.post("/v1/outbound-conversations", smsCreate(agent: agent("a-2"), to: "+33 (0)6 10 00 00 01"))
            #expect(taken.status == 409)
            #expect(taken.reasonCodes == ["CONVERSATION_ALREADY_ACTIVE"])

            // Email: the same subject again with this customer is a warning under `warn`, not a refusal.
            let first = try await live.post("/v1/outbound-conversations", emailCreate(agent: agent("a-3"), to: "Client@Example.fr", subject: "Votre dossier"))
            #expect(first.status == 201)
            #expect(first.warningCodes == [])
            let firstId = try #require(first.string("conversation.id"))
            let closed = try await live.post("/v1/conversations/\(firstId)/close", #"{"wrapUpReason":"resolu"}"#)
            #expect(closed.status == 200, "\(closed)")
            let again = try await live.post("/v1/outbound-conversations", emailCreate(agent: agent("a-3"), to: "client@example.fr", subject: "  votre DOSSIER "))
            #expect(again.status == 201, "\(again)")
            #expect(again.warningCodes == ["EMAIL_SUBJECT_REUSED"])
            #expect(again.string("conversation.previousConversationId") == firstId)
        }
    }

    @Test(arguments: StoreKind.available) func optionsReadTheAgentsOpenTasksFromTheStore(store: StoreKind) async throws {
        try await LiveServer.with(store: store, policies: examplePolicies) { live in
            _ = try await live.post("/v1/outbound-conversations", smsCreate(agent: agent("a-1"), to: "+33610000001"))
            let options = try await live.post("/v1/outbound-options", #"{"id":"o-1","agent":\#(agent("a-1"))}"#)
            #expect(options.status == 200, "\(options)")
            #expect(options.string("decision.id") == "o-1")
            #expect(options.at("decision.channels.0.channel") as? String == "sms")
            #expect(options.at("decision.channels.0.active") as? Int == 1)
            #expect(options.at("decision.channels.0.limit") as? Int == 2)
            #expect(options.at("decision.channels.1.active") as? Int == 0)
            let refused = try await live.post("/v1/outbound-options", #"{"agent":\#(agent("a-2", license: "standard"))}"#)
            #expect(refused.status == 403)
            #expect(refused.reasonCodes == ["LICENSE_NOT_ELIGIBLE"])
            let invalid = try await live.post("/v1/outbound-options", #"{"agent":\#(agent("a-1")),"activeOutbound":{"sms":0}}"#)
            #expect(invalid.status == 400)
            #expect(invalid.reasonCodes == ["INVALID_REQUEST"])
        }
    }

    @Test(arguments: StoreKind.available, [
        (#"{"agent": "#, "(request)"),
        (#"[1,2]"#, "(request)"),
        (#"{"agent":{"id":"a","license":"premium","state":"available"},"channel":"sms","to":"+33612345678","entryPoint":"support-sms-fr","destinationActive":false}"#, "destinationActive"),
        (#"{"agent":{"id":"a","license":"premium","state":"available"},"channel":"sms","to":"+33612345678","entryPoint":"support-sms-fr","activeOutbound":{"sms":0}}"#, "activeOutbound"),
        (#"{"agent":{"id":"a","license":"premium"},"channel":"sms","to":"+33612345678","entryPoint":"support-sms-fr"}"#, "agent.state"),
        (#"{"agent":{"id":"a","license":"premium","state":"available"},"channel":7,"to":"+33612345678","entryPoint":"support-sms-fr"}"#, "channel"),
        (#"{"agent":{"id":"a","license":"premium","state":"available"},"channel":"sms","to":"+33612345678","entryPoint":"support-sms-fr","message":{"body":"x","template":"t"}}"#, "message"),
        (#"{"agent":{"id":"a","license":"premium","state":"available"},"channel":"sms","to":"+33612345678","entryPoint":"support-sms-fr","message":{"template":"t","variables":{"n":1}}}"#, "message.variables.n"),
    ])
    func malformedCreatesAnswer400NamingTheFieldAndWriteNothing(store: StoreKind, example: (body: String, field: String)) async throws {
        let (body, field) = example
        try await LiveServer.with(store: store, policies: examplePolicies) { live in
            let reply = try await live.post("/v1/outbound-conversations", body)
            #expect(reply.status == 400, "\(reply)")
            #expect(reply.reasonCodes == ["INVALID_REQUEST"])
            let detail = try #require(reply.string("decision.reasons.0.details.field"))
            #expect(detail.hasPrefix(field + ":"), "\(detail)")
            #expect(try await live.inspector.count("conversations") == 0)
        }
    }

    @Test(arguments: StoreKind.available) func templatesMustExistForTheChannelAndGetEveryVariable(store: StoreKind) async throws {
        try await LiveServer.with(store: store, policies: examplePolicies) { live in
            let missing = try await live.post("/v1/outbound-conversations", smsCreate(
                agent: agent("a-1"), to: "+33610000001", extra: #","message":{"template":"rappel-rendez-vous","variables":{"prenom":"Léa"}}"#))
            #expect(missing.status == 422)
            #expect(missing.string("error.code") == "missing-template-variables")
            #expect(missing.at("error.missing") as? [String] == ["date", "heure"])
            let unknown = try await live.post("/v1/outbound-conversations", smsCreate(
                agent: agent("a-1"), to: "+33610000001", extra: #","message":{"template":"nope"}"#))
            #expect(unknown.status == 422)
            #expect(unknown.string("error.code") == "unknown-template")
            let otherChannel = try await live.post("/v1/outbound-conversations", smsCreate(
                agent: agent("a-1"), to: "+33610000001", extra: #","message":{"template":"suivi-dossier","variables":{}}"#))
            #expect(otherChannel.status == 422)
            #expect(otherChannel.string("error.code") == "template-channel-mismatch")
            #expect(try await live.inspector.count("conversations") == 0)
        }
    }

    @Test(arguments: StoreKind.available) func oversizedBodiesAnswer413AndChangeNothing(store: StoreKind) async throws {
        try await LiveServer.with(store: store, policies: examplePolicies, configure: { $0.maxBodyBytes = 1024 }) { live in
            let big = smsCreate(agent: agent("a-1"), to: "+33610000001", extra: ",\"message\":{\"body\":\"\(String(repeating: "x", count: 4000))\"}")
            let reply = try await live.post("/v1/outbound-conversations", big)
            #expect(reply.status == 413)
            #expect(reply.string("error.code") == "payload-too-large")
            #expect(try await live.inspector.count("conversations") == 0)
        }
    }
}

import Foundation
import Testing

/// The contract's settled points at the service's boundary, on both stores, over real HTTP:
/// `null` only where a field allows it, a key written twice, U+0000 in a string the store would
/// keep, an absent email subject. Every refusal leaves nothing stored.
@Suite struct SettledPointsServiceTests {
    @Test(arguments: StoreKind.available) func malformedCreatesAreRefusedNamingTheFieldAndStoreNothing(store: StoreKind) async throws {
        try await LiveServer.with(store: store, policies: examplePolicies) { live in
            let cases: [(body: String, field: String)] = [
                (#"{"agent":{"id":"a\u0000b","license":"premium","state":"available"},"channel":"sms","to":"+33612345678","entryPoint":"support-sms-fr"}"#, "agent.id"),
                (smsCreate(agent: agent("a-1"), to: "+33612345678", extra: #","message":{"body":"Bonjour\u0000"}"#), "message.body"),
                (smsCreate(agent: agent("a-1"), to: "+33612345678", extra: #","to":"+33612345679""#), "to"),
                (#"{"agent":{"id":"a-1","id":"a-2","license":"premium","state":"available"},"channel":"sms","to":"+33612345678","entryPoint":"support-sms-fr"}"#, "agent.id"),
                (smsCreate(agent: agent("a-1"), to: "+33612345678", extra: #","locale":null"#), "locale"),
                (smsCreate(agent: #"{"id":"a-1","license":null,"state":"available"}"#, to: "+33612345678"), "agent.license"),
            ]
            for (body, field) in cases {
                let reply = try await live.post("/v1/outbound-conversations", body)
                #expect(reply.status == 400, "\(body) → \(reply)")
                #expect(reply.reasonCodes == ["INVALID_REQUEST"], "\(body) → \(reply)")
                let detail = (reply.at("decision.reasons.0.details.field") as? String) ?? ""
                #expect(detail.hasPrefix(field + ":"), "\(body) → \(detail)")
            }
            #expect(try await live.inspector.count("conversations") == 0)
            #expect(try await live.inspector.count("customers") == 0)
            #expect(try await live.inspector.count("messages") == 0)
        }
    }

    @Test(arguments: StoreKind.available) func anEmailWithoutASubjectIsRefusedAsSubjectRequired(store: StoreKind) async throws {
        try await LiveServer.with(store: store, policies: examplePolicies) { live in
            let absent = #"{"agent":\#(agent("a-1")),"channel":"email","to":"client@example.fr","entryPoint":"service-client"}"#
            let reply = try await live.post("/v1/outbound-conversations", absent)
            #expect(reply.status == 422, "\(reply)")
            #expect(reply.reasonCodes == ["EMAIL_SUBJECT_REQUIRED"])
            #expect(try await live.inspector.count("conversations") == 0)
        }
    }

    @Test(arguments: StoreKind.available) func inboundAndMessageBodiesWithNULAreRefused(store: StoreKind) async throws {
        try await LiveServer.with(store: store, policies: examplePolicies) { live in
            let inbound = try await live.post("/v1/inbound", #"{"channel":"sms","from":"+33612345678","to":"+33186950000","body":"STOP\u0000"}"#)
            #expect(inbound.status == 400, "\(inbound)")
            #expect(inbound.string("error.field") == "body")
            let created = try await live.post("/v1/outbound-conversations", smsCreate(agent: agent("a-1"), to: "+33612345670"))
            let id = try #require(created.string("conversation.id"))
            let message = try await live.post("/v1/conversations/\(id)/messages", #"{"body":"a\u0000b"}"#)
            #expect(message.status == 400, "\(message)")
            #expect(try await live.inspector.count("messages") == 0)
        }
    }

    @Test func theBareEvaluatorRefusesNullFlagsAndRepeatedKeys() async throws {
        try await LiveServer.with(store: .sqlite, policies: examplePolicies) { live in
            let base = #""agent":\#(agent("a-1")),"channel":"sms","to":"+33612345678","entryPoint":"support-sms-fr""#
            let null = try await live.post("/v1/decisions", "{\(base),\"destinationActive\":null}")
            #expect(null.status == 400, "\(null)")
            #expect((null.at("reasons.0.details.field") as? String)?.hasPrefix("destinationActive:") == true, "\(null)")
            let twice = try await live.post("/v1/decisions", "{\(base),\"destinationActive\":true,\"destinationActive\":false}")
            #expect(twice.status == 400, "\(twice)")
            #expect(twice.at("reasons.0.details.field") as? String == "destinationActive: written twice")
            let allowed = try await live.post("/v1/decisions", "{\(base)}")
            #expect(allowed.status == 200 && allowed.at("allowed") as? Bool == true, "\(allowed)")
        }
    }
}

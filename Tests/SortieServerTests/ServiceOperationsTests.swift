import Foundation
import Testing

/// The bare evaluator endpoint, health, metrics, the decision log, and the two service-only
/// reason codes, provoked by real database faults.
@Suite struct ServiceOperationsTests {
    @Test func decisionsEndpointIsTheBareEvaluator() async throws {
        try await LiveServer.with(policies: examplePolicies) { live in
            let allowed = try await live.post("/v1/decisions", #"{"id":"r-1","agent":\#(agent("a-1")),"channel":"sms","to":"+33612345678","entryPoint":"support-sms-fr","activeOutbound":{"sms":2}}"#)
            #expect(allowed.status == 200)
            #expect(allowed.string("id") == "r-1")
            #expect(allowed.reasonCodes == ["OUTBOUND_LIMIT_REACHED"])
            let invalid = try await live.post("/v1/decisions", #"{"id":"r-2","agent":{"id":"a"},"destinationActiv":true}"#)
            #expect(invalid.status == 400)
            #expect(invalid.reasonCodes == ["INVALID_REQUEST"])
            #expect(invalid.string("id") == "r-2")
            // The bare evaluator writes no conversation.
            try #expect(Database(live.databasePath).count("conversations") == 0)
        }
    }

    @Test func healthAndMetrics() async throws {
        try await LiveServer.with(policies: examplePolicies) { live in
            let health = try await live.get("/healthz")
            #expect(health.status == 200)
            #expect(health.string("status") == "ok")
            #expect(health.string("revision") == live.service.policy.revision)
            _ = try await live.post("/v1/outbound-conversations", smsCreate(agent: agent("a-1"), to: "+33612345678"))
            _ = try await live.post("/v1/outbound-conversations", smsCreate(agent: agent("a-2"), to: "+33612345678"))
            let metrics = try await live.get("/metrics")
            #expect(metrics.status == 200)
            #expect(metrics.body.contains(#"sortie_decisions_total{action="start",allowed="true"} 1"#), "\(metrics.body)")
            #expect(metrics.body.contains(#"sortie_decisions_total{action="start",allowed="false"} 1"#))
            #expect(metrics.body.contains(#"sortie_decision_reasons_total{code="CONVERSATION_ALREADY_ACTIVE"} 1"#))
            #expect(metrics.body.contains(#"sortie_policy_revision_info{revision="\#(live.service.policy.revision)"} 1"#))
            #expect(metrics.body.contains(#"sortie_http_request_duration_seconds_bucket{route="/v1/outbound-conversations""#))
        }
    }

    @Test func everyDecisionIsLoggedAsOneJSONLine() async throws {
        try await LiveServer.with(policies: examplePolicies) { live in
            _ = try await live.post("/v1/outbound-conversations", smsCreate(agent: agent("a-1"), to: "+33612345678", extra: #","id":"c-1""#))
            _ = try await live.post("/v1/outbound-conversations", smsCreate(agent: agent("a-2"), to: "+33612345678", extra: #","id":"c-2""#))
            _ = try await live.post("/v1/outbound-conversations", "{oops")
            let lines = try String(contentsOfFile: live.decisionLogPath, encoding: .utf8).split(separator: "\n")
            #expect(lines.count == 3)
            let objects = lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            #expect(objects.count == 3)
            #expect(objects.allSatisfy { $0["time"] is String && $0["revision"] as? String == live.service.policy.revision })
            // The logged request carries the facts the store supplied.
            let second = try #require(objects.first { ($0["decision"] as? [String: Any])?["id"] as? String == "c-2" })
            #expect((second["request"] as? [String: Any])?["destinationActive"] as? Bool == true)
            #expect((second["request"] as? [String: Any])?["activeOutbound"] == nil)
            #expect(objects[2]["request"] as? String == "{oops")
        }
    }

    /// SQLite triggers make the task insert, or the agent's acceptance, fail for real.
    @Test(arguments: [
        ("CREATE TRIGGER fail BEFORE INSERT ON tasks BEGIN SELECT RAISE(ABORT, 'tasks are broken'); END", "TASK_CREATION_FAILED"),
        ("CREATE TRIGGER fail BEFORE UPDATE ON tasks WHEN NEW.state = 'accepted' BEGIN SELECT RAISE(ABORT, 'no agent'); END", "AGENT_ASSIGNMENT_FAILED"),
        ("CREATE TRIGGER fail BEFORE INSERT ON messages BEGIN SELECT RAISE(ABORT, 'outbox is broken'); END", "TASK_CREATION_FAILED"),
    ])
    func aFailedStepAnswers503AndRollsEverythingBack(trigger: String, code: String) async throws {
        try await LiveServer.with(policies: examplePolicies) { live in
            let database = try Database(live.databasePath)
            try database.execute(trigger)
            let reply = try await live.post("/v1/outbound-conversations", smsCreate(agent: agent("a-1"), to: "+33612345678", extra: #","message":{"body":"Bonjour"}"#))
            #expect(reply.status == 503, "\(reply)")
            #expect(reply.reasonCodes == [code])
            #expect(reply.at("decision.allowed") as? Bool == false)
            for table in ["customers", "conversations", "tasks", "messages"] {
                try #expect(database.count(table) == 0, "\(table)")
            }
            // Repaired, the same create succeeds.
            try database.execute("DROP TRIGGER fail")
            let retried = try await live.post("/v1/outbound-conversations", smsCreate(agent: agent("a-1"), to: "+33612345678"))
            #expect(retried.status == 201)
        }
    }

    @Test func unknownRoutesAnswerJSON() async throws {
        try await LiveServer.with(policies: examplePolicies) { live in
            let reply = try await live.get("/v1/nothing-here")
            #expect(reply.status == 404)
            #expect(reply.string("error.code") == "not-found")
        }
    }
}

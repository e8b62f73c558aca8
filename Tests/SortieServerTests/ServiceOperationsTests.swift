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
            #expect(try await live.inspector.count("conversations") == 0)
        }
    }

    /// A body the byte reader takes and the same body with an escape, which only the decoder
    /// takes: one answer, one log line and one count, whichever way it was read.
    @Test func aDecisionIsAnsweredLoggedAndCountedAlikeWhicheverReaderTookIt() async throws {
        try await LiveServer.with(policies: examplePolicies) { live in
            let plain = #"{"id":"r-1","agent":\#(agent("a-1")),"channel":"sms","to":"+33 6 12 34 56 78","entryPoint":"support-sms-fr","activeOutbound":{"sms":2}}"#
            let escaped = plain.replacingOccurrences(of: #""r-1""#, with: #""r-1""#)
            let first = try await live.post("/v1/decisions", plain)
            let second = try await live.post("/v1/decisions", escaped)
            #expect(first.status == 200 && second.status == 200)
            #expect(first.body == second.body)
            #expect(first.reasonCodes == ["OUTBOUND_LIMIT_REACHED"])
            let lines = try String(contentsOfFile: live.decisionLogPath, encoding: .utf8).split(separator: "\n")
            try #require(lines.count == 2)
            func withoutTime(_ line: Substring) throws -> NSDictionary {
                let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                return object.filter { $0.key != "time" } as NSDictionary
            }
            #expect(try withoutTime(lines[0]) == withoutTime(lines[1]), "\(lines)")
            let request = try #require((try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])?["request"] as? [String: Any])
            #expect(request["to"] as? String == "+33 6 12 34 56 78")
            #expect((request["activeOutbound"] as? [String: Int]) == ["sms": 2])
            let metrics = try await live.get("/metrics")
            #expect(metrics.body.contains(#"sortie_decisions_total{action="start",allowed="false"} 2"#), "\(metrics.body)")
            #expect(metrics.body.contains(#"sortie_decision_reasons_total{code="OUTBOUND_LIMIT_REACHED"} 2"#))
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
            // Every code's series exists from the start, at 0 until reported.
            #expect(metrics.body.contains(#"sortie_decision_reasons_total{code="TRANSFER_NOT_ALLOWED"} 0"#), "\(metrics.body)")
            #expect(metrics.body.contains(#"sortie_decisions_total{action="close",allowed="true"} 0"#))
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

    /// Triggers planted in the database make the task insert, the agent's acceptance or the
    /// outbox insert fail for real.
    @Test(arguments: StoreKind.available, [
        (StoreKind.Fault.taskInsert, "TASK_CREATION_FAILED"),
        (StoreKind.Fault.taskAcceptance, "AGENT_ASSIGNMENT_FAILED"),
        (StoreKind.Fault.outboxInsert, "TASK_CREATION_FAILED"),
    ])
    func aFailedStepAnswers503AndRollsEverythingBack(store: StoreKind, example: (fault: StoreKind.Fault, code: String)) async throws {
        try await LiveServer.with(store: store, policies: examplePolicies) { live in
            let database = live.inspector
            let (plant, repair) = store.fault(example.fault)
            try await database.execute(plant)
            let reply = try await live.post("/v1/outbound-conversations", smsCreate(agent: agent("a-1"), to: "+33612345678", extra: #","message":{"body":"Bonjour"}"#))
            #expect(reply.status == 503, "\(reply)")
            #expect(reply.reasonCodes == [example.code])
            #expect(reply.at("decision.allowed") as? Bool == false)
            for table in ["customers", "conversations", "tasks", "messages"] {
                #expect(try await database.count(table) == 0, "\(table)")
            }
            // Repaired, the same create succeeds.
            try await database.execute(repair)
            let retried = try await live.post("/v1/outbound-conversations", smsCreate(agent: agent("a-1"), to: "+33612345678"))
            #expect(retried.status == 201)
        }
    }

    /// A retried create with the same Idempotency-Key answers the first 201 and creates nothing new.
    @Test(arguments: StoreKind.available)
    func idempotencyKeysReplayTheFirstAnswer(store: StoreKind) async throws {
        try await LiveServer.with(store: store, policies: examplePolicies) { live in
            let body = smsCreate(agent: agent("a-1"), to: "+33612345678", extra: #","message":{"body":"Bonjour"}"#)
            let first = try await live.send(.post, "/v1/outbound-conversations", body, headers: [.init("Idempotency-Key")!: "k-1"])
            #expect(first.status == 201, "\(first)")
            let again = try await live.send(.post, "/v1/outbound-conversations", body, headers: [.init("Idempotency-Key")!: "k-1"])
            #expect(again.status == 201)
            #expect(again.body == first.body)
            // Concurrent retries of one key: still one conversation.
            let second = smsCreate(agent: agent("a-2"), to: "+33612345679")
            let replies = try await withThrowingTaskGroup(of: Reply.self) { group in
                for _ in 0..<16 {
                    group.addTask { try await live.send(.post, "/v1/outbound-conversations", second, headers: [.init("Idempotency-Key")!: "k-2"]) }
                }
                return try await group.reduce(into: [Reply]()) { $0.append($1) }
            }
            #expect(replies.allSatisfy { $0.status == 201 }, "\(replies)")
            #expect(Set(replies.map { $0.string("conversation.id") ?? "" }).count == 1)
            #expect(try await live.inspector.count("conversations") == 2)
            #expect(try await live.inspector.count("messages") == 1)
            // Without a key, the same body is a new create (here refused: the destination is taken).
            let unkeyed = try await live.post("/v1/outbound-conversations", body)
            #expect(unkeyed.status == 409)
            let empty = try await live.send(.post, "/v1/outbound-conversations", body, headers: [.init("Idempotency-Key")!: ""])
            #expect(empty.status == 400)
        }
    }

    /// The status a request is counted under is the one it was answered, also for the errors
    /// the router and the body limit throw.
    @Test func metricsCountTheStatusAnswered() async throws {
        try await LiveServer.with(policies: examplePolicies, configure: { $0.maxBodyBytes = 1024 }) { live in
            #expect(try await live.get("/v1/nothing-here").status == 404)
            let big = smsCreate(agent: agent("a-1"), to: "+33610000001", extra: ",\"message\":{\"body\":\"\(String(repeating: "x", count: 4000))\"}")
            #expect(try await live.post("/v1/outbound-conversations", big).status == 413)
            let metrics = try await live.get("/metrics").body
            #expect(metrics.contains(#"sortie_http_requests_total{route="NotFound",status="404"} 1"#), "\(metrics)")
            #expect(metrics.contains(#"sortie_http_requests_total{route="/v1/outbound-conversations",status="413"} 1"#), "\(metrics)")
            #expect(!metrics.contains(#"status="500""#), "\(metrics)")
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

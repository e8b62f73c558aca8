import Foundation
import Testing

/// Policy hot reload: compile first, swap atomically, keep the old revision when the new set has errors.
@Suite struct ReloadTests {
    @Test func aBrokenSetKeepsTheOldRevisionAndReportsItsDiagnostics() async throws {
        let policies = try PolicyFixture.write()
        defer { try? FileManager.default.removeItem(at: policies) }
        let file = policies.appendingPathComponent("policy.yaml")
        try await LiveServer.with(policies: policies.path) { live in
            let original = live.service.policy.revision
            try PolicyFixture.text().replacingOccurrences(of: "maxOutboundTasks: 3 }\n    email", with: "maxOutboundTask: 3 }\n    email")
                .write(to: file, atomically: true, encoding: .utf8)
            let rejected = try await live.post("/v1/admin/reload", "")
            #expect(rejected.status == 422, "\(rejected)")
            #expect(rejected.at("reloaded") as? Bool == false)
            #expect(rejected.string("revision") == original)
            #expect(rejected.at("report.errors") as? Int ?? 0 >= 1)
            let rules = (rejected.at("report.diagnostics") as? [[String: Any]])?.compactMap { $0["rule"] as? String } ?? []
            #expect(rules.contains("unknown-field"), "\(rejected)")
            #expect(try await live.get("/healthz").string("revision") == original)
            let still = try await live.post("/v1/outbound-conversations", smsCreate(agent: agent("a"), to: "+33612345678"))
            #expect(still.status == 201)
            #expect(still.string("decision.revision") == original)

            // Fixed, with a new wrap-up reason: the reload swaps in the new revision.
            try PolicyFixture.text(wrapUpReasons: ["done", "callback"]).write(to: file, atomically: true, encoding: .utf8)
            let reloaded = try await live.post("/v1/admin/reload", "")
            #expect(reloaded.status == 200, "\(reloaded)")
            #expect(reloaded.string("previousRevision") == original)
            let revision = try #require(reloaded.string("revision"))
            #expect(revision != original)
            let id = try #require(still.string("conversation.id"))
            let closed = try await live.post("/v1/conversations/\(id)/close", #"{"wrapUpReason":"callback"}"#)
            #expect(closed.status == 200, "\(closed)")
            #expect(closed.string("decision.revision") == revision)
            let metrics = try await live.get("/metrics").body
            #expect(metrics.contains(#"sortie_policy_revision_info{revision="\#(revision)"} 1"#))
            #expect(metrics.contains(#"sortie_policy_revision_info{revision="\#(original)"} 0"#))
            #expect(metrics.contains(#"sortie_policy_reloads_total{outcome="rejected"} 1"#))
        }
    }

    @Test func everyRequestDuringReloadsIsDecidedUnderOneRevisionOrTheOther() async throws {
        let policies = try PolicyFixture.write()
        defer { try? FileManager.default.removeItem(at: policies) }
        let file = policies.appendingPathComponent("policy.yaml")
        let variants = [PolicyFixture.text(smsLimit: 3), PolicyFixture.text(smsLimit: 4)]
        try await LiveServer.with(policies: policies.path) { live in
            var revisions: Set<String> = [live.service.policy.revision]
            let replies = try await withThrowingTaskGroup(of: [Reply].self) { group in
                for client in 0..<8 {
                    group.addTask {
                        var replies: [Reply] = []
                        for n in 0..<25 {
                            replies.append(try await live.post("/v1/outbound-options", #"{"id":"\#(client)-\#(n)","agent":\#(agent("agent-\(client)"))}"#))
                        }
                        return replies
                    }
                }
                var reloads: [Reply] = []
                for n in 0..<20 {
                    try variants[(n + 1) % 2].write(to: file, atomically: true, encoding: .utf8)
                    reloads.append(try await live.post("/v1/admin/reload", ""))
                }
                var all = try await group.reduce(into: [Reply]()) { $0 += $1 }
                all += reloads
                return all
            }
            for reload in replies where reload.at("reloaded") != nil {
                #expect(reload.status == 200, "\(reload)")
                if let revision = reload.string("revision") { revisions.insert(revision) }
            }
            #expect(revisions.count == 2)
            let decisions = replies.filter { $0.at("decision") != nil }
            #expect(decisions.count == 200)
            for reply in decisions {
                #expect(reply.status == 200)
                #expect(revisions.contains(reply.string("decision.revision") ?? ""), "\(reply)")
                // The limit shown belongs to the revision that decided.
                let limit = reply.at("decision.channels.0.limit") as? Int
                #expect(limit == 3 || limit == 4)
            }
        }
    }
}

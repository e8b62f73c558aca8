import Foundation
import HTTPTypes
import Sortie
import SortieStore
import Testing

/// SPEC §7's consent on the service, over real HTTP on loopback against both stores: STOP and
/// START keywords, the one confirmation, further messages and new conversations refused, the
/// scope, and the facts a create gets from the store.
@Suite struct ConsentTests {
    static let support = "+33186950000"
    static let sales = "+33186950001"

    /// Two SMS entry points (`support-sms-fr` on `support`, `ventes-sms` on `sales`), one email
    /// entry point, French first, and `consent.scope` as given.
    static func policies(scope: String) throws -> URL {
        try PolicyFixture.write(PolicyFixture.text(smsLimit: 50, emailLimit: 50, locales: ["fr", "en"], consentScope: scope,
                                                   smsEntryPoints: [("ventes-sms", sales)]))
    }

    static func withServer<T: Sendable>(store: StoreKind, scope: String = "entry-point",
                                        _ body: @Sendable (LiveServer) async throws -> T) async throws -> T {
        let folder = try policies(scope: scope)
        defer { try? FileManager.default.removeItem(at: folder) }
        return try await LiveServer.with(store: store, policies: folder.path, body)
    }

    static func create(_ live: LiveServer, to: String, from entryPoint: String = "support-sms-fr",
                       agent agentId: String = "a-1") async throws -> Reply {
        try await live.post("/v1/outbound-conversations",
                            #"{"agent":\#(agent(agentId)),"channel":"sms","to":"\#(to)","entryPoint":"\#(entryPoint)"}"#)
    }

    static func inbound(_ live: LiveServer, from: String, to: String = support, _ text: String) async throws -> Reply {
        try await live.post("/v1/inbound", #"{"channel":"sms","from":"\#(from)","to":"\#(to)","body":"\#(text)"}"#)
    }

    static func close(_ live: LiveServer, _ id: String) async throws {
        let closed = try await live.post("/v1/conversations/\(id)/close", #"{"wrapUpReason":"done"}"#)
        #expect(closed.status == 200, "\(closed)")
    }

    @Test(arguments: StoreKind.available, ["stop", "Stop.", "ARRÊT", "  arret ! "])
    func aStopBlocksThatSenderOnlyAndIsConfirmedOnceUnderEntryPointScope(store: StoreKind, spelling: String) async throws {
        try await Self.withServer(store: store) { live in
            let customer = "+33612345678"
            let opened = try await Self.create(live, to: customer)
            #expect(opened.status == 201, "\(opened)")
            let id = try #require(opened.string("conversation.id"))

            let stop = try await Self.inbound(live, from: "+33 6 12 34 56 78", spelling)
            #expect(stop.status == 200, "\(stop)")
            #expect(stop.string("conversation.id") == id, "the STOP still joins its conversation")
            #expect(stop.string("consent.change") == "opt-out")
            #expect(stop.string("consent.entryPoint") == "support-sms-fr")
            #expect(stop.string("consent.source") == "keyword")
            #expect(stop.string("confirmation.body") == Consent.builtInConfirmation["fr"], "the tenant's default locale is fr")
            #expect(stop.string("confirmation.status") == "queued")
            #expect(stop.string("confirmation.conversationId") == id)

            // The agent may not write again; nothing is stored.
            let further = try await live.post("/v1/conversations/\(id)/messages", #"{"body":"Encore une offre"}"#)
            #expect(further.status == 403, "\(further)")
            #expect(further.reasonCodes == ["RECIPIENT_OPTED_OUT"])
            #expect(further.at("decision.reasons.0.details.entryPoint") as? String == "support-sms-fr")

            // A second STOP is recorded but not confirmed again.
            let again = try await Self.inbound(live, from: customer, "STOP")
            #expect(again.status == 200, "\(again)")
            #expect(again.string("consent.change") == "opt-out")
            #expect(again.at("confirmation") == nil)
            #expect(try await live.inspector.count("messages", where: "conversation_id = '\(id)' AND direction = 'outbound'") == 1)
            #expect(try await live.inspector.count("consent_changes") == 2)

            // New conversations: refused from this sender, allowed from the other one.
            try await Self.close(live, id)
            let blocked = try await Self.create(live, to: customer)
            #expect(blocked.status == 403, "\(blocked)")
            #expect(blocked.reasonCodes.first == "RECIPIENT_OPTED_OUT")
            let other = try await Self.create(live, to: customer, from: "ventes-sms")
            #expect(other.status == 201, "\(other)")
            try await Self.close(live, try #require(other.string("conversation.id")))

            // START lifts it, with no confirmation.
            let start = try await Self.inbound(live, from: customer, "Start")
            #expect(start.string("consent.change") == "opt-in", "\(start)")
            #expect(start.at("confirmation") == nil)
            try await Self.close(live, try #require(start.string("conversation.id")))
            let restarted = try await Self.create(live, to: customer)
            #expect(restarted.status == 201, "\(restarted)")
            let restartedId = try #require(restarted.string("conversation.id"))
            let allowed = try await live.post("/v1/conversations/\(restartedId)/messages", #"{"body":"Bonjour"}"#)
            #expect(allowed.status == 201, "\(allowed)")
        }
    }

    @Test(arguments: StoreKind.available)
    func underTenantScopeAStopToOneSenderStopsEverySender(store: StoreKind) async throws {
        try await Self.withServer(store: store, scope: "tenant") { live in
            let customer = "+33698765432"
            let stop = try await Self.inbound(live, from: customer, to: Self.sales, "UNSUBSCRIBE")
            #expect(stop.status == 201, "\(stop)")
            #expect(stop.string("consent.change") == "opt-out")
            #expect(stop.at("consent.entryPoint") == nil, "recorded for the whole tenant")
            #expect(stop.string("confirmation.body") == Consent.builtInConfirmation["fr"])
            try await Self.close(live, try #require(stop.string("conversation.id")))
            for entryPoint in ["support-sms-fr", "ventes-sms"] {
                let blocked = try await Self.create(live, to: customer, from: entryPoint)
                #expect(blocked.status == 403, "\(entryPoint): \(blocked)")
                #expect(blocked.reasonCodes == ["RECIPIENT_OPTED_OUT"])
            }
            // An opt-in to either sender lifts it for all.
            let start = try await Self.inbound(live, from: customer, to: Self.support, "unstop")
            #expect(start.string("consent.change") == "opt-in", "\(start)")
            try await Self.close(live, try #require(start.string("conversation.id")))
            for entryPoint in ["support-sms-fr", "ventes-sms"] {
                let created = try await Self.create(live, to: "+33 6 98 76 54 32", from: entryPoint)
                #expect(created.status == 201, "\(entryPoint): \(created)")
                try await Self.close(live, try #require(created.string("conversation.id")))
            }
        }
    }

    @Test(arguments: StoreKind.available, [("optedOut", "false"), ("at", #""2026-12-02T09:30:00Z""#),
                                            ("recipientTimeZone", #""Europe/Paris""#)])
    func aCreateBodyCarryingAStoreFactIsMalformed(store: StoreKind, fact: (field: String, value: String)) async throws {
        try await Self.withServer(store: store) { live in
            let member = "\"\(fact.field)\":\(fact.value)"
            let reply = try await live.post("/v1/outbound-conversations",
                                            #"{"agent":\#(agent("a-1")),"channel":"sms","to":"+33612345678","entryPoint":"support-sms-fr",\#(member)}"#)
            #expect(reply.status == 400, "\(reply)")
            #expect(reply.reasonCodes == ["INVALID_REQUEST"])
            let detail = try #require(reply.string("decision.reasons.0.details.field"))
            #expect(detail.hasPrefix(fact.field + ":"), "\(detail)")
            let options = try await live.post("/v1/outbound-options", #"{"agent":\#(agent("a-1")),\#(member)}"#)
            #expect(options.status == 400, "\(options)")
            #expect(try await live.inspector.count("conversations") == 0)
        }
    }

    @Test(arguments: StoreKind.available)
    func aCreateIsDecidedAtTheServicesClockWithTheCustomersStoredTimeZone(store: StoreKind) async throws {
        try await Self.withServer(store: store) { live in
            let first = try await Self.create(live, to: "+33612345678")
            #expect(first.status == 201, "\(first)")
            try await Self.close(live, try #require(first.string("conversation.id")))
            try await live.inspector.execute(["UPDATE customers SET time_zone = 'Europe/Paris'"])
            let before = Date().addingTimeInterval(-1)
            #expect(try await Self.create(live, to: "+33612345678").status == 201)
            let lines = try String(contentsOfFile: live.decisionLogPath, encoding: .utf8).split(separator: "\n")
            let requests = lines.compactMap { line in
                ((try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any])?["request"] as? [String: Any]
            }.filter { $0["action"] as? String == "start" }
            #expect(requests.count == 2)
            #expect(requests.first?["recipientTimeZone"] is NSNull || requests.first?["recipientTimeZone"] == nil)
            #expect(requests.last?["recipientTimeZone"] as? String == "Europe/Paris")
            #expect(requests.last?["optedOut"] as? Bool ?? false == false)
            let at = try #require(requests.last?["at"] as? String)
            #expect(at.hasSuffix("Z"), "\(at)")
            let moment = try Date(at, strategy: .iso8601)
            #expect(moment >= before.addingTimeInterval(-1) && moment <= Date().addingTimeInterval(1), "\(at)")
        }
    }

    /// 64 `send`s at once, and the customer's `stopText` to the support number a few
    /// milliseconds into them: the sends' replies and the STOP's.
    static func race(_ live: LiveServer, stopFrom customer: String, _ stopText: String,
                     send: @escaping @Sendable (Int) async throws -> Reply) async throws -> ([Reply], Reply) {
        try await withThrowingTaskGroup(of: (Int, Reply).self) { group in
            for n in 0..<64 {
                group.addTask { (n, try await send(n)) }
            }
            group.addTask {
                try await Task.sleep(for: .milliseconds(Int.random(in: 0...40)))
                return (-1, try await inbound(live, from: customer, stopText))
            }
            var sends: [Reply] = []
            var stop: Reply?
            for try await (n, reply) in group {
                if n < 0 { stop = reply } else { sends.append(reply) }
            }
            return (sends, try #require(stop))
        }
    }

    /// What waits in the outbox when the customer opts out is withdrawn: failed, never pushed,
    /// with the reason; the confirmation queued after the STOP stays, and so does what another
    /// sender queued under entry-point scope. An imported suppression withdraws the same way.
    @Test(arguments: StoreKind.available)
    func anOptOutWithdrawsWhatWaitsInTheOutbox(store: StoreKind) async throws {
        try await Self.withServer(store: store) { live in
            func open(_ to: String, from entryPoint: String, _ text: String) async throws -> String {
                let opened = try await live.post("/v1/outbound-conversations", """
                    {"agent":\(agent("a-1")),"channel":"sms","to":"\(to)","entryPoint":"\(entryPoint)","message":{"body":"\(text)"}}
                    """)
                #expect(opened.status == 201, "\(opened)")
                return try #require(opened.string("conversation.id"))
            }
            func count(_ conversation: String, _ condition: String) async throws -> Int {
                try await live.inspector.count("messages", where: "conversation_id = '\(conversation)' AND direction = 'outbound' AND \(condition)")
            }
            let withdrawn = "status = 'failed' AND last_error = '\(ConsentRecord.withdrawnByOptOut)'"
            let customer = "+33612340001"
            // The other sender's message, in a conversation since closed: queued (there is no gateway).
            let sale = try await open(customer, from: "ventes-sms", "Promotion")
            try await Self.close(live, sale)
            let support = try await open(customer, from: "support-sms-fr", "Votre dossier")
            let further = try await live.post("/v1/conversations/\(support)/messages", #"{"body":"Un complément"}"#)
            #expect(further.status == 201, "\(further)")
            #expect(try await count(support, "status = 'queued'") == 2)

            let stop = try await Self.inbound(live, from: customer, "STOP")
            #expect(stop.status == 200, "\(stop)")
            let confirmation = try #require(stop.string("confirmation.id"))
            #expect(try await count(support, withdrawn) == 2, "both waiting messages withdrawn")
            #expect(try await count(support, "status = 'queued'") == 1)
            #expect(try await count(support, "id = '\(confirmation)' AND status = 'queued'") == 1, "the confirmation still goes")
            #expect(try await count(sale, "status = 'queued'") == 1, "another sender's message is not withdrawn under entry-point scope")
            let page = try await live.get("/v1/conversations/\(support)")
            #expect(page.status == 200, "\(page)")
            #expect(page.string("messages.0.status") == "failed", "\(page)")
            #expect(page.string("messages.0.lastError") == ConsentRecord.withdrawnByOptOut)

            // An imported suppression for every sender withdraws the rest.
            let imported = try await live.send(.put, "/v1/consent/sms/%2B33612340001")
            #expect(imported.status == 200, "\(imported)")
            #expect(try await count(sale, withdrawn) == 1)
            #expect(try await count(support, "id = '\(confirmation)' AND status = 'queued'") == 1, "a confirmation is never withdrawn")
            #expect(try await live.inspector.count("messages", where: "direction = 'outbound' AND status = 'queued'") == 1)
        }
    }

    /// 64 creates (each with a first message) race one STOP, three times: whichever order the
    /// store runs them in, no message for the address is queued after the STOP's, a create
    /// refused by the opt-out says so, and exactly one confirmation goes.
    @Test(arguments: StoreKind.available)
    func sixtyFourCreatesRacingAStopNeverQueueAMessageAfterIt(store: StoreKind) async throws {
        try await Self.withServer(store: store) { live in
            for round in 1...3 {
                let customer = "+3367000000\(round)"
                let (creates, stop) = try await Self.race(live, stopFrom: customer, "STOP") { n in
                    try await live.post("/v1/outbound-conversations", smsCreate(
                        agent: agent("racer-\(round)-\(n)"), to: customer, extra: #","message":{"body":"Offre \#(n)"}"#))
                }
                #expect([200, 201].contains(stop.status), "\(stop)")
                let stopMessage = try #require(stop.string("message.id"))
                let confirmation = try #require(stop.string("confirmation.id"), "the first STOP is confirmed")
                let created = creates.filter { $0.status == 201 }
                #expect(created.count <= 1, "one active conversation per destination")
                for reply in creates where reply.status != 201 {
                    #expect([403, 409].contains(reply.status), "\(reply)")
                    if reply.status == 403 { #expect(reply.reasonCodes.first == "RECIPIENT_OPTED_OUT", "\(reply)") }
                }
                if let winner = created.first {
                    // It committed before the STOP, which then joined it.
                    #expect(stop.string("conversation.id") == winner.string("conversation.id"))
                }
                let stopSeq = try await live.inspector.int("SELECT seq FROM messages WHERE id = '\(stopMessage)'")
                let after = try await live.inspector.int("""
                    SELECT COUNT(*) FROM messages m JOIN conversations c ON c.id = m.conversation_id
                    WHERE c.destination = '\(customer)' AND m.direction = 'outbound' AND m.seq > \(stopSeq) AND m.id <> '\(confirmation)'
                    """)
                #expect(after == 0, "round \(round): \(after) messages queued after the STOP")
                #expect(try await live.inspector.count("messages", where: "body = '\(Consent.builtInConfirmation["fr"]!.replacingOccurrences(of: "'", with: "''"))' AND conversation_id IN (SELECT id FROM conversations WHERE destination = '\(customer)')") == 1)
                // Later creates all meet the opt-out.
                let late = try await Self.create(live, to: customer, agent: "late-\(round)")
                #expect(late.status == 403, "\(late)")
                #expect(late.reasonCodes.first == "RECIPIENT_OPTED_OUT")
            }
        }
    }

    /// 64 further messages in one conversation race the customer's STOP: those answered 201
    /// were queued before the STOP, every other one is `RECIPIENT_OPTED_OUT` and left nothing.
    @Test(arguments: StoreKind.available)
    func sixtyFourMessagesRacingAStopAreQueuedBeforeItOrRefused(store: StoreKind) async throws {
        try await Self.withServer(store: store) { live in
            let customer = "+33671000001"
            let opened = try await Self.create(live, to: customer)
            let id = try #require(opened.string("conversation.id"), "\(opened)")
            let (sends, stop) = try await Self.race(live, stopFrom: customer, "stop") { n in
                try await live.post("/v1/conversations/\(id)/messages", #"{"body":"Relance \#(n)"}"#)
            }
            #expect(stop.status == 200, "\(stop)")
            let stopSeq = try await live.inspector.int("SELECT seq FROM messages WHERE id = '\(try #require(stop.string("message.id")))'")
            let confirmation = try #require(stop.string("confirmation.id"))
            let accepted = sends.filter { $0.status == 201 }
            for reply in sends where reply.status != 201 {
                #expect(reply.status == 403 && reply.reasonCodes == ["RECIPIENT_OPTED_OUT"], "\(reply)")
            }
            let outbound = "conversation_id = '\(id)' AND direction = 'outbound'"
            #expect(try await live.inspector.count("messages", where: "\(outbound) AND seq < \(stopSeq)") == accepted.count)
            #expect(try await live.inspector.count("messages", where: "\(outbound) AND seq > \(stopSeq) AND id <> '\(confirmation)'") == 0)
            #expect(try await live.inspector.count("messages", where: outbound) == accepted.count + 1)
        }
    }
}

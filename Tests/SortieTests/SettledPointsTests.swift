import Foundation
import Testing
@testable import Sortie

/// The contract's settled points on requests, on both ways in (the strict decoder and
/// `sortie eval`'s line reader, which must give the same bytes): an absent email subject is
/// `EMAIL_SUBJECT_REQUIRED`; `null` only where a field is "or null"; a key written twice is
/// malformed.
@Suite struct SettledPointsTests {
    static let set = """
        apiVersion: sortie/v1
        kind: Tenant
        metadata: { name: acme-fr }
        spec:
          digitalChannels: true
          licenses: { premium: { outbound: true } }
          agentStates: [available]
          locales: [en]
          defaultProfile: digital
        ---
        apiVersion: sortie/v1
        kind: OutboundPolicy
        metadata: { name: outbound }
        spec: { allowedAgentStates: [available], wrapUpReasons: [resolved] }
        ---
        apiVersion: sortie/v1
        kind: MultimediaProfile
        metadata: { name: digital }
        spec: { channels: { sms: { maxOutboundTasks: 2 }, email: { maxOutboundTasks: 1 } } }
        ---
        apiVersion: sortie/v1
        kind: EntryPoint
        metadata: { name: support-sms }
        spec: { channel: sms, address: "+33186950000" }
        ---
        apiVersion: sortie/v1
        kind: EntryPoint
        metadata: { name: support-mail }
        spec: { channel: email, address: support@acme.fr }

        """

    static let lines: LineEvaluator = {
        let result = Compiler.compile(sources: [PolicySource(path: "set.yaml", text: set)], root: "set.yaml")
        return LineEvaluator(evaluator: Evaluator(policy: result.policy!))
    }()

    static let agent = #""agent": {"id": "a", "license": "premium", "state": "available"}"#

    /// The decision for a line from both paths, which must agree byte for byte.
    static func decide(_ line: String, sourceLocation: SourceLocation = #_sourceLocation) -> Decision {
        let bytes = Array(line.utf8)
        var out: [UInt8] = []
        bytes.withUnsafeBufferPointer { lines.decide(line: $0, into: &out) }
        let decision = lines.evaluator.decide(json: bytes)
        #expect(String(decoding: out, as: UTF8.self) == decision.json + "\n", "line: \(line)", sourceLocation: sourceLocation)
        return decision
    }

    static func invalidField(_ d: Decision) -> String? {
        guard d.reasons.map(\.code) == [.invalidRequest], case .string(let detail)? = d.reasons.first?.details["field"] else { return nil }
        return detail
    }

    @Test(arguments: [
        #"{\#(agent), "channel": "email", "to": "c@exemple.fr", "entryPoint": "support-mail"}"#,
        #"{\#(agent), "channel": "email", "to": "c@exemple.fr", "entryPoint": "support-mail", "subject": null}"#,
        #"{\#(agent), "channel": "email", "to": "c@exemple.fr", "entryPoint": "support-mail", "subject": " \t "}"#,
    ])
    func anEmailSubjectAbsentNullOrBlankIsRequired(line: String) {
        #expect(Self.decide(line).reasons.map(\.code) == [.emailSubjectRequired])
    }

    @Test(arguments: [
        ("activeOutbound", #"{\#(agent), "channel": "sms", "to": "+33612345678", "entryPoint": "support-sms", "activeOutbound": null}"#),
        ("destinationActive", #"{\#(agent), "channel": "sms", "to": "+33612345678", "entryPoint": "support-sms", "destinationActive": null}"#),
        ("subjectUsed", #"{\#(agent), "channel": "email", "to": "c@exemple.fr", "entryPoint": "support-mail", "subject": "s", "subjectUsed": null}"#),
        ("locale", #"{"locale": null, \#(agent), "channel": "sms", "to": "+33612345678", "entryPoint": "support-sms"}"#),
        ("action", #"{"action": null, \#(agent), "channel": "sms", "to": "+33612345678", "entryPoint": "support-sms"}"#),
        ("id", #"{"id": null, \#(agent), "channel": "sms", "to": "+33612345678", "entryPoint": "support-sms"}"#),
        ("agent", #"{"agent": null, "action": "close"}"#),
        ("agent.license", #"{"agent": {"id": "a", "license": null, "state": "available"}, "channel": "sms", "to": "+33612345678"}"#),
        ("channel", #"{\#(agent), "channel": null, "to": "+33612345678", "entryPoint": "support-sms"}"#),
        ("activeOutbound.sms", #"{\#(agent), "channel": "sms", "to": "+33612345678", "entryPoint": "support-sms", "activeOutbound": {"sms": null}}"#),
        ("operation", #"{\#(agent), "action": "operation", "operation": null}"#),
    ])
    func nullWhereTheFieldIsNotNullableIsAWrongType(field: String, line: String) throws {
        let detail = try #require(Self.invalidField(Self.decide(line)), "\(line)")
        #expect(detail.hasPrefix(field + ": expected"), "\(detail)")
        #expect(detail.hasSuffix("found null"), "\(detail)")
    }

    @Test(arguments: [
        #"{"agent": {"id": "a", "license": "premium", "state": "available", "team": null, "site": null}, "channel": "sms", "to": "+33612345678", "entryPoint": null}"#,
        #"{\#(agent), "action": "close", "wrapUpReason": null}"#,
    ])
    func nullWhereTheFieldIsNullableIsAbsent(line: String) {
        let d = Self.decide(line)
        #expect(!d.reasons.contains { $0.code == .invalidRequest }, "\(d.json)")
    }

    @Test(arguments: [
        ("destinationActive", #"{\#(agent), "channel": "sms", "to": "+33612345678", "entryPoint": "support-sms", "destinationActive": true, "destinationActive": false}"#),
        ("agent.id", #"{"agent": {"id": "a", "id": "b", "license": "premium", "state": "available"}, "channel": "sms", "to": "+33612345678", "entryPoint": "support-sms"}"#),
        ("activeOutbound.sms", #"{\#(agent), "channel": "sms", "to": "+33612345678", "entryPoint": "support-sms", "activeOutbound": {"sms": 5, "sms": 0}}"#),
        ("to", #"{\#(agent), "channel": "sms", "to": "not a number", "entryPoint": "support-sms", "to": "+33612345678"}"#),
    ])
    func aKeyWrittenTwiceIsMalformed(field: String, line: String) throws {
        let d = Self.decide(line)
        let detail = try #require(Self.invalidField(d), "\(d.json)")
        #expect(detail == "\(field): written twice")
    }

    @Test func aDuplicateStillEchoesTheIDWhenItIsWrittenOnce() {
        let d = Self.decide(#"{"id": "r-7", \#(Self.agent), "to": "+33612345678", "to": "+33612345679", "channel": "sms"}"#)
        #expect(d.id == "r-7")
        let twice = Self.decide(#"{"id": "r-7", "id": "r-8", \#(Self.agent), "channel": "sms", "to": "+33612345678"}"#)
        #expect(twice.id == nil)
        #expect(Self.invalidField(twice) == "id: written twice")
    }
}

/// The reason-code table: every code one row with everything every path needs.
@Suite struct ReasonTableTests {
    @Test func everyCodeHasItsMessagesStatusAndDetails() {
        for code in ReasonCode.allCases {
            let row = code.facts
            #expect(row.name.allSatisfy { $0.isUppercase || $0 == "_" }, "\(row.name)")
            #expect(ReasonCode(name: row.name) == code)
            for locale in ReasonCode.builtInLocales { #expect(code.builtInMessage(locale: locale)?.isEmpty == false, "\(row.name) \(locale)") }
            #expect([400, 403, 409, 422, 503].contains(row.status), "\(row.name)")
            #expect(!row.when.isEmpty)
            #expect(Set(row.details).count == row.details.count, "\(row.name) repeats a detail")
        }
        #expect(Set(ReasonCode.allCases.map(\.name)).count == ReasonCode.allCases.count)
    }

    @Test func noCodeFallsOutOfAReasonSet() {
        #expect(ReasonCode.allCases.count <= ReasonSet.capacity)
        var set = ReasonSet()
        for code in ReasonCode.allCases { set.insert(code) }
        #expect(Array(set) == ReasonCode.allCases)
    }

    @Test func theReferenceDocumentHasTheGeneratedTable() throws {
        let url = TestPaths.packageRoot.appendingPathComponent("docs/reference.md")
        let document = try String(contentsOf: url, encoding: .utf8)
        let updated = try #require(ReasonReference.updating(document), "docs/reference.md lacks the reason-code markers")
        #expect(updated == document, "docs/reference.md's reason table is stale: run scripts/update-docs")
        for code in ReasonCode.allCases { #expect(document.contains("| `\(code.name)` |"), "\(code.name) has no row in docs/reference.md") }
    }

    /// Every reason of every decision carries exactly its row's details, whichever path wrote it.
    @Test func decisionsCarryExactlyTheDetailsOfTheirRows() throws {
        var rng = SeededGenerator(seed: 99)
        var seen = Set<ReasonCode>()
        for _ in 0..<40 {
            let result = Compiler.compile(sources: [PolicySource(path: "s.yaml", text: DifferentialTests.randomSet(&rng))], root: "s/")
            let e = Evaluator(policy: try #require(result.policy))
            for _ in 0..<80 {
                let d = e.decide(json: Array(try encodeJSON(DifferentialTests.randomRequest(&rng), pretty: false).utf8))
                for reason in d.reasons + d.warnings + (d.channels ?? []).flatMap(\.reasons) {
                    #expect(Set(reason.details.keys) == Set(reason.code.detailKeys), "\(reason.code.name): \(reason.details)")
                    seen.insert(reason.code)
                }
            }
        }
        #expect(seen.count >= 15, "only \(seen.map(\.name).sorted()) were produced")
    }
}

import Foundation
import Testing
@testable import Sortie

/// `LineEvaluator` (bytes in, bytes out) against the reference path, `Evaluator.decide(json:)`
/// and the `Decision` it encodes: the same bytes for every line, well-formed or not.
@Suite struct LineEvaluatorTests {
    /// A catalog whose messages need escaping, have placeholders that repeat, an unclosed brace,
    /// non-ASCII text, and a locale (de) the built-in messages lack.
    static let catalog = #"""
        apiVersion: sortie/v1
        kind: ReasonCatalog
        metadata: { name: messages }
        spec:
          OUTBOUND_LIMIT_REACHED: { fr: "Limite « {limit} » ({active}/{limit}) sur {channel} pour {profile}", en: 'Limit "{limit}" \ {channel', de: "Grenze {limit}" }
          INVALID_DESTINATION: { en: "{destination}{problem}", fr: "{destination} — {problem}" }
          CONVERSATION_ALREADY_ACTIVE: { en: "\t{destination}\u00e9" }

        """#

    static func lines(for request: JSONValue, _ rng: inout SeededGenerator) throws -> [String] {
        let compact = try encodeJSON(request, pretty: false)
        let spaced = try encodeJSON(request, pretty: true).replacingOccurrences(of: "\n", with: " \t")
        return [compact, spaced, String(decoding: RobustnessTests.mutate(Array(compact.utf8), &rng), as: UTF8.self)]
    }

    static func randomRequest(_ rng: inout SeededGenerator) -> JSONValue {
        guard case .object(var r) = DifferentialTests.randomRequest(&rng) else { return .null }
        if Bool.random(using: &rng) { r["locale"] = DifferentialTests.pick([.string("fr"), .string("en"), .string("de"), .null, .string("FR")], &rng) }
        if Bool.random(using: &rng) { r["id"] = DifferentialTests.pick([.string("r-é"), .string("q\"uote"), .null, .integer(3), .string("a/b")], &rng) }
        if Bool.random(using: &rng) { r["subject"] = DifferentialTests.pick([.string("Réunion"), .string("\u{A0}"), .string("a\\b"), .string(" x ")], &rng) }
        if Int.random(in: 0..<4, using: &rng) == 0 {
            r["activeOutbound"] = .object(["sms": DifferentialTests.pick([.integer(0), .integer(7), .number(2.5), .integer(-2)], &rng),
                                           "fax": .integer(1)])
        }
        if Int.random(in: 0..<6, using: &rng) == 0 { r["to"] = .string(DifferentialTests.pick([" +33 (0)6 12 34 56 78 ", "(+33) 6-12-34-56-78", " Client@Exemple.FR", "+33 (0)(0)6"], &rng)) }
        if Int.random(in: 0..<8, using: &rng) == 0 { r["wrapUpReason"] = .string("  resolu ") }
        return .object(r)
    }

    static func expectSame(_ lines: LineEvaluator, _ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        bytes.withUnsafeBufferPointer { lines.decide(line: $0, into: &out) }
        let reference = lines.evaluator.decide(json: bytes).json + "\n"
        #expect(String(decoding: out, as: UTF8.self) == reference, "line: \(text)", sourceLocation: sourceLocation)
        expectSameForAService(lines, bytes, sourceLocation: sourceLocation)
    }

    /// The service's way in (`decide(body:decision:request:)`): when it takes the body, the
    /// decision's bytes, the request it writes for the log and what it counts are the reference's.
    @discardableResult
    static func expectSameForAService(_ lines: LineEvaluator, _ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
        var decision = JSONWriter()
        var request: JSONWriter? = JSONWriter()
        guard let outcome = bytes.withUnsafeBufferPointer({ lines.decide(body: $0, decision: &decision, request: &request) }) else {
            #expect(decision.bytes.isEmpty && request?.bytes.isEmpty == true, "nothing written for the reference path", sourceLocation: sourceLocation)
            return false
        }
        let text = String(decoding: bytes, as: UTF8.self)
        let reference = lines.evaluator.decide(json: bytes)
        let decoded = try? Request.decode(json: bytes).get()
        #expect(String(decoding: decision.bytes, as: UTF8.self) == reference.json, "line: \(text)", sourceLocation: sourceLocation)
        #expect(request.map { String(decoding: $0.bytes, as: UTF8.self) } == decoded?.json, "line: \(text)", sourceLocation: sourceLocation)
        var reasons = ReasonSet(), warnings = ReasonSet()
        for reason in reference.reasons { reasons.insert(reason.code) }
        for warning in reference.warnings { warnings.insert(warning.code) }
        // The service answers what this path decides with 200: it is never INVALID_REQUEST.
        #expect(!reasons.contains(.invalidRequest), "line: \(text)", sourceLocation: sourceLocation)
        #expect(outcome == LineOutcome(action: decoded?.action ?? .start, allowed: reference.allowed, reasons: reasons, warnings: warnings),
                "line: \(text)", sourceLocation: sourceLocation)
        return true
    }

    @Test func sameBytesAsTheReferenceOnGeneratedRequests() throws {
        var rng = SeededGenerator(seed: 2026_11_25)
        var fast = 0, service = 0, total = 0 // well-formed lines
        for setIndex in 0..<120 {
            var text = DifferentialTests.randomSet(&rng)
            if Bool.random(using: &rng) { text += "---\n" + Self.catalog }
            let result = Compiler.compile(sources: [PolicySource(path: "set-\(setIndex).yaml", text: text)], root: "set/")
            let policy = try #require(result.policy, "\(result.diagnostics.map(\.message))\n\(text)")
            let lines = LineEvaluator(evaluator: Evaluator(policy: policy, clock: { DifferentialTests.now }))
            for _ in 0..<40 {
                for line in try Self.lines(for: Self.randomRequest(&rng), &rng) {
                    Self.expectSame(lines, line)
                    guard lines.evaluator.decide(json: Array(line.utf8)).reasons.first?.code != .invalidRequest else { continue }
                    var out = JSONWriter()
                    var none: JSONWriter?
                    if Array(line.utf8).withUnsafeBufferPointer({ lines.decideFast($0, &out, request: &none) }) != nil { fast += 1 }
                    if Self.expectSameForAService(lines, Array(line.utf8)) { service += 1 }
                    total += 1
                }
            }
        }
        // The comparison means something only if the fast path decides most well-formed lines
        // (the others have an escape in a string). About three in four do; the lines' key order
        // follows dictionary order, which changes from run to run, and so does the share. Lines
        // naming a recipientTimeZone under a set without contact hours also take the reference
        // path (it checks the name), so the bound is a half.
        #expect(total > 1000 && fast > total / 2, "\(fast) of \(total) well-formed lines took the fast path")
        #expect(service == fast, "\(service) of \(total) well-formed lines took the service's fast path, \(fast) the eval one")
    }

    @Test(arguments: [
        #"{"agent":{"id":"a","license":"premium","state":"available"},"channel":"sms","to":"+33612345678","entryPoint":"e-sms"}"#,
        #"{"agent":{"id":"a","license":"premium","state":"available"},"channel":"sms","to":"+33612345678","entryPoint":"e-sms","id":"x","id":"y"}"#,
        #"{"agent":{"id":"a","license":"premium","state":"available"},"activeOutbound":{"sms":2.0},"channel":"sms","to":"+33612345678"}"#,
        #"{"agent":{"id":"a","license":"premium","state":"available"},"activeOutbound":{"sms":-0,"sms":1},"channel":"sms","to":"+33612345678"}"#,
        #"{"agent":{"id":"a","license":"premium","state":"available"},"activeOutbound":{"sms":007},"channel":"sms","to":"+33612345678"}"#,
        #"{"agent":{"id":"a","license":"premium","state":"available"},"activeOutbound":{"sms":1234567890123456},"channel":"sms","to":"+3"}"#,
        #"{"agent":{"id":"a","license":"premium","state":"available"},"activeOutbound":{"sms":1e0},"channel":"sms","to":"+33612345678"}"#,
        #"{"agent":{"id":"\u0061","license":"premium","state":"available"},"channel":"email","to":"a@b.fr","subject":"\u00e9"}"#,
        #"{"id":"é\"","agent":{"id":"a","license":"premium","state":"available"},"channel":"sms","to":"+33612345678"} x"#,
        #"{"id":"\u00e9","action":"close","agent":{"id":"a"},"wrapUpReason":" resolu "}"#,
        #"{"action":"close","agent":{"id":"a"},"wrapUpReason":"   "}"#,
        #"{"action":"operation","agent":{"id":"a"},"operation":"workflow"}"#,
        #"{"action":"operation","agent":{"id":"a","team":7},"operation":"transfer"}"#,
        #"{"action":"options","agent":{"id":"a","license":"premium","state":"available","site":"lyon"},"activeOutbound":null}"#,
        #"{"action":"options","agent":null}"#,
        #"{"agent":{"id":"a","license":"premium","state":"available"},"channel":"SMS","to":"x","entryPoint":null,"destinationActive":true}"#,
        #"{"agent":{"id":"a","license":"prémium","state":"available"},"channel":"sms","to":"+33612345678"}"#,
        #"{"agent":{"id":"a","license":"premium","state":"available"},"channel":"sms","to":"+33 6 12 34 56 78","destinationActive":true,"subject":"\u0000"}"#,
        #"{"agent":{"id":"a","license":"premium","state":"available"},"channel":"email","to":"Client@Exemple.FR","destinationActive":true,"subject":"Réunion","subjectUsed":true}"#,
        #"{"agent":{"id":"a","license":"premium","state":"available"},"channel":"email","to":"a@b.fr","subject":" "}"#,
        #"{"agent":{"id":"a","license":"premium","state":"available"},"activeOutbound":{},"channel":"sms","to":"+33612345678","destinationActive":false}"#,
        #"{"agent":{"site":"lyon","id":"a","license":"premium","state":"available"},"activeOutbound":{"sms":0,"email":3},"channel":"sms","to":"+33612345678"}"#,
        #"{"agent":{"id":"a","license":"premium","state":"available"},"activeOutbound":{"whatsapp":2,"sms":1},"channel":"sms","to":"+33612345678"}"#,
        #"{"locale":"fr","id":"é","action":"start","agent":{"id":"a","license":"premium","state":"available"},"channel":"email","to":"a@b.fr","subject":"Réunion","subjectUsed":false}"#,
        #" { "action" : "operation" , "agent" : { "id" : "a" } , "operation" : "workflow" , "trigger" : "t" } "#,
        "[1]", "{}", "", "nul", "{\"id\":\"\u{FF}\"}",
    ])
    func sameBytesOnEdgeCases(line: String) throws {
        let text = try String(contentsOf: TestPaths.fixtures.appendingPathComponent("ok/minimal.yaml"), encoding: .utf8)
        let entryPoints = "---\napiVersion: sortie/v1\nkind: EntryPoint\nmetadata: { name: e-sms }\nspec: { channel: sms, address: \"+33186950000\" }\n"
        let policy = try #require(Compiler.compile(sources: [PolicySource(path: "s.yaml", text: text + entryPoints + "---\n" + Self.catalog)], root: "s").policy)
        Self.expectSame(LineEvaluator(evaluator: Evaluator(policy: policy, clock: { DifferentialTests.now })), line)
    }

    @Test func invalidUTF8GoesToTheReference() throws {
        var rng = SeededGenerator(seed: 1)
        let policy = try #require(Compiler.compile(sources: [PolicySource(path: "s.yaml", text: DifferentialTests.randomSet(&rng))], root: "s").policy)
        let lines = LineEvaluator(evaluator: Evaluator(policy: policy, clock: { DifferentialTests.now }))
        let bytes: [UInt8] = Array(#"{"id":""#.utf8) + [0xC3, 0x28] + Array(#"","agent":{"id":"a"},"action":"close"}"#.utf8)
        var out: [UInt8] = []
        bytes.withUnsafeBufferPointer { lines.decide(line: $0, into: &out) }
        #expect(String(decoding: out, as: UTF8.self) == lines.evaluator.decide(json: bytes).json + "\n")
        #expect(String(decoding: out, as: UTF8.self).contains("INVALID_REQUEST"))
    }

    /// A name that is not ASCII can equal an ASCII one (the Kelvin sign is "K"): a miss in such a
    /// table is not trusted, and the `String` path decides.
    @Test func nonASCIIPolicyNamesMakeMissesUncertain() throws {
        let table = ByteTable([("\u{212A}", 0), ("b", 1)])
        #expect(!table.certainMisses)
        #expect(ByteTable([("a", 0)]).certainMisses)
        #expect(Array("K".utf8).withUnsafeBufferPointer { table.value($0) } == ByteTable.absent)
        #expect("\u{212A}" == "K", "Swift compares strings by canonical equivalence")

        let set = """
            apiVersion: sortie/v1
            kind: Tenant
            metadata: { name: t }
            spec: { digitalChannels: true, licenses: { "\u{212A}": { outbound: true } }, agentStates: [available], defaultProfile: p }
            ---
            apiVersion: sortie/v1
            kind: OutboundPolicy
            metadata: { name: o }
            spec: { allowedAgentStates: [available], wrapUpReasons: [r] }
            ---
            apiVersion: sortie/v1
            kind: MultimediaProfile
            metadata: { name: p }
            spec: { channels: { sms: { maxOutboundTasks: 2 } } }

            """
        let policy = try #require(Compiler.compile(sources: [PolicySource(path: "s.yaml", text: set)], root: "s").policy)
        let lines = LineEvaluator(evaluator: Evaluator(policy: policy, clock: { DifferentialTests.now }))
        let line = #"{"agent":{"id":"a","license":"K","state":"available"},"channel":"sms","to":"+33612345678"}"#
        Self.expectSame(lines, line)
        #expect(!lines.evaluator.decide(json: Array(line.utf8)).reasons.contains { $0.code == .licenseNotEligible })
    }
}

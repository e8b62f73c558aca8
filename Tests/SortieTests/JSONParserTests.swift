import Foundation
import Testing
@testable import Sortie

/// The request parser against Foundation's JSON on generated and mutated documents: the same
/// texts are accepted, and they mean the same values.
@Suite struct JSONParserTests {
    static func random(_ depth: Int, _ rng: inout SeededGenerator) -> String {
        switch Int.random(in: 0..<(depth > 3 ? 5 : 7), using: &rng) {
        case 0: return ["true", "false", "null"].randomElement(using: &rng)!
        case 1: return ["0", "-1", "42", "3.5", "-0.25", "1e3", "2.0", "1E-2", "123456789"].randomElement(using: &rng)!
        case 2, 3:
            let pieces = ["a", "é", "\\n", "\\\"", "\\\\", "\\u00e9", "\\ud83d\\ude00", "\\/", " ", "+33 6", "{", "]"]
            return "\"" + (0..<Int.random(in: 0...4, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined() + "\""
        case 4: return "\"\(Int.random(in: 0...99, using: &rng))\""
        case 5: return "[" + (0..<Int.random(in: 0...3, using: &rng)).map { _ in random(depth + 1, &rng) }.joined(separator: ", ") + "]"
        default:
            let keys = (0..<Int.random(in: 0...3, using: &rng)).map { "k\($0)" }
            return "{" + keys.map { "\"\($0)\": \(random(depth + 1, &rng))" }.joined(separator: ",") + "}"
        }
    }

    static func foundation(_ text: String) -> Any? {
        try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
    }

    static func same(_ value: JSONValue, _ any: Any) -> Bool {
        switch value {
        case .null: return any is NSNull
        case .bool(let b): return (any as? Bool) == b && !(any is Int && !(any is Bool) && false)
        case .integer(let n): return (any as? NSNumber)?.doubleValue == Double(n)
        case .number(let d): return (any as? NSNumber)?.doubleValue == d
        case .string(let s): return (any as? String) == s
        case .array(let items):
            guard let other = any as? [Any], other.count == items.count else { return false }
            return zip(items, other).allSatisfy { same($0, $1) }
        case .object(let map):
            guard let other = any as? [String: Any], other.count == map.count else { return false }
            return map.allSatisfy { key, v in other[key].map { same(v, $0) } ?? false }
        }
    }

    @Test func acceptsWhatFoundationAcceptsWithTheSameMeaning() {
        var rng = SeededGenerator(seed: 3)
        for _ in 0..<5000 {
            let text = Self.random(0, &rng)
            let mine = JSONParser.parse(Array(text.utf8))
            let theirs = Self.foundation(text)
            #expect((mine != nil) == (theirs != nil), "\(text)")
            if let mine, let theirs { #expect(Self.same(mine, theirs), "\(text)") }
        }
    }

    @Test(arguments: ["", " ", "{", "{\"a\":}", "{\"a\" 1}", "[1,]", "{\"a\":1,}", "01", "1.", ".5", "-", "+1", "tru", "nul",
                      "\"\\x\"", "\"\\ud800\"", "\"\\udc00\"", "\"a\u{01}b\"", "1 2", "{}x", "[1]]", "\"unterminated",
                      "// comment\n{}", "NaN", "Infinity", "1e999", "'a'"])
    func rejectsWhatIsNotJSON(text: String) {
        #expect(JSONParser.parse(Array(text.utf8)) == nil, "\(text)")
    }

    @Test func boundsNesting() {
        let deep = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        #expect(JSONParser.parse(Array(deep.utf8)) == nil)
        let ok = String(repeating: "[", count: 10) + String(repeating: "]", count: 10)
        #expect(JSONParser.parse(Array(ok.utf8)) != nil)
    }

    @Test func mutatedRequestsNeverCrashTheParserOrTheEvaluator() throws {
        var rng = SeededGenerator(seed: 8)
        let base = Array(#"{"id":"r-1","agent":{"id":"a","license":"premium","state":"available"},"activeOutbound":{"sms":1},"channel":"sms","to":"+33 6 12 34 56 78","entryPoint":"e","subject":"Bonjour \u00e9"}"#.utf8)
        let result = Compiler.compile(sources: [PolicySource(path: "s.yaml", text: try String(contentsOf: TestPaths.fixtures.appendingPathComponent("ok/minimal.yaml"), encoding: .utf8))], root: "s")
        let evaluator = Evaluator(policy: try #require(result.policy))
        for _ in 0..<5000 {
            let bytes = RobustnessTests.mutate(base, &rng)
            let decision = evaluator.decide(json: bytes)
            #expect(decision.allowed == decision.reasons.isEmpty)
        }
    }
}

/// The decision writer against JSONEncoder, byte for byte: decisions, options decisions and
/// explanations (`--explain`), on random sets and requests.
@Suite struct DecisionJSONTests {
    @Test func writerMatchesJSONEncoder() throws {
        var rng = SeededGenerator(seed: 12)
        var options = 0
        for _ in 0..<30 {
            let result = Compiler.compile(sources: [PolicySource(path: "s.yaml", text: DifferentialTests.randomSet(&rng))], root: "s/")
            let e = Evaluator(policy: try #require(result.policy))
            for _ in 0..<60 {
                let d = e.decide(json: Array(try encodeJSON(DifferentialTests.randomRequest(&rng).foundationValue, pretty: false).utf8))
                #expect(d.json == (try referenceJSON(d)))
                if d.channels != nil { options += 1 }
            }
        }
        #expect(options > 0, "no options decision was compared")
        var odd = Decision(id: "quote\" back\\slash \n tab\t ctl\u{01} é 😀 </", allowed: false, reasons: [], warnings: [],
                           profile: nil, destination: nil, revision: "sha256:x")
        odd.reasons = [Reason(code: .invalidRequest, message: "m\u{1F}", details: ["field": .string("a\"b"), "n": .integer(-3), "z": .null])]
        #expect(odd.json == (try referenceJSON(odd)))
    }

    @Test func explainedDecisionsMatchJSONEncoder() throws {
        var rng = SeededGenerator(seed: 13)
        var compared = 0
        for _ in 0..<20 {
            let result = Compiler.compile(sources: [PolicySource(path: "s.yaml", text: DifferentialTests.randomSet(&rng))], root: "s/")
            let e = Evaluator(policy: try #require(result.policy))
            for _ in 0..<40 {
                let bytes = Array(try encodeJSON(DifferentialTests.randomRequest(&rng).foundationValue, pretty: false).utf8)
                guard case .success(let request) = Request.decode(json: bytes) else { continue }
                let d = e.decide(request)
                let steps = e.explain(request)
                var w = JSONWriter()
                d.write(&w, explain: steps)
                #expect(String(decoding: w.bytes, as: UTF8.self) == (try referenceJSON(ExplainedDecisionReference(decision: d, explain: steps))))
                compared += 1
            }
        }
        #expect(compared > 100)
    }
}

extension JSONValue: Encodable {
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let b): try c.encode(b)
        case .integer(let n): try c.encode(n)
        case .number(let d): try c.encode(d)
        case .string(let s): try c.encode(s)
        case .array(let a): try c.encode(a)
        case .object(let o): try c.encode(o)
        }
    }

    var foundationValue: JSONValue { self }
}

import Testing
@testable import Sortie

/// A small, seeded, reproducible random generator (SplitMix64).
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Feeds thousands of generated and mutated inputs to the loader and linter: every one must end
/// in diagnostics or success, never a crash or a hang, and every diagnostic must be well-formed.
@Suite(.timeLimit(.minutes(5))) struct RobustnessTests {
    static let seedDocument = """
        apiVersion: sortie/v1
        kind: Tenant
        metadata: { name: acme-fr, description: "Acme — France" }
        spec:
          digitalChannels: true
          licenses:
            premium: { outbound: true }
            standard: { outbound: false }
          agentStates: [available, idle, rona]
          locales: [fr, en]
          defaultProfile: digital
        ---
        apiVersion: sortie/v1
        kind: MultimediaProfile
        metadata: { name: digital }
        spec:
          channels:
            sms: { maxOutboundTasks: 2 }
            email:
              maxOutboundTasks: 3
          assignedTo: { teams: [support-fr], sites: [lyon] }
        ---
        apiVersion: sortie/v1
        kind: OutboundPolicy
        metadata: { name: outbound }
        spec:
          allowedAgentStates: [available, rona]
          wrapUpReasons: [resolved]
        ---
        apiVersion: sortie/v1
        kind: ReasonCatalog
        metadata: { name: messages }
        spec:
          OUTBOUND_LIMIT_REACHED: { fr: "Limite {limit} atteinte", en: 'Limit {limit} reached' }
        ---
        apiVersion: sortie/v1
        kind: MessageTemplate
        metadata: { name: welcome }
        spec:
          channel: email
          subject: Bonjour
          body: |
            Bonjour {{firstName}},
            à bientôt.
        """

    static let specials: [[UInt8]] = ["&a ", "*a", "!x ", "!!str ", "<<: ", "{", "}", "[", "]", ":", "- ", "\t", "\"", "'", "|", ">", "? ", "---\n", "...\n", "%YAML 1.1\n", "#", "\n", " ", "~", "\u{FEFF}"].map { Array($0.utf8) }
        + [[0x00], [0xFF], [0xC3], [0xE2, 0x82], [0x0D], [0x1B]]

    static func mutate(_ input: [UInt8], _ rng: inout SeededGenerator) -> [UInt8] {
        var bytes = input
        for _ in 0..<Int.random(in: 1...6, using: &rng) {
            guard !bytes.isEmpty else { bytes = specials.randomElement(using: &rng)!; continue }
            let at = Int.random(in: 0..<bytes.count, using: &rng)
            switch Int.random(in: 0..<6, using: &rng) {
            case 0: bytes[at] = UInt8.random(in: 0...255, using: &rng)
            case 1: bytes.insert(contentsOf: specials.randomElement(using: &rng)!, at: at)
            case 2: bytes.removeSubrange(at..<min(bytes.count, at + Int.random(in: 1...40, using: &rng)))
            case 3: bytes = Array(bytes[..<at])
            case 4:
                let end = min(bytes.count, at + Int.random(in: 1...80, using: &rng))
                bytes.insert(contentsOf: bytes[at..<end], at: Int.random(in: 0...bytes.count, using: &rng))
            default: bytes.insert(UInt8(ascii: " "), at: at)
            }
        }
        return bytes
    }

    static let fieldNames = ["apiVersion", "kind", "metadata", "name", "spec", "channels", "sms", "email", "fax",
                             "maxOutboundTasks", "assignedTo", "agents", "teams", "sites", "digitalChannels",
                             "licenses", "outbound", "agentStates", "locales", "defaultProfile", "channel", "address",
                             "allowedAgentStates", "disallowedOperations", "disallowedWorkflowTriggers",
                             "emailSubjectReuse", "wrapUpReasons", "subject", "body", "cases", "request", "expect",
                             "allowed", "reasons", "warnings", "OUTBOUND_LIMIT_REACHED", "fr", "en", "x"]
    static let scalars = ["true", "false", "yes", "NO", "0123", "\"3\"", "3", "-1", "1001", "~", "null", "", "sortie/v1",
                          "Tenant", "MultimediaProfile", "EntryPoint", "OutboundPolicy", "ReasonCatalog",
                          "MessageTemplate", "PolicyTest", "\"+33186950000\"", "a@b.fr", "\"{limit} {nope}\"", "conference"]

    /// A random value nested up to `depth`, in block or flow style.
    static func randomValue(_ depth: Int, _ rng: inout SeededGenerator) -> String {
        let choice = depth <= 0 ? 0 : Int.random(in: 0..<4, using: &rng)
        switch choice {
        case 0, 1: return scalars.randomElement(using: &rng)!
        case 2:
            let items = (0..<Int.random(in: 0...3, using: &rng)).map { _ in randomValue(depth - 1, &rng) }
            return "[" + items.joined(separator: ", ") + "]"
        default:
            let items = (0..<Int.random(in: 0...3, using: &rng)).map { _ in
                "\(fieldNames.randomElement(using: &rng)!): \(randomValue(depth - 1, &rng))"
            }
            return "{ " + items.joined(separator: ", ") + " }"
        }
    }

    static func randomDocument(_ rng: inout SeededGenerator) -> String {
        let kind = PolicyKind.allCases.randomElement(using: &rng)!.rawValue
        var lines = ["apiVersion: sortie/v1", "kind: \(kind)", "metadata: { name: doc-\(Int.random(in: 0...5, using: &rng)) }", "spec:"]
        for _ in 0..<Int.random(in: 0...5, using: &rng) {
            lines.append("  \(fieldNames.randomElement(using: &rng)!): \(randomValue(3, &rng))")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func check(_ result: CompileResult, _ bytes: [UInt8], _ label: String, allFormats: Bool = false) {
        let lineCount = SourceLines.split(String(decoding: bytes, as: UTF8.self)).count
        for d in result.diagnostics {
            #expect(Rules.rule(id: d.rule) != nil, "\(label): undeclared rule \(d.rule)")
            #expect(!d.message.isEmpty)
            if let start = d.start, let end = d.end {
                #expect(start.line >= 1 && start.column >= 1 && start.line <= lineCount, "\(label): bad start \(start)")
                #expect(start <= end, "\(label): end before start")
            }
        }
        // With no error the set always lowers: lowering never fails silently.
        if result.errorCount == 0 { #expect(result.policy != nil, "\(label): no errors but no policy") }
        // Text always renders; every format on a sample (JSON encoding is slow in debug builds).
        let formats: [DiagnosticFormat] = allFormats ? DiagnosticFormat.allCases : [.text]
        for format in formats where !result.diagnostics.isEmpty {
            #expect(!format.render(result.diagnostics, sources: result.sources).isEmpty)
        }
    }

    @Test func randomBytes() {
        var rng = SeededGenerator(seed: 1)
        for i in 0..<1500 {
            let bytes = (0..<Int.random(in: 0...200, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            Self.check(lint(bytes), bytes, "random bytes #\(i)")
        }
    }

    @Test func mutationsOfAValidSet() {
        var rng = SeededGenerator(seed: 2)
        let seed = Array(Self.seedDocument.utf8)
        #expect(lint(seed).diagnostics.isEmpty, "the unmutated seed lints clean")
        for i in 0..<3000 {
            let bytes = Self.mutate(seed, &rng)
            Self.check(lint(bytes), bytes, "mutation #\(i)", allFormats: i % 100 == 0)
        }
    }

    @Test func everyKindWithRandomFields() {
        var rng = SeededGenerator(seed: 3)
        for i in 0..<2000 {
            let text = (0..<Int.random(in: 1...4, using: &rng)).map { _ in Self.randomDocument(&rng) }.joined(separator: "---\n")
            let bytes = Array(text.utf8)
            let result = lint(bytes)
            Self.check(result, bytes, "random document #\(i)")
        }
    }

    @Test func deepNestingTruncationsAndHugeScalars() {
        var inputs: [[UInt8]] = []
        for depth in [63, 64, 65, 1_000, 100_000] {
            inputs.append(Array(("a: " + String(repeating: "[", count: depth) + String(repeating: "]", count: depth)).utf8))
            inputs.append(Array(("a: " + String(repeating: "{b: ", count: depth) + "1" + String(repeating: "}", count: depth)).utf8))
            inputs.append(Array(String(repeating: "[", count: depth).utf8))
        }
        var block = ""
        for level in 0..<200 { block += String(repeating: " ", count: level) + "k\(level):\n" }
        inputs.append(Array(block.utf8))
        inputs.append(Array(("body: \"" + String(repeating: "é", count: 1_000_000) + "\"\n").utf8))
        inputs.append(Array(("key" + String(repeating: "x", count: 2_000_000) + ": 1\n").utf8))
        inputs.append(Array(String(repeating: "- a\n", count: 200_000).utf8))
        let seed = Array(Self.seedDocument.utf8)
        for cut in stride(from: 0, through: seed.count, by: 7) { inputs.append(Array(seed[..<cut])) }
        for (i, bytes) in inputs.enumerated() {
            Self.check(lint(bytes), bytes, "structured input #\(i)")
        }
    }

    @Test func lintingIsDeterministicAndOrderIndependent() {
        var rng = SeededGenerator(seed: 4)
        for _ in 0..<200 {
            let docs = (0..<4).map { _ in Self.randomDocument(&rng) }
            let a = Compiler.compile(sources: docs.enumerated().map { PolicySource(path: "f\($0.offset).yaml", text: $0.element) }, root: "set/")
            let b = Compiler.compile(sources: docs.enumerated().reversed().map { PolicySource(path: "f\($0.offset).yaml", text: $0.element) }, root: "set/")
            #expect(a.diagnostics == b.diagnostics)
        }
    }
}

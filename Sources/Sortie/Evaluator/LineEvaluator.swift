/// Decides JSON Lines from bytes to bytes, for `sortie eval`'s throughput: the request is read
/// straight into `RequestFacts` (names interned while they are still bytes of the line; no
/// `JSONValue`, no dictionaries, no `String`s), the rules are `Evaluator.evaluate`'s own, and the
/// decision is written by `DecisionWriter` with details read through `Evaluator.detail`.
///
/// The reader knows the request's fields from `RequestField`'s declaration. Its output is byte for
/// byte `Evaluator.decide(json:).json` (a differential test holds the two together). A line this
/// reader does not handle — malformed, an escape in a string, a name that is not ASCII, an unknown
/// field, a repeated key, a `null` where it is not allowed, a fractional count — goes to that
/// reference path, so every `INVALID_REQUEST` is the reference's own.
public struct LineEvaluator: Sendable {
    public let evaluator: Evaluator

    private let licenses: ByteTable
    private let agents: ByteTable
    private let teams: ByteTable
    private let sites: ByteTable
    private let states: ByteTable
    private let entryPoints: ByteTable
    private let triggers: ByteTable
    private let wrapUpReasons: ByteTable
    /// Locale name → index into the evaluator's message templates.
    private let locales: ByteTable

    public init(evaluator e: Evaluator) {
        self.evaluator = e
        licenses = ByteTable(e.licenses.map { ($0.key, $0.value ? 1 : 0) })
        agents = ByteTable(e.profileByAgent.map { ($0.key, $0.value) })
        teams = ByteTable(e.profileByTeam.map { ($0.key, $0.value) })
        sites = ByteTable(e.profileBySite.map { ($0.key, $0.value) })
        states = ByteTable(e.allowedStates.map { ($0, 1) })
        entryPoints = ByteTable(e.entryPointIndexByName.map { ($0.key, $0.value) })
        triggers = ByteTable(e.disallowedTriggers.map { ($0, 1) })
        wrapUpReasons = ByteTable(e.policy.wrapUpReasons.map { ($0, 1) })
        locales = ByteTable(e.policy.locales.enumerated().map { ($1, $0) })
    }

    /// Appends the decision for one line (without its line break), and a `\n`, to `out`.
    public func decide(line: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        var w = JSONWriter(appendingTo: out)
        out = []
        if !decideFast(line, &w) {
            evaluator.decide(json: line).write(&w)
        }
        w.bytes.append(0x0A)
        out = w.bytes
    }

    // MARK: Reading the request

    /// A string value: a range of the line, `nil` when absent or null.
    private typealias Text = Range<Int>?

    /// What the reader found, one slot per declared field it reads.
    private struct Scanned {
        var id: Text = nil, locale: Text = nil, channel: Text = nil, to: Text = nil, entryPoint: Text = nil
        var subject: Text = nil, trigger: Text = nil, wrapUpReason: Text = nil
        var agentID: Text = nil, license: Text = nil, state: Text = nil, team: Text = nil, site: Text = nil
        var hasAgent = false
        var action = Request.Action.start
        var operation: Request.OperationKind?
        var sms = 0, email = 0
        var destinationActive = false, subjectUsed = false
        /// Some string (an `id` or `subject`) has non-ASCII bytes: the line's UTF-8 is checked.
        var nonASCII = false

        /// The slot of a string field.
        subscript(text field: RequestField) -> Text {
            get {
                switch field {
                case .id: id
                case .locale: locale
                case .channel: channel
                case .to: to
                case .entryPoint: entryPoint
                case .subject: subject
                case .trigger: trigger
                case .wrapUpReason: wrapUpReason
                case .agentID: agentID
                case .agentLicense: license
                case .agentState: state
                case .agentTeam: team
                case .agentSite: site
                case .action, .agent, .activeOutbound, .destinationActive, .subjectUsed, .operation: nil
                }
            }
            set {
                switch field {
                case .id: id = newValue
                case .locale: locale = newValue
                case .channel: channel = newValue
                case .to: to = newValue
                case .entryPoint: entryPoint = newValue
                case .subject: subject = newValue
                case .trigger: trigger = newValue
                case .wrapUpReason: wrapUpReason = newValue
                case .agentID: agentID = newValue
                case .agentLicense: license = newValue
                case .agentState: state = newValue
                case .agentTeam: team = newValue
                case .agentSite: site = newValue
                case .action, .agent, .activeOutbound, .destinationActive, .subjectUsed, .operation: break
                }
            }
        }

        /// Whether the request carries a field `RequestField.needed(by:)` names.
        func has(_ field: RequestField) -> Bool {
            switch field {
            case .agent: hasAgent
            case .operation: operation != nil
            default: self[text: field] != nil
            }
        }
    }

    /// A strict reader of exactly the declared request fields; every `false` or `nil` hands the
    /// line to the reference path, which says what is wrong with it.
    private struct Reader {
        let b: UnsafeBufferPointer<UInt8>
        var i = 0
        var scanned = Scanned()

        init(_ b: UnsafeBufferPointer<UInt8>) { self.b = b }

        mutating func skipWhitespace() {
            while i < b.count, b[i] == 0x20 || b[i] == 0x09 || b[i] == 0x0D || b[i] == 0x0A { i += 1 }
        }

        mutating func consume(_ byte: UInt8) -> Bool {
            skipWhitespace()
            guard i < b.count, b[i] == byte else { return false }
            i += 1
            return true
        }

        /// A string without escapes; `ascii` is false when it has bytes >= 0x80.
        mutating func string(ascii: inout Bool) -> Range<Int>? {
            guard consume(0x22) else { return nil }
            let start = i
            while i < b.count {
                let c = b[i]
                if c == 0x22 {
                    i += 1
                    return start..<(i - 1)
                }
                if c == 0x5C || c < 0x20 { return nil }
                if c >= 0x80 { ascii = false }
                i += 1
            }
            return nil
        }

        mutating func literal(_ word: StaticString) -> Bool {
            let n = word.utf8CodeUnitCount
            guard i + n <= b.count else { return false }
            for k in 0..<n where b[i + k] != word.utf8Start[k] { return false }
            i += n
            return true
        }

        func slice(_ range: Range<Int>) -> UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(rebasing: b[range]) }

        /// A string, or null where `nullable`; names must be ASCII. `ok` is false otherwise.
        mutating func optionalString(name: Bool, nullable: Bool) -> (ok: Bool, value: Text) {
            skipWhitespace()
            guard i < b.count else { return (false, nil) }
            if b[i] == UInt8(ascii: "n") { return (nullable && literal("null"), nil) }
            var ascii = true
            guard let range = string(ascii: &ascii) else { return (false, nil) }
            if !ascii {
                if name { return (false, nil) }
                scanned.nonASCII = true
            }
            return (true, range)
        }

        /// `true` or `false` (never null: a flag read as absent would fail open).
        mutating func flag() -> Bool? {
            skipWhitespace()
            guard i < b.count else { return nil }
            switch b[i] {
            case UInt8(ascii: "t"): return literal("true") ? true : nil
            case UInt8(ascii: "f"): return literal("false") ? false : nil
            default: return nil
            }
        }

        /// Calls `field` for each key of an object (at `{`), which reads the value and returns a
        /// bit for the key; a repeated key fails.
        mutating func object(_ field: (inout Reader, Range<Int>) -> Int?) -> Bool {
            guard consume(UInt8(ascii: "{")) else { return false }
            if consume(UInt8(ascii: "}")) { return true }
            var seen: UInt32 = 0
            while true {
                var ascii = true
                guard let key = string(ascii: &ascii), ascii, consume(UInt8(ascii: ":")) else { return false }
                guard let bit = field(&self, key), seen & (1 << bit) == 0 else { return false }
                seen |= 1 << bit
                if consume(UInt8(ascii: ",")) { continue }
                return consume(UInt8(ascii: "}"))
            }
        }

        /// A count: digits only (no sign, fraction, exponent or leading zero), at most 15.
        mutating func count() -> Int? {
            skipWhitespace()
            let start = i
            var n = 0
            while i < b.count, b[i] >= 48, b[i] <= 57 {
                n = n * 10 + Int(b[i] - 48)
                i += 1
            }
            let digits = i - start
            guard digits >= 1, digits <= 15, digits == 1 || b[start] != 48 else { return nil }
            if i < b.count, b[i] == UInt8(ascii: ".") || b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") { return nil }
            return n
        }

        /// A string naming one of `choices`, as its index.
        mutating func choice(_ choices: [String]) -> Int? {
            let (ok, text) = optionalString(name: true, nullable: false)
            guard ok, let text else { return nil }
            let bytes = slice(text)
            return choices.firstIndex { $0.utf8.elementsEqual(bytes) }
        }

        /// Reads the value of a declared field; false when the line is for the reference path.
        mutating func read(_ field: RequestField) -> Bool {
            switch RequestField.types[field.rawValue] {
            case .string:
                let (ok, value) = optionalString(name: field != .id && field != .subject, nullable: RequestField.nullable[field.rawValue])
                scanned[text: field] = value
                return ok
            case .boolean:
                guard let value = flag() else { return false }
                if field == .destinationActive { scanned.destinationActive = value } else { scanned.subjectUsed = value }
                return true
            case .action:
                guard let index = choice(Self.actions) else { return false }
                scanned.action = Request.Action.allCases[index]
                return true
            case .operation:
                guard let index = choice(Self.operations) else { return false }
                scanned.operation = Request.OperationKind.allCases[index]
                return true
            case .counts:
                return counts()
            case .agent:
                scanned.hasAgent = true
                return object { r, key in
                    guard let field = RequestField.named(r.slice(key), agent: true), r.read(field) else { return nil }
                    return field.rawValue
                }
            }
        }

        static let actions = Request.Action.allCases.map(\.rawValue)
        static let operations = Request.OperationKind.allCases.map(\.rawValue)

        mutating func request() -> Bool {
            let ok = object { r, key in
                guard let field = RequestField.named(r.slice(key), agent: false), r.read(field) else { return nil }
                return field.rawValue
            }
            guard ok else { return false }
            skipWhitespace()
            return i == b.count
        }

        /// The `sms` and `email` counts. Other channels count for nothing but must still be
        /// counts and written once; past four of them the line goes to the reference path.
        mutating func counts() -> Bool {
            var others = (0..<0, 0..<0, 0..<0, 0..<0)
            var otherCount = 0
            return object { r, key in
                guard let n = r.count() else { return nil }
                let name = r.slice(key)
                if name.elementsEqual("sms".utf8) {
                    r.scanned.sms = n
                    return 0
                }
                if name.elementsEqual("email".utf8) {
                    r.scanned.email = n
                    return 1
                }
                guard otherCount < 4 else { return nil }
                for index in 0..<otherCount {
                    let seen = switch index {
                    case 0: others.0
                    case 1: others.1
                    case 2: others.2
                    default: others.3
                    }
                    if r.slice(seen).elementsEqual(name) { return nil }
                }
                switch otherCount {
                case 0: others.0 = key
                case 1: others.1 = key
                case 2: others.2 = key
                default: others.3 = key
                }
                otherCount += 1
                return 1 + otherCount
            }
        }
    }

    // MARK: Deciding

    /// Reads, checks, evaluates and writes one request; false (with nothing written) when the
    /// line is for the reference path.
    func decideFast(_ line: UnsafeBufferPointer<UInt8>, _ w: inout JSONWriter) -> Bool {
        guard line.count > 0 else { return false }
        var reader = Reader(line)
        guard reader.request() else { return false }
        let s = reader.scanned
        for field in RequestField.needed(by: s.action, workflow: s.operation == .workflow) where !s.has(field) { return false }
        if s.nonASCII, String(validating: line, as: UTF8.self) == nil { return false }
        func slice(_ range: Range<Int>?) -> UnsafeBufferPointer<UInt8> {
            guard let range else { return UnsafeBufferPointer(start: nil, count: 0) }
            return UnsafeBufferPointer(rebasing: line[range])
        }
        /// A table's value for a name (absent: "" is looked up, as the `String` path does); nil
        /// when a miss is not certain.
        func find(_ table: ByteTable, _ range: Range<Int>?) -> Int? {
            let value = table.value(slice(range))
            return value == ByteTable.absent && !table.certainMisses ? nil : value
        }

        var f = RequestFacts()
        f.action = s.action
        f.operation = s.operation
        f.activeSMS = s.sms
        f.activeEmail = s.email
        if let channel = s.channel {
            if reader.slice(channel).elementsEqual("sms".utf8) { f.channel = .sms } else if reader.slice(channel).elementsEqual("email".utf8) { f.channel = .email }
        }
        if s.entryPoint != nil {
            guard let index = find(entryPoints, s.entryPoint) else { return false }
            f.entryPointIndex = index
        }
        if s.action == .operation, s.operation == .workflow {
            guard let disallowed = find(triggers, s.trigger) else { return false }
            f.triggerDisallowed = disallowed >= 0
        }
        var wrapUpReason = 0..<0
        if s.action == .close, let range = s.wrapUpReason {
            // A name here is ASCII without control characters: spaces are its only whitespace.
            var lower = range.lowerBound, upper = range.upperBound
            while lower < upper, line[lower] == 0x20 { lower += 1 }
            while upper > lower, line[upper - 1] == 0x20 { upper -= 1 }
            wrapUpReason = lower..<upper
            if lower == upper {
                f.wrapUp = .missing
            } else {
                guard let known = find(wrapUpReasons, wrapUpReason) else { return false }
                f.wrapUp = known >= 0 ? .known : .unknown
            }
        }
        guard let license = find(licenses, s.license), let state = find(states, s.state) else { return false }
        f.licenseEligible = license == 1
        f.stateAllowed = state >= 0
        if s.action == .start || s.action == .options {
            guard let byAgent = find(agents, s.agentID) else { return false }
            var unsure = false
            func lookUp(_ table: ByteTable, _ range: Range<Int>?) -> Int? {
                guard range != nil else { return nil }
                guard let value = find(table, range) else { unsure = true; return nil }
                return value >= 0 ? value : nil
            }
            let profile = evaluator.resolveProfile(byAgent: byAgent >= 0 ? byAgent : nil,
                                                   byTeam: { lookUp(teams, s.team) }, bySite: { lookUp(sites, s.site) })
            guard !unsure else { return false }
            f.profileIndex = profile ?? -1
        }
        f.destinationActive = s.destinationActive
        f.subjectUsed = s.subjectUsed
        if let subject = s.subject {
            let text = slice(subject)
            if text.contains(where: { $0 >= 0x80 }) {
                f.subjectBlank = Evaluator.isBlank(String(decoding: text, as: UTF8.self))
            } else {
                f.subjectBlank = !text.contains { $0 != 0x20 }
            }
        } else {
            f.subjectBlank = true
        }
        var locale = evaluator.templates.defaultIndex
        if s.locale != nil {
            guard let index = find(locales, s.locale) else { return false }
            if index >= 0 { locale = index }
        }

        var q = RequestQuotes()
        func quote(_ range: Range<Int>?) -> DetailText? { range.map { .json(slice($0)) } }
        q.license = quote(s.license)
        q.state = quote(s.state)
        q.channel = quote(s.channel)
        q.to = quote(s.to)
        q.entryPoint = quote(s.entryPoint)
        q.subject = quote(s.subject)
        q.trigger = quote(s.trigger)
        q.wrapUpReason = s.wrapUpReason == nil ? nil : .json(slice(wrapUpReason))
        let id = quote(s.id)
        if s.action == .options {
            writeOptions(evaluator.evaluateOptions(f), q, id: id, locale: locale, &w)
            return true
        }
        let v = evaluator.evaluate(f) { channel in Destination.problem(ascii: slice(s.to), channel: channel) }
        let to = slice(s.to)
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: to.count + 1) { scratch in
            if let channel = v.channel, s.to != nil, v.destinationProblem == nil {
                var n = 0
                Destination.writeNormalized(ascii: to, channel: channel) { scratch[n] = $0; n += 1 }
                q.normalizedDestination = .json(UnsafeBufferPointer(rebasing: scratch[0..<n]))
            }
            writeDecision(v, q, id: id, isStart: f.action == .start, locale: locale, &w)
        }
        return true
    }

    private func writeReasons(_ codes: ReasonSet, _ v: Verdict, _ q: RequestQuotes, locale: Int, _ w: inout JSONWriter) {
        let e = evaluator
        DecisionWriter.reasons(&w, codes) { w, code in
            DecisionWriter.reason(&w, code, detail: { e.detail($0, of: code, v, q) }) { w in
                e.templates.write(code, locale: locale, &w) { e.detail($0, of: code, v, q) }
            }
        }
    }

    private func profileName(_ index: Int?) -> DetailText? {
        index.map { .text(evaluator.policy.profiles[$0].name) }
    }

    private func writeDecision(_ v: Verdict, _ q: RequestQuotes, id: DetailText?, isStart: Bool, locale: Int, _ w: inout JSONWriter) {
        DecisionWriter.decision(
            &w, allowed: v.allowed, destination: isStart ? q.normalizedDestination : nil, id: id,
            profile: isStart ? profileName(v.profileIndex) : nil,
            reasons: { writeReasons(v.reasons, v, q, locale: locale, &$0) }, revision: evaluator.revision,
            warnings: { writeReasons(v.warnings, v, q, locale: locale, &$0) })
    }

    private func writeOptions(_ o: OptionsVerdict, _ q: RequestQuotes, id: DetailText?, locale: Int, _ w: inout JSONWriter) {
        DecisionWriter.decision(
            &w, allowed: o.allowed,
            channels: { w in
                for channel in Channel.allCases {
                    let c = o.channel(channel)
                    if channel != .sms { w.raw(",") }
                    DecisionWriter.channel(&w, channel, active: c.active, allowed: c.allowed,
                                           entryPoints: evaluator.entryPointNamesByChannel[channel] ?? [],
                                           limit: c.limit >= 0 ? c.limit : nil) { w in
                        writeReasons(c.reasons, o.verdict(for: channel), q, locale: locale, &w)
                    }
                }
            },
            destination: nil, id: id, profile: profileName(o.profileIndex),
            reasons: { writeReasons(o.reasons, o.verdict(for: nil), q, locale: locale, &$0) },
            revision: evaluator.revision, warnings: { _ in })
    }
}

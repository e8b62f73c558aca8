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
    /// Zone name → index into the evaluator's zones (empty when the policy has no contact hours:
    /// a line naming a zone then goes to the reference path, which checks the name).
    private let zones: ByteTable
    /// The declarations and the decision's texts, worked out once.
    let plan: LinePlan

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
        zones = ByteTable((e.zones?.names ?? []).enumerated().map { ($1, $0) })
        plan = LinePlan(e)
        precondition(RequestField.allCases.count <= TextSlots.capacity, "a TextSlots slot per request field")
    }

    /// Appends the decision for one line (without its line break), and a `\n`, to `out`.
    public func decide(line: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        var w = JSONWriter(appendingTo: out)
        out = []
        var noRequest: JSONWriter?
        if decideFast(line, &w, request: &noRequest) == nil {
            evaluator.decide(json: line).write(&w)
        }
        w.bytes.append(0x0A)
        out = w.bytes
    }

    // MARK: Reading the request

    /// A string value: a range of the line, `nil` when absent or null.
    typealias Text = Range<Int>?

    /// What the reader found: the string fields' slots, and the other fields' values.
    struct Scanned {
        var texts = TextSlots()
        var action = Request.Action.start
        var operation: Request.OperationKind?
        var sms = 0, email = 0
        /// `activeOutbound` gives a count for `sms`, for `email`, for some other channel.
        var smsGiven = false, emailGiven = false, otherGiven = false
        /// The range of the `activeOutbound` object, for the request writer to read again.
        var countsText: Range<Int>?
        var destinationActive = false, subjectUsed = false, optedOut = false
        /// Some string (an `id` or `subject`) has non-ASCII bytes: the line's UTF-8 is checked.
        var nonASCII = false
        /// A bit per field (by raw value) the request carries, in the sense of
        /// `RequestField.needed(by:)`: a string that is not null, the `agent` object, an operation.
        var carried: UInt32 = 0

        /// The value of a boolean field (false when absent).
        func flag(_ field: RequestField) -> Bool {
            switch field {
            case .destinationActive: destinationActive
            case .subjectUsed: subjectUsed
            case .optedOut: optedOut
            default: false
            }
        }
    }

    /// A slot per declared field, by raw value, for the range of its string value (nil when
    /// absent or null): `(start + 1) << 32 | end`, 0 for nil, in a fixed tuple so that reading
    /// a line allocates nothing.
    struct TextSlots {
        static let capacity = 24
        private var storage: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
                              UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)
            = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)

        subscript(_ field: RequestField) -> Range<Int>? {
            get {
                let packed = withUnsafeBytes(of: storage) { $0.load(fromByteOffset: field.rawValue &* 8, as: UInt64.self) }
                guard packed != 0 else { return nil }
                return Int(packed >> 32) - 1..<Int(packed & 0xFFFF_FFFF)
            }
            set {
                let packed = newValue.map { UInt64($0.lowerBound + 1) << 32 | UInt64($0.upperBound) } ?? 0
                withUnsafeMutableBytes(of: &storage) { $0.storeBytes(of: packed, toByteOffset: field.rawValue &* 8, as: UInt64.self) }
            }
        }
    }

    /// A strict reader of exactly the declared request fields; every `false` or `nil` hands the
    /// line to the reference path, which says what is wrong with it.
    struct Reader {
        let b: UnsafeBufferPointer<UInt8>
        let plan: LinePlan
        var i = 0
        var scanned = Scanned()

        init(_ b: UnsafeBufferPointer<UInt8>, _ plan: LinePlan) {
            self.b = b
            self.plan = plan
        }

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

        /// A string naming one of a table's names, as its index.
        mutating func choice(_ names: KeyTable) -> Int? {
            let (ok, text) = optionalString(name: true, nullable: false)
            guard ok, let text else { return nil }
            return names.index(slice(text))
        }

        /// Reads the value of a declared field; false when the line is for the reference path.
        mutating func read(_ field: RequestField) -> Bool {
            switch plan.reads[field.rawValue] {
            case .string(let name, let nullable):
                let (ok, value) = optionalString(name: name, nullable: nullable)
                scanned.texts[field] = value
                if value != nil { scanned.carried |= 1 << field.rawValue }
                return ok
            case .boolean:
                guard let value = flag() else { return false }
                switch field {
                case .destinationActive: scanned.destinationActive = value
                case .subjectUsed: scanned.subjectUsed = value
                default: scanned.optedOut = value
                }
                return true
            case .action:
                guard let index = choice(plan.actionNames) else { return false }
                scanned.action = plan.actions[index]
                return true
            case .operation:
                guard let index = choice(plan.operationNames) else { return false }
                scanned.operation = plan.operations[index]
                scanned.carried |= 1 << field.rawValue
                return true
            case .counts:
                skipWhitespace()
                let start = i
                guard counts() else { return false }
                scanned.countsText = start..<i
                return true
            case .agent:
                scanned.carried |= 1 << field.rawValue
                return agent()
            }
        }

        /// The `agent` object, whose fields are all strings.
        mutating func agent() -> Bool {
            object { r, key in
                guard let index = r.plan.agentKeys.index(r.slice(key)) else { return nil }
                let field = r.plan.agentFields[index]
                guard case .string(let name, let nullable) = r.plan.reads[field.rawValue] else { return r.read(field) ? field.rawValue : nil }
                let (ok, value) = r.optionalString(name: name, nullable: nullable)
                r.scanned.texts[field] = value
                if value != nil { r.scanned.carried |= 1 << field.rawValue }
                return ok ? field.rawValue : nil
            }
        }

        mutating func request() -> Bool {
            let ok = object { r, key in
                guard let index = r.plan.topLevelKeys.index(r.slice(key)) else { return nil }
                let field = r.plan.topLevel[index]
                return r.read(field) ? field.rawValue : nil
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
                switch r.plan.channel(named: name) {
                case .sms?:
                    r.scanned.sms = n
                    r.scanned.smsGiven = true
                    return 0
                case .email?:
                    r.scanned.email = n
                    r.scanned.emailGiven = true
                    return 1
                case nil:
                    break
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
                r.scanned.otherGiven = true
                return 1 + otherCount
            }
        }
    }

    // MARK: Deciding

    /// Reads, checks, evaluates and writes one request, and, when `request` is not nil, the
    /// request as `Request.write` writes it; nil (with nothing written) when the line is for the
    /// reference path.
    func decideFast(_ line: UnsafeBufferPointer<UInt8>, _ w: inout JSONWriter, request: inout JSONWriter?) -> LineOutcome? {
        // Slots hold 32-bit offsets; a longer line is the reference path's.
        guard line.count > 0, line.count < 1 << 32 else { return nil }
        let plan = self.plan
        var reader = Reader(line, plan)
        guard reader.request() else { return nil }
        let s = reader.scanned
        let t = s.texts
        let needed = plan.needed(by: s.action, workflow: s.operation == .workflow)
        guard needed & s.carried == needed else { return nil }
        if s.nonASCII, String(validating: line, as: UTF8.self) == nil { return nil }
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
        if let channel = t[.channel] { f.channel = plan.channel(named: slice(channel)) }
        if t[.entryPoint] != nil {
            guard let index = find(entryPoints, t[.entryPoint]) else { return nil }
            f.entryPointIndex = index
        }
        if s.action == .operation, s.operation == .workflow {
            guard let disallowed = find(triggers, t[.trigger]) else { return nil }
            f.triggerDisallowed = disallowed >= 0
        }
        var wrapUpReason = 0..<0
        if s.action == .close, let range = t[.wrapUpReason] {
            // A name here is ASCII without control characters: spaces are its only whitespace.
            var lower = range.lowerBound, upper = range.upperBound
            while lower < upper, line[lower] == 0x20 { lower += 1 }
            while upper > lower, line[upper - 1] == 0x20 { upper -= 1 }
            wrapUpReason = lower..<upper
            if lower == upper {
                f.wrapUp = .missing
            } else {
                guard let known = find(wrapUpReasons, wrapUpReason) else { return nil }
                f.wrapUp = known >= 0 ? .known : .unknown
            }
        }
        guard let license = find(licenses, t[.agentLicense]), let state = find(states, t[.agentState]) else { return nil }
        f.licenseEligible = license == 1
        f.stateAllowed = state >= 0
        if s.action == .start || s.action == .options {
            guard let byAgent = find(agents, t[.agentID]) else { return nil }
            var unsure = false
            func lookUp(_ table: ByteTable, _ range: Range<Int>?) -> Int? {
                guard range != nil else { return nil }
                guard let value = find(table, range) else { unsure = true; return nil }
                return value >= 0 ? value : nil
            }
            let profile = evaluator.resolveProfile(byAgent: byAgent >= 0 ? byAgent : nil,
                                                   byTeam: { lookUp(teams, t[.agentTeam]) }, bySite: { lookUp(sites, t[.agentSite]) })
            guard !unsure else { return nil }
            f.profileIndex = profile ?? -1
        }
        f.destinationActive = s.destinationActive
        f.subjectUsed = s.subjectUsed
        f.optedOut = s.optedOut
        if let at = t[.at] {
            guard let instant = CivilTime.instant(rfc3339: slice(at)) else { return nil }
            f.at = instant
        }
        if t[.recipientTimeZone] != nil {
            guard let zone = find(zones, t[.recipientTimeZone]), zone >= 0 else { return nil }
            f.recipientZone = zone
        }
        if let subject = t[.subject] {
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
        if t[.locale] != nil {
            guard let index = find(locales, t[.locale]) else { return nil }
            if index >= 0 { locale = index }
        }
        if request != nil { writeRequest(s, line, &request!) }

        func quote(_ range: Range<Int>?) -> UnsafeBufferPointer<UInt8>? { range.map { slice($0) } }
        var q = LinePlan.LineQuotes()
        q.license = quote(t[.agentLicense])
        q.state = quote(t[.agentState])
        q.channel = quote(t[.channel])
        q.to = quote(t[.to])
        q.entryPoint = quote(t[.entryPoint])
        q.subject = quote(t[.subject])
        q.trigger = quote(t[.trigger])
        q.wrapUpReason = t[.wrapUpReason] == nil ? nil : slice(wrapUpReason)
        let id = quote(t[.id])
        if s.action == .options {
            let o = evaluator.evaluateOptions(f)
            plan.writeOptions(o, q, id: id, locale: locale, &w)
            return LineOutcome(action: .options, allowed: o.allowed, reasons: o.reasons, warnings: ReasonSet())
        }
        let v = evaluator.evaluate(f, destinationProblem: { channel in Destination.problem(ascii: slice(t[.to]), channel: channel) },
                                   smsNumber: { SMSNumber(validASCII: slice(t[.to])) })
        let to = slice(t[.to])
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: to.count + 1) { scratch in
            if let channel = v.channel, t[.to] != nil, v.destinationProblem == nil {
                var n = 0
                Destination.writeNormalized(ascii: to, channel: channel) { scratch[n] = $0; n += 1 }
                q.normalizedDestination = UnsafeBufferPointer(rebasing: scratch[0..<n])
            }
            plan.writeDecision(v, q, id: id, isStart: f.action == .start, locale: locale, &w)
        }
        return LineOutcome(action: f.action, allowed: v.allowed, reasons: v.reasons, warnings: v.warnings)
    }
}

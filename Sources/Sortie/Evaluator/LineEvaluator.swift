/// Decides JSON Lines from bytes to bytes, for `sortie eval`'s throughput: the request is read
/// straight into `RequestFacts` (names interned while they are still bytes of the line; no
/// `JSONValue`, no dictionaries, no `String`s), the rules are `Evaluator.evaluate`'s own, and the
/// decision is written into the caller's byte buffer, messages from templates split once.
///
/// The output is byte for byte `Evaluator.decide(json:).json` (a differential test holds the two
/// together). A line this reader does not handle — malformed, an escape in a string, a name that
/// is not ASCII, an unknown field, a repeated key, a fractional count — goes to that reference path,
/// so every `INVALID_REQUEST` is the reference's own.
public struct LineEvaluator: Sendable {
    public let evaluator: Evaluator

    /// Pre-escaped JSON fragments: policy names, the revision, reason code openings, template text.
    private let pool: [UInt8]
    private let licenses: ByteTable
    private let agents: ByteTable
    private let teams: ByteTable
    private let sites: ByteTable
    private let states: ByteTable
    private let entryPoints: ByteTable
    private let triggers: ByteTable
    private let wrapUpReasons: ByteTable
    private let locales: ByteTable
    private let defaultLocaleIndex: Int
    private let profileNames: [Range<Int>]
    /// `["a","b"]` per channel, sorted, as `options` lists them.
    private let entryPointLists: (sms: Range<Int>, email: Range<Int>)
    /// `"sha256:…"`, quoted.
    private let revision: Range<Int>
    /// `{"code":"CODE","details":{` per code (by `order`).
    private let codeOpenings: [Range<Int>]
    /// Per code: its detail slots in key order, each with its `"key":` text.
    private let detailOrder: [[(slot: Int, key: Range<Int>)]]
    /// Per locale and code (`locale * codeCount + order`): the message's pieces.
    private let templates: [[Piece]]

    /// Text of the pool, or the detail value in a slot (an index into the code's `detailKeys`).
    private struct Piece: Sendable {
        var slot: Int
        var text: Range<Int>
    }

    public init(evaluator e: Evaluator) {
        self.evaluator = e
        var pool: [UInt8] = []
        func add(_ text: String, escaped: Bool = true) -> Range<Int> {
            let start = pool.count
            if escaped {
                var json = ""
                DecisionJSON.string(text, &json)
                pool += json.utf8.dropFirst().dropLast()
            } else {
                pool += text.utf8
            }
            return start..<pool.count
        }
        let policy = e.policy
        licenses = ByteTable(e.licenses.map { ($0.key, $0.value ? 1 : 0) })
        agents = ByteTable(e.profileByAgent.map { ($0.key, $0.value) })
        teams = ByteTable(e.profileByTeam.map { ($0.key, $0.value) })
        sites = ByteTable(e.profileBySite.map { ($0.key, $0.value) })
        states = ByteTable(e.allowedStates.map { ($0, 1) })
        entryPoints = ByteTable(e.entryPointIndexByName.map { ($0.key, $0.value) })
        triggers = ByteTable(e.disallowedTriggers.map { ($0, 1) })
        wrapUpReasons = ByteTable(policy.wrapUpReasons.map { ($0, 1) })
        var localeNames = policy.locales
        if !localeNames.contains(e.defaultLocale) { localeNames.append(e.defaultLocale) }
        locales = ByteTable(policy.locales.enumerated().map { ($1, $0) })
        defaultLocaleIndex = localeNames.firstIndex(of: e.defaultLocale) ?? 0
        profileNames = policy.profiles.map { add($0.name) }
        func list(_ channel: Channel) -> Range<Int> {
            var json = "["
            for (i, name) in (e.entryPointNamesByChannel[channel] ?? []).enumerated() {
                if i > 0 { json += "," }
                DecisionJSON.string(name, &json)
            }
            return add(json + "]", escaped: false)
        }
        entryPointLists = (list(.sms), list(.email))
        revision = add("\"" + e.revision + "\"", escaped: false)
        codeOpenings = ReasonCode.allCases.map { add("{\"code\":\"\($0.rawValue)\",\"details\":{", escaped: false) }
        detailOrder = ReasonCode.allCases.map { code in
            code.detailKeys.enumerated().sorted { $0.element < $1.element }.map { (slot: $0.offset, key: add("\"\($0.element)\":", escaped: false)) }
        }
        var templates: [[Piece]] = []
        for locale in localeNames {
            for code in ReasonCode.allCases {
                var pieces: [Piece] = []
                Evaluator.forEachPiece(of: e.messageTemplate(code, locale: locale)) { piece in
                    switch piece {
                    case .text(let text):
                        if !text.isEmpty { pieces.append(Piece(slot: -1, text: add(String(text)))) }
                    case .placeholder(let key):
                        if let slot = code.detailKeys.firstIndex(of: String(key)) {
                            pieces.append(Piece(slot: slot, text: 0..<0))
                        } else {
                            pieces.append(Piece(slot: -1, text: add("{\(key)}")))
                        }
                    }
                }
                templates.append(pieces)
            }
        }
        self.templates = templates
        self.pool = pool
    }

    /// Appends the decision for one line (without its line break), and a `\n`, to `out`.
    public func decide(line: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        if !decideFast(line, &out) {
            out += evaluator.decide(json: line).json.utf8
        }
        out.append(0x0A)
    }

    // MARK: Reading the request

    /// A string value: a range of the line, `nil` when absent or null.
    private typealias Text = Range<Int>?

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
    }

    /// A strict reader of exactly the request schema; every `return false`/`nil` hands the line
    /// to the reference path, which says what is wrong with it.
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

        /// A string or null (nil); names must be ASCII. `ok` is false when it is neither.
        mutating func optionalString(name: Bool) -> (ok: Bool, value: Text) {
            skipWhitespace()
            guard i < b.count else { return (false, nil) }
            if b[i] == UInt8(ascii: "n") { return (literal("null"), nil) }
            var ascii = true
            guard let range = string(ascii: &ascii) else { return (false, nil) }
            if !ascii {
                if name { return (false, nil) }
                scanned.nonASCII = true
            }
            return (true, range)
        }

        /// Reads a string-or-null field into `scanned` with `set`; `bit` or nil (a failure).
        mutating func text(_ bit: Int, name: Bool = true, _ set: (inout Scanned, Text) -> Void) -> Int? {
            let (ok, value) = optionalString(name: name)
            guard ok else { return nil }
            set(&scanned, value)
            return bit
        }

        /// Reads a boolean-or-null field (null is false) into `scanned` with `set`.
        mutating func flag(_ bit: Int, _ set: (inout Scanned, Bool) -> Void) -> Int? {
            skipWhitespace()
            guard i < b.count else { return nil }
            let ok: Bool, value: Bool
            switch b[i] {
            case UInt8(ascii: "t"): (ok, value) = (literal("true"), true)
            case UInt8(ascii: "f"): (ok, value) = (literal("false"), false)
            case UInt8(ascii: "n"): (ok, value) = (literal("null"), false)
            default: return nil
            }
            guard ok else { return nil }
            set(&scanned, value)
            return bit
        }

        func equals(_ range: Range<Int>, _ word: StaticString) -> Bool {
            range.count == word.utf8CodeUnitCount && memcmpEqual(b.baseAddress! + range.lowerBound, word.utf8Start, range.count)
        }

        /// Calls `field` for each key of an object (at `{`), which reads the value; a repeated key
        /// of `known` (a bit per field `field` returns) fails.
        mutating func object(_ field: (inout Reader, Range<Int>) -> Int?) -> Bool {
            guard consume(UInt8(ascii: "{")) else { return false }
            if consume(UInt8(ascii: "}")) { return true }
            var seen: UInt32 = 0
            while true {
                var ascii = true
                guard let key = string(ascii: &ascii), ascii, consume(UInt8(ascii: ":")) else { return false }
                guard let bit = field(&self, key) else { return false }
                if bit >= 0 {
                    if seen & (1 << bit) != 0 { return false }
                    seen |= 1 << bit
                }
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

        mutating func request() -> Bool {
            let ok = object { r, key in
                switch key.count {
                case 2:
                    if r.equals(key, "id") { return r.text(0, name: false) { $0.id = $1 } }
                    if r.equals(key, "to") { return r.text(1) { $0.to = $1 } }
                case 5:
                    if r.equals(key, "agent") { return r.agent() ? 2 : nil }
                case 6:
                    if r.equals(key, "action") {
                        let (ok, text) = r.optionalString(name: true)
                        guard ok else { return nil }
                        if let text {
                            if r.equals(text, "start") { r.scanned.action = .start }
                            else if r.equals(text, "options") { r.scanned.action = .options }
                            else if r.equals(text, "operation") { r.scanned.action = .operation }
                            else if r.equals(text, "close") { r.scanned.action = .close }
                            else { return nil }
                        }
                        return 3
                    }
                    if r.equals(key, "locale") { return r.text(4) { $0.locale = $1 } }
                case 7:
                    if r.equals(key, "channel") { return r.text(5) { $0.channel = $1 } }
                    if r.equals(key, "subject") { return r.text(6, name: false) { $0.subject = $1 } }
                    if r.equals(key, "trigger") { return r.text(7) { $0.trigger = $1 } }
                case 9:
                    if r.equals(key, "operation") {
                        let (ok, text) = r.optionalString(name: true)
                        guard ok else { return nil }
                        if let text {
                            if r.equals(text, "conference") { r.scanned.operation = .conference }
                            else if r.equals(text, "transfer") { r.scanned.operation = .transfer }
                            else if r.equals(text, "workflow") { r.scanned.operation = .workflow }
                            else { return nil }
                        }
                        return 8
                    }
                case 10:
                    if r.equals(key, "entryPoint") { return r.text(9) { $0.entryPoint = $1 } }
                case 11:
                    if r.equals(key, "subjectUsed") { return r.flag(10) { $0.subjectUsed = $1 } }
                case 12:
                    if r.equals(key, "wrapUpReason") { return r.text(11) { $0.wrapUpReason = $1 } }
                case 14:
                    if r.equals(key, "activeOutbound") { return r.counts() ? 12 : nil }
                case 17:
                    if r.equals(key, "destinationActive") { return r.flag(13) { $0.destinationActive = $1 } }
                default:
                    break
                }
                return nil
            }
            guard ok else { return false }
            skipWhitespace()
            return i == b.count
        }

        mutating func agent() -> Bool {
            scanned.hasAgent = true
            return object { r, key in
                if r.equals(key, "id") { return r.text(0) { $0.agentID = $1 } }
                if r.equals(key, "license") { return r.text(1) { $0.license = $1 } }
                if r.equals(key, "state") { return r.text(2) { $0.state = $1 } }
                if r.equals(key, "team") { return r.text(3) { $0.team = $1 } }
                if r.equals(key, "site") { return r.text(4) { $0.site = $1 } }
                return nil
            }
        }

        mutating func counts() -> Bool {
            skipWhitespace()
            if i < b.count, b[i] == UInt8(ascii: "n") { return literal("null") }
            // Repeated keys: the last one counts, as in a dictionary (no bit is returned).
            return object { r, key in
                guard let n = r.count() else { return nil }
                if r.equals(key, "sms") { r.scanned.sms = n } else if r.equals(key, "email") { r.scanned.email = n }
                return -1
            }
        }
    }

    // MARK: Deciding

    /// A detail value: JSON string content (already escaped), an integer, or null.
    private enum Detail {
        case text(UnsafeBufferPointer<UInt8>)
        case integer(Int)
        case null
    }

    private static func bytes(_ s: StaticString) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount)
    }

    private static func channelName(_ channel: Channel) -> UnsafeBufferPointer<UInt8> {
        channel == .sms ? bytes("sms") : bytes("email")
    }

    /// Reads, checks, evaluates and writes one request; false (with nothing written) when the
    /// line is for the reference path.
    func decideFast(_ line: UnsafeBufferPointer<UInt8>, _ out: inout [UInt8]) -> Bool {
        guard line.count > 0 else { return false }
        var reader = Reader(line)
        guard reader.request() else { return false }
        let s = reader.scanned
        // What Request.decode requires.
        guard s.hasAgent, s.agentID != nil else { return false }
        switch s.action {
        case .start:
            guard s.license != nil, s.state != nil, s.channel != nil, s.to != nil else { return false }
        case .options:
            guard s.license != nil, s.state != nil else { return false }
        case .operation:
            guard let operation = s.operation, operation != .workflow || s.trigger != nil else { return false }
        case .close:
            break
        }
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
            if reader.equals(channel, "sms") { f.channel = .sms } else if reader.equals(channel, "email") { f.channel = .email }
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
            var profile = byAgent
            if profile < 0, s.team != nil {
                guard let byTeam = find(teams, s.team) else { return false }
                profile = byTeam
            }
            if profile < 0, s.site != nil {
                guard let bySite = find(sites, s.site) else { return false }
                profile = bySite
            }
            f.profileIndex = profile >= 0 ? profile : evaluator.defaultProfileIndex ?? -1
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
        var localeIndex = defaultLocaleIndex
        if s.locale != nil {
            guard let index = find(locales, s.locale) else { return false }
            if index >= 0 { localeIndex = index }
        }

        let to = slice(s.to)
        pool.withUnsafeBufferPointer { pool in
            var w = Writer(out: out, pool: pool, templates: templates, localeIndex: localeIndex, codeOpenings: codeOpenings, detailOrder: detailOrder)
            out = []
            if s.action == .options {
                writeOptions(f, s, slice, &w)
            } else {
                let v = evaluator.evaluate(f) { channel in Destination.problem(ascii: to, channel: channel) }
                withUnsafeTemporaryAllocation(of: UInt8.self, capacity: to.count + 1) { scratch in
                    var normalized = UnsafeBufferPointer<UInt8>(start: nil, count: 0)
                    if let channel = v.channel, s.to != nil, v.destinationProblem == nil {
                        var n = 0
                        Destination.writeNormalized(ascii: to, channel: channel) { scratch[n] = $0; n += 1 }
                        normalized = UnsafeBufferPointer(rebasing: scratch[0..<n])
                    }
                    writeDecision(v, f, s, slice, normalized: v.channel != nil && s.to != nil && v.destinationProblem == nil ? normalized : nil,
                                  wrapUpReason: slice(wrapUpReason), &w)
                }
            }
            out = w.out
        }
        return true
    }

    private func profileName(_ index: Int?, _ pool: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8>? {
        guard let index else { return nil }
        return UnsafeBufferPointer(rebasing: pool[profileNames[index]])
    }

    private func writeDecision(_ v: Verdict, _ f: RequestFacts, _ s: Scanned, _ slice: (Range<Int>?) -> UnsafeBufferPointer<UInt8>,
                               normalized: UnsafeBufferPointer<UInt8>?, wrapUpReason: UnsafeBufferPointer<UInt8>, _ w: inout Writer) {
        let profile = profileName(v.profileIndex, w.pool)
        let channel: UnsafeBufferPointer<UInt8> = v.channel.map(Self.channelName) ?? slice(s.channel)
        func details(_ code: ReasonCode) -> (Detail, Detail, Detail, Detail) {
            let c = Detail.text(channel), none = Detail.null
            switch code {
            case .licenseNotEligible: return (.text(slice(s.license)), none, none, none)
            case .channelNotSupported, .noEntryPointConfigured: return (c, none, none, none)
            case .channelNotInProfile: return (c, .text(profile ?? slice(nil)), none, none)
            case .agentStateNotAllowed: return (.text(slice(s.state)), none, none, none)
            case .outboundLimitReached: return (c, .integer(v.limit), .integer(v.active), .text(profile ?? slice(nil)))
            case .invalidDestination:
                let problem: StaticString = switch v.destinationProblem {
                case .missingCountryCode?: "missing-country-code"
                case .invalidPhoneNumber?: "invalid-phone-number"
                case .unknownCountryCode?: "unknown-country-code"
                case .invalidEmail?: "invalid-email"
                case nil: ""
                }
                return (.text(slice(s.to)), .text(Self.bytes(problem)), none, none)
            case .entryPointNotFound: return (s.entryPoint == nil ? .null : .text(slice(s.entryPoint)), c, none, none)
            case .entryPointChannelMismatch:
                let other = v.entryPointIndex.map { Self.channelName(evaluator.policy.entryPoints[$0].channel) } ?? slice(nil)
                return (.text(slice(s.entryPoint)), c, .text(other), none)
            case .conversationAlreadyActive:
                // The normalized destination when it normalizes, else `to` as given.
                return (.text(normalized ?? slice(s.to)), none, none, none)
            case .emailSubjectReused: return (.text(slice(s.subject)), none, none, none)
            case .conferenceNotAllowed: return (.text(Self.bytes("conference")), none, none, none)
            case .transferNotAllowed: return (.text(Self.bytes("transfer")), none, none, none)
            case .workflowTriggerNotAllowed: return (.text(slice(s.trigger)), none, none, none)
            case .wrapUpReasonUnknown: return (.text(wrapUpReason), none, none, none)
            case .invalidRequest, .digitalChannelsDisabled, .noMultimediaProfile, .emailSubjectRequired, .wrapUpReasonRequired,
                 .taskCreationFailed, .agentAssignmentFailed: return (none, none, none, none)
            }
        }
        let isStart = f.action == .start
        w.raw(v.reasons.isEmpty ? "{\"allowed\":true,\"destination\":" : "{\"allowed\":false,\"destination\":")
        w.optionalString(isStart ? normalized : nil)
        w.raw(",\"id\":")
        w.optionalString(s.id.map { slice($0) })
        w.raw(",\"profile\":")
        w.optionalString(isStart ? profile : nil)
        w.raw(",\"reasons\":[")
        var first = true
        for code in v.reasons {
            if !first { w.raw(",") }
            first = false
            w.reason(code, details(code))
        }
        w.raw("],\"revision\":")
        w.append(UnsafeBufferPointer(rebasing: w.pool[revision]))
        w.raw(",\"warnings\":[")
        first = true
        for code in v.warnings {
            if !first { w.raw(",") }
            first = false
            w.reason(code, details(code))
        }
        w.raw("]}")
    }

    private func writeOptions(_ f: RequestFacts, _ s: Scanned, _ slice: (Range<Int>?) -> UnsafeBufferPointer<UInt8>, _ w: inout Writer) {
        let o = evaluator.evaluateOptions(f)
        let profile = profileName(o.profileIndex, w.pool)
        w.raw(o.allowed ? "{\"allowed\":true,\"channels\":[" : "{\"allowed\":false,\"channels\":[")
        for channel in [Channel.sms, .email] {
            let c = channel == .sms ? o.sms : o.email
            w.raw(channel == .sms ? "{\"active\":" : ",{\"active\":")
            w.integer(c.active)
            w.raw(c.allowed ? ",\"allowed\":true,\"channel\":\"" : ",\"allowed\":false,\"channel\":\"")
            w.append(Self.channelName(channel))
            w.raw("\",\"entryPoints\":")
            w.append(UnsafeBufferPointer(rebasing: w.pool[channel == .sms ? entryPointLists.sms : entryPointLists.email]))
            w.raw(",\"limit\":")
            if c.limit >= 0 { w.integer(c.limit) } else { w.raw("null") }
            w.raw(",\"reasons\":[")
            var first = true
            for code in c.reasons {
                if !first { w.raw(",") }
                first = false
                let name = Detail.text(Self.channelName(channel)), none = Detail.null
                switch code {
                case .channelNotInProfile: w.reason(code, (name, .text(profile ?? slice(nil)), none, none))
                case .outboundLimitReached: w.reason(code, (name, .integer(c.limit), .integer(c.active), .text(profile ?? slice(nil))))
                default: w.reason(code, (name, none, none, none))
                }
            }
            w.raw("]}")
        }
        w.raw("],\"id\":")
        w.optionalString(s.id.map { slice($0) })
        w.raw(",\"profile\":")
        w.optionalString(profile)
        w.raw(",\"reasons\":[")
        var first = true
        for code in o.reasons {
            if !first { w.raw(",") }
            first = false
            switch code {
            case .licenseNotEligible: w.reason(code, (.text(slice(s.license)), .null, .null, .null))
            case .agentStateNotAllowed: w.reason(code, (.text(slice(s.state)), .null, .null, .null))
            default: w.reason(code, (.null, .null, .null, .null))
            }
        }
        w.raw("],\"revision\":")
        w.append(UnsafeBufferPointer(rebasing: w.pool[revision]))
        w.raw(",\"warnings\":[]}")
    }

    /// Appends JSON to a byte buffer.
    private struct Writer {
        var out: [UInt8]
        let pool: UnsafeBufferPointer<UInt8>
        let templates: [[Piece]]
        let localeIndex: Int
        let codeOpenings: [Range<Int>]
        let detailOrder: [[(slot: Int, key: Range<Int>)]]

        mutating func raw(_ s: StaticString) {
            out.append(contentsOf: UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
        }

        mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
            out.append(contentsOf: bytes)
        }

        mutating func integer(_ n: Int) {
            if n < 0 { out.append(UInt8(ascii: "-")) }
            var magnitude = n.magnitude
            var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                         UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
                (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
            var count = 0
            withUnsafeMutableBytes(of: &digits) { d in
                repeat {
                    d[19 - count] = UInt8(magnitude % 10) + 48
                    magnitude /= 10
                    count += 1
                } while magnitude > 0
                out.append(contentsOf: UnsafeRawBufferPointer(rebasing: d[(20 - count)...]))
            }
        }

        mutating func optionalString(_ text: UnsafeBufferPointer<UInt8>?) {
            guard let text else { return raw("null") }
            out.append(0x22)
            out.append(contentsOf: text)
            out.append(0x22)
        }

        mutating func value(_ d: Detail, inMessage: Bool) {
            switch d {
            case .text(let text):
                if inMessage { append(text) } else { optionalString(text) }
            case .integer(let n): integer(n)
            case .null: if !inMessage { raw("null") }
            }
        }

        mutating func reason(_ code: ReasonCode, _ details: (Detail, Detail, Detail, Detail)) {
            func slot(_ i: Int) -> Detail {
                switch i {
                case 0: details.0
                case 1: details.1
                case 2: details.2
                default: details.3
                }
            }
            let order = code.order
            append(UnsafeBufferPointer(rebasing: pool[codeOpenings[order]]))
            var first = true
            for (index, key) in detailOrder[order] {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                append(UnsafeBufferPointer(rebasing: pool[key]))
                value(slot(index), inMessage: false)
            }
            raw("},\"message\":\"")
            for piece in templates[localeIndex * ReasonCode.inOrder.count + order] {
                if piece.slot < 0 { append(UnsafeBufferPointer(rebasing: pool[piece.text])) } else { value(slot(piece.slot), inMessage: true) }
            }
            raw("\"}")
        }
    }
}

/// What `LineEvaluator` works out once per evaluator, so that a line costs no `String` and no
/// walk through a declaration: how each declared request field is read and which ones an action
/// needs (from `RequestField`), and the decision's texts — every code's details and messages
/// lowered from `Evaluator.detailSource` and `MessageTemplates` into pre-escaped bytes and the
/// few values a verdict or the line supplies.
final class LinePlan: Sendable {
    /// How the value of a declared field is read.
    enum Read: Sendable {
        /// A string; a `name` must be ASCII (it is looked up), a `nullable` one may be null.
        case string(name: Bool, nullable: Bool)
        case boolean, action, operation, counts, agent
    }

    /// A detail's value, as `Evaluator.detailSource` says, its fixed texts already in the pool.
    enum Value: Sendable, Equatable {
        case quote(RequestQuote, nullWhenAbsent: Bool)
        case destinationAsStored, channel, profile, limit, active, problem, entryPointChannel
        case localTime, timeZone, nextAllowed
        /// Text of the pool.
        case text(Range<Int>)
    }

    /// One member of a code's `details`: `"key":` (after a comma but for the first), and its value.
    struct DetailPiece: Sendable {
        let key: Range<Int>
        let value: Value
    }

    /// A piece of a message: text of the pool, or the value of one of the code's details.
    struct MessagePiece: Sendable {
        let text: Range<Int>
        let value: Value?
    }

    /// The request texts a line's reasons quote: slices of the line, already JSON string
    /// content (or of the normalized destination).
    typealias LineQuotes = Quotes<UnsafeBufferPointer<UInt8>>

    // MARK: Reading

    /// How each field is read, by raw value.
    let reads: [Read]
    /// The request's keys, as positions in `topLevel`, and the agent's, in `agentFields`.
    let topLevelKeys: KeyTable
    let topLevel: [RequestField]
    let agentKeys: KeyTable
    let agentFields: [RequestField]
    let actionNames: KeyTable
    let actions: [Request.Action]
    let operationNames: KeyTable
    let operations: [Request.OperationKind]
    private let channelNames: KeyTable
    private let channels: [Channel]
    /// Per action (by position in `actions`) and whether the operation is a workflow, a bit per
    /// field (by raw value) the request must carry.
    private let neededMasks: [UInt32]

    // MARK: Writing

    /// Pre-escaped JSON string content, which the ranges below point into.
    private let pool: [UInt8]
    private let revision: Range<Int>
    /// By profile index.
    private let profileNames: [Range<Int>]
    /// By position in `channels`: the channel's name, and its entry points as `"a","b"`.
    private let channelTexts: [Range<Int>]
    private let entryPointLists: [Range<Int>]
    /// By entry point index: the name of the channel it serves.
    private let entryPointChannels: [Range<Int>]
    private let problems: [(DestinationProblem, Range<Int>)]
    /// Per code (by `order`): how its reason opens, and its range of `detailPieces`, in key order.
    private let openings: [Range<Int>]
    private let details: [Range<Int>]
    private let detailPieces: [DetailPiece]
    /// Per locale and code (`locale * codeCount + order`): its range of `messagePieces`.
    private let messages: [Range<Int>]
    private let messagePieces: [MessagePiece]
    /// The same for the messages of details that are all null, where a code has them.
    private let nullMessages: [Range<Int>?]
    private let codeCount: Int
    /// By zone index of the evaluator's `ZoneTable`: the zone's name.
    private let zoneNames: [Range<Int>]

    init(_ e: Evaluator) {
        reads = RequestField.allCases.map { field in
            switch field.spec.type {
            // Every string but the id and the subject is looked up in a table.
            case .string: .string(name: field != .id && field != .subject, nullable: field.spec.nullable)
            case .boolean: .boolean
            case .action: .action
            case .operation: .operation
            case .counts: .counts
            case .agent: .agent
            }
        }
        let actions = Request.Action.allCases, operations = Request.OperationKind.allCases, channels = Channel.allCases
        topLevel = RequestField.topLevel
        topLevelKeys = KeyTable(RequestField.topLevel.map(\.spec.key))
        agentFields = RequestField.agentFields
        agentKeys = KeyTable(RequestField.agentFields.map(\.spec.key))
        self.actions = actions
        actionNames = KeyTable(actions.map(\.rawValue))
        self.operations = operations
        operationNames = KeyTable(operations.map(\.rawValue))
        self.channels = channels
        channelNames = KeyTable(channels.map(\.rawValue))
        neededMasks = actions.flatMap { action in
            [false, true].map { workflow in
                RequestField.needed(by: action, workflow: workflow).reduce(0) { $0 | 1 << UInt32($1.rawValue) }
            }
        }

        var pool: [UInt8] = []
        func add(_ bytes: [UInt8]) -> Range<Int> {
            pool += bytes
            return (pool.count - bytes.count)..<pool.count
        }
        func add(escaping text: String) -> Range<Int> {
            var w = JSONWriter(capacity: text.utf8.count)
            w.stringContent(text)
            return add(w.bytes)
        }
        revision = add(escaping: e.revision)
        profileNames = e.policy.profiles.map { add(escaping: $0.name) }
        let channelTexts = channels.map { add(escaping: $0.rawValue) }
        self.channelTexts = channelTexts
        entryPointLists = channels.map { channel in
            var w = JSONWriter()
            DecisionWriter.entryPoints(&w, e.entryPointNamesByChannel[channel] ?? [])
            return add(w.bytes)
        }
        entryPointChannels = e.policy.entryPoints.map { entryPoint in channelTexts[channels.firstIndex(of: entryPoint.channel)!] }
        problems = DestinationProblem.allCases.map { ($0, add(escaping: $0.rawValue)) }

        func lower(_ source: DetailSource) -> Value {
            switch source {
            case .quote(let quote, let nullWhenAbsent): .quote(quote, nullWhenAbsent: nullWhenAbsent)
            case .destinationAsStored: .destinationAsStored
            case .channel: .channel
            case .profile: .profile
            case .limit: .limit
            case .active: .active
            case .problem: .problem
            case .entryPointChannel: .entryPointChannel
            case .literal(let text): .text(add(escaping: text))
            case .localTime: .localTime
            case .timeZone: .timeZone
            case .nextAllowed: .nextAllowed
            }
        }
        zoneNames = (e.zones?.names ?? []).map { add(escaping: $0) }
        openings = ReasonCode.inOrder.map { add(DecisionWriter.opening($0)) }
        var details: [Range<Int>] = [], detailPieces: [DetailPiece] = []
        for code in ReasonCode.inOrder {
            let start = detailPieces.count
            for (i, (field, key)) in DecisionWriter.keyedFields[code.order].enumerated() {
                detailPieces.append(DetailPiece(key: add((i > 0 ? [UInt8(ascii: ",")] : []) + key),
                                                value: lower(Evaluator.detailSource(field, of: code))))
            }
            details.append(start..<detailPieces.count)
        }
        var messages: [Range<Int>] = [], nullMessages: [Range<Int>?] = [], messagePieces: [MessagePiece] = []
        func lower(_ code: ReasonCode, _ pieces: [MessageTemplates.Piece]) -> Range<Int> {
            let start = messagePieces.count
            for piece in pieces {
                if let field = piece.field {
                    messagePieces.append(MessagePiece(text: 0..<0, value: lower(Evaluator.detailSource(field, of: code))))
                } else {
                    messagePieces.append(MessagePiece(text: add(piece.json), value: nil))
                }
            }
            return start..<messagePieces.count
        }
        for locale in e.templates.locales.indices {
            for code in ReasonCode.inOrder {
                messages.append(lower(code, e.templates.pieces(code, locale: locale)))
                nullMessages.append(code.facts.whenNull == nil ? nil : lower(code, e.templates.pieces(code, locale: locale, whenNull: true)))
            }
        }
        self.nullMessages = nullMessages
        self.details = details
        self.detailPieces = detailPieces
        self.messages = messages
        self.messagePieces = messagePieces
        codeCount = ReasonCode.inOrder.count
        self.pool = pool
    }

    /// The channel called `name`, if any.
    @inline(__always)
    func channel(named name: UnsafeBufferPointer<UInt8>) -> Channel? {
        channelNames.index(name).map { channels[$0] }
    }

    /// The fields a request of `action` must carry, a bit per field by raw value.
    @inline(__always)
    func needed(by action: Request.Action, workflow: Bool) -> UInt32 {
        neededMasks[actions.firstIndex(of: action)! * 2 + (workflow ? 1 : 0)]
    }

    // MARK: Writing a decision

    /// A `start`, `operation` or `close` decision.
    func writeDecision(_ v: Verdict, _ q: LineQuotes, id: UnsafeBufferPointer<UInt8>?, isStart: Bool, locale: Int, _ w: inout JSONWriter) {
        pool.withUnsafeBufferPointer { pool in
            DecisionWriter.decision(
                &w, allowed: v.allowed, destination: isStart ? q.normalizedDestination.map(DetailText.json) : nil,
                id: id.map(DetailText.json), profile: isStart ? profileName(v.profileIndex, pool) : nil,
                reasons: { writeReasons(v.reasons, v, q, locale: locale, pool, &$0) },
                revision: .json(UnsafeBufferPointer(rebasing: pool[revision])),
                warnings: { writeReasons(v.warnings, v, q, locale: locale, pool, &$0) })
        }
    }

    /// An `options` decision.
    func writeOptions(_ o: OptionsVerdict, _ q: LineQuotes, id: UnsafeBufferPointer<UInt8>?, locale: Int, _ w: inout JSONWriter) {
        pool.withUnsafeBufferPointer { pool in
            DecisionWriter.options(
                &w, allowed: o.allowed,
                channels: { w in
                    for (position, channel) in channels.enumerated() {
                        let c = o.channel(channel)
                        if position > 0 { w.raw(",") }
                        DecisionWriter.channel(&w, channel, active: c.active, allowed: c.allowed,
                                               entryPoints: { $0.raw(UnsafeBufferPointer(rebasing: pool[entryPointLists[position]])) },
                                               limit: c.limit >= 0 ? c.limit : nil) { w in
                            writeReasons(c.reasons, o.verdict(for: channel), q, locale: locale, pool, &w)
                        }
                    }
                },
                id: id.map(DetailText.json), profile: profileName(o.profileIndex, pool),
                reasons: { writeReasons(o.reasons, o.verdict(for: nil), q, locale: locale, pool, &$0) },
                revision: .json(UnsafeBufferPointer(rebasing: pool[revision])))
        }
    }

    private func profileName(_ index: Int?, _ pool: UnsafeBufferPointer<UInt8>) -> DetailText? {
        index.map { .json(UnsafeBufferPointer(rebasing: pool[profileNames[$0]])) }
    }

    private func writeReasons(_ codes: ReasonSet, _ v: Verdict, _ q: LineQuotes, locale: Int, _ pool: UnsafeBufferPointer<UInt8>,
                              _ w: inout JSONWriter) {
        DecisionWriter.reasons(&w, codes) { w, code in
            DecisionWriter.reason(&w, opening: UnsafeBufferPointer(rebasing: pool[openings[code.order]]), details: { w in
                for k in details[code.order] {
                    let piece = detailPieces[k]
                    w.raw(UnsafeBufferPointer(rebasing: pool[piece.key]))
                    write(piece.value, inMessage: false, v, q, pool, &w)
                }
            }, message: { w in
                let index = locale * codeCount + code.order
                for k in (Evaluator.isWhenNull(code, v) ? nullMessages[index] : nil) ?? messages[index] {
                    let piece = messagePieces[k]
                    if let value = piece.value {
                        write(value, inMessage: true, v, q, pool, &w)
                    } else {
                        w.raw(UnsafeBufferPointer(rebasing: pool[piece.text]))
                    }
                }
            })
        }
    }

    /// A detail's value: as a JSON value, or inside a message (string content; null is empty).
    @inline(__always)
    private func write(_ value: Value, inMessage: Bool, _ v: Verdict, _ q: LineQuotes, _ pool: UnsafeBufferPointer<UInt8>,
                       _ w: inout JSONWriter) {
        func text(_ bytes: UnsafeBufferPointer<UInt8>?, nullWhenAbsent: Bool = false) {
            guard let bytes else {
                if !inMessage { w.raw(nullWhenAbsent ? "null" : "\"\"") }
                return
            }
            if inMessage {
                w.raw(bytes)
            } else {
                w.bytes.append(0x22)
                w.raw(bytes)
                w.bytes.append(0x22)
            }
        }
        func fixed(_ range: Range<Int>) -> UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(rebasing: pool[range]) }
        let empty = UnsafeBufferPointer<UInt8>(start: nil, count: 0)
        switch value {
        case .quote(let quote, let nullWhenAbsent): text(q[quote], nullWhenAbsent: nullWhenAbsent)
        case .destinationAsStored: text(q.normalizedDestination ?? q.to)
        case .channel: text(v.channel.map { fixed(channelTexts[channels.firstIndex(of: $0)!]) } ?? q.channel)
        case .profile: text(v.profileIndex.map { fixed(profileNames[$0]) } ?? empty)
        case .limit: w.integer(v.limit)
        case .active: w.integer(v.active)
        case .problem:
            let problem = v.destinationProblem.flatMap { p in problems.first { $0.0 == p }?.1 }
            text(problem.map(fixed) ?? empty)
        case .entryPointChannel: text(v.entryPointIndex.map { fixed(entryPointChannels[$0]) } ?? empty)
        case .text(let range): text(fixed(range))
        case .localTime, .timeZone, .nextAllowed:
            guard let hours = v.contactHours, value != .nextAllowed || hours.nextLocal != nil else {
                if !inMessage { w.raw("null") }
                return
            }
            if !inMessage { w.bytes.append(0x22) }
            switch value {
            case .localTime: CivilTime.writeClock(minute: hours.minuteOfDay) { w.bytes.append($0) }
            case .timeZone: w.raw(fixed(zoneNames[hours.zone]))
            default:
                if inMessage {
                    CivilTime.writeForMessage(local: hours.nextLocal!, now: hours.local) { w.bytes.append($0) }
                } else {
                    CivilTime.writeLocalDateTime(local: hours.nextLocal!, offset: hours.nextOffset) { w.bytes.append($0) }
                }
            }
            if !inMessage { w.bytes.append(0x22) }
        }
    }
}

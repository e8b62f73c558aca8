/// A value of a reason's `details` as the writers need it: text still to escape, text that is
/// already JSON string content, an integer, or null.
enum DetailText {
    /// A string to escape when written.
    case text(String)
    /// String content already valid inside JSON quotes (a slice of a line the fast reader checked).
    case json(UnsafeBufferPointer<UInt8>)
    case integer(Int)
    /// A text that a message shows another way (a date-time: RFC 3339 in details, `08:00` in
    /// a message).
    case shown(String, inMessage: String)
    case null

    /// The value in a decision's `details`.
    var value: DetailValue {
        switch self {
        case .text(let text), .shown(let text, _): .string(text)
        case .json(let bytes): .string(String(decoding: bytes, as: UTF8.self))
        case .integer(let n): .integer(n)
        case .null: .null
        }
    }

    /// Writes the value as a JSON value.
    func write(_ w: inout JSONWriter) {
        switch self {
        case .text(let text), .shown(let text, _): w.string(text)
        case .json(let bytes):
            w.bytes.append(0x22)
            w.raw(bytes)
            w.bytes.append(0x22)
        case .integer(let n): w.integer(n)
        case .null: w.raw("null")
        }
    }

    /// Writes the value inside a message (JSON string content; null is empty).
    func writeInMessage(_ w: inout JSONWriter) {
        switch self {
        case .text(let text), .shown(_, let text): w.stringContent(text)
        case .json(let bytes): w.raw(bytes)
        case .integer(let n): w.integer(n)
        case .null: break
        }
    }

    /// The value inside a message as plain text (null is empty).
    var plain: String {
        switch self {
        case .text(let text), .shown(_, let text): text
        case .json(let bytes): String(decoding: bytes, as: UTF8.self)
        case .integer(let n): String(n)
        case .null: ""
        }
    }
}

/// The request texts reasons quote, however the request was read: `DetailText`s of a `Request`
/// (`RequestQuotes`), or slices of a line (`LinePlan`); nil where the request did not carry the field.
struct Quotes<Text> {
    var license: Text?
    var state: Text?
    var channel: Text?
    var to: Text?
    var entryPoint: Text?
    var subject: Text?
    var trigger: Text?
    var wrapUpReason: Text?
    var normalizedDestination: Text?
    var invalidField: Text?

    init() {}

    subscript(_ quote: RequestQuote) -> Text? {
        switch quote {
        case .license: license
        case .state: state
        case .channel: channel
        case .to: to
        case .entryPoint: entryPoint
        case .subject: subject
        case .trigger: trigger
        case .wrapUpReason: wrapUpReason
        case .normalizedDestination: normalizedDestination
        case .invalidField: invalidField
        }
    }
}

/// The quotes of a request read as a `Request` (or of none, for a malformed one).
typealias RequestQuotes = Quotes<DetailText>

/// One of the request texts reasons quote.
enum RequestQuote: Sendable {
    case license, state, channel, to, entryPoint, subject, trigger
    /// The wrap-up reason, trimmed as the rule compared it.
    case wrapUpReason
    /// The destination normalized, when it normalizes on the request's channel.
    case normalizedDestination
    /// `INVALID_REQUEST`'s `field`: `path: problem`.
    case invalidField
}

extension Quotes<DetailText> {
    /// The quotes of a decoded request.
    init(_ request: Request, normalizedDestination: String?) {
        license = request.agent.license.map(DetailText.text)
        state = request.agent.state.map(DetailText.text)
        channel = request.channel.map(DetailText.text)
        to = request.to.map(DetailText.text)
        entryPoint = request.entryPoint.map(DetailText.text)
        subject = request.subject.map(DetailText.text)
        trigger = request.trigger.map(DetailText.text)
        wrapUpReason = request.wrapUpReason.map { .text(String(Substring($0).trimmingWhitespace())) }
        self.normalizedDestination = normalizedDestination.map(DetailText.text)
    }
}

/// Where the value of one detail of a code comes from, as data: what `Evaluator.detail` reads,
/// so a writer can work it out once per code (the line writer lowers it into pre-escaped bytes)
/// instead of once per reason.
enum DetailSource: Sendable, Equatable {
    /// A text the request carried: `""` when it did not, or `null` where `nullWhenAbsent`.
    case quote(RequestQuote, nullWhenAbsent: Bool)
    /// The destination as a stored conversation names it: normalized when it normalizes, else
    /// `to` as given.
    case destinationAsStored
    /// The verdict's channel, else the request's channel as given.
    case channel
    /// The resolved profile's name (`""` when none resolves).
    case profile
    case limit
    case active
    /// Why the destination did not normalize (`""` when it did).
    case problem
    /// The channel the named entry point serves (`""` when it names none).
    case entryPointChannel
    /// A fixed text.
    case literal(String)
    /// The recipient's local time, `HH:MM` (null when the zone is unknown).
    case localTime
    /// The zone contact hours were read in (null when unknown).
    case timeZone
    /// When the next window opens, as a local date-time with its offset (null when unknown).
    case nextAllowed
}

extension Evaluator {
    /// Where `field` of `code` takes its value: the one place that says what a detail holds.
    static func detailSource(_ field: DetailField, of code: ReasonCode) -> DetailSource {
        switch field {
        case .field: .quote(.invalidField, nullWhenAbsent: false)
        case .license: .quote(.license, nullWhenAbsent: false)
        case .state: .quote(.state, nullWhenAbsent: false)
        case .channel: .channel
        case .profile: .profile
        case .limit: .limit
        case .active: .active
        // An invalid destination is quoted as given; every other code names it as stored (normalized).
        case .destination: code == .invalidDestination ? .quote(.to, nullWhenAbsent: false) : .destinationAsStored
        case .problem: .problem
        case .entryPoint: .quote(.entryPoint, nullWhenAbsent: code == .entryPointNotFound)
        case .entryPointChannel: .entryPointChannel
        case .subject: .quote(.subject, nullWhenAbsent: false)
        case .operation: .literal(code == .transferNotAllowed ? "transfer" : "conference")
        case .trigger: .quote(.trigger, nullWhenAbsent: false)
        case .reason: .quote(.wrapUpReason, nullWhenAbsent: false)
        case .localTime: .localTime
        case .timeZone: .timeZone
        case .nextAllowed: .nextAllowed
        }
    }

    /// The value of one detail of `code`: the one accessor per field that every decision path
    /// (the `Decision`, the byte writer, `--explain`, the service) reads details through.
    func detail(_ field: DetailField, of code: ReasonCode, _ v: Verdict, _ q: RequestQuotes) -> DetailText {
        switch Self.detailSource(field, of: code) {
        case .quote(let quote, let nullWhenAbsent): q[quote] ?? (nullWhenAbsent ? .null : .text(""))
        case .destinationAsStored: q.normalizedDestination ?? q.to ?? .text("")
        case .channel: v.channel.map { .text($0.rawValue) } ?? q.channel ?? .text("")
        case .profile: .text(v.profileIndex.map { policy.profiles[$0].name } ?? "")
        case .limit: .integer(v.limit)
        case .active: .integer(v.active)
        case .problem: .text(v.destinationProblem?.rawValue ?? "")
        case .entryPointChannel: .text(v.entryPointIndex.map { policy.entryPoints[$0].channel.rawValue } ?? "")
        case .literal(let text): .text(text)
        case .localTime:
            v.contactHours.map { hours in .text(CivilTime.text { CivilTime.writeClock(minute: hours.minuteOfDay, $0) }) } ?? .null
        case .timeZone: v.contactHours.flatMap { hours in zones.map { .text($0.names[hours.zone]) } } ?? .null
        case .nextAllowed:
            v.contactHours.flatMap { hours in
                hours.nextLocal.map { next in
                    .shown(CivilTime.text { CivilTime.writeLocalDateTime(local: next, offset: hours.nextOffset, $0) },
                           inMessage: CivilTime.text { CivilTime.writeForMessage(local: next, now: hours.local, $0) })
                }
            } ?? .null
        }
    }
}

/// Each code's message in each locale of a policy, split once into text and placeholders, so a
/// message is rendered as a `String` or written as JSON without parsing its template again.
struct MessageTemplates: Sendable {
    struct Piece: Sendable {
        /// The text, or (for a placeholder of one of the code's details) empty.
        let text: String
        /// `text` as escaped JSON string content.
        let json: [UInt8]
        /// The detail a placeholder stands for.
        let field: DetailField?
    }

    /// Locale names, by index: the tenant's locales, then the default when it is not among them.
    let locales: [String]
    let defaultIndex: Int
    /// Per locale and code (`locale * codeCount + order`).
    private let pieces: [[Piece]]
    /// The same, for the codes with messages for details that are all null (`whenNull`).
    private let nullPieces: [[Piece]?]

    /// `template(code, locale, whenNull)` is the message to split.
    init(locales policyLocales: [String], defaultLocale: String, template: (ReasonCode, String, Bool) -> String) {
        var names = policyLocales
        if !names.contains(defaultLocale) { names.append(defaultLocale) }
        locales = names
        defaultIndex = names.firstIndex(of: defaultLocale) ?? 0
        func split(_ code: ReasonCode, _ template: String) -> [Piece] {
            var list: [Piece] = []
            func text(_ text: String) {
                var json = JSONWriter(capacity: text.utf8.count)
                json.stringContent(text)
                list.append(Piece(text: text, json: json.bytes, field: nil))
            }
            Evaluator.forEachPiece(of: template) { piece in
                switch piece {
                case .text(let t): if !t.isEmpty { text(String(t)) }
                case .placeholder(let key):
                    if let field = DetailField(rawValue: String(key)), code.detailFields.contains(field) {
                        list.append(Piece(text: "", json: [], field: field))
                    } else {
                        text("{\(key)}")
                    }
                }
            }
            return list
        }
        var pieces: [[Piece]] = [], nullPieces: [[Piece]?] = []
        for locale in names {
            for code in ReasonCode.allCases {
                pieces.append(split(code, template(code, locale, false)))
                nullPieces.append(code.facts.whenNull == nil ? nil : split(code, template(code, locale, true)))
            }
        }
        self.pieces = pieces
        self.nullPieces = nullPieces
    }

    /// The index of `locale` when the tenant lists it, else the default's.
    func index(of locale: String?) -> Int {
        guard let locale, let index = locales.firstIndex(of: locale), index < locales.count else { return defaultIndex }
        return index
    }

    /// A message's pieces; `whenNull`: the code's message for details that are all null, where
    /// it has one.
    func pieces(_ code: ReasonCode, locale: Int, whenNull: Bool = false) -> [Piece] {
        let index = locale * ReasonCode.inOrder.count + code.order
        if whenNull, let variant = nullPieces[index] { return variant }
        return pieces[index]
    }

    /// The message as text.
    func render(_ code: ReasonCode, locale: Int, whenNull: Bool = false, _ detail: (DetailField) -> DetailText) -> String {
        var out = ""
        for piece in pieces(code, locale: locale, whenNull: whenNull) {
            if let field = piece.field { out += detail(field).plain } else { out += piece.text }
        }
        return out
    }

    /// The message as JSON string content.
    func write(_ code: ReasonCode, locale: Int, whenNull: Bool = false, _ w: inout JSONWriter, _ detail: (DetailField) -> DetailText) {
        for piece in pieces(code, locale: locale, whenNull: whenNull) {
            if let field = piece.field { detail(field).writeInMessage(&w) } else { w.raw(piece.json) }
        }
    }
}

/// A value of a reason's `details` as the writers need it: text still to escape, text that is
/// already JSON string content, an integer, or null.
enum DetailText {
    /// A string to escape when written.
    case text(String)
    /// String content already valid inside JSON quotes (a slice of a line the fast reader checked).
    case json(UnsafeBufferPointer<UInt8>)
    case integer(Int)
    case null

    /// The value in a decision's `details`.
    var value: DetailValue {
        switch self {
        case .text(let text): .string(text)
        case .json(let bytes): .string(String(decoding: bytes, as: UTF8.self))
        case .integer(let n): .integer(n)
        case .null: .null
        }
    }

    /// Writes the value as a JSON value.
    func write(_ w: inout JSONWriter) {
        switch self {
        case .text(let text): w.string(text)
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
        case .text(let text): w.stringContent(text)
        case .json(let bytes): w.raw(bytes)
        case .integer(let n): w.integer(n)
        case .null: break
        }
    }

    /// The value inside a message as plain text (null is empty).
    var plain: String {
        switch self {
        case .text(let text): text
        case .json(let bytes): String(decoding: bytes, as: UTF8.self)
        case .integer(let n): String(n)
        case .null: ""
        }
    }
}

/// The request texts reasons quote, however the request was read (a `Request`, or the bytes of
/// a line): nil where the request did not carry the field.
struct RequestQuotes {
    var license: DetailText?
    var state: DetailText?
    var channel: DetailText?
    var to: DetailText?
    var entryPoint: DetailText?
    var subject: DetailText?
    var trigger: DetailText?
    /// The wrap-up reason, trimmed as the rule compared it.
    var wrapUpReason: DetailText?
    /// The destination normalized, when it normalizes on the request's channel.
    var normalizedDestination: DetailText?
    /// `INVALID_REQUEST`'s `field`: `path: problem`.
    var invalidField: DetailText?

    init() {}

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

extension Evaluator {
    /// The value of one detail of `code`: the one accessor per field that every decision path
    /// (the `Decision`, the byte writer, `--explain`, the service) reads details through.
    func detail(_ field: DetailField, of code: ReasonCode, _ v: Verdict, _ q: RequestQuotes) -> DetailText {
        switch field {
        case .field: return q.invalidField ?? .text("")
        case .license: return q.license ?? .text("")
        case .state: return q.state ?? .text("")
        case .channel:
            if let channel = v.channel { return .text(channel.rawValue) }
            return q.channel ?? .text("")
        case .profile: return .text(v.profileIndex.map { policy.profiles[$0].name } ?? "")
        case .limit: return .integer(v.limit)
        case .active: return .integer(v.active)
        case .destination:
            // An already active conversation names the destination as stored (normalized);
            // an invalid one quotes `to` as given.
            if code == .conversationAlreadyActive, let normalized = q.normalizedDestination { return normalized }
            return q.to ?? .text("")
        case .problem: return .text(v.destinationProblem?.rawValue ?? "")
        case .entryPoint:
            if code == .entryPointNotFound, q.entryPoint == nil { return .null }
            return q.entryPoint ?? .text("")
        case .entryPointChannel: return .text(v.entryPointIndex.map { policy.entryPoints[$0].channel.rawValue } ?? "")
        case .subject: return q.subject ?? .text("")
        case .operation: return .text(code == .transferNotAllowed ? "transfer" : "conference")
        case .trigger: return q.trigger ?? .text("")
        case .reason: return q.wrapUpReason ?? .text("")
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

    init(locales policyLocales: [String], defaultLocale: String, template: (ReasonCode, String) -> String) {
        var names = policyLocales
        if !names.contains(defaultLocale) { names.append(defaultLocale) }
        locales = names
        defaultIndex = names.firstIndex(of: defaultLocale) ?? 0
        var pieces: [[Piece]] = []
        for locale in names {
            for code in ReasonCode.allCases {
                var list: [Piece] = []
                func text(_ text: String) {
                    var json = JSONWriter(capacity: text.utf8.count)
                    json.stringContent(text)
                    list.append(Piece(text: text, json: json.bytes, field: nil))
                }
                Evaluator.forEachPiece(of: template(code, locale)) { piece in
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
                pieces.append(list)
            }
        }
        self.pieces = pieces
    }

    /// The index of `locale` when the tenant lists it, else the default's.
    func index(of locale: String?) -> Int {
        guard let locale, let index = locales.firstIndex(of: locale), index < locales.count else { return defaultIndex }
        return index
    }

    func pieces(_ code: ReasonCode, locale: Int) -> [Piece] {
        pieces[locale * ReasonCode.inOrder.count + code.order]
    }

    /// The message as text.
    func render(_ code: ReasonCode, locale: Int, _ detail: (DetailField) -> DetailText) -> String {
        var out = ""
        for piece in pieces(code, locale: locale) {
            if let field = piece.field { out += detail(field).plain } else { out += piece.text }
        }
        return out
    }

    /// The message as JSON string content.
    func write(_ code: ReasonCode, locale: Int, _ w: inout JSONWriter, _ detail: (DetailField) -> DetailText) {
        for piece in pieces(code, locale: locale) {
            if let field = piece.field { detail(field).writeInMessage(&w) } else { w.raw(piece.json) }
        }
    }
}

/// The one way a decision becomes JSON: the layout of a decision, an options decision and a
/// reason, written as bytes. `sortie eval`'s line path, `Decision.json`, `--explain`, the
/// service's replies and its decision log all write through here.
///
/// Keys are sorted, so output is byte-stable; a test checks the bytes against a reference
/// built with `JSONEncoder`.
enum DecisionWriter {
    /// `{"allowed":…,"channels"|"destination":…,"explain"?:…,"id":…,"profile":…,"reasons":[…],"revision":…,"warnings":[…]}`.
    /// `channels` is given for an options decision, which has no `destination`.
    static func decision(_ w: inout JSONWriter, allowed: Bool, channels: ((inout JSONWriter) -> Void)? = nil,
                         destination: DetailText?, explain: ((inout JSONWriter) -> Void)? = nil, id: DetailText?,
                         profile: DetailText?, reasons: (inout JSONWriter) -> Void, revision: DetailText,
                         warnings: (inout JSONWriter) -> Void) {
        if let channels {
            channelsMember(&w, allowed: allowed, channels)
        } else {
            w.raw(allowed ? "{\"allowed\":true," : "{\"allowed\":false,")
            w.raw("\"destination\":")
            (destination ?? .null).write(&w)
        }
        if let explain {
            w.raw(",\"explain\":[")
            explain(&w)
            w.raw("]")
        }
        rest(&w, id: id, profile: profile, reasons: reasons, revision: revision, warnings: warnings)
    }

    /// An options decision without `explain`: `channels` is not optional, so it is not escaping
    /// (no closure context is allocated per decision).
    static func options(_ w: inout JSONWriter, allowed: Bool, channels: (inout JSONWriter) -> Void, id: DetailText?,
                        profile: DetailText?, reasons: (inout JSONWriter) -> Void, revision: DetailText) {
        channelsMember(&w, allowed: allowed, channels)
        rest(&w, id: id, profile: profile, reasons: reasons, revision: revision, warnings: { _ in })
    }

    /// `{"allowed":…,"channels":[…]`.
    private static func channelsMember(_ w: inout JSONWriter, allowed: Bool, _ channels: (inout JSONWriter) -> Void) {
        w.raw(allowed ? "{\"allowed\":true,\"channels\":[" : "{\"allowed\":false,\"channels\":[")
        channels(&w)
        w.raw("]")
    }

    /// `,"id":…,"profile":…,"reasons":[…],"revision":…,"warnings":[…]}`.
    private static func rest(_ w: inout JSONWriter, id: DetailText?, profile: DetailText?, reasons: (inout JSONWriter) -> Void,
                             revision: DetailText, warnings: (inout JSONWriter) -> Void) {
        w.raw(",\"id\":")
        (id ?? .null).write(&w)
        w.raw(",\"profile\":")
        (profile ?? .null).write(&w)
        w.raw(",\"reasons\":[")
        reasons(&w)
        w.raw("],\"revision\":")
        revision.write(&w)
        w.raw(",\"warnings\":[")
        warnings(&w)
        w.raw("]}")
    }

    /// One channel of an options decision: `{"active","allowed","channel","entryPoints","limit","reasons"}`.
    static func channel(_ w: inout JSONWriter, _ channel: Channel, active: Int, allowed: Bool, entryPoints: [String],
                        limit: Int?, reasons: (inout JSONWriter) -> Void) {
        self.channel(&w, channel, active: active, allowed: allowed, entryPoints: { Self.entryPoints(&$0, entryPoints) },
                     limit: limit, reasons: reasons)
    }

    /// Entry point names as the members of `entryPoints`: quoted, comma-separated.
    static func entryPoints(_ w: inout JSONWriter, _ names: [String]) {
        for (i, name) in names.enumerated() {
            if i > 0 { w.raw(",") }
            w.string(name)
        }
    }

    /// One channel of an options decision, the entry points' names (comma-separated strings)
    /// written by `entryPoints`.
    static func channel(_ w: inout JSONWriter, _ channel: Channel, active: Int, allowed: Bool,
                        entryPoints: (inout JSONWriter) -> Void, limit: Int?, reasons: (inout JSONWriter) -> Void) {
        w.raw("{\"active\":")
        w.integer(active)
        w.raw(allowed ? ",\"allowed\":true,\"channel\":" : ",\"allowed\":false,\"channel\":")
        w.string(channel.rawValue)
        w.raw(",\"entryPoints\":[")
        entryPoints(&w)
        w.raw("],\"limit\":")
        if let limit { w.integer(limit) } else { w.raw("null") }
        w.raw(",\"reasons\":[")
        reasons(&w)
        w.raw("]}")
    }

    /// One reason: `{"code":…,"details":{…},"message":…}`, the code's details in key order,
    /// each read through `detail`.
    static func reason(_ w: inout JSONWriter, _ code: ReasonCode, detail: (DetailField) -> DetailText,
                       message: (inout JSONWriter) -> Void) {
        reason(&w, code, details: { w in
            for (i, (field, key)) in keyedFields[code.order].enumerated() {
                if i > 0 { w.raw(",") }
                w.raw(key)
                detail(field).write(&w)
            }
        }, message: message)
    }

    /// One reason, its details' members written by `details`.
    static func reason(_ w: inout JSONWriter, _ code: ReasonCode, details: (inout JSONWriter) -> Void,
                       message: (inout JSONWriter) -> Void) {
        openings[code.order].withUnsafeBufferPointer { opening in
            reason(&w, opening: opening, details: details, message: message)
        }
    }

    /// One reason, its opening (`opening(code)`) already written out.
    static func reason(_ w: inout JSONWriter, opening: UnsafeBufferPointer<UInt8>, details: (inout JSONWriter) -> Void,
                       message: (inout JSONWriter) -> Void) {
        w.raw(opening)
        details(&w)
        w.raw("},\"message\":\"")
        message(&w)
        w.raw("\"}")
    }

    /// A list of reasons, comma-separated.
    static func reasons(_ w: inout JSONWriter, _ codes: ReasonSet, _ one: (inout JSONWriter, ReasonCode) -> Void) {
        var first = true
        for code in codes {
            if !first { w.raw(",") }
            first = false
            one(&w, code)
        }
    }

    /// How a reason opens: `{"code":"CODE","details":{`.
    static func opening(_ code: ReasonCode) -> [UInt8] {
        var w = JSONWriter()
        w.raw("{\"code\":")
        w.string(code.name)
        w.raw(",\"details\":{")
        return w.bytes
    }

    /// Each code's opening, by `order`.
    private static let openings: [[UInt8]] = ReasonCode.inOrder.map(opening)
    /// Each code's detail fields in key order, each with its `"key":` text.
    static let keyedFields: [[(DetailField, [UInt8])]] = ReasonCode.inOrder.map { code in
        fieldsInKeyOrder(code).map { ($0, Array("\"\($0.rawValue)\":".utf8)) }
    }

    /// The order a reason's `details` are written in: sorted by key.
    static func fieldsInKeyOrder(_ code: ReasonCode) -> [DetailField] {
        code.detailFields.sorted { $0.rawValue < $1.rawValue }
    }
}

extension Decision {
    /// The decision as one line of JSON (keys sorted, so output is byte-stable).
    public var json: String { String(decoding: jsonBytes, as: UTF8.self) }

    /// The decision as JSON bytes.
    public var jsonBytes: [UInt8] {
        var w = JSONWriter(capacity: 256)
        write(&w)
        return w.bytes
    }

    /// Writes the decision, with `explain` steps when given.
    public func write(_ w: inout JSONWriter, explain: [ExplainStep]? = nil) {
        DecisionWriter.decision(
            &w, allowed: allowed,
            channels: channels.map { channels in { w in
                for (i, c) in channels.enumerated() {
                    if i > 0 { w.raw(",") }
                    DecisionWriter.channel(&w, c.channel, active: c.active, allowed: c.allowed, entryPoints: c.entryPoints,
                                           limit: c.limit) { w in Self.write(c.reasons, &w) }
                }
            } },
            destination: destination.map(DetailText.text),
            explain: explain.map { steps in { w in
                for (i, step) in steps.enumerated() {
                    if i > 0 { w.raw(",") }
                    step.write(&w)
                }
            } },
            id: id.map(DetailText.text), profile: profile.map(DetailText.text),
            reasons: { w in Self.write(reasons, &w) }, revision: .text(revision),
            warnings: { w in Self.write(warnings, &w) })
    }

    private static func write(_ reasons: [Reason], _ w: inout JSONWriter) {
        for (i, r) in reasons.enumerated() {
            if i > 0 { w.raw(",") }
            DecisionWriter.reason(&w, r.code, details: { w in
                for (j, key) in r.details.keys.sorted().enumerated() {
                    if j > 0 { w.raw(",") }
                    w.string(key)
                    w.raw(":")
                    switch r.details[key]! {
                    case .string(let s): w.string(s)
                    case .integer(let n): w.integer(n)
                    case .null: w.raw("null")
                    }
                }
            }, message: { w in w.stringContent(r.message) })
        }
    }
}

extension ExplainStep {
    /// `{"because"?,"channel"?,"check","inputs":{…},"outcome"}`.
    func write(_ w: inout JSONWriter) {
        w.object { o in
            if let because { o.member("because") { $0.string(because) } }
            if let channel { o.member("channel") { $0.string(channel.rawValue) } }
            o.member("check") { $0.string(check.name) }
            o.member("inputs") { w in
                w.object { inputs in
                    for key in self.inputs.keys.sorted() {
                        inputs.member(key) { w in
                            switch self.inputs[key]! {
                            case .string(let s): w.string(s)
                            case .integer(let n): w.integer(n)
                            case .null: w.raw("null")
                            }
                        }
                    }
                }
            }
            o.member("outcome") { $0.string(outcome.rawValue) }
        }
    }
}

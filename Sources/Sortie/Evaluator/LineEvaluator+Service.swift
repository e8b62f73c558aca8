/// What a service counts of a decision `LineEvaluator.decide(body:…)` made.
public struct LineOutcome: Sendable, Equatable {
    public let action: Request.Action
    public let allowed: Bool
    /// The decision's top-level reasons and warnings (an `options` decision's agent-level ones).
    public let reasons: ReasonSet
    public let warnings: ReasonSet
}

extension LineEvaluator {
    /// Decides one request body from bytes to bytes, for a service that answers it and logs it:
    /// appends the decision to `decision` and, when `request` is not nil, the request as
    /// `Request.write` writes it (the decision log's `request`). Nil, with nothing written, when
    /// the body is for the reference path: `Request.decode(json:)`, then `Evaluator.decide`.
    public func decide(body: UnsafeBufferPointer<UInt8>, decision: inout JSONWriter, request: inout JSONWriter?) -> LineOutcome? {
        decideFast(body, &decision, request: &request)
    }

    /// Writes the request the reader found as `Request.write` does: keys sorted, absent fields,
    /// `false` flags and an empty `activeOutbound` left out. The strings are slices of the line,
    /// which the reader took only without escapes, so they are already JSON string content.
    func writeRequest(_ s: Scanned, _ line: UnsafeBufferPointer<UInt8>, _ w: inout JSONWriter) {
        /// Writes `,"key":` (no comma before the first member of an object).
        func key(_ member: Member, _ first: inout Bool) {
            if !first { w.bytes.append(UInt8(ascii: ",")) }
            first = false
            w.raw(member.key)
        }
        func text(_ member: Member, _ first: inout Bool) {
            guard let range = s.texts[member.field] else { return }
            key(member, &first)
            w.bytes.append(0x22)
            w.raw(UnsafeBufferPointer(rebasing: line[range]))
            w.bytes.append(0x22)
        }
        var first = true
        w.bytes.append(UInt8(ascii: "{"))
        for member in Self.topLevelMembers {
            switch member.type {
            case .string:
                text(member, &first)
            case .boolean:
                guard s.flag(member.field) else { break }
                key(member, &first)
                w.raw("true")
            case .action:
                key(member, &first)
                w.string(s.action.rawValue)
            case .operation:
                guard let operation = s.operation else { break }
                key(member, &first)
                w.string(operation.rawValue)
            case .counts:
                guard let text = s.countsText, s.smsGiven || s.emailGiven || s.otherGiven else { break }
                key(member, &first)
                let given = counts(in: UnsafeBufferPointer(rebasing: line[text]))
                w.object { o in
                    for (name, count) in given { o.member(name) { $0.integer(count) } }
                }
            case .agent:
                key(member, &first)
                var firstOfAgent = true
                w.bytes.append(UInt8(ascii: "{"))
                for member in Self.agentMembers { text(member, &firstOfAgent) }
                w.bytes.append(UInt8(ascii: "}"))
            }
        }
        w.bytes.append(UInt8(ascii: "}"))
    }

    /// A member of the request as it is written: its field and its `"key":`, in key order.
    private struct Member: Sendable {
        let field: RequestField
        let type: RequestField.FieldType
        let key: [UInt8]

        init(_ field: RequestField) {
            self.field = field
            type = field.spec.type
            var w = JSONWriter(capacity: 24)
            w.string(field.spec.key)
            w.raw(":")
            key = w.bytes
        }
    }

    private static let topLevelMembers = RequestField.topLevelByKey.map(Member.init)
    private static let agentMembers = RequestField.agentFieldsByKey.map(Member.init)

    /// The counts of an `activeOutbound` object the reader took, by channel name in order: read
    /// again from its text, so that reading every line does not keep them. Keys are ASCII, so
    /// their bytes sort as the `String`s `Request.write` sorts.
    private func counts(in text: UnsafeBufferPointer<UInt8>) -> [(String, Int)] {
        var counts: [(String, Int)] = []
        var reader = Reader(text, plan)
        _ = reader.object { r, key in
            guard let n = r.count() else { return nil }
            counts.append((String(decoding: r.slice(key), as: UTF8.self), n))
            return counts.count - 1
        }
        return counts.sorted { $0.0 < $1.0 }
    }
}

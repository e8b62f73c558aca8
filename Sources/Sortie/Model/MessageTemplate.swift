/// `kind: MessageTemplate` — a message agents pick in the composer, with `{{variable}}`s.
public struct MessageTemplate: Sendable {
    public var channel: Located<Channel>?
    /// Required for email, an error for SMS.
    public var subject: Located<String>?
    public var body: Located<String>?

    static let fields = ["channel", "subject", "body"]

    init(decoding spec: Fields) {
        let context = spec.context
        channel = spec.required("channel").flatMap { context.enumeration($0, path: spec.path("channel"), as: Channel.self) }
        body = spec.required("body").flatMap { context.string($0, path: spec.path("body")) }
        switch channel?.value {
        case .sms:
            if let entry = spec.mapping["subject"] {
                context.report(Rules.SubjectOnSMS.diagnostic(at: entry.key.span))
            }
        case .email:
            subject = spec.required("subject").flatMap { context.string($0, path: spec.path("subject")) }
        case nil:
            subject = spec.optional("subject").flatMap { context.string($0, path: spec.path("subject")) }
        }
    }

    /// The `{{variable}}` names a text uses, in order of first use.
    public static func variables(in text: String) -> [String] {
        var out: [String] = []
        var rest = Substring(text)
        while let open = rest.firstRange(of: "{{") {
            let after = rest[open.upperBound...]
            guard let close = after.firstRange(of: "}}") else { break }
            let name = String(after[..<close.lowerBound]).trimmingCharacters(in: " ")
            if !name.isEmpty, !out.contains(name) { out.append(name) }
            rest = after[close.upperBound...]
        }
        return out
    }

    /// `text` with each `{{name}}` (found as `variables(in:)` finds them) replaced by
    /// `values[name]`; a name without a value is left as written.
    public static func render(_ text: String, with values: [String: String]) -> String {
        var out = ""
        var rest = Substring(text)
        while let open = rest.firstRange(of: "{{") {
            let after = rest[open.upperBound...]
            guard let close = after.firstRange(of: "}}") else { break }
            let name = String(after[..<close.lowerBound]).trimmingCharacters(in: " ")
            out += rest[..<open.lowerBound]
            if !name.isEmpty, let value = values[name] { out += value } else { out += rest[open.lowerBound..<close.upperBound] }
            rest = after[close.upperBound...]
        }
        return out + rest
    }
}

extension String {
    func trimmingCharacters(in set: Character) -> String {
        var s = Substring(self)
        while s.first == set { s.removeFirst() }
        while s.last == set { s.removeLast() }
        return String(s)
    }
}

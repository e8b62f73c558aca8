/// `kind: MessageTemplate` — a message agents pick in the composer, with `{{variable}}`s.
public struct MessageTemplate: Sendable {
    public var channel: Located<Channel>?
    /// Required for email, an error for SMS.
    public var subject: Located<String>?
    public var body: Located<String>?

    static let declaration = ObjectDeclaration(
        [channelField.declared, subjectField.declared, bodyField.declared],
        conditional: [(field: "subject", on: "channel", presence: subjectPresence.map { ($0.key.rawValue, $0.value) }.sorted { $0.0 < $1.0 })])
    static let channelField = Field("channel", .enumeration(Channel.self), .required, "The channel the template is for.")
    static let subjectField = Field("subject", .string, .optional, "The email subject: required for email, an error on sms.")
    static let bodyField = Field("body", .string, .required, "The message text; may use {{variable}} placeholders.")
    /// Whether `subject` must, may or must not be written, by channel.
    static let subjectPresence: [Channel: Presence] = [.email: .required, .sms: .forbidden]

    init(decoding spec: Fields) {
        let context = spec.context
        channel = spec.read(Self.channelField)
        body = spec.read(Self.bodyField)
        switch channel.flatMap({ Self.subjectPresence[$0.value] }) ?? .optional {
        case .forbidden:
            if let entry = spec.mapping[Self.subjectField.name] {
                context.report(Rules.SubjectOnSMS.diagnostic(at: entry.key.span))
            }
        case .required:
            subject = spec.required(Self.subjectField.name).flatMap { Self.subjectField.shape.read(context, $0, { spec.path("subject") }) }
        case .optional:
            subject = spec.read(Self.subjectField)
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

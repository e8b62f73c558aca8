/// `kind: ReasonCatalog` — at most one: per-code, per-locale message overrides.
public struct ReasonCatalog: Sendable {
    public struct Entry: Sendable {
        /// The key as written; the link stage checks it is a reason code.
        public var code: Located<String>
        public var messages: [Message]
    }

    public struct Message: Sendable {
        public var locale: Located<String>
        public var text: Located<String>
    }

    public var entries: [Entry]

    /// The spec: reason code → locale → message.
    static let specShape = ValueShape<YAMLMapping>.map(keys: .reasonCodes, values: { messagesShape.schema() }, nonEmpty: false)
    /// One code's messages: locale → text, which may use the code's `details` keys as `{placeholder}`s.
    static let messagesShape = ValueShape<YAMLMapping>.map(values: { JSONSchema(type: JSONSchema.scalarTypes) }, nonEmpty: false)

    init(decoding spec: YAMLMapping, context: DecodeContext) {
        entries = spec.entries.map { entry in
            let path = "spec.\(entry.key.value)"
            let messages = Self.messagesShape.read(context, entry.value, { path }).map { map in
                map.entries.compactMap { message -> Message? in
                    guard let text = ValueShape<Located<String>>.string.read(context, message.value, { "\(path).\(message.key.value)" }) else { return nil }
                    return Message(locale: Located(message.key.value, at: message.key.span), text: text)
                }
            } ?? []
            return Entry(code: Located(entry.key.value, at: entry.key.span), messages: messages)
        }
    }

    /// The `{placeholder}` names used in a message, with their column offsets (in characters)
    /// from the start of the text.
    public static func placeholders(in text: String) -> [(name: String, offset: Int)] {
        var out: [(String, Int)] = []
        var current: String?
        var start = 0
        // Read exactly as messages are rendered: from a `{` to the next `}`, so `{{limit}}` is
        // the placeholder "{limit" (which no code provides), not "limit".
        for (i, ch) in text.enumerated() {
            if ch == "{", current == nil {
                current = ""
                start = i
            } else if ch == "}", let name = current {
                out.append((name, start))
                current = nil
            } else if current != nil {
                current?.append(ch)
            }
        }
        return out
    }
}

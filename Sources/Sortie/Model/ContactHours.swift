/// A day of the week, as contact-hour windows name it.
public enum Weekday: String, Sendable, CaseIterable, Hashable, Codable {
    case mon, tue, wed, thu, fri, sat, sun
}

/// What contact hours do when the recipient's time zone cannot be known.
public enum UnknownTimeZone: String, Sendable, CaseIterable, Hashable, Codable {
    case deny
    case allow
}

/// `OutboundPolicy.spec.contactHours` — when a conversation may be started, in the recipient's
/// local time (or a fixed zone's).
public struct ContactHours: Sendable {
    /// One window: days, and local times from (inclusive) to (exclusive), as written.
    public struct Window: Sendable {
        public var days: [Located<Weekday>]?
        public var from: Located<String>?
        public var to: Located<String>?
        /// The window's mapping.
        public var span: SourceSpan
    }

    public var channels: [Located<Channel>]?
    /// `recipient`, or an IANA zone.
    public var timeZone: Located<String>?
    public var unknownTimeZone: UnknownTimeZone?
    public var windows: [Window]?
    /// The `contactHours` mapping.
    public var span: SourceSpan

    /// The `timeZone` that means the recipient's own zone.
    public static let recipient = "recipient"

    static let declaration = ObjectDeclaration([channelsField.declared, timeZoneField.declared, unknownTimeZoneField.declared,
                                                windowsField.declared])
    static let channelsField = Field("channels", .enumerationSet(Channel.self, nonEmpty: true), .optional,
                                     default: { [Located(.sms, at: $0)] }, "The channels whose conversations contact hours restrict.")
    static let timeZoneField = Field("timeZone", .string, .optional, default: { Located(recipient, at: $0) },
                                     "recipient: the recipient's own zone; or an IANA zone such as Europe/Paris that every window is read in.")
    static let unknownTimeZoneField = Field("unknownTimeZone", .enumeration(UnknownTimeZone.self), .optional,
                                            default: { Located(.deny, at: $0) },
                                            "What happens when the recipient's zone cannot be known (a country calling code with several zones and no recipientTimeZone).")
    static let windowsField = Field("windows", ValueShape<[Window]>.list(of: window, nonEmpty: true, decodeWindow), .required,
                                    "When a conversation may start, in local time; a time outside every window is refused.")
    static let window = ObjectDeclaration([daysField.declared, fromField.declared, toField.declared])
    static let daysField = Field("days", .enumerationSet(Weekday.self, nonEmpty: true), .required, "The days the window is open.")
    static let fromField = Field("from", .string, .required, "The local time the window opens, HH:MM (inclusive).")
    static let toField = Field("to", .string, .required, "The local time the window closes, HH:MM, after from (exclusive; 24:00 is midnight).")

    init(decoding spec: Fields) {
        span = spec.mapping.span
        channels = spec.read(Self.channelsField)
        timeZone = spec.read(Self.timeZoneField)
        unknownTimeZone = spec.read(Self.unknownTimeZoneField)?.value
        windows = spec.read(Self.windowsField)
    }

    static func decodeWindow(_ fields: Fields) -> Window {
        Window(days: fields.read(daysField), from: fields.read(fromField), to: fields.read(toField), span: fields.mapping.span)
    }

    /// Minutes since midnight of `HH:MM` (`00:00`…`23:59`, and `24:00` where `end`), or nil.
    public static func minutes(_ text: String, end: Bool) -> Int? {
        let b = Array(text.utf8)
        guard b.count == 5, b[2] == UInt8(ascii: ":"), [0, 1, 3, 4].allSatisfy({ b[$0] >= 48 && b[$0] <= 57 }) else { return nil }
        let hours = Int(b[0] - 48) * 10 + Int(b[1] - 48), minutes = Int(b[3] - 48) * 10 + Int(b[4] - 48)
        guard minutes < 60 else { return nil }
        if hours == 24 && minutes == 0 && end { return 24 * 60 }
        return hours < 24 ? hours * 60 + minutes : nil
    }
}

extension ValueShape {
    /// A list of mappings, each with the fields of `object`, decoded by `decode`.
    static func list<Item>(of object: ObjectDeclaration, nonEmpty: Bool, _ decode: @escaping @Sendable (Fields) -> Item) -> ValueShape
    where Value == [Item] {
        ValueShape(schema: { JSONSchema(type: ["array"], items: object.schema(), minItems: nonEmpty ? 1 : nil) },
                   read: { context, node, path in
                       context.list(node, path: path(), nonEmpty: nonEmpty) { item, itemPath in
                           let itemPath = itemPath()
                           return context.fields(item, path: itemPath, object: object).map(decode)
                       }
                   },
                   literal: nil)
    }
}

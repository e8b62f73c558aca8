/// A value in a reason's `details`.
public enum DetailValue: Sendable, Hashable, Encodable, CustomStringConvertible {
    case string(String)
    case integer(Int)
    case null

    public var description: String {
        switch self {
        case .string(let s): s
        case .integer(let n): String(n)
        case .null: ""
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .string(let s): try c.encode(s)
        case .integer(let n): try c.encode(n)
        case .null: try c.encodeNil()
        }
    }
}

/// One reason (or warning) of a decision: its code, the message in the chosen locale, and the
/// details its code carries.
public struct Reason: Sendable, Hashable, Encodable {
    public var code: ReasonCode
    public var message: String
    public var details: [String: DetailValue]

    enum CodingKeys: String, CodingKey { case code, message, details }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(code.rawValue, forKey: .code)
        try c.encode(message, forKey: .message)
        try c.encode(details, forKey: .details)
    }
}

/// The evaluator's answer to one request (SPEC §2).
public struct Decision: Sendable, Hashable, Encodable {
    /// One channel of an `options` decision.
    public struct ChannelOption: Sendable, Hashable, Encodable {
        public var channel: Channel
        public var allowed: Bool
        public var limit: Int?
        public var active: Int
        public var entryPoints: [String]
        public var reasons: [Reason]

        enum CodingKeys: String, CodingKey { case channel, allowed, limit, active, entryPoints, reasons }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(channel, forKey: .channel)
            try c.encode(allowed, forKey: .allowed)
            try c.encode(limit, forKey: .limit)
            try c.encode(active, forKey: .active)
            try c.encode(entryPoints, forKey: .entryPoints)
            try c.encode(reasons, forKey: .reasons)
        }
    }

    public var id: String?
    /// True iff `reasons` is empty (for `options`: iff some channel is allowed).
    public var allowed: Bool
    public var reasons: [Reason]
    public var warnings: [Reason]
    public var profile: String?
    public var destination: String?
    public var revision: String
    /// Only for `options`.
    public var channels: [ChannelOption]?

    enum CodingKeys: String, CodingKey { case id, allowed, reasons, warnings, profile, destination, revision, channels }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(allowed, forKey: .allowed)
        try c.encode(reasons, forKey: .reasons)
        try c.encode(warnings, forKey: .warnings)
        try c.encode(profile, forKey: .profile)
        if channels == nil { try c.encode(destination, forKey: .destination) }
        try c.encode(revision, forKey: .revision)
        if let channels { try c.encode(channels, forKey: .channels) }
    }

    /// The decision as one line of JSON (keys sorted, so output is byte-stable).
    public var json: String { DecisionJSON.write(self) }
}

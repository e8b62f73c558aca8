/// A value in a reason's `details`.
public enum DetailValue: Sendable, Hashable, CustomStringConvertible {
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
}

/// One reason (or warning) of a decision: its code, the message in the chosen locale, and the
/// details its code carries.
public struct Reason: Sendable, Hashable {
    public var code: ReasonCode
    public var message: String
    public var details: [String: DetailValue]
}

/// The evaluator's answer to one request (docs/reference.md, "Decisions"); `json` writes it.
public struct Decision: Sendable, Hashable {
    /// One channel of an `options` decision.
    public struct ChannelOption: Sendable, Hashable {
        public var channel: Channel
        public var allowed: Bool
        public var limit: Int?
        public var active: Int
        public var entryPoints: [String]
        public var reasons: [Reason]
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
}

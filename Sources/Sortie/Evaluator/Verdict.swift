/// A set of reason codes, one bit per code, iterated in reporting order. No allocation.
public struct ReasonSet: Sendable, Hashable, Sequence {
    public private(set) var rawValue: UInt32 = 0

    public init() {}

    public var isEmpty: Bool { rawValue == 0 }

    public func contains(_ code: ReasonCode) -> Bool { rawValue & (1 << UInt32(code.order)) != 0 }

    public mutating func insert(_ code: ReasonCode) { rawValue |= 1 << UInt32(code.order) }

    public func makeIterator() -> AnyIterator<ReasonCode> {
        var remaining = rawValue
        return AnyIterator {
            guard remaining != 0 else { return nil }
            let bit = remaining.trailingZeroBitCount
            remaining &= remaining - 1
            return ReasonCode.allCases[bit]
        }
    }
}

/// What the evaluator decided for a `start`, `operation` or `close` request, before any message
/// is written: the codes, and the few values their details need. Computing it allocates
/// nothing; `Evaluator.decide` turns it into a `Decision` with messages.
public struct Verdict: Sendable, Hashable {
    public var reasons = ReasonSet()
    public var warnings = ReasonSet()
    /// Index into `CompiledPolicy.profiles`, or nil when no profile resolves (or none is needed).
    public var profileIndex: Int?
    /// The request's channel, when it is `sms` or `email`.
    public var channel: Channel?
    /// The profile's limit for the channel and the agent's open tasks on it.
    public var limit = 0
    public var active = 0
    public var destinationProblem: DestinationProblem?
    /// Index into `CompiledPolicy.entryPoints` of the entry point the request names.
    public var entryPointIndex: Int?

    public var allowed: Bool { reasons.isEmpty }
}

/// A request whose names are resolved against one evaluator (see `Evaluator.prepare`).
public struct PreparedRequest: Sendable {
    public let request: Request
    let licenseEligible: Bool
    /// Index into `CompiledPolicy.profiles`, -1 when none resolves.
    let profileIndex: Int
    let stateAllowed: Bool
    /// The channel, when it is `sms` or `email`.
    let channel: Channel?
    /// Open tasks on `channel`.
    let active: Int
    /// Index into `CompiledPolicy.entryPoints` of the named entry point, -1 when none.
    let entryPointIndex: Int
    let triggerDisallowed: Bool
}

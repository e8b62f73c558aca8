/// A set of reason codes, one bit per code, iterated in reporting order. No allocation.
///
/// Sixty-four bits: a test fails when the table outgrows them, so no code is ever lost.
public struct ReasonSet: Sendable, Hashable, Sequence {
    public private(set) var rawValue: UInt64 = 0

    /// How many codes a set can hold.
    public static let capacity = UInt64.bitWidth

    public init() {}

    public var isEmpty: Bool { rawValue == 0 }

    public func contains(_ code: ReasonCode) -> Bool { rawValue & (1 << UInt64(code.order)) != 0 }

    public mutating func insert(_ code: ReasonCode) { rawValue |= 1 << UInt64(code.order) }

    public func makeIterator() -> Iterator { Iterator(remaining: rawValue) }

    public struct Iterator: IteratorProtocol {
        var remaining: UInt64

        public mutating func next() -> ReasonCode? {
            guard remaining != 0 else { return nil }
            let bit = remaining.trailingZeroBitCount
            remaining &= remaining - 1
            return ReasonCode.inOrder[bit]
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
    /// Where the decision's moment falls in the recipient's contact hours; nil when they were
    /// not checked or the zone is unknown.
    var contactHours: ContactHoursCheck?

    public var allowed: Bool { reasons.isEmpty }
}

/// A request whose names are resolved against one evaluator (see `Evaluator.prepare`): its
/// facts, and the one text the rules still read, the destination. Compact, so that holding and
/// passing prepared requests costs one reference count, not one per field of a `Request`.
public struct PreparedRequest: Sendable {
    let facts: RequestFacts
    /// The request's `to`.
    public let destination: String?
    /// The digits of `to` read as an SMS number, when the policy's recipient rules need them
    /// (meaningful only once `to` is known valid on SMS).
    let smsDigits: SMSNumber?
}

/// What the rules look at, names already resolved against one evaluator's tables: integers and
/// flags (the destination text is checked by `evaluate` itself).
struct RequestFacts: Sendable {
    enum WrapUp: Sendable { case missing, known, unknown }

    var action = Request.Action.start
    var operation: Request.OperationKind?
    var licenseEligible = false
    /// Index into `CompiledPolicy.profiles`, -1 when none resolves (or none is needed).
    var profileIndex = -1
    var stateAllowed = false
    /// The channel, when it is `sms` or `email`.
    var channel: Channel?
    /// Open tasks per channel.
    var activeSMS = 0
    var activeEmail = 0
    /// Index into `CompiledPolicy.entryPoints` of the named entry point, -1 when none.
    var entryPointIndex = -1
    var triggerDisallowed = false
    /// For `close`: the trimmed wrap-up reason is missing (or blank), listed, or not.
    var wrapUp = WrapUp.missing
    var destinationActive = false
    /// The subject is absent, empty or only whitespace.
    var subjectBlank = true
    var subjectUsed = false
    var optedOut = false
    /// The decision's moment (UTC seconds); nil: the evaluator's clock.
    var at: Int64?
    /// The request's `recipientTimeZone` as an index into the evaluator's `ZoneTable`: -1 when
    /// not given, -2 when given but not in the table.
    var recipientZone = -1
}

/// What `options` decided before any message is written (see `Evaluator.evaluateOptions`).
struct OptionsVerdict: Sendable {
    struct ChannelVerdict: Sendable {
        var reasons = ReasonSet()
        /// The profile's limit for the channel, -1 when there is none (or no profile).
        var limit = -1
        var active = 0
        /// The top-level and the channel's own reasons are empty.
        var allowed = false
    }

    /// The agent-level codes.
    var reasons = ReasonSet()
    var profileIndex: Int?
    var sms = ChannelVerdict()
    var email = ChannelVerdict()

    var allowed: Bool { sms.allowed || email.allowed }
}

extension OptionsVerdict {
    /// The verdict of one channel.
    func channel(_ channel: Channel) -> ChannelVerdict { channel == .sms ? sms : email }

    /// What the details of a channel's reasons (or, for nil, of the agent-level reasons) quote,
    /// as a `Verdict`, so options reasons are detailed by the same accessor as every other.
    func verdict(for channel: Channel?) -> Verdict {
        var v = Verdict()
        v.profileIndex = profileIndex
        v.channel = channel
        if let channel {
            let c = self.channel(channel)
            v.limit = c.limit
            v.active = c.active
        }
        return v
    }
}

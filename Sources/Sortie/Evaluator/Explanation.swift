/// One check of a decision, for `sortie eval --explain`: which rule, what it looked at, and
/// what came of it. Outcomes are read off the verdict, so the explanation can never disagree
/// with the decision.
public struct ExplainStep: Sendable, Hashable, Encodable {
    public enum Outcome: String, Sendable, Encodable {
        case passed, failed, warned, skipped
    }

    /// The reason code the check can produce.
    public var check: ReasonCode
    public var inputs: [String: DetailValue]
    public var outcome: Outcome
    /// Why the check was skipped, when it was.
    public var because: String?

    enum CodingKeys: String, CodingKey { case check, inputs, outcome, because }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(check.rawValue, forKey: .check)
        try c.encode(inputs, forKey: .inputs)
        try c.encode(outcome, forKey: .outcome)
        try c.encodeIfPresent(because, forKey: .because)
    }
}

extension Evaluator {
    /// The checks a `start`, `operation` or `close` request went through, in reporting order.
    public func explain(_ request: Request) -> [ExplainStep] {
        let v = evaluate(request)
        func step(_ code: ReasonCode, _ inputs: [String: DetailValue], skippedBecause: String? = nil) -> ExplainStep {
            if let skippedBecause { return ExplainStep(check: code, inputs: inputs, outcome: .skipped, because: skippedBecause) }
            let outcome: ExplainStep.Outcome = v.reasons.contains(code) ? .failed : v.warnings.contains(code) ? .warned : .passed
            return ExplainStep(check: code, inputs: inputs, outcome: outcome, because: nil)
        }
        func s(_ value: String?) -> DetailValue { value.map(DetailValue.string) ?? .null }
        switch request.action {
        case .operation:
            return [
                step(.conferenceNotAllowed, ["operation": s(request.operation?.rawValue), "disallowed": .string(policy.disallowedOperations.map(\.rawValue).joined(separator: ","))]),
                step(.transferNotAllowed, ["operation": s(request.operation?.rawValue)]),
                step(.workflowTriggerNotAllowed, ["operation": s(request.operation?.rawValue), "trigger": s(request.trigger)]),
            ]
        case .close:
            return [
                step(.wrapUpReasonRequired, ["wrapUpReason": s(request.wrapUpReason)]),
                step(.wrapUpReasonUnknown, ["wrapUpReason": s(request.wrapUpReason)],
                     skippedBecause: v.reasons.contains(.wrapUpReasonRequired) ? "no wrap-up reason" : nil),
            ]
        case .start, .options:
            break
        }
        let profile = v.profileIndex.map { policy.profiles[$0].name }
        let unsupported = v.reasons.contains(.channelNotSupported) ? "the channel is not supported" : nil
        let noProfile = unsupported ?? (v.profileIndex == nil ? "no profile resolves" : nil)
        let notInProfile = noProfile ?? (v.reasons.contains(.channelNotInProfile) ? "the profile lacks the channel" : nil)
        let noEntryPoints = unsupported ?? (v.reasons.contains(.noEntryPointConfigured) ? "no entry point for the channel" : nil)
        let channel = s(request.channel)
        return [
            step(.digitalChannelsDisabled, ["digitalChannels": .string(String(policy.digitalChannels))]),
            step(.licenseNotEligible, ["license": s(request.agent.license)]),
            step(.channelNotSupported, ["channel": channel]),
            step(.noMultimediaProfile, ["agent": .string(request.agent.id), "team": s(request.agent.team), "site": s(request.agent.site), "profile": s(profile)]),
            step(.channelNotInProfile, ["channel": channel, "profile": s(profile)], skippedBecause: noProfile),
            step(.agentStateNotAllowed, ["state": s(request.agent.state)]),
            step(.outboundLimitReached, ["channel": channel, "limit": .integer(v.limit), "active": .integer(v.active)], skippedBecause: notInProfile),
            step(.invalidDestination, ["to": s(request.to)], skippedBecause: unsupported),
            step(.noEntryPointConfigured, ["channel": channel], skippedBecause: unsupported),
            step(.entryPointNotFound, ["entryPoint": s(request.entryPoint)], skippedBecause: noEntryPoints),
            step(.entryPointChannelMismatch, ["entryPoint": s(request.entryPoint)],
                 skippedBecause: noEntryPoints ?? (v.reasons.contains(.entryPointNotFound) ? "the entry point was not found" : nil)),
            step(.conversationAlreadyActive, ["destinationActive": .string(String(request.destinationActive))]),
            step(.emailSubjectRequired, ["subject": s(request.subject)], skippedBecause: unsupported ?? (v.channel == .sms ? "subjects are ignored on SMS" : nil)),
            step(.emailSubjectReused, ["subjectUsed": .string(String(request.subjectUsed)), "emailSubjectReuse": .string(policy.emailSubjectReuse.rawValue)],
                 skippedBecause: unsupported ?? (v.channel == .sms ? "subjects are ignored on SMS" : v.reasons.contains(.emailSubjectRequired) ? "there is no subject" : nil)),
        ]
    }
}

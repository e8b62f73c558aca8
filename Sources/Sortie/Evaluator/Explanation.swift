/// One check of a decision, for `sortie eval --explain`: which rule, what it looked at, and
/// what came of it. Outcomes are read off the verdict, so the explanation can never disagree
/// with the decision.
public struct ExplainStep: Sendable, Hashable {
    public enum Outcome: String, Sendable {
        case passed, failed, warned, skipped
    }

    /// The reason code the check can produce.
    public var check: ReasonCode
    public var inputs: [String: DetailValue]
    public var outcome: Outcome
    /// Why the check was skipped, when it was.
    public var because: String?
    /// For `options`, the channel a per-channel check is about (nil for the agent-level checks).
    public var channel: Channel?

    public init(check: ReasonCode, inputs: [String: DetailValue], outcome: Outcome, because: String? = nil, channel: Channel? = nil) {
        self.check = check
        self.inputs = inputs
        self.outcome = outcome
        self.because = because
        self.channel = channel
    }
}

extension Evaluator {
    /// The checks a request went through, in reporting order. For `options`: the agent-level
    /// checks, then each channel's (sms, then email), each step naming its channel.
    public func explain(_ request: Request) -> [ExplainStep] {
        if request.action == .options { return explainOptions(request) }
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
        case .message:
            return [step(.recipientOptedOut, ["optedOut": .string(String(request.optedOut))])]
        case .start, .options:
            break
        }
        let profile = v.profileIndex.map { policy.profiles[$0].name }
        let unsupported = v.reasons.contains(.channelNotSupported) ? "the channel is not supported" : nil
        let noProfile = unsupported ?? (v.profileIndex == nil ? "no profile resolves" : nil)
        let notInProfile = noProfile ?? (v.reasons.contains(.channelNotInProfile) ? "the profile lacks the channel" : nil)
        let noEntryPoints = unsupported ?? (v.reasons.contains(.noEntryPointConfigured) ? "no entry point for the channel" : nil)
        let channel = s(request.channel)
        let invalid = unsupported ?? (v.reasons.contains(.invalidDestination) ? "the destination is not valid" : nil)
        let noEntryPoint = invalid ?? (v.reasons.contains(.noEntryPointConfigured) ? "no entry point for the channel"
            : v.reasons.contains(.entryPointNotFound) ? "the entry point was not found"
            : v.reasons.contains(.entryPointChannelMismatch) ? "the entry point serves the other channel" : nil)
        let allowed = v.entryPointIndex.flatMap { policy.entryPoints[$0].allowedDestinations }
        let hours = policy.contactHours
        let reasonCheck = contactHours.map { rule in v.channel.map(rule.restricts) ?? false } ?? false
        let outsideDetails = Dictionary(uniqueKeysWithValues: ReasonCode.outsideContactHours.detailFields.map {
            ($0.rawValue, detail($0, of: .outsideContactHours, v, RequestQuotes()).value)
        })
        let recipientRules: [ExplainStep] = [
            step(.destinationNotAllowed, ["to": s(request.to), "allowedDestinations": s(allowed?.joined(separator: ","))],
                 skippedBecause: noEntryPoint ?? (v.channel != .sms || allowed == nil ? "the entry point allows any destination" : nil)),
            step(.recipientOptedOut, ["optedOut": .string(String(request.optedOut))], skippedBecause: noEntryPoint),
            step(.outsideContactHours,
                 outsideDetails.merging(["at": s(request.at), "recipientTimeZone": s(request.recipientTimeZone),
                                         "contactHoursTimeZone": s(hours.map { $0.timeZone ?? ContactHours.recipient })]) { a, _ in a },
                 skippedBecause: invalid ?? (hours == nil ? "the policy has no contact hours"
                    : !reasonCheck ? "contact hours do not restrict this channel" : nil)),
        ]
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
        ] + recipientRules + [
            step(.conversationAlreadyActive, ["destinationActive": .string(String(request.destinationActive))]),
            step(.emailSubjectRequired, ["subject": s(request.subject)], skippedBecause: unsupported ?? (v.channel == .sms ? "subjects are ignored on SMS" : nil)),
            step(.emailSubjectReused, ["subjectUsed": .string(String(request.subjectUsed)), "emailSubjectReuse": .string(policy.emailSubjectReuse.rawValue)],
                 skippedBecause: unsupported ?? (v.channel == .sms ? "subjects are ignored on SMS" : v.reasons.contains(.emailSubjectRequired) ? "there is no subject" : nil)),
        ]
    }

    private func explainOptions(_ request: Request) -> [ExplainStep] {
        let o = evaluateOptions(prepare(request).facts)
        let profile = o.profileIndex.map { policy.profiles[$0].name }
        func s(_ value: String?) -> DetailValue { value.map(DetailValue.string) ?? .null }
        func step(_ code: ReasonCode, _ inputs: [String: DetailValue], in reasons: ReasonSet, channel: Channel? = nil, skippedBecause: String? = nil) -> ExplainStep {
            let outcome: ExplainStep.Outcome = skippedBecause != nil ? .skipped : reasons.contains(code) ? .failed : .passed
            return ExplainStep(check: code, inputs: inputs, outcome: outcome, because: skippedBecause, channel: channel)
        }
        var steps = [
            step(.digitalChannelsDisabled, ["digitalChannels": .string(String(policy.digitalChannels))], in: o.reasons),
            step(.licenseNotEligible, ["license": s(request.agent.license)], in: o.reasons),
            step(.noMultimediaProfile, ["agent": .string(request.agent.id), "team": s(request.agent.team), "site": s(request.agent.site), "profile": s(profile)], in: o.reasons),
            step(.agentStateNotAllowed, ["state": s(request.agent.state)], in: o.reasons),
        ]
        for channel in Channel.allCases {
            let c = channel == .sms ? o.sms : o.email
            let name = DetailValue.string(channel.rawValue)
            let noProfile = profile == nil ? "no profile resolves" : nil
            steps += [
                step(.channelNotInProfile, ["channel": name, "profile": s(profile)], in: c.reasons, channel: channel, skippedBecause: noProfile),
                step(.outboundLimitReached, ["channel": name, "limit": c.limit >= 0 ? .integer(c.limit) : .null, "active": .integer(c.active)],
                     in: c.reasons, channel: channel, skippedBecause: noProfile ?? (c.limit < 0 ? "the profile lacks the channel" : nil)),
                step(.noEntryPointConfigured, ["channel": name, "entryPoints": .string((entryPointNamesByChannel[channel] ?? []).joined(separator: ","))],
                     in: c.reasons, channel: channel),
            ]
        }
        return steps
    }
}

/// Decides requests against a compiled policy (SPEC §2): every reason code, in reporting
/// order, with the skipping rules, warnings, normalization and localized messages.
///
/// ```swift
/// let evaluator = Evaluator(policy: compiledPolicy)
/// let decision = evaluator.decide(json: Array(line.utf8))
/// print(decision.json)
/// ```
///
/// Deciding never throws: a malformed request gets `INVALID_REQUEST`.
public struct Evaluator: Sendable {
    public let policy: CompiledPolicy
    public let revision: String

    private let licenses: [String: Bool]
    private let profilesByName: [String: CompiledPolicy.Profile]
    private let profileByAgent: [String: String]
    private let profileByTeam: [String: String]
    private let profileBySite: [String: String]
    private let entryPointsByName: [String: CompiledPolicy.EntryPoint]
    private let entryPointNamesByChannel: [Channel: [String]]
    private let allowedStates: Set<String>
    private let disallowedTriggers: Set<String>
    private let wrapUpReasons: Set<String>
    private let defaultLocale: String

    public init(policy: CompiledPolicy) {
        self.policy = policy
        self.revision = policy.revision
        licenses = Dictionary(policy.licenses.map { ($0.name, $0.outbound) }, uniquingKeysWith: { a, _ in a })
        profilesByName = Dictionary(policy.profiles.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var byAgent: [String: String] = [:], byTeam: [String: String] = [:], bySite: [String: String] = [:]
        for profile in policy.profiles {
            for agent in profile.agents { byAgent[agent] = profile.name }
            for team in profile.teams { byTeam[team] = profile.name }
            for site in profile.sites { bySite[site] = profile.name }
        }
        profileByAgent = byAgent
        profileByTeam = byTeam
        profileBySite = bySite
        entryPointsByName = Dictionary(policy.entryPoints.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var names: [Channel: [String]] = [:]
        for entryPoint in policy.entryPoints { names[entryPoint.channel, default: []].append(entryPoint.name) }
        entryPointNamesByChannel = names.mapValues { $0.sorted() }
        allowedStates = Set(policy.allowedAgentStates)
        disallowedTriggers = Set(policy.disallowedWorkflowTriggers)
        wrapUpReasons = Set(policy.wrapUpReasons)
        defaultLocale = policy.locales.first ?? "en"
    }

    /// Decides one JSON Lines line (malformed JSON gets `INVALID_REQUEST`).
    public func decide(json bytes: some Collection<UInt8>) -> Decision {
        switch Request.decode(json: bytes) {
        case .success(let request): decide(request)
        case .failure(let invalid): decide(invalid, locale: nil)
        }
    }

    /// The decision for a malformed request: `INVALID_REQUEST` alone, naming the field.
    public func decide(_ invalid: InvalidRequest, locale: String?) -> Decision {
        let reason = makeReason(.invalidRequest, ["field": .string(invalid.detail)], locale: locale)
        return Decision(id: invalid.id, allowed: false, reasons: [reason], warnings: [], profile: nil,
                        destination: nil, revision: revision)
    }

    /// Decides a well-formed request.
    public func decide(_ request: Request) -> Decision {
        switch request.action {
        case .start: start(request)
        case .options: options(request)
        case .operation: operation(request)
        case .close: close(request)
        }
    }

    // MARK: The profile

    /// The agent's profile: by agent id, else team, else site, else the tenant's default.
    public func profile(for agent: Request.Agent) -> CompiledPolicy.Profile? {
        let name = profileByAgent[agent.id]
            ?? agent.team.flatMap { profileByTeam[$0] }
            ?? agent.site.flatMap { profileBySite[$0] }
            ?? policy.defaultProfile
        return name.flatMap { profilesByName[$0] }
    }

    // MARK: Actions

    private func start(_ request: Request) -> Decision {
        var reasons: [Reason] = []
        var warnings: [Reason] = []
        let locale = request.locale
        func add(_ code: ReasonCode, _ details: [String: DetailValue] = [:]) {
            reasons.append(makeReason(code, details, locale: locale))
        }
        agentChecks(request, add: add)
        let channel = request.channel.flatMap(Channel.init(rawValue:))
        if channel == nil { add(.channelNotSupported, ["channel": .string(request.channel ?? "")]) }
        let profile = profile(for: request.agent)
        if profile == nil { add(.noMultimediaProfile) }
        let limit = channel.flatMap { profile?.limits[$0] }
        if let channel, let profile, limit == nil {
            add(.channelNotInProfile, ["channel": .string(channel.rawValue), "profile": .string(profile.name)])
        }
        stateCheck(request, add: add)
        if let channel, let profile, let limit {
            let active = request.activeOutbound[channel.rawValue] ?? 0
            if active >= limit {
                add(.outboundLimitReached, ["channel": .string(channel.rawValue), "limit": .integer(limit),
                                            "active": .integer(active), "profile": .string(profile.name)])
            }
        }
        var destination: String?
        if let channel, let to = request.to {
            switch Destination.normalize(to, channel: channel) {
            case .success(let normalized): destination = normalized
            case .failure(let problem):
                add(.invalidDestination, ["destination": .string(to), "problem": .string(problem.rawValue)])
            }
        }
        if let channel {
            entryPointChecks(request, channel: channel, add: add)
        }
        if request.destinationActive {
            add(.conversationAlreadyActive, ["destination": .string(destination ?? request.to ?? "")])
        }
        if channel == .email {
            let subject = request.subject.map { String(Substring($0).trimmingWhitespace()) } ?? ""
            if subject.isEmpty {
                add(.emailSubjectRequired)
            } else if request.subjectUsed {
                let reused = makeReason(.emailSubjectReused, ["subject": .string(request.subject ?? "")], locale: locale)
                switch policy.emailSubjectReuse {
                case .allow: break
                case .warn: warnings.append(reused)
                case .deny: reasons.append(reused)
                }
            }
        }
        return Decision(id: request.id, allowed: reasons.isEmpty, reasons: reasons, warnings: warnings,
                        profile: profile?.name, destination: destination, revision: revision)
    }

    /// `DIGITAL_CHANNELS_DISABLED`, `LICENSE_NOT_ELIGIBLE`.
    private func agentChecks(_ request: Request, add: (ReasonCode, [String: DetailValue]) -> Void) {
        if !policy.digitalChannels { add(.digitalChannelsDisabled, [:]) }
        let license = request.agent.license ?? ""
        if licenses[license] != true { add(.licenseNotEligible, ["license": .string(license)]) }
    }

    /// `AGENT_STATE_NOT_ALLOWED`.
    private func stateCheck(_ request: Request, add: (ReasonCode, [String: DetailValue]) -> Void) {
        let state = request.agent.state ?? ""
        if !allowedStates.contains(state) { add(.agentStateNotAllowed, ["state": .string(state)]) }
    }

    /// `NO_ENTRY_POINT_CONFIGURED`, `ENTRY_POINT_NOT_FOUND`, `ENTRY_POINT_CHANNEL_MISMATCH`.
    private func entryPointChecks(_ request: Request, channel: Channel, add: (ReasonCode, [String: DetailValue]) -> Void) {
        guard !(entryPointNamesByChannel[channel] ?? []).isEmpty else {
            add(.noEntryPointConfigured, ["channel": .string(channel.rawValue)])
            return
        }
        guard let name = request.entryPoint, let entryPoint = entryPointsByName[name] else {
            add(.entryPointNotFound, ["entryPoint": request.entryPoint.map(DetailValue.string) ?? .null,
                                      "channel": .string(channel.rawValue)])
            return
        }
        if entryPoint.channel != channel {
            add(.entryPointChannelMismatch, ["entryPoint": .string(name), "channel": .string(channel.rawValue),
                                             "entryPointChannel": .string(entryPoint.channel.rawValue)])
        }
    }

    private func options(_ request: Request) -> Decision {
        var top: [Reason] = []
        let locale = request.locale
        func add(_ code: ReasonCode, _ details: [String: DetailValue]) { top.append(makeReason(code, details, locale: locale)) }
        agentChecks(request, add: add)
        let profile = profile(for: request.agent)
        if profile == nil { add(.noMultimediaProfile, [:]) }
        stateCheck(request, add: add)
        let channels = Channel.allCases.map { channel -> Decision.ChannelOption in
            var reasons: [Reason] = []
            let active = request.activeOutbound[channel.rawValue] ?? 0
            let limit = profile?.limits[channel]
            if let profile, limit == nil {
                reasons.append(makeReason(.channelNotInProfile, ["channel": .string(channel.rawValue), "profile": .string(profile.name)], locale: locale))
            }
            if let profile, let limit, active >= limit {
                reasons.append(makeReason(.outboundLimitReached, ["channel": .string(channel.rawValue), "limit": .integer(limit),
                                                                  "active": .integer(active), "profile": .string(profile.name)], locale: locale))
            }
            let entryPoints = entryPointNamesByChannel[channel] ?? []
            if entryPoints.isEmpty {
                reasons.append(makeReason(.noEntryPointConfigured, ["channel": .string(channel.rawValue)], locale: locale))
            }
            return Decision.ChannelOption(channel: channel, allowed: top.isEmpty && reasons.isEmpty, limit: limit,
                                          active: active, entryPoints: entryPoints, reasons: reasons)
        }
        return Decision(id: request.id, allowed: channels.contains { $0.allowed }, reasons: top, warnings: [],
                        profile: profile?.name, destination: nil, revision: revision, channels: channels)
    }

    private func operation(_ request: Request) -> Decision {
        var reasons: [Reason] = []
        switch request.operation {
        case .conference? where policy.disallowedOperations.contains(.conference):
            reasons.append(makeReason(.conferenceNotAllowed, ["operation": .string("conference")], locale: request.locale))
        case .transfer? where policy.disallowedOperations.contains(.transfer):
            reasons.append(makeReason(.transferNotAllowed, ["operation": .string("transfer")], locale: request.locale))
        case .workflow?:
            let trigger = request.trigger ?? ""
            if disallowedTriggers.contains(trigger) {
                reasons.append(makeReason(.workflowTriggerNotAllowed, ["trigger": .string(trigger)], locale: request.locale))
            }
        default:
            break
        }
        return Decision(id: request.id, allowed: reasons.isEmpty, reasons: reasons, warnings: [], profile: nil,
                        destination: nil, revision: revision)
    }

    private func close(_ request: Request) -> Decision {
        var reasons: [Reason] = []
        let reason = request.wrapUpReason.map { String(Substring($0).trimmingWhitespace()) } ?? ""
        if reason.isEmpty {
            reasons.append(makeReason(.wrapUpReasonRequired, [:], locale: request.locale))
        } else if !wrapUpReasons.contains(reason) {
            reasons.append(makeReason(.wrapUpReasonUnknown, ["reason": .string(reason)], locale: request.locale))
        }
        return Decision(id: request.id, allowed: reasons.isEmpty, reasons: reasons, warnings: [], profile: nil,
                        destination: nil, revision: revision)
    }

    // MARK: Messages

    /// The locale messages are written in: the request's when the tenant lists it, else the default.
    public func messageLocale(for requested: String?) -> String {
        if let requested, policy.locales.contains(requested) { return requested }
        return defaultLocale
    }

    /// The message for `code`: the catalog's in the locale, else the built-in one, else `en`.
    public func messageTemplate(_ code: ReasonCode, locale: String) -> String {
        policy.messages[code]?[locale] ?? code.builtInMessage(locale: locale)
            ?? policy.messages[code]?["en"] ?? code.builtInMessage(locale: "en") ?? code.rawValue
    }

    private func makeReason(_ code: ReasonCode, _ details: [String: DetailValue], locale: String?) -> Reason {
        let template = messageTemplate(code, locale: messageLocale(for: locale))
        return Reason(code: code, message: Self.render(template, details), details: details)
    }

    /// Replaces each `{key}` with its detail value.
    static func render(_ template: String, _ details: [String: DetailValue]) -> String {
        guard template.contains("{") else { return template }
        var out = ""
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{") {
            out += rest[..<open]
            guard let close = rest[open...].firstIndex(of: "}") else {
                out += rest[open...]
                rest = rest[rest.endIndex...]
                break
            }
            let key = String(rest[rest.index(after: open)..<close])
            if let value = details[key] { out += value.description } else { out += rest[open...close] }
            rest = rest[rest.index(after: close)...]
        }
        return out + rest
    }
}

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

    /// License name -> may start outbound conversations.
    private let licenses: [String: Bool]
    private let profileIndexByName: [String: Int]
    private let profileByAgent: [String: Int]
    private let profileByTeam: [String: Int]
    private let profileBySite: [String: Int]
    private let defaultProfileIndex: Int?
    /// Per profile: the limit for sms and for email, -1 when the profile lacks the channel.
    private let limits: [(sms: Int, email: Int)]
    private let entryPointIndexByName: [String: Int]
    private let entryPointNamesByChannel: [Channel: [String]]
    private let hasEntryPoint: (sms: Bool, email: Bool)
    private let allowedStates: Set<String>
    private let disallowedTriggers: Set<String>
    private let disallowsConference: Bool
    private let disallowsTransfer: Bool
    private let defaultLocale: String

    public init(policy: CompiledPolicy) {
        self.policy = policy
        revision = policy.revision
        licenses = Dictionary(policy.licenses.map { ($0.name, $0.outbound) }, uniquingKeysWith: { a, _ in a })
        var byName: [String: Int] = [:], byAgent: [String: Int] = [:], byTeam: [String: Int] = [:], bySite: [String: Int] = [:]
        for (index, profile) in policy.profiles.enumerated() {
            byName[profile.name] = index
            for agent in profile.agents { byAgent[agent] = index }
            for team in profile.teams { byTeam[team] = index }
            for site in profile.sites { bySite[site] = index }
        }
        profileIndexByName = byName
        profileByAgent = byAgent
        profileByTeam = byTeam
        profileBySite = bySite
        defaultProfileIndex = policy.defaultProfile.flatMap { byName[$0] }
        limits = policy.profiles.map { ($0.limits[.sms] ?? -1, $0.limits[.email] ?? -1) }
        entryPointIndexByName = Dictionary(policy.entryPoints.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { a, _ in a })
        var names: [Channel: [String]] = [:]
        for entryPoint in policy.entryPoints { names[entryPoint.channel, default: []].append(entryPoint.name) }
        entryPointNamesByChannel = names.mapValues { $0.sorted() }
        hasEntryPoint = (names[.sms] != nil, names[.email] != nil)
        allowedStates = Set(policy.allowedAgentStates)
        disallowedTriggers = Set(policy.disallowedWorkflowTriggers)
        disallowsConference = policy.disallowedOperations.contains(.conference)
        disallowsTransfer = policy.disallowedOperations.contains(.transfer)
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

    /// Decides a well-formed request, with messages in the request's locale.
    public func decide(_ request: Request) -> Decision {
        if request.action == .options { return options(request) }
        return decision(for: evaluate(request), of: request)
    }

    // MARK: Evaluation (no allocation)

    /// The agent's profile index: by agent id, else team, else site, else the tenant's default.
    func profileIndex(for agent: Request.Agent) -> Int? {
        if let index = profileByAgent[agent.id] { return index }
        if let team = agent.team, let index = profileByTeam[team] { return index }
        if let site = agent.site, let index = profileBySite[site] { return index }
        return defaultProfileIndex
    }

    /// The agent's profile: by agent id, else team, else site, else the tenant's default.
    public func profile(for agent: Request.Agent) -> CompiledPolicy.Profile? {
        profileIndex(for: agent).map { policy.profiles[$0] }
    }

    /// Resolves a request's names against this evaluator's tables — license, profile (by agent,
    /// team, site), state, channel, counts, entry point — so that `evaluate` works on integers.
    /// This is where the string hashing happens, once per request (SPEC's "names interned").
    public func prepare(_ request: Request) -> PreparedRequest {
        let channel = request.channel.flatMap(Channel.init(rawValue:))
        var active = 0
        if let channel { active = request.activeOutbound[channel.rawValue] ?? 0 }
        var entryPoint = -1
        if let name = request.entryPoint, let index = entryPointIndexByName[name] { entryPoint = index }
        var trigger = false
        if request.action == .operation, request.operation == .workflow { trigger = disallowedTriggers.contains(request.trigger ?? "") }
        return PreparedRequest(
            request: request,
            licenseEligible: licenses[request.agent.license ?? ""] == true,
            profileIndex: request.action == .start || request.action == .options ? profileIndex(for: request.agent) ?? -1 : -1,
            stateAllowed: allowedStates.contains(request.agent.state ?? ""),
            channel: channel, active: active, entryPointIndex: entryPoint, triggerDisallowed: trigger)
    }

    /// Evaluates the rules for a `start`, `operation` or `close` request: which codes apply,
    /// in reporting order, with the skipping rules. Allocates nothing.
    public func evaluate(_ request: Request) -> Verdict {
        evaluate(prepare(request))
    }

    /// Evaluates a prepared request: integer lookups and the destination check only.
    public func evaluate(_ p: PreparedRequest) -> Verdict {
        var v = Verdict()
        switch p.request.action {
        case .operation:
            switch p.request.operation {
            case .conference?: if disallowsConference { v.reasons.insert(.conferenceNotAllowed) }
            case .transfer?: if disallowsTransfer { v.reasons.insert(.transferNotAllowed) }
            case .workflow?: if p.triggerDisallowed { v.reasons.insert(.workflowTriggerNotAllowed) }
            case nil: break
            }
            return v
        case .close:
            let reason = Substring(p.request.wrapUpReason ?? "").trimmingWhitespace()
            if reason.isEmpty {
                v.reasons.insert(.wrapUpReasonRequired)
            } else if !policy.wrapUpReasons.contains(where: { $0 == reason }) {
                v.reasons.insert(.wrapUpReasonUnknown)
            }
            return v
        case .start, .options:
            break
        }
        if !policy.digitalChannels { v.reasons.insert(.digitalChannelsDisabled) }
        if !p.licenseEligible { v.reasons.insert(.licenseNotEligible) }
        let channel = p.channel
        v.channel = channel
        if channel == nil { v.reasons.insert(.channelNotSupported) }
        if p.profileIndex >= 0 { v.profileIndex = p.profileIndex } else { v.reasons.insert(.noMultimediaProfile) }
        var limit = -1
        if let channel, p.profileIndex >= 0 {
            limit = channel == .sms ? limits[p.profileIndex].sms : limits[p.profileIndex].email
            if limit < 0 { v.reasons.insert(.channelNotInProfile) }
        }
        if !p.stateAllowed { v.reasons.insert(.agentStateNotAllowed) }
        if channel != nil, limit >= 0 {
            v.limit = limit
            v.active = p.active
            if p.active >= limit { v.reasons.insert(.outboundLimitReached) }
        }
        if let channel {
            if let to = p.request.to, let problem = Destination.problem(to, channel: channel) {
                v.destinationProblem = problem
                v.reasons.insert(.invalidDestination)
            }
            if !(channel == .sms ? hasEntryPoint.sms : hasEntryPoint.email) {
                v.reasons.insert(.noEntryPointConfigured)
            } else if p.entryPointIndex >= 0 {
                v.entryPointIndex = p.entryPointIndex
                if policy.entryPoints[p.entryPointIndex].channel != channel { v.reasons.insert(.entryPointChannelMismatch) }
            } else {
                v.reasons.insert(.entryPointNotFound)
            }
        }
        if p.request.destinationActive { v.reasons.insert(.conversationAlreadyActive) }
        if channel == .email {
            let blank = p.request.subject.map(Self.isBlank) ?? true
            if blank {
                v.reasons.insert(.emailSubjectRequired)
            } else if p.request.subjectUsed {
                switch policy.emailSubjectReuse {
                case .allow: break
                case .warn: v.warnings.insert(.emailSubjectReused)
                case .deny: v.reasons.insert(.emailSubjectReused)
                }
            }
        }
        return v
    }

    /// True when `text` is empty or only whitespace; ASCII is checked byte by byte.
    static func isBlank(_ text: String) -> Bool {
        for byte in text.utf8 {
            if byte >= 0x80 { return text.unicodeScalars.allSatisfy(\.properties.isWhitespace) }
            if !(byte == 0x20 || (byte >= 0x09 && byte <= 0x0D)) { return false }
        }
        return true
    }

    // MARK: Decisions (messages and details)

    /// Turns a verdict into the decision the contract describes: details, messages in the
    /// request's locale, the profile name and the normalized destination.
    public func decision(for v: Verdict, of request: Request) -> Decision {
        let profile = v.profileIndex.map { policy.profiles[$0].name }
        var destination: String?
        if let channel = v.channel, let to = request.to, v.destinationProblem == nil,
           case .success(let normalized) = Destination.normalize(to, channel: channel) {
            destination = normalized
        }
        func details(_ code: ReasonCode) -> [String: DetailValue] {
            let channel = DetailValue.string(v.channel?.rawValue ?? request.channel ?? "")
            switch code {
            case .invalidRequest: return [:]
            case .licenseNotEligible: return ["license": .string(request.agent.license ?? "")]
            case .channelNotSupported: return ["channel": channel]
            case .channelNotInProfile: return ["channel": channel, "profile": .string(profile ?? "")]
            case .agentStateNotAllowed: return ["state": .string(request.agent.state ?? "")]
            case .outboundLimitReached:
                return ["channel": channel, "limit": .integer(v.limit), "active": .integer(v.active), "profile": .string(profile ?? "")]
            case .invalidDestination:
                return ["destination": .string(request.to ?? ""), "problem": .string(v.destinationProblem?.rawValue ?? "")]
            case .noEntryPointConfigured: return ["channel": channel]
            case .entryPointNotFound: return ["entryPoint": request.entryPoint.map(DetailValue.string) ?? .null, "channel": channel]
            case .entryPointChannelMismatch:
                let other = v.entryPointIndex.map { policy.entryPoints[$0].channel.rawValue } ?? ""
                return ["entryPoint": .string(request.entryPoint ?? ""), "channel": channel, "entryPointChannel": .string(other)]
            case .conversationAlreadyActive: return ["destination": .string(destination ?? request.to ?? "")]
            case .emailSubjectReused: return ["subject": .string(request.subject ?? "")]
            case .conferenceNotAllowed: return ["operation": .string("conference")]
            case .transferNotAllowed: return ["operation": .string("transfer")]
            case .workflowTriggerNotAllowed: return ["trigger": .string(request.trigger ?? "")]
            case .wrapUpReasonUnknown: return ["reason": .string(String(Substring(request.wrapUpReason ?? "").trimmingWhitespace()))]
            case .digitalChannelsDisabled, .noMultimediaProfile, .emailSubjectRequired, .wrapUpReasonRequired,
                 .taskCreationFailed, .agentAssignmentFailed: return [:]
            }
        }
        let reasons = v.reasons.map { makeReason($0, details($0), locale: request.locale) }
        let warnings = v.warnings.map { makeReason($0, details($0), locale: request.locale) }
        let isStart = request.action == .start
        return Decision(id: request.id, allowed: reasons.isEmpty, reasons: reasons, warnings: warnings,
                        profile: isStart ? profile : nil, destination: isStart ? destination : nil, revision: revision)
    }

    private func options(_ request: Request) -> Decision {
        var top: [Reason] = []
        let locale = request.locale
        func add(_ code: ReasonCode, _ details: [String: DetailValue]) { top.append(makeReason(code, details, locale: locale)) }
        // The agent-level facts are the ones `evaluate` uses, resolved once by `prepare`.
        let prepared = prepare(request)
        if !policy.digitalChannels { add(.digitalChannelsDisabled, [:]) }
        if !prepared.licenseEligible { add(.licenseNotEligible, ["license": .string(request.agent.license ?? "")]) }
        let profile = prepared.profileIndex >= 0 ? policy.profiles[prepared.profileIndex] : nil
        if profile == nil { add(.noMultimediaProfile, [:]) }
        if !prepared.stateAllowed { add(.agentStateNotAllowed, ["state": .string(request.agent.state ?? "")]) }
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

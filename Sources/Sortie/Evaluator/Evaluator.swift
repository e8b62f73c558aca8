/// Decides requests against a compiled policy (docs/reference.md, "How a request is decided"): every reason code, in reporting
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
    let licenses: [String: Bool]
    let profileIndexByName: [String: Int]
    let profileByAgent: [String: Int]
    let profileByTeam: [String: Int]
    let profileBySite: [String: Int]
    let defaultProfileIndex: Int?
    /// Per profile: the limit for sms and for email, -1 when the profile lacks the channel.
    let limits: [(sms: Int, email: Int)]
    let entryPointIndexByName: [String: Int]
    let entryPointNamesByChannel: [Channel: [String]]
    let hasEntryPoint: (sms: Bool, email: Bool)
    let allowedStates: Set<String>
    let disallowedTriggers: Set<String>
    let disallowsConference: Bool
    let disallowsTransfer: Bool
    let defaultLocale: String
    /// Every code's message in every locale, split once.
    let templates: MessageTemplates
    /// Per entry point, its `allowedDestinations` prefixes in `allowedPrefixes`; nil: any
    /// destination. Flat, so that reading one entry point's prefixes retains nothing.
    let allowedPrefixRanges: [Range<Int>?]
    let allowedPrefixes: [SMSNumber]
    /// The zones contact hours are read in, and the rule; nil when the policy has none.
    let zones: ZoneTable?
    let contactHours: ContactHoursRule?
    /// Whether a rule reads an SMS destination's digits (an allowed prefix, a calling code's zone).
    let readsSMSDigits: Bool
    /// The clock of a request without `at`: UTC seconds.
    let clock: @Sendable () -> Int64

    /// An evaluator of `policy`; `clock` (UTC seconds; default the system's) times the requests
    /// that carry no `at`.
    public init(policy: CompiledPolicy, clock: (@Sendable () -> Int64)? = nil) {
        self.policy = policy
        self.clock = clock ?? ZoneTable.now
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
        let defaultLocale = policy.locales.first ?? "en"
        self.defaultLocale = defaultLocale
        templates = MessageTemplates(locales: policy.locales, defaultLocale: defaultLocale) { code, locale, whenNull in
            Self.messageTemplate(code, locale: locale, catalog: policy.messages, whenNull: whenNull)
        }
        var prefixRanges: [Range<Int>?] = [], prefixes: [SMSNumber] = []
        for entryPoint in policy.entryPoints {
            guard let allowed = entryPoint.allowedDestinations else { prefixRanges.append(nil); continue }
            let first = prefixes.count
            prefixes += allowed.compactMap { SMSNumber(normalized: $0.utf8) }
            prefixRanges.append(first..<prefixes.count)
        }
        allowedPrefixRanges = prefixRanges
        allowedPrefixes = prefixes
        if let hours = policy.contactHours {
            let zones = ZoneTable(extra: hours.timeZone.map { [$0] } ?? [])
            self.zones = zones
            contactHours = ContactHoursRule(hours, zones: zones)
        } else {
            zones = nil
            contactHours = nil
        }
        readsSMSDigits = !prefixes.isEmpty || (contactHours.map { $0.restricts(.sms) && $0.fixedZone < 0 } ?? false)
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
        var v = Verdict()
        v.reasons.insert(.invalidRequest)
        var q = RequestQuotes()
        q.invalidField = .text(invalid.detail)
        let reason = makeReason(.invalidRequest, v, q, locale: templates.index(of: locale))
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
        resolveProfile(byAgent: profileByAgent[agent.id], byTeam: { agent.team.flatMap { profileByTeam[$0] } },
                       bySite: { agent.site.flatMap { profileBySite[$0] } })
    }

    /// Profile resolution, the one rule every path uses: a profile naming the agent, else its
    /// team's, else its site's, else the tenant's default. `byTeam` and `bySite` look the
    /// agent's team and site up (nil when it has none, or no profile claims it); each is called
    /// only when the rule reaches it.
    @inline(__always)
    func resolveProfile(byAgent: Int?, byTeam: () -> Int?, bySite: () -> Int?) -> Int? {
        if let byAgent { return byAgent }
        if let index = byTeam() { return index }
        if let index = bySite() { return index }
        return defaultProfileIndex
    }

    /// The agent's profile: by agent id, else team, else site, else the tenant's default.
    public func profile(for agent: Request.Agent) -> CompiledPolicy.Profile? {
        profileIndex(for: agent).map { policy.profiles[$0] }
    }

    /// Resolves a request's names against this evaluator's tables — license, profile (by agent,
    /// team, site), state, channel, counts, entry point, trigger, wrap-up reason — and reads the
    /// few facts the rules need from its text (a blank subject, the digits of an SMS `to`, the
    /// instant of `at`), so that `evaluate` works on
    /// integers and flags, and on the destination text. This is where the string hashing
    /// happens, once per request.
    public func prepare(_ request: Request) -> PreparedRequest {
        var f = RequestFacts()
        f.action = request.action
        f.operation = request.operation
        let channel = request.channel.flatMap(Channel.init(rawValue:))
        f.channel = channel
        f.activeSMS = request.activeOutbound["sms"] ?? 0
        f.activeEmail = request.activeOutbound["email"] ?? 0
        if let name = request.entryPoint, let index = entryPointIndexByName[name] { f.entryPointIndex = index }
        if request.action == .operation, request.operation == .workflow { f.triggerDisallowed = disallowedTriggers.contains(request.trigger ?? "") }
        if request.action == .close {
            let reason = Substring(request.wrapUpReason ?? "").trimmingWhitespace()
            f.wrapUp = reason.isEmpty ? .missing : policy.wrapUpReasons.contains(where: { $0 == reason }) ? .known : .unknown
        }
        f.licenseEligible = licenses[request.agent.license ?? ""] == true
        if request.action == .start || request.action == .options { f.profileIndex = profileIndex(for: request.agent) ?? -1 }
        f.stateAllowed = allowedStates.contains(request.agent.state ?? "")
        f.destinationActive = request.destinationActive
        f.subjectBlank = request.subject.map(Self.isBlank) ?? true
        f.subjectUsed = request.subjectUsed
        f.optedOut = request.optedOut
        f.at = request.at.flatMap(CivilTime.instant(rfc3339:))
        if let zone = request.recipientTimeZone { f.recipientZone = zones?.index(of: zone) ?? -2 }
        let digits = channel == .sms && readsSMSDigits ? request.to.flatMap(SMSNumber.init(valid:)) : nil
        return PreparedRequest(facts: f, destination: request.to, smsDigits: digits)
    }

    /// Evaluates the rules for a `start`, `operation` or `close` request: which codes apply,
    /// in reporting order, with the skipping rules. Allocates nothing.
    public func evaluate(_ request: Request) -> Verdict {
        evaluate(prepare(request))
    }

    /// Evaluates a prepared request: integer lookups and the destination check only.
    public func evaluate(_ p: PreparedRequest) -> Verdict {
        // The closures capture the destination alone, not a copy of the whole prepared request.
        let destination = p.destination, digits = p.smsDigits
        return evaluate(p.facts, destinationProblem: { channel in
            guard let destination else { return nil }
            return Destination.problem(destination, channel: channel)
        }, smsNumber: { digits })
    }

    /// The rules themselves, on a request's facts; `destinationProblem` checks the request's
    /// `to` on a channel (nil when it is valid or absent), and `smsNumber` gives the digits of a
    /// `to` valid on SMS. Every way in — a `Request` or the bytes of a JSON line
    /// (`LineEvaluator`) — goes through here.
    @inline(__always)
    func evaluate(_ f: RequestFacts, destinationProblem: (Channel) -> DestinationProblem?, smsNumber: () -> SMSNumber?) -> Verdict {
        var v = Verdict()
        switch f.action {
        case .message:
            // A further message in a conversation: consent alone decides it.
            if let channel = f.channel {
                v.channel = channel
                v.destinationProblem = destinationProblem(channel)
            }
            if f.entryPointIndex >= 0 { v.entryPointIndex = f.entryPointIndex }
            if f.optedOut { v.reasons.insert(.recipientOptedOut) }
            return v
        case .operation:
            switch f.operation {
            case .conference?: if disallowsConference { v.reasons.insert(.conferenceNotAllowed) }
            case .transfer?: if disallowsTransfer { v.reasons.insert(.transferNotAllowed) }
            case .workflow?: if f.triggerDisallowed { v.reasons.insert(.workflowTriggerNotAllowed) }
            case nil: break
            }
            return v
        case .close:
            switch f.wrapUp {
            case .missing: v.reasons.insert(.wrapUpReasonRequired)
            case .unknown: v.reasons.insert(.wrapUpReasonUnknown)
            case .known: break
            }
            return v
        case .start, .options:
            break
        }
        if !policy.digitalChannels { v.reasons.insert(.digitalChannelsDisabled) }
        if !f.licenseEligible { v.reasons.insert(.licenseNotEligible) }
        let channel = f.channel
        v.channel = channel
        if channel == nil { v.reasons.insert(.channelNotSupported) }
        if f.profileIndex >= 0 { v.profileIndex = f.profileIndex } else { v.reasons.insert(.noMultimediaProfile) }
        var limit = -1
        if let channel, f.profileIndex >= 0 {
            limit = channel == .sms ? limits[f.profileIndex].sms : limits[f.profileIndex].email
            if limit < 0 { v.reasons.insert(.channelNotInProfile) }
        }
        if !f.stateAllowed { v.reasons.insert(.agentStateNotAllowed) }
        if let channel, limit >= 0 {
            let active = channel == .sms ? f.activeSMS : f.activeEmail
            v.limit = limit
            v.active = active
            if active >= limit { v.reasons.insert(.outboundLimitReached) }
        }
        if let channel {
            if let problem = destinationProblem(channel) {
                v.destinationProblem = problem
                v.reasons.insert(.invalidDestination)
            }
            if !(channel == .sms ? hasEntryPoint.sms : hasEntryPoint.email) {
                v.reasons.insert(.noEntryPointConfigured)
            } else if f.entryPointIndex >= 0 {
                v.entryPointIndex = f.entryPointIndex
                if policy.entryPoints[f.entryPointIndex].channel != channel { v.reasons.insert(.entryPointChannelMismatch) }
            } else {
                v.reasons.insert(.entryPointNotFound)
            }
            if v.destinationProblem == nil { checkRecipient(f, channel, &v, smsNumber) }
        }
        if f.destinationActive { v.reasons.insert(.conversationAlreadyActive) }
        if channel == .email {
            if f.subjectBlank {
                v.reasons.insert(.emailSubjectRequired)
            } else if f.subjectUsed {
                switch policy.emailSubjectReuse {
                case .allow: break
                case .warn: v.warnings.insert(.emailSubjectReused)
                case .deny: v.reasons.insert(.emailSubjectReused)
                }
            }
        }
        return v
    }

    /// The recipient rules of a valid destination on a supported channel: the entry point's
    /// destinations and consent (once the entry point is known and serves the channel), then
    /// contact hours.
    @inline(__always)
    private func checkRecipient(_ f: RequestFacts, _ channel: Channel, _ v: inout Verdict, _ smsNumber: () -> SMSNumber?) {
        // The destination's digits, read once whichever rules need them.
        var number: SMSNumber??
        func digits() -> SMSNumber? {
            if number == nil { number = .some(smsNumber()) }
            return number!
        }
        if let index = v.entryPointIndex, !v.reasons.contains(.entryPointChannelMismatch) {
            if channel == .sms, let prefixes = allowedPrefixRanges[index] {
                let number = digits()
                if !prefixes.contains(where: { number?.hasPrefix(allowedPrefixes[$0]) == true }) { v.reasons.insert(.destinationNotAllowed) }
            }
            if f.optedOut { v.reasons.insert(.recipientOptedOut) }
        }
        guard let rule = contactHours, let zones, rule.restricts(channel) else { return }
        var zone: Int?
        if rule.fixedZone >= 0 {
            zone = rule.fixedZone
        } else if f.recipientZone >= 0 {
            zone = f.recipientZone
        } else if f.recipientZone == -1, channel == .sms, let number = digits() {
            zone = zones.zone(callingCodeOf: number)
        }
        guard let zone else {
            if !rule.unknownTimeZoneAllows { v.reasons.insert(.outsideContactHours) }
            return
        }
        let check = rule.check(at: f.at ?? clock(), zone: zone, zones: zones)
        if !check.inside {
            v.contactHours = check
            v.reasons.insert(.outsideContactHours)
        }
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
        let q = RequestQuotes(request, normalizedDestination: destination)
        let locale = templates.index(of: request.locale)
        let reasons = v.reasons.map { makeReason($0, v, q, locale: locale) }
        let warnings = v.warnings.map { makeReason($0, v, q, locale: locale) }
        let isStart = request.action == .start
        return Decision(id: request.id, allowed: reasons.isEmpty, reasons: reasons, warnings: warnings,
                        profile: isStart ? profile : nil, destination: isStart ? destination : nil, revision: revision)
    }

    /// The `options` rules on a request's facts: the agent-level codes, then each channel's.
    func evaluateOptions(_ f: RequestFacts) -> OptionsVerdict {
        var o = OptionsVerdict()
        if !policy.digitalChannels { o.reasons.insert(.digitalChannelsDisabled) }
        if !f.licenseEligible { o.reasons.insert(.licenseNotEligible) }
        if f.profileIndex >= 0 { o.profileIndex = f.profileIndex } else { o.reasons.insert(.noMultimediaProfile) }
        if !f.stateAllowed { o.reasons.insert(.agentStateNotAllowed) }
        func channel(_ channel: Channel) -> OptionsVerdict.ChannelVerdict {
            var c = OptionsVerdict.ChannelVerdict()
            c.active = channel == .sms ? f.activeSMS : f.activeEmail
            if f.profileIndex >= 0 {
                c.limit = channel == .sms ? limits[f.profileIndex].sms : limits[f.profileIndex].email
                if c.limit < 0 {
                    c.reasons.insert(.channelNotInProfile)
                } else if c.active >= c.limit {
                    c.reasons.insert(.outboundLimitReached)
                }
            }
            if !(channel == .sms ? hasEntryPoint.sms : hasEntryPoint.email) { c.reasons.insert(.noEntryPointConfigured) }
            c.allowed = o.reasons.isEmpty && c.reasons.isEmpty
            return c
        }
        o.sms = channel(.sms)
        o.email = channel(.email)
        return o
    }

    private func options(_ request: Request) -> Decision {
        let o = evaluateOptions(prepare(request).facts)
        let profile = o.profileIndex.map { policy.profiles[$0].name }
        let q = RequestQuotes(request, normalizedDestination: nil)
        let locale = templates.index(of: request.locale)
        let channels = Channel.allCases.map { channel -> Decision.ChannelOption in
            let c = o.channel(channel)
            let v = o.verdict(for: channel)
            return Decision.ChannelOption(channel: channel, allowed: c.allowed, limit: c.limit >= 0 ? c.limit : nil, active: c.active,
                                          entryPoints: entryPointNamesByChannel[channel] ?? [],
                                          reasons: c.reasons.map { makeReason($0, v, q, locale: locale) })
        }
        let agentLevel = o.verdict(for: nil)
        return Decision(id: request.id, allowed: o.allowed, reasons: o.reasons.map { makeReason($0, agentLevel, q, locale: locale) },
                        warnings: [], profile: profile, destination: nil, revision: revision, channels: channels)
    }

    // MARK: Messages

    /// The locale messages are written in: the request's when the tenant lists it, else the default.
    public func messageLocale(for requested: String?) -> String {
        if let requested, policy.locales.contains(requested) { return requested }
        return defaultLocale
    }

    /// The message for `code`: the catalog's in the locale, else the built-in one, else `en`.
    public func messageTemplate(_ code: ReasonCode, locale: String, whenNull: Bool = false) -> String {
        Self.messageTemplate(code, locale: locale, catalog: policy.messages, whenNull: whenNull)
    }

    /// A catalog's message applies whether or not the details are null; the built-in ones have a
    /// variant for null details where `whenNull` is set.
    static func messageTemplate(_ code: ReasonCode, locale: String, catalog: [ReasonCode: [String: String]], whenNull: Bool = false) -> String {
        catalog[code]?[locale] ?? code.builtInMessage(locale: locale, whenNull: whenNull) ?? catalog[code]?["en"]
            ?? code.builtInMessage(locale: "en", whenNull: whenNull) ?? code.facts.en
    }

    /// Whether `code`'s message is its variant for details that are all null.
    @inline(__always)
    static func isWhenNull(_ code: ReasonCode, _ v: Verdict) -> Bool { code.facts.whenNull != nil && v.contactHours == nil }

    /// A reason with its details and its message, read through `detail`.
    func makeReason(_ code: ReasonCode, _ v: Verdict, _ q: RequestQuotes, locale: Int) -> Reason {
        var details: [String: DetailValue] = [:]
        for field in code.detailFields { details[field.rawValue] = detail(field, of: code, v, q).value }
        let message = templates.render(code, locale: locale, whenNull: Self.isWhenNull(code, v)) { detail($0, of: code, v, q) }
        return Reason(code: code, message: message, details: details)
    }

    /// A message template's pieces, in order: text, and `{key}` placeholders (the key without
    /// its braces). An unclosed `{` is text.
    enum TemplatePiece { case text(Substring), placeholder(Substring) }

    static func forEachPiece(of template: String, _ body: (TemplatePiece) -> Void) {
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{") {
            body(.text(rest[..<open]))
            guard let close = rest[open...].firstIndex(of: "}") else {
                body(.text(rest[open...]))
                return
            }
            body(.placeholder(rest[rest.index(after: open)..<close]))
            rest = rest[rest.index(after: close)...]
        }
        body(.text(rest))
    }

}

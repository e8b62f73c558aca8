/// A policy set after compilation: immutable, every default applied, every name resolved,
/// nothing left to check. The evaluator is built from this value.
public struct CompiledPolicy: Sendable, Codable {
    public struct License: Sendable, Hashable, Codable {
        public var name: String
        public var outbound: Bool
    }

    public struct Profile: Sendable, Hashable, Codable {
        public var name: String
        /// `maxOutboundTasks` per channel the profile handles.
        public var limits: [Channel: Int]
        public var agents: [String]
        public var teams: [String]
        public var sites: [String]
    }

    public struct EntryPoint: Sendable, Hashable, Codable {
        public var name: String
        public var channel: Channel
        /// The normalized address.
        public var address: String
        /// E.164 prefixes a destination must start with; nil: any valid destination.
        public var allowedDestinations: [String]?
    }

    /// `consent`, every default applied.
    public struct Consent: Sendable, Hashable, Codable {
        public var optOutKeywords: [String]
        public var optInKeywords: [String]
        public var scope: ConsentScope
        /// Locale → text: the written texts over the built-in `fr` and `en` ones.
        public var confirmation: [String: String]

        /// The defaults: what a policy without `consent` means.
        public static let defaults = Consent(optOutKeywords: Sortie.Consent.defaultOptOutKeywords,
                                             optInKeywords: Sortie.Consent.defaultOptInKeywords,
                                             scope: Sortie.Consent.defaultScope, confirmation: Sortie.Consent.builtInConfirmation)
    }

    /// `contactHours`, every default applied, times in minutes since midnight.
    public struct ContactHours: Sendable, Hashable, Codable {
        public struct Window: Sendable, Hashable, Codable {
            public var days: [Weekday]
            /// Inclusive, 0..<1440.
            public var from: Int
            /// Exclusive, after `from`; 1440 is midnight.
            public var to: Int
        }

        public var channels: [Channel]
        /// The zone every window is read in; nil: the recipient's own.
        public var timeZone: String?
        public var unknownTimeZone: UnknownTimeZone
        public var windows: [Window]
    }

    public struct Template: Sendable, Hashable, Codable {
        public var name: String
        public var channel: Channel
        public var subject: String?
        public var body: String
        /// The `{{variable}}`s that subject and body use.
        public var variables: [String]
    }

    public struct TestCase: Sendable {
        public var test: String
        public var name: String
        /// Where the case is written.
        public var span: SourceSpan
        public var request: YAMLNode
        public var expectAllowed: Bool
        public var expectReasons: [ReasonCode]
        /// Nil: warnings are not checked.
        public var expectWarnings: [ReasonCode]?
    }

    public var tenant: String
    public var digitalChannels: Bool
    public var licenses: [License]
    public var agentStates: [String]
    /// The first is the default.
    public var locales: [String]
    public var defaultProfile: String?
    public var profiles: [Profile]
    public var entryPoints: [EntryPoint]
    public var allowedAgentStates: [String]
    public var disallowedOperations: [Operation]
    public var disallowedWorkflowTriggers: [String]
    public var emailSubjectReuse: SubjectReuse
    public var wrapUpReasons: [String]
    public var consent: Consent
    /// Nil: conversations may start at any time.
    public var contactHours: ContactHours?
    /// ReasonCatalog overrides: code -> locale -> message.
    public var messages: [ReasonCode: [String: String]]
    public var templates: [Template]
    /// PolicyTest cases (not part of the policy's meaning, and not stored in bundles).
    public var tests: [TestCase] = []

    enum CodingKeys: String, CodingKey {
        case tenant, digitalChannels, licenses, agentStates, locales, defaultProfile, profiles, entryPoints,
             allowedAgentStates, disallowedOperations, disallowedWorkflowTriggers, emailSubjectReuse, wrapUpReasons,
             consent, contactHours, messages, templates
    }

    /// Lowers a decoded set that has no errors. Nil only if the set lacks a piece the earlier
    /// stages guarantee (which would be a compiler bug, reported as such by the caller).
    init?(lowering set: DecodedSet) {
        guard let tenantDoc = set.tenants.first, let tenantName = tenantDoc.name,
              let policy = set.outboundPolicy else { return nil }
        let tenant = tenantDoc.spec
        guard let digital = tenant.digitalChannels, let licenses = tenant.licenses, let states = tenant.agentStates,
              let allowed = policy.allowedAgentStates, let wrapUp = policy.wrapUpReasons else { return nil }
        self.tenant = tenantName
        digitalChannels = digital
        self.licenses = licenses.compactMap { l in l.outbound.map { License(name: l.name.value, outbound: $0) } }.sorted { $0.name < $1.name }
        agentStates = states.map(\.value)
        locales = (tenant.locales ?? []).map(\.value)
        defaultProfile = tenant.defaultProfile?.value
        profiles = set.profiles.compactMap { p in
            guard let name = p.name else { return nil }
            var limits: [Channel: Int] = [:]
            for channel in p.spec.channels ?? [] { limits[channel.channel.value] = channel.maxOutboundTasks?.value }
            return Profile(name: name, limits: limits, agents: p.spec.assignedTo.agents.map(\.value),
                           teams: p.spec.assignedTo.teams.map(\.value), sites: p.spec.assignedTo.sites.map(\.value))
        }.sorted { $0.name < $1.name }
        entryPoints = set.entryPoints.compactMap { e in
            guard let name = e.name, let channel = e.spec.channel?.value,
                  case .success(let normalized) = e.spec.normalizedAddress else { return nil }
            return EntryPoint(name: name, channel: channel, address: normalized,
                              allowedDestinations: e.spec.allowedDestinations.map { $0.map(\.value).sorted() })
        }.sorted { $0.name < $1.name }
        allowedAgentStates = allowed.map(\.value)
        disallowedOperations = (policy.disallowedOperations ?? []).map(\.value)
        disallowedWorkflowTriggers = (policy.disallowedWorkflowTriggers ?? []).map(\.value)
        emailSubjectReuse = policy.emailSubjectReuse ?? OutboundPolicy.defaultEmailSubjectReuse
        wrapUpReasons = wrapUp.map(\.value)
        let consent = policy.consent
        var confirmation = Sortie.Consent.builtInConfirmation
        for entry in consent.confirmation { confirmation[entry.locale.value] = entry.text.value }
        self.consent = Consent(optOutKeywords: (consent.optOutKeywords ?? []).map(\.value),
                               optInKeywords: (consent.optInKeywords ?? []).map(\.value),
                               scope: consent.scope ?? Sortie.Consent.defaultScope, confirmation: confirmation)
        contactHours = policy.contactHours.map { hours in
            let zone = hours.timeZone?.value ?? Sortie.ContactHours.recipient
            return ContactHours(channels: (hours.channels ?? []).map(\.value).sorted { $0.rawValue < $1.rawValue },
                                timeZone: zone == Sortie.ContactHours.recipient ? nil : zone,
                                unknownTimeZone: hours.unknownTimeZone ?? .deny,
                                windows: (hours.windows ?? []).compactMap { w in
                                    guard let days = w.days, let from = w.from.flatMap({ Sortie.ContactHours.minutes($0.value, end: false) }),
                                          let to = w.to.flatMap({ Sortie.ContactHours.minutes($0.value, end: true) }) else { return nil }
                                    return ContactHours.Window(days: days.map(\.value), from: from, to: to)
                                })
        }
        var messages: [ReasonCode: [String: String]] = [:]
        for catalog in set.reasonCatalogs {
            for entry in catalog.spec.entries {
                guard let code = ReasonCode(name: entry.code.value) else { continue }
                for message in entry.messages { messages[code, default: [:]][message.locale.value] = message.text.value }
            }
        }
        self.messages = messages
        templates = set.messageTemplates.compactMap { t in
            guard let name = t.name, let channel = t.spec.channel?.value, let body = t.spec.body?.value else { return nil }
            let subject = t.spec.subject?.value
            return Template(name: name, channel: channel, subject: subject, body: body,
                            variables: MessageTemplate.variables(in: (subject ?? "") + "\n" + body))
        }.sorted { $0.name < $1.name }
        tests = set.policyTests.flatMap { test in
            (test.spec.cases ?? []).compactMap { c -> TestCase? in
                guard let name = c.name?.value, let request = c.request, let expect = c.expect, let allowed = expect.allowed else { return nil }
                return TestCase(test: test.name ?? "", name: name, span: c.span, request: request, expectAllowed: allowed,
                                expectReasons: (expect.reasons ?? []).compactMap { ReasonCode(name: $0.value) },
                                expectWarnings: expect.warnings.map { $0.compactMap { ReasonCode(name: $0.value) } })
            }
        }
    }
}

import Testing
@testable import Sortie

/// A small set for evaluator tests: one default profile, one SMS and one email entry point.
private let set = """
    apiVersion: sortie/v1
    kind: Tenant
    metadata: { name: acme-fr }
    spec:
      digitalChannels: true
      licenses: { premium: { outbound: true }, standard: { outbound: false } }
      agentStates: [available, idle, rona]
      locales: [fr, en]
      defaultProfile: digital
    ---
    apiVersion: sortie/v1
    kind: OutboundPolicy
    metadata: { name: outbound }
    spec: { allowedAgentStates: [available, rona], wrapUpReasons: [resolu] }
    ---
    apiVersion: sortie/v1
    kind: MultimediaProfile
    metadata: { name: digital }
    spec: { channels: { sms: { maxOutboundTasks: 2 }, email: { maxOutboundTasks: 1 } } }
    ---
    apiVersion: sortie/v1
    kind: EntryPoint
    metadata: { name: support-sms }
    spec: { channel: sms, address: "+33186950000" }
    ---
    apiVersion: sortie/v1
    kind: ReasonCatalog
    metadata: { name: messages }
    spec:
      OUTBOUND_LIMIT_REACHED: { fr: "Déjà {active}/{limit} ({channel}, {profile})" }

    """

private func evaluator() throws -> Evaluator {
    let result = Compiler.compile(sources: [PolicySource(path: "set.yaml", text: set)], root: "set.yaml")
    return Evaluator(policy: try #require(result.policy, "\(result.diagnostics.map(\.message))"))
}

private func decide(_ json: String) throws -> Decision {
    try evaluator().decide(json: Array(json.utf8))
}

private let agent = #""agent": {"id": "a-1", "license": "premium", "state": "available"}"#

@Suite struct EvaluatorTests {
    @Test func anAllowedStartNormalizesTheDestination() throws {
        let d = try decide(#"{"id": "r-1", \#(agent), "channel": "sms", "to": "+33 (0)6 12 34 56 78", "entryPoint": "support-sms"}"#)
        #expect(d.allowed)
        #expect(d.id == "r-1")
        #expect(d.destination == "+33612345678")
        #expect(d.profile == "digital")
    }

    @Test func catalogMessagesArePreferredAndPlaceholdersRendered() throws {
        let d = try decide(#"{\#(agent), "activeOutbound": {"sms": 2}, "channel": "sms", "to": "+33612345678", "entryPoint": "support-sms"}"#)
        #expect(d.reasons.map(\.code) == [.outboundLimitReached])
        #expect(d.reasons.first?.message == "Déjà 2/2 (sms, digital)")
        #expect(d.reasons.first?.details == ["channel": .string("sms"), "limit": .integer(2), "active": .integer(2), "profile": .string("digital")])
    }

    @Test func localeFallsBackToTheTenantDefaultAndEnglishBuiltIns() throws {
        let en = try decide(#"{"locale": "en", \#(agent), "activeOutbound": {"sms": 2}, "channel": "sms", "to": "+33612345678", "entryPoint": "support-sms"}"#)
        #expect(en.reasons.first?.message == "You have reached your limit of 2 outbound sms conversations (2 open).")
        let de = try decide(#"{"locale": "de", \#(agent), "channel": "fax", "to": "x", "entryPoint": "support-sms"}"#)
        #expect(de.reasons.first?.message == "Le canal fax n'est pas disponible pour les conversations sortantes.")
    }

    @Test func noEntryPointConfiguredForEmailSkipsTheOtherEntryPointCodes() throws {
        let d = try decide(#"{\#(agent), "channel": "email", "to": "a@b.fr", "subject": "Bonjour"}"#)
        #expect(d.reasons.map(\.code) == [.noEntryPointConfigured])
    }

    @Test(arguments: [
        ("not json", "(request)"),
        ("[1, 2]", "(request)"),
        (#"{"agent": {"id": "a"}, "destinationActiv": true, "action": "close"}"#, "destinationActiv"),
        (#"{"agent": {"id": "a", "licence": "premium"}, "action": "close"}"#, "agent.licence"),
        (#"{"action": "close"}"#, "agent"),
        (#"{"agent": {"id": 42}, "action": "close"}"#, "agent.id"),
        (#"{"agent": {"id": "a", "state": "available"}, "channel": "sms", "to": "+33612345678"}"#, "agent.license"),
        (#"{"agent": {"id": "a", "license": "premium", "state": "available"}, "to": "+33612345678"}"#, "channel"),
        (#"{"agent": {"id": "a", "license": "premium", "state": "available"}, "channel": "sms"}"#, "to"),
        (#"{"agent": {"id": "a", "license": "premium", "state": "available"}, "channel": "sms", "to": "+33612345678", "activeOutbound": {"sms": -1}}"#, "activeOutbound.sms"),
        (#"{"agent": {"id": "a", "license": "premium", "state": "available"}, "channel": "sms", "to": "+33612345678", "activeOutbound": {"sms": 1.5}}"#, "activeOutbound.sms"),
        (#"{"agent": {"id": "a", "license": "premium", "state": "available"}, "channel": "sms", "to": "+33612345678", "destinationActive": "yes"}"#, "destinationActive"),
        (#"{"agent": {"id": "a"}, "action": "stop"}"#, "action"),
        (#"{"agent": {"id": "a"}, "action": "operation", "operation": "hold"}"#, "operation"),
        (#"{"agent": {"id": "a"}, "action": "operation", "operation": "workflow"}"#, "trigger"),
        (#"{"agent": {"id": "a"}, "action": "operation"}"#, "operation"),
    ])
    func malformedRequestsGetInvalidRequestNamingTheField(json: String, field: String) throws {
        let d = try decide(json)
        #expect(!d.allowed)
        #expect(d.reasons.map(\.code) == [.invalidRequest])
        guard case .string(let detail)? = d.reasons.first?.details["field"] else { Issue.record("no field detail"); return }
        #expect(detail.hasPrefix(field + ":"), "\(detail)")
    }

    @Test func invalidRequestEchoesTheIDWhenItCanBeRead() throws {
        let d = try decide(#"{"id": "r-9", "agent": {"id": "a"}, "action": "nope"}"#)
        #expect(d.id == "r-9")
    }

    @Test func optionsListSmsThenEmailWithTheirReasons() throws {
        let d = try decide(#"{"id": "o-1", "action": "options", \#(agent), "activeOutbound": {"sms": 1}}"#)
        let channels = try #require(d.channels)
        #expect(channels.map(\.channel) == [.sms, .email])
        #expect(channels[0].allowed && channels[0].limit == 2 && channels[0].active == 1 && channels[0].entryPoints == ["support-sms"])
        #expect(!channels[1].allowed && channels[1].reasons.map(\.code) == [.noEntryPointConfigured])
        #expect(d.allowed)
        let idle = try decide(#"{"action": "options", "agent": {"id": "a", "license": "premium", "state": "idle"}}"#)
        #expect(!idle.allowed && idle.reasons.map(\.code) == [.agentStateNotAllowed])
        #expect(idle.channels?.allSatisfy { !$0.allowed } == true)
    }

    @Test func decisionJSONHasTheContractsFields() throws {
        let d = try decide(#"{"id": "r-1", \#(agent), "channel": "sms", "to": "+33612345678", "entryPoint": "support-sms"}"#)
        #expect(d.json == #"{"allowed":true,"destination":"+33612345678","id":"r-1","profile":"digital","reasons":[],"revision":"\#(d.revision)","warnings":[]}"#)
        #expect(d.revision.hasPrefix("sha256:"))
    }
}

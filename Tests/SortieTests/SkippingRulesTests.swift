import Testing
@testable import Sortie

/// Every reason code and every skipping rule of docs/reference.md, one case each, on a set built to
/// reach them: digital channels off, no default profile, subject reuse denied.
@Suite struct SkippingRulesTests {
    static func evaluator(digital: Bool = true, reuse: String = "deny", defaultProfile: Bool = false) throws -> Evaluator {
        let text = """
            apiVersion: sortie/v1
            kind: Tenant
            metadata: { name: t }
            spec: { digitalChannels: \(digital), licenses: { premium: { outbound: true } }, agentStates: [available, idle]\(defaultProfile ? ", defaultProfile: sms-only" : "") }
            ---
            apiVersion: sortie/v1
            kind: OutboundPolicy
            metadata: { name: o }
            spec: { allowedAgentStates: [available], wrapUpReasons: [resolu], emailSubjectReuse: \(reuse) }
            ---
            apiVersion: sortie/v1
            kind: MultimediaProfile
            metadata: { name: sms-only }
            spec: { channels: { sms: { maxOutboundTasks: 1 } }, assignedTo: { teams: [sms] } }
            ---
            apiVersion: sortie/v1
            kind: EntryPoint
            metadata: { name: e-sms }
            spec: { channel: sms, address: "+33186950000" }
            ---
            apiVersion: sortie/v1
            kind: EntryPoint
            metadata: { name: e-mail }
            spec: { channel: email, address: contact@acme.fr }

            """
        let result = Compiler.compile(sources: [PolicySource(path: "s.yaml", text: text)], root: "s.yaml")
        return Evaluator(policy: try #require(result.policy, "\(result.diagnostics.map(\.message))"))
    }

    static func codes(_ e: Evaluator, _ json: String) -> [ReasonCode] {
        e.decide(json: Array(json.utf8)).reasons.map(\.code)
    }

    @Test func digitalChannelsDisabledIsReportedFirstAndSkipsNothing() throws {
        let e = try Self.evaluator(digital: false)
        #expect(Self.codes(e, #"{"agent":{"id":"a","license":"premium","state":"available","team":"sms"},"channel":"sms","to":"+33612345678","entryPoint":"e-sms"}"#)
                == [.digitalChannelsDisabled])
    }

    @Test func noMultimediaProfileSkipsChannelNotInProfileAndTheLimit() throws {
        let e = try Self.evaluator()
        // No assignment covers the agent and there is no default profile.
        let d = e.decide(json: Array(#"{"agent":{"id":"a","license":"premium","state":"available"},"activeOutbound":{"sms":9},"channel":"sms","to":"+33612345678","entryPoint":"e-sms"}"#.utf8))
        #expect(d.reasons.map(\.code) == [.noMultimediaProfile])
        #expect(d.profile == nil)
    }

    @Test func channelNotInProfileSkipsTheLimit() throws {
        let e = try Self.evaluator()
        #expect(Self.codes(e, #"{"agent":{"id":"a","license":"premium","state":"available","team":"sms"},"activeOutbound":{"email":9},"channel":"email","to":"c@d.fr","entryPoint":"e-mail","subject":"x"}"#)
                == [.channelNotInProfile])
    }

    @Test func channelNotSupportedSkipsEveryChannelCheck() throws {
        let e = try Self.evaluator()
        let d = e.decide(json: Array(#"{"agent":{"id":"a","license":"premium","state":"idle","team":"sms"},"activeOutbound":{"sms":9},"channel":"fax","to":"nonsense","entryPoint":"nope","subject":""}"#.utf8))
        #expect(d.reasons.map(\.code) == [.channelNotSupported, .agentStateNotAllowed])
        #expect(d.destination == nil)
    }

    @Test func entryPointOfTheOtherChannelGivesTheMismatchAlone() throws {
        let e = try Self.evaluator()
        let d = e.decide(json: Array(#"{"agent":{"id":"a","license":"premium","state":"available","team":"sms"},"channel":"sms","to":"+33612345678","entryPoint":"e-mail"}"#.utf8))
        #expect(d.reasons.map(\.code) == [.entryPointChannelMismatch])
        #expect(d.reasons.first?.details == ["entryPoint": .string("e-mail"), "channel": .string("sms"), "entryPointChannel": .string("email")])
    }

    @Test func subjectReuseUnderDenyWarnAndAllow() throws {
        let request = #"{"agent":{"id":"a","license":"premium","state":"available","team":"sms"},"channel":"email","to":"c@d.fr","entryPoint":"e-mail","subject":"Devis","subjectUsed":true}"#
        let deny = try Self.evaluator(reuse: "deny").decide(json: Array(request.utf8))
        #expect(deny.reasons.map(\.code).contains(.emailSubjectReused) && deny.warnings.isEmpty)
        #expect(deny.reasons.first { $0.code == .emailSubjectReused }?.details == ["subject": .string("Devis")])
        let warn = try Self.evaluator(reuse: "warn").decide(json: Array(request.utf8))
        #expect(!warn.reasons.map(\.code).contains(.emailSubjectReused) && warn.warnings.map(\.code) == [.emailSubjectReused])
        let allow = try Self.evaluator(reuse: "allow").decide(json: Array(request.utf8))
        #expect(!allow.reasons.map(\.code).contains(.emailSubjectReused) && allow.warnings.isEmpty)
    }

    @Test func emailSubjectRequiredSkipsTheReuseCheck() throws {
        let d = try Self.evaluator(reuse: "warn").decide(json: Array(#"{"agent":{"id":"a","license":"premium","state":"available","team":"sms"},"channel":"email","to":"c@d.fr","entryPoint":"e-mail","subject":null,"subjectUsed":true}"#.utf8))
        #expect(d.reasons.map(\.code).contains(.emailSubjectRequired))
        #expect(d.warnings.isEmpty)
    }

    @Test func theServiceOnlyCodesAreNeverDecidedByTheEvaluator() throws {
        // TASK_CREATION_FAILED and AGENT_ASSIGNMENT_FAILED come from the conversation service;
        // they have messages in both built-in locales, but no evaluation produces them.
        for code in [ReasonCode.taskCreationFailed, .agentAssignmentFailed] {
            #expect(code.builtInMessage(locale: "fr")?.isEmpty == false)
            #expect(code.detailKeys.isEmpty)
        }
        var rng = SeededGenerator(seed: 5)
        let e = try Self.evaluator(defaultProfile: true)
        for _ in 0..<2000 {
            let d: Decision
            switch Request.decode(DifferentialTests.randomRequest(&rng)) {
            case .success(let r): d = e.decide(r)
            case .failure(let invalid): d = e.decide(invalid, locale: nil)
            }
            #expect(!d.reasons.contains { $0.code == .taskCreationFailed || $0.code == .agentAssignmentFailed })
        }
    }
}

@Suite struct ExplanationTests {
    @Test func failedStepsAreExactlyTheDecisionsReasons() throws {
        var rng = SeededGenerator(seed: 11)
        for setIndex in 0..<40 {
            let result = Compiler.compile(sources: [PolicySource(path: "s.yaml", text: DifferentialTests.randomSet(&rng))], root: "s/")
            let e = Evaluator(policy: try #require(result.policy))
            for _ in 0..<50 {
                guard case .success(let request) = Request.decode(DifferentialTests.randomRequest(&rng)), request.action != .options else { continue }
                let decision = e.decide(request)
                let steps = e.explain(request)
                #expect(steps.filter { $0.outcome == .failed }.map(\.check) == decision.reasons.map(\.code), "set \(setIndex)")
                #expect(steps.filter { $0.outcome == .warned }.map(\.check) == decision.warnings.map(\.code))
                #expect(steps.map(\.check) == steps.map(\.check).sorted(), "steps are in reporting order")
            }
        }
    }
}

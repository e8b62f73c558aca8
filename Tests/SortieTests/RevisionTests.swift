import Testing
@testable import Sortie

@Suite struct SHA256Tests {
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
    ])
    func fipsVectors(message: String, digest: String) {
        #expect(SHA256.hex(Array(message.utf8)) == digest)
    }

    @Test func millionAs() {
        #expect(SHA256.hex([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }
}

/// The revision identifies what a set means: twins that differ only in form share it.
@Suite struct RevisionTests {
    static let original: [String: String] = [
        "tenant.yaml": """
            apiVersion: sortie/v1
            kind: Tenant
            metadata: { name: acme-fr, description: Acme }
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
            spec: { allowedAgentStates: [available, rona], wrapUpReasons: [resolu, a-rappeler] }

            """,
        "rest.yaml": """
            apiVersion: sortie/v1
            kind: MultimediaProfile
            metadata: { name: digital }
            spec: { channels: { sms: { maxOutboundTasks: 2 } }, assignedTo: { teams: [b, a] } }
            ---
            apiVersion: sortie/v1
            kind: EntryPoint
            metadata: { name: sms }
            spec: { channel: sms, address: "+33186950000" }
            ---
            apiVersion: sortie/v1
            kind: PolicyTest
            metadata: { name: t }
            spec:
              cases:
                - name: ok
                  request: { action: close, agent: { id: a }, wrapUpReason: resolu }
                  expect: { allowed: true }

            """,
    ]

    static func revision(_ files: [String: String]) throws -> String {
        let result = Compiler.compile(sources: files.map { PolicySource(path: $0.key, text: $0.value) }, root: "set/")
        let policy = try #require(result.policy, "\(result.diagnostics.map(\.message))")
        return policy.revision
    }

    @Test func revisionIsAStableSHA256() throws {
        let r = try Self.revision(Self.original)
        #expect(r.hasPrefix("sha256:") && r.count == 7 + 64)
        #expect(try Self.revision(Self.original) == r)
    }

    @Test func formIsNotMeaning() throws {
        let r = try Self.revision(Self.original)
        // Reformatted (block style, comments, quotes), keys reordered, documents reordered and
        // re-split across other files, set-like lists reordered, descriptions and PolicyTests
        // changed, defaults written out, the address written with spaces.
        let twin: [String: String] = [
            "a.yaml": """
                # the profile first, now
                kind: MultimediaProfile
                apiVersion: "sortie/v1"
                metadata:
                  name: digital
                  description: another description
                spec:
                  assignedTo:
                    teams:
                      - a
                      - b
                  channels:
                    sms:
                      maxOutboundTasks: 2
                ---
                apiVersion: sortie/v1
                kind: OutboundPolicy
                metadata: { name: outbound }
                spec:
                  wrapUpReasons: [a-rappeler, resolu]
                  allowedAgentStates: [rona, available]
                  disallowedOperations: [transfer, conference]
                  disallowedWorkflowTriggers: [task-completed, task-created, task-routed]
                  emailSubjectReuse: warn

                """,
            "sub/b.yaml": """
                apiVersion: sortie/v1
                kind: EntryPoint
                metadata: { name: sms }
                spec: { address: "+33 1 86 95 00 00", channel: sms }
                ---
                apiVersion: sortie/v1
                kind: Tenant
                metadata: { name: acme-fr }
                spec:
                  defaultProfile: digital
                  locales: [fr, en]
                  agentStates: [rona, available, idle]
                  licenses: { standard: { outbound: false }, premium: { outbound: true } }
                  digitalChannels: true

                """,
        ]
        #expect(try Self.revision(twin) == r)
    }

    @Test(arguments: [
        ("maxOutboundTasks: 2", "maxOutboundTasks: 3"),
        ("locales: [fr, en]", "locales: [en, fr]"),
        ("teams: [b, a]", "teams: [b, a, c]"),
        ("standard: { outbound: false }", "standard: { outbound: true }"),
        ("wrapUpReasons: [resolu, a-rappeler]", "wrapUpReasons: [resolu]"),
        ("+33186950000", "+33186950001"),
    ])
    func meaningChangesTheRevision(from: String, to: String) throws {
        var changed = Self.original
        for (name, text) in changed where text.contains(from) { changed[name] = text.replacingOccurrences(from, to) }
        #expect(try Self.revision(changed) != Self.revision(Self.original))
    }
}

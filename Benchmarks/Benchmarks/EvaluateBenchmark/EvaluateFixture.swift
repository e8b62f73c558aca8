import Sortie

/// The evaluate benchmark's policy (200 profiles at every assignment level, 1,000 entry points)
/// and a reproducible stream of mixed requests.
enum EvaluateFixture {
    /// `recipientRules`: the same set with SPEC §7's rules in it — contact hours on both
    /// channels in the recipient's zone, and every SMS entry point restricted to four prefixes.
    static func evaluator(recipientRules: Bool = false) -> Evaluator {
        var docs: [String] = ["""
            apiVersion: sortie/v1
            kind: Tenant
            metadata: { name: acme-fr }
            spec:
              digitalChannels: true
              licenses: { premium: { outbound: true }, standard: { outbound: false } }
              agentStates: [available, idle, rona, engaged]
              locales: [fr, en]
              defaultProfile: profile-0
            """, """
            apiVersion: sortie/v1
            kind: OutboundPolicy
            metadata: { name: outbound }
            spec: { allowedAgentStates: [available, rona], wrapUpReasons: [resolu, a-rappeler], emailSubjectReuse: warn\(recipientRules ? contactHours : "") }
            """]
        for i in 0..<200 {
            let level = ["agents", "teams", "sites"][i % 3]
            docs.append("apiVersion: sortie/v1\nkind: MultimediaProfile\nmetadata: { name: profile-\(i) }\nspec: { channels: { sms: { maxOutboundTasks: \(1 + i % 5) }, email: { maxOutboundTasks: \(1 + i % 3) } }, assignedTo: { \(level): [member-\(i)] } }")
        }
        for i in 0..<1000 {
            let channel = i % 2 == 0 ? "sms" : "email"
            let address = i % 2 == 0 ? "\"+3318695\(String(1000 + i).suffix(4))\"" : "ep-\(i)@acme.fr"
            let allowed = recipientRules && channel == "sms" ? #", allowedDestinations: ["+33", "+32", "+41", "+352"]"# : ""
            docs.append("apiVersion: sortie/v1\nkind: EntryPoint\nmetadata: { name: ep-\(i) }\nspec: { channel: \(channel), address: \(address)\(allowed) }")
        }
        let result = Compiler.compile(sources: [PolicySource(path: "bench.yaml", text: docs.joined(separator: "\n---\n") + "\n")], root: "bench.yaml")
        guard let policy = result.policy else { fatalError("benchmark policy must compile: \(result.diagnostics.map(\.message))") }
        return Evaluator(policy: policy)
    }

    static let contactHours = #", contactHours: { channels: [sms, email], windows: [{ days: [mon, tue, wed, thu, fri], from: "08:00", to: "20:00" }, { days: [sat], from: "10:00", to: "18:00" }] }"#

    /// The requests with the fields SPEC §7's rules read: `at` (a time inside the windows on
    /// most lines, outside on one in four), `optedOut` on one in ten, `recipientTimeZone` on
    /// the emails (whose zone nothing else gives).
    static func withRecipientFacts(_ requests: [Request]) -> [Request] {
        var rng = SplitMix(seed: 7)
        return requests.map { request in
            var r = request
            guard r.action == .start else { return r }
            r.at = rng.next() % 4 == 0 ? "2026-12-02T22:30:00Z" : "2026-12-02T10:15:00Z"
            r.optedOut = rng.next() % 10 == 0
            if r.channel == "email" { r.recipientTimeZone = "Europe/Paris" }
            return r
        }
    }

    /// 80 % start (mostly allowed, some refused for limit, state, destination or entry point),
    /// 10 % options, 5 % operation, 5 % close.
    static func requests(count: Int) -> [Request] {
        var rng = SplitMix(seed: 42)
        var out: [Request] = []
        out.reserveCapacity(count)
        for i in 0..<count {
            let roll = rng.next() % 100
            var json = ""
            let member = "member-\(rng.next() % 220)"
            let agent = #"{"id":"\#(member)","license":"premium","state":"\#(rng.next() % 10 == 0 ? "idle" : "available")","team":"\#(member)","site":"\#(member)"}"#
            if roll < 80 {
                let sms = rng.next() % 2 == 0
                let ep = "ep-\(Int(rng.next() % 500) * 2 + (sms ? 0 : 1))"
                let to = sms ? "+33 6 \(10 + rng.next() % 89) \(10 + rng.next() % 89) \(10 + rng.next() % 89) \(10 + rng.next() % 89)" : "client\(i)@exemple.fr"
                json = #"{"id":"r-\#(i)","agent":\#(agent),"activeOutbound":{"sms":\#(rng.next() % 3),"email":\#(rng.next() % 2)},"channel":"\#(sms ? "sms" : "email")","to":"\#(to)","entryPoint":"\#(ep)","subject":"Dossier \#(i)","subjectUsed":\#(rng.next() % 5 == 0)}"#
            } else if roll < 90 {
                json = #"{"id":"o-\#(i)","action":"options","agent":\#(agent),"activeOutbound":{"sms":1}}"#
            } else if roll < 95 {
                json = #"{"id":"p-\#(i)","action":"operation","agent":{"id":"\#(member)"},"operation":"workflow","trigger":"task-created"}"#
            } else {
                json = #"{"id":"c-\#(i)","action":"close","agent":{"id":"\#(member)"},"wrapUpReason":"resolu"}"#
            }
            guard case .success(let request) = Request.decode(json: Array(json.utf8)) else { fatalError("bad request \(json)") }
            out.append(request)
        }
        return out
    }
}

struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension Rules {
    /// `duplicate-singleton`: a second Tenant, OutboundPolicy or ReasonCatalog.
    public enum DuplicateSingleton {
        public static let rule = LintRule(
            id: "duplicate-singleton", severity: .error, stage: "link",
            summary: "A set has exactly one Tenant and one OutboundPolicy, and at most one ReasonCatalog.",
            triggering: [.yaml("""
                apiVersion: sortie/v1
                kind: ReasonCatalog
                metadata: { name: messages }
                spec: {}
                ---
                apiVersion: sortie/v1
                kind: ReasonCatalog
                metadata: { name: more-messages }
                spec: {}
                """)],
            nonTriggering: [.yaml("apiVersion: sortie/v1\nkind: ReasonCatalog\nmetadata: { name: messages }\nspec: {}\n")])

        static let kinds: [PolicyKind] = [.tenant, .outboundPolicy, .reasonCatalog]

        static func check(_ set: DecodedSet, into diagnostics: inout Diagnostics) {
            var first: [PolicyKind: SourceSpan] = [:]
            for index in set.documents.indices {
                let kind = set.documents[index].kind
                guard kinds.contains(kind) else { continue }
                let span = set.documents[index].kindSpan
                if let earlier = first[kind] {
                    diagnostics.append(rule.diagnostic(
                        "a set has only one \(kind.rawValue); the first is at \(earlier.fileAndLine)", at: span))
                } else {
                    first[kind] = span
                }
            }
        }
    }

    /// `missing-tenant`: the set has no Tenant.
    public enum MissingTenant {
        public static let rule = LintRule(
            id: "missing-tenant", severity: .error, stage: "link",
            summary: "A set needs exactly one Tenant (reported on the set's root path, with no line).",
            triggering: [.yaml("apiVersion: sortie/v1\nkind: EntryPoint\nmetadata: { name: sms }\nspec: { channel: sms, address: \"+33186950000\" }\n")],
            nonTriggering: [.yaml("apiVersion: sortie/v1\nkind: Tenant\nmetadata: { name: acme }\nspec: { digitalChannels: true, licenses: { premium: { outbound: true } }, agentStates: [available] }\n")])

        static func check(_ set: DecodedSet, into diagnostics: inout Diagnostics) {
            guard set.isComplete, !set.documents.contains(where: { $0.kind == .tenant }) else { return }
            diagnostics.append(rule.diagnostic("the policy set has no Tenant; add one document of kind Tenant", setRoot: set.root))
        }
    }

    /// `missing-outbound-policy`: the set has no OutboundPolicy.
    public enum MissingOutboundPolicy {
        public static let rule = LintRule(
            id: "missing-outbound-policy", severity: .error, stage: "link",
            summary: "A set needs exactly one OutboundPolicy (reported on the set's root path, with no line).",
            triggering: [.yaml("apiVersion: sortie/v1\nkind: EntryPoint\nmetadata: { name: sms }\nspec: { channel: sms, address: \"+33186950000\" }\n")],
            nonTriggering: [.yaml("apiVersion: sortie/v1\nkind: OutboundPolicy\nmetadata: { name: outbound }\nspec: { allowedAgentStates: [available], wrapUpReasons: [resolved] }\n")])

        static func check(_ set: DecodedSet, into diagnostics: inout Diagnostics) {
            guard set.isComplete, !set.documents.contains(where: { $0.kind == .outboundPolicy }) else { return }
            diagnostics.append(rule.diagnostic("the policy set has no OutboundPolicy; add one document of kind OutboundPolicy", setRoot: set.root))
        }
    }
}

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
}

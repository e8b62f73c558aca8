extension Rules {
    /// `unknown-profile`: the tenant's `defaultProfile` names no MultimediaProfile.
    public enum UnknownProfile {
        public static let rule = LintRule(
            id: "unknown-profile", severity: .error, stage: "link",
            summary: "The Tenant's `defaultProfile` must name a MultimediaProfile of the set.",
            triggering: [.yaml("""
                apiVersion: sortie/v1
                kind: Tenant
                metadata: { name: acme }
                spec: { digitalChannels: true, licenses: { premium: { outbound: true } }, agentStates: [available], defaultProfile: digital-defaut }
                ---
                apiVersion: sortie/v1
                kind: MultimediaProfile
                metadata: { name: digital-default }
                spec: { channels: { sms: { maxOutboundTasks: 2 } } }
                """)],
            nonTriggering: [.yaml("""
                apiVersion: sortie/v1
                kind: Tenant
                metadata: { name: acme }
                spec: { digitalChannels: true, licenses: { premium: { outbound: true } }, agentStates: [available], defaultProfile: digital-default }
                ---
                apiVersion: sortie/v1
                kind: MultimediaProfile
                metadata: { name: digital-default }
                spec: { channels: { sms: { maxOutboundTasks: 2 } } }
                """)])

        static func check(_ set: DecodedSet, into diagnostics: inout Diagnostics) {
            guard set.isComplete else { return }
            // Every profile document counts, even one whose spec could not be read.
            let names = set.documents.filter { $0.kind == .multimediaProfile }.compactMap(\.name)
            for tenant in set.tenants {
                guard let reference = tenant.spec.defaultProfile, !names.contains(reference.value) else { continue }
                var message = "defaultProfile \(YAMLScalar.quote(reference.value)) names no MultimediaProfile"
                if let suggestion = Suggestion.closest(to: reference.value, in: names) { message += "; did you mean \"\(suggestion)\"?" }
                diagnostics.append(rule.diagnostic(message, at: reference.span))
            }
        }
    }
}

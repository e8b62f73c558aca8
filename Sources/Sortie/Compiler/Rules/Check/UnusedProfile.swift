extension Rules {
    /// `unused-profile`: a profile that is neither assigned nor the default.
    public enum UnusedProfile {
        public static let rule = LintRule(
            id: "unused-profile", severity: .warning, stage: "check",
            summary: "A MultimediaProfile with no `assignedTo` that is not the Tenant's `defaultProfile` applies to nobody.",
            triggering: [.yaml("""
                apiVersion: sortie/v1
                kind: Tenant
                metadata: { name: acme }
                spec: { digitalChannels: true, licenses: { premium: { outbound: true } }, agentStates: [available] }
                ---
                apiVersion: sortie/v1
                kind: MultimediaProfile
                metadata: { name: orphan }
                spec: { channels: { sms: { maxOutboundTasks: 2 } } }
                """)],
            nonTriggering: [.yaml("""
                apiVersion: sortie/v1
                kind: Tenant
                metadata: { name: acme }
                spec: { digitalChannels: true, licenses: { premium: { outbound: true } }, agentStates: [available], defaultProfile: digital }
                ---
                apiVersion: sortie/v1
                kind: MultimediaProfile
                metadata: { name: digital }
                spec: { channels: { sms: { maxOutboundTasks: 2 } } }
                """)])

        static func check(_ set: DecodedSet, into diagnostics: inout Diagnostics) {
            guard set.isComplete, let tenant = set.tenant, !tenant.defaultProfileUnreadable,
                  set.tenants.first?.document.hasErrors == false else { return }
            // A defaultProfile naming no profile is an error already; which profile was meant
            // is unknown, so none is called unused.
            if let name = tenant.defaultProfile?.value, !set.profiles.contains(where: { $0.name == name }) { return }
            for profile in set.profiles where profile.spec.assignedTo.isEmpty && profile.name != tenant.defaultProfile?.value
                && !profile.document.hasErrors && !profile.spec.assignedToUnreadable {
                diagnostics.append(rule.diagnostic(
                    "profile \(YAMLScalar.quote(profile.name ?? "?")) applies to nobody: it has no assignedTo and is not the Tenant's defaultProfile",
                    at: profile.nameSpan))
            }
        }
    }
}

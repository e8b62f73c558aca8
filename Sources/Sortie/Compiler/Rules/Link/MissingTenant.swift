extension Rules {
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
}

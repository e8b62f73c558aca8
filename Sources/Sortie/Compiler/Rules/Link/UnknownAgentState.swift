extension Rules {
    /// `unknown-agent-state`: `allowedAgentStates` names a state the Tenant does not define.
    public enum UnknownAgentState {
        public static let rule = LintRule(
            id: "unknown-agent-state", severity: .error, stage: "link",
            summary: "Every state in the OutboundPolicy's `allowedAgentStates` must be one of the Tenant's `agentStates`.",
            triggering: [.yaml("""
                apiVersion: sortie/v1
                kind: Tenant
                metadata: { name: acme }
                spec: { digitalChannels: true, licenses: { premium: { outbound: true } }, agentStates: [available, rona] }
                ---
                apiVersion: sortie/v1
                kind: OutboundPolicy
                metadata: { name: outbound }
                spec: { allowedAgentStates: [available, RONA], wrapUpReasons: [resolved] }
                """)],
            nonTriggering: [.yaml("""
                apiVersion: sortie/v1
                kind: Tenant
                metadata: { name: acme }
                spec: { digitalChannels: true, licenses: { premium: { outbound: true } }, agentStates: [available, rona] }
                ---
                apiVersion: sortie/v1
                kind: OutboundPolicy
                metadata: { name: outbound }
                spec: { allowedAgentStates: [available, rona], wrapUpReasons: [resolved] }
                """)])

        static func check(_ set: DecodedSet, into diagnostics: inout Diagnostics) {
            // An empty or unreadable vocabulary is already an error; checking against it would cascade.
            guard let states = set.tenant?.agentStates?.map(\.value), !states.isEmpty else { return }
            for policy in set.outboundPolicies {
                for state in policy.spec.allowedAgentStates ?? [] where !states.contains(state.value) {
                    var message = "agent state \(YAMLScalar.quote(state.value)) is not one of the Tenant's agentStates"
                    if let suggestion = Suggestion.closest(to: state.value, in: states) { message += "; did you mean \"\(suggestion)\"?" }
                    diagnostics.append(rule.diagnostic(message, at: state.span))
                }
            }
        }
    }
}

extension Rules {
    /// `empty-list`: a list or map that needs at least one item is empty.
    public enum EmptyList {
        public static let rule = LintRule(
            id: "empty-list", severity: .error, stage: "decode",
            summary: "Lists that need at least one item (licenses, agentStates, locales, channels, allowedAgentStates, wrapUpReasons, cases) may not be empty.",
            triggering: [.yaml("apiVersion: sortie/v1\nkind: OutboundPolicy\nmetadata: { name: outbound }\nspec: { allowedAgentStates: [available], wrapUpReasons: [] }\n")],
            nonTriggering: [.yaml("apiVersion: sortie/v1\nkind: OutboundPolicy\nmetadata: { name: outbound }\nspec: { allowedAgentStates: [available], wrapUpReasons: [resolved], disallowedOperations: [] }\n")])

        static func diagnostic(field: String, at span: SourceSpan) -> Diagnostic {
            rule.diagnostic("\"\(field)\" must have at least one item", at: span)
        }
    }
}

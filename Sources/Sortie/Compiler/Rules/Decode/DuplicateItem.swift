extension Rules {
    /// `duplicate-item`: the same item twice in a list that is a set.
    public enum DuplicateItem {
        public static let rule = LintRule(
            id: "duplicate-item", severity: .warning, stage: "decode",
            summary: "Lists that are sets (states, teams, sites, agents, triggers, operations, reasons, locales) should not repeat an item.",
            triggering: [.yaml("apiVersion: sortie/v1\nkind: OutboundPolicy\nmetadata: { name: outbound }\nspec: { allowedAgentStates: [available, rona, available], wrapUpReasons: [resolved] }\n")],
            nonTriggering: [.yaml("apiVersion: sortie/v1\nkind: OutboundPolicy\nmetadata: { name: outbound }\nspec: { allowedAgentStates: [available, rona], wrapUpReasons: [resolved] }\n")])

        static func diagnostic(field: String, item: String, first: SourceSpan, at span: SourceSpan) -> Diagnostic {
            rule.diagnostic("\(YAMLScalar.quote(item)) is listed twice in \"\(field)\"; first at \(first.fileAndLine)", at: span)
        }
    }
}

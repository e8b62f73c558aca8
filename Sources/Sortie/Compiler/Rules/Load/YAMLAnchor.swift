extension Rules {
    /// `yaml-anchor`: `&anchor` is not allowed.
    public enum YAMLAnchor {
        public static let rule = LintRule(
            id: "yaml-anchor", severity: .error, stage: "load",
            summary: "Anchors (`&name`) are not allowed: write each value out, so every document reads on its own.",
            triggering: [.yaml("limits: &limits { maxOutboundTasks: 2 }\n")],
            nonTriggering: [.yaml("limits: { maxOutboundTasks: 2 }\nnote: \"&not-an-anchor\"\n")])

        static func diagnostic(name: String, at span: SourceSpan) -> Diagnostic {
            rule.diagnostic("anchors are not allowed (&\(name)); write the value out", at: span)
        }
    }
}

extension Rules {
    /// `yaml-merge-key`: `<<` merge keys are not allowed.
    public enum YAMLMergeKey {
        public static let rule = LintRule(
            id: "yaml-merge-key", severity: .error, stage: "load",
            summary: "Merge keys (`<<`) are not allowed: they hide where a value comes from.",
            triggering: [.yaml("sms:\n  <<: { maxOutboundTasks: 2 }\n")],
            nonTriggering: [.yaml("sms:\n  \"<<\": 1\n")])

        static func diagnostic(at span: SourceSpan) -> Diagnostic {
            rule.diagnostic("merge keys (<<) are not allowed; write the fields out", at: span)
        }
    }
}

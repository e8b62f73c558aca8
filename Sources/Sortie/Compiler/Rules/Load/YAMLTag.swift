extension Rules {
    /// `yaml-tag`: explicit tags are not allowed.
    public enum YAMLTag {
        public static let rule = LintRule(
            id: "yaml-tag", severity: .error, stage: "load",
            summary: "Explicit tags (`!x`, `!!str`) are not allowed: the schema alone types every value.",
            triggering: [.yaml("country: !!str NO\n"), .yaml("limit: !custom 3\n")],
            nonTriggering: [.yaml("country: NO\nnote: \"!!str\"\n")])

        static func diagnostic(tag: String, at span: SourceSpan) -> Diagnostic {
            rule.diagnostic("explicit tags are not allowed (\(tag)); the schema decides each value's type", at: span)
        }
    }
}

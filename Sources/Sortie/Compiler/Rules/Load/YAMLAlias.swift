extension Rules {
    /// `yaml-alias`: `*alias` is not allowed.
    public enum YAMLAlias {
        public static let rule = LintRule(
            id: "yaml-alias", severity: .error, stage: "load",
            summary: "Aliases (`*name`) are not allowed (no alias-expansion blow-ups); the document holding one is not interpreted further.",
            triggering: [.yaml("a: &x [1]\nb: *x\n")],
            nonTriggering: [.yaml("a: [1]\nb: [1]\n")])

        static func diagnostic(name: String, at span: SourceSpan) -> Diagnostic {
            rule.diagnostic("aliases are not allowed (*\(name)); write the value out", at: span)
        }
    }
}

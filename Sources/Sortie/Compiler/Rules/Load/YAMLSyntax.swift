extension Rules {
    /// `yaml-syntax`: the file is not well-formed YAML.
    public enum YAMLSyntax {
        public static let rule = LintRule(
            id: "yaml-syntax", severity: .error, stage: "load",
            summary: "The file must be well-formed YAML; the error is reported where libyaml found the problem.",
            triggering: [.yaml("""
                kind: Tenant
                metadata: { name: acme
                spec: {}
                """)],
            nonTriggering: [.yaml("kind: Tenant\nmetadata: { name: acme }\n")])

        static func diagnostic(problem: String, context: String?, at span: SourceSpan) -> Diagnostic {
            let text = context.map { "\(problem) \($0)" } ?? problem
            return rule.diagnostic("YAML syntax error: \(text)", at: span)
        }
    }
}

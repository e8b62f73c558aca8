extension Rules {
    /// `duplicate-key`: the same key twice in one mapping.
    public enum DuplicateKey {
        public static let rule = LintRule(
            id: "duplicate-key", severity: .error, stage: "load",
            summary: "A key may appear only once per mapping (YAML parsers disagree on which value wins).",
            triggering: [.yaml("""
                spec:
                  channels:
                    sms: { maxOutboundTasks: 2 }
                    sms: { maxOutboundTasks: 5 }
                """)],
            nonTriggering: [.yaml("""
                spec:
                  channels:
                    sms: { maxOutboundTasks: 2 }
                    email: { maxOutboundTasks: 5 }
                """)])

        static func diagnostic(key: String, first: SourceSpan, at span: SourceSpan) -> Diagnostic {
            rule.diagnostic("duplicate key \(YAMLScalar.quote(key)); first defined at \(first.fileAndLine)", at: span)
        }
    }
}

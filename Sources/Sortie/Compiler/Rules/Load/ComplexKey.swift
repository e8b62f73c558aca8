extension Rules {
    /// `complex-key`: a mapping key that is itself a mapping or list.
    public enum ComplexKey {
        public static let rule = LintRule(
            id: "complex-key", severity: .error, stage: "load",
            summary: "Mapping keys must be plain names, not mappings or lists.",
            triggering: [.yaml("? [sms, email]\n: { maxOutboundTasks: 2 }\n")],
            nonTriggering: [.yaml("sms: { maxOutboundTasks: 2 }\n")])

        static func diagnostic(at span: SourceSpan) -> Diagnostic {
            rule.diagnostic("a mapping key must be a scalar, not a mapping or a list", at: span)
        }
    }
}

extension Rules {
    /// `empty-document`: an empty document between `---` markers.
    public enum EmptyDocument {
        public static let rule = LintRule(
            id: "empty-document", severity: .warning, stage: "load",
            summary: "An empty document between `---` markers is probably a leftover.",
            triggering: [.yaml("kind: Tenant\n---\n---\nkind: EntryPoint\n")],
            nonTriggering: [.yaml("kind: Tenant\n---\nkind: EntryPoint\n")])

        static func diagnostic(at span: SourceSpan) -> Diagnostic {
            rule.diagnostic("empty document", at: span)
        }
    }
}

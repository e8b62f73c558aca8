extension Rules {
    /// `empty-file`: a policy file with no content.
    public enum EmptyFile {
        public static let rule = LintRule(
            id: "empty-file", severity: .warning, stage: "load",
            summary: "A policy file that holds no document (only comments, or nothing) is probably a mistake.",
            triggering: [.yaml(""), .yaml("# TODO: profiles for Lyon\n"), .yaml("---\n")],
            nonTriggering: [.yaml("kind: Tenant\n")])

        static func diagnostic(at span: SourceSpan) -> Diagnostic {
            rule.diagnostic("the file is empty: it holds no policy document", at: span)
        }
    }
}

extension Rules {
    /// `nesting-too-deep`: a document nests collections deeper than 64 levels.
    public enum NestingTooDeep {
        public static let rule = LintRule(
            id: "nesting-too-deep", severity: .error, stage: "load",
            summary: "A document may nest at most 64 levels of mappings and lists (its root mapping is level 1); the rest of the file is not read.",
            triggering: [.generated("a root mapping holding 64 nested lists (65 levels)") { Array(("a: " + String(repeating: "[", count: 64) + String(repeating: "]", count: 64) + "\n").utf8) }],
            nonTriggering: [.generated("a root mapping holding 63 nested lists (64 levels)") { Array(("a: " + String(repeating: "[", count: 63) + String(repeating: "]", count: 63) + "\n").utf8) }])

        static func diagnostic(limit: Int, at span: SourceSpan) -> Diagnostic {
            rule.diagnostic("the document is nested deeper than \(limit) levels; the rest of the file is not read", at: span)
        }
    }
}

extension Rules {
    /// `yaml-tag`: explicit tags are not allowed.
    public enum YAMLTag {
        public static let rule = LintRule(
            id: "yaml-tag", severity: .error, stage: "load",
            summary: "Explicit tags (`!x`, `!!str`) are not allowed: the schema alone types every value.",
            triggering: [.yaml("country: !!str NO\n"), .yaml("limit: !custom 3\n")],
            nonTriggering: [.yaml("country: NO\nnote: \"!!str\"\n")])

        static func diagnostic(tag: String, at span: SourceSpan) -> Diagnostic {
            // libyaml resolves `!!str` to its full name; show it the way it is written.
            let written = tag.hasPrefix("tag:yaml.org,2002:") ? "!!" + tag.dropFirst("tag:yaml.org,2002:".count) : Substring(tag)
            return rule.diagnostic("explicit tags are not allowed (\(written)); the schema decides each value's type", at: span)
        }
    }
}

extension Rules {
    /// `invalid-name`: `metadata.name` does not match the name format.
    public enum InvalidName {
        public static let rule = LintRule(
            id: "invalid-name", severity: .error, stage: "decode",
            summary: "Names are 1–64 lower-case letters, digits and inner hyphens: `[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?`.",
            triggering: [.yaml("apiVersion: sortie/v1\nkind: EntryPoint\nmetadata: { name: Support_SMS }\nspec: { channel: sms, address: \"+33186950000\" }\n")],
            nonTriggering: [.yaml("apiVersion: sortie/v1\nkind: EntryPoint\nmetadata: { name: support-sms }\nspec: { channel: sms, address: \"+33186950000\" }\n")])

        static func diagnostic(field: String, name: String, at span: SourceSpan) -> Diagnostic {
            rule.diagnostic("invalid name \(YAMLScalar.quote(name)) for \"\(field)\": use 1-64 lower-case letters, digits and inner hyphens", at: span)
        }
    }
}

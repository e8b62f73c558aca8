extension Rules {
    /// `unsupported-api-version`: `apiVersion` is not `sortie/v1`.
    public enum UnsupportedAPIVersion {
        public static let rule = LintRule(
            id: "unsupported-api-version", severity: .error, stage: "decode",
            summary: "Every document declares `apiVersion: sortie/v1`, the only version today.",
            triggering: [.yaml("apiVersion: sortie/v2\nkind: EntryPoint\nmetadata: { name: sms }\nspec: { channel: sms, address: \"+33186950000\" }\n")],
            nonTriggering: [.yaml("apiVersion: sortie/v1\nkind: EntryPoint\nmetadata: { name: sms }\nspec: { channel: sms, address: \"+33186950000\" }\n")])

        static func diagnostic(version: String, at span: SourceSpan) -> Diagnostic {
            rule.diagnostic("unsupported apiVersion \(YAMLScalar.quote(version)); expected \"\(currentAPIVersion)\"", at: span)
        }
    }
}

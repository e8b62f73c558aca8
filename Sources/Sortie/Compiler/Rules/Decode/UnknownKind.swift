extension Rules {
    /// `unknown-kind`: `kind` is not one of the seven kinds.
    public enum UnknownKind {
        public static let rule = LintRule(
            id: "unknown-kind", severity: .error, stage: "decode",
            summary: "`kind` must be one of the seven kinds, spelled exactly (it is case-sensitive).",
            triggering: [.yaml("apiVersion: sortie/v1\nkind: Entrypoint\nmetadata: { name: sms }\nspec: {}\n")],
            nonTriggering: [.yaml("apiVersion: sortie/v1\nkind: EntryPoint\nmetadata: { name: sms }\nspec: { channel: sms, address: \"+33186950000\" }\n")])

        static func diagnostic(kind: String, at span: SourceSpan) -> Diagnostic {
            let kinds = PolicyKind.allCases.map(\.rawValue)
            var message = "unknown kind \(YAMLScalar.quote(kind))"
            if let suggestion = Suggestion.closest(to: kind, in: kinds) {
                message += "; did you mean \"\(suggestion)\"?"
            } else {
                message += "; expected one of " + kinds.joined(separator: ", ")
            }
            return rule.diagnostic(message, at: span)
        }
    }
}

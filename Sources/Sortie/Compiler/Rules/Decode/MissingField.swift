extension Rules {
    /// `missing-field`: a required field is absent (or null).
    public enum MissingField {
        public static let rule = LintRule(
            id: "missing-field", severity: .error, stage: "decode",
            summary: "Required fields must be present; the problem is reported at the mapping that lacks the field.",
            triggering: [.yaml("apiVersion: sortie/v1\nkind: EntryPoint\nmetadata: { name: sms }\nspec: { channel: sms }\n"),
                         .yaml("apiVersion: sortie/v1\nkind: MessageTemplate\nmetadata: { name: welcome }\nspec: { channel: email, body: Bonjour }\n")],
            nonTriggering: [.yaml("apiVersion: sortie/v1\nkind: EntryPoint\nmetadata: { name: sms }\nspec: { channel: sms, address: \"+33186950000\" }\n")])

        static func diagnostic(field: String, path: String, at span: SourceSpan) -> Diagnostic {
            let place = path.isEmpty ? "" : " in \"\(path)\""
            return rule.diagnostic("missing required field \"\(field)\"\(place)", at: span)
        }
    }
}

extension Rules {
    /// `subject-on-sms`: an SMS template with a subject.
    public enum SubjectOnSMS {
        public static let rule = LintRule(
            id: "subject-on-sms", severity: .error, stage: "decode",
            summary: "SMS has no subject: an SMS MessageTemplate may not declare one (email templates must).",
            triggering: [.yaml("apiVersion: sortie/v1\nkind: MessageTemplate\nmetadata: { name: reminder }\nspec: { channel: sms, subject: Rappel, body: \"Bonjour {{firstName}}\" }\n")],
            nonTriggering: [.yaml("apiVersion: sortie/v1\nkind: MessageTemplate\nmetadata: { name: reminder }\nspec: { channel: email, subject: Rappel, body: \"Bonjour {{firstName}}\" }\n")])

        static func diagnostic(at span: SourceSpan) -> Diagnostic {
            rule.diagnostic("an SMS template cannot have a subject; remove \"subject\" or use channel email", at: span)
        }
    }
}

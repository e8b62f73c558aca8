extension Rules {
    /// `invalid-enum-value`: a value outside a fixed list (channels, operations, subject reuse).
    public enum InvalidEnumValue {
        public static let rule = LintRule(
            id: "invalid-enum-value", severity: .error, stage: "decode",
            summary: "Fields with a fixed set of values (channel, operations, emailSubjectReuse) accept only those values, case-sensitively.",
            triggering: [.yaml("apiVersion: sortie/v1\nkind: EntryPoint\nmetadata: { name: sms }\nspec: { channel: SMS, address: \"+33186950000\" }\n")],
            nonTriggering: [.yaml("apiVersion: sortie/v1\nkind: EntryPoint\nmetadata: { name: sms }\nspec: { channel: sms, address: \"+33186950000\" }\n")])

        static func diagnostic(field: String, value: String, allowed: [String], at span: SourceSpan) -> Diagnostic {
            var message = "invalid value \(YAMLScalar.quote(value)) for \"\(field)\"; expected one of " + allowed.map { "\"\($0)\"" }.joined(separator: ", ")
            if let suggestion = Suggestion.closest(to: value, in: allowed) { message += " (did you mean \"\(suggestion)\"?)" }
            return rule.diagnostic(message, at: span)
        }
    }
}

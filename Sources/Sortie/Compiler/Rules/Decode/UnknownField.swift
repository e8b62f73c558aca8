extension Rules {
    /// `unknown-field`: a key the schema does not define at that place.
    public enum UnknownField {
        public static let rule = LintRule(
            id: "unknown-field", severity: .error, stage: "decode",
            summary: "Every key must be a field of the schema at that place; a typo never silently falls back to a default.",
            triggering: [.yaml("""
                apiVersion: sortie/v1
                kind: MultimediaProfile
                metadata: { name: digital }
                spec:
                  channels:
                    sms: { maxOutboundTask: 3 }
                """)],
            nonTriggering: [.yaml("""
                apiVersion: sortie/v1
                kind: MultimediaProfile
                metadata: { name: digital }
                spec:
                  channels:
                    sms: { maxOutboundTasks: 3 }
                """)])

        static func diagnostic(field: String, path: String, known: [String], at span: SourceSpan) -> Diagnostic {
            var message = "unknown field \(YAMLScalar.quote(field))"
            if let suggestion = Suggestion.closest(to: field, in: known) {
                message += "; did you mean \"\(suggestion)\"?"
            } else {
                let place = path.isEmpty ? "a document" : "\"\(path)\""
                message += "; \(place) has the fields " + known.map { "\"\($0)\"" }.joined(separator: ", ")
            }
            return rule.diagnostic(message, at: span)
        }
    }
}

extension Rules {
    /// `unknown-placeholder`: a catalog message uses a placeholder its code does not provide.
    public enum UnknownPlaceholder {
        public static let rule = LintRule(
            id: "unknown-placeholder", severity: .error, stage: "link",
            summary: "A ReasonCatalog message may use only the placeholders its code provides (the code's `details` keys).",
            triggering: [.yaml("apiVersion: sortie/v1\nkind: ReasonCatalog\nmetadata: { name: messages }\nspec:\n  OUTBOUND_LIMIT_REACHED: { en: \"Limit of {max} reached\" }\n")],
            nonTriggering: [.yaml("apiVersion: sortie/v1\nkind: ReasonCatalog\nmetadata: { name: messages }\nspec:\n  OUTBOUND_LIMIT_REACHED: { en: \"Limit of {limit} reached on {channel}\" }\n")])

        static func check(_ set: DecodedSet, into diagnostics: inout Diagnostics) {
            for catalog in set.reasonCatalogs {
                for entry in catalog.spec.entries {
                    guard let code = ReasonCode(name: entry.code.value) else { continue }
                    let keys = code.detailKeys
                    for message in entry.messages {
                        for placeholder in ReasonCatalog.placeholders(in: message.text.value) where !keys.contains(placeholder.name) {
                            let provided = keys.isEmpty ? "it provides none" : "it provides " + keys.map { "{\($0)}" }.joined(separator: ", ")
                            diagnostics.append(rule.diagnostic(
                                "placeholder {\(placeholder.name)} is not provided by \(code.name); \(provided)",
                                at: message.text.span))
                        }
                    }
                }
            }
        }
    }
}

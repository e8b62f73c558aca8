extension Rules {
    /// `wrong-type`: a value of the wrong type (typed by the schema, never by YAML 1.1 guessing).
    public enum WrongType {
        public static let rule = LintRule(
            id: "wrong-type", severity: .error, stage: "decode",
            summary: "Values are typed by the schema: a quoted \"3\" is not an integer, `yes` is not a boolean (use true/false), a list is not a string.",
            triggering: [
                .yaml("apiVersion: sortie/v1\nkind: MultimediaProfile\nmetadata: { name: p }\nspec: { channels: { sms: { maxOutboundTasks: \"3\" } } }\n"),
                .yaml("apiVersion: sortie/v1\nkind: Tenant\nmetadata: { name: t }\nspec: { digitalChannels: yes, licenses: { p: { outbound: true } }, agentStates: [available] }\n"),
            ],
            nonTriggering: [
                .yaml("apiVersion: sortie/v1\nkind: MultimediaProfile\nmetadata: { name: p }\nspec: { channels: { sms: { maxOutboundTasks: 3 } }, assignedTo: { teams: [0123] } }\n"),
                .yaml("apiVersion: sortie/v1\nkind: Tenant\nmetadata: { name: t }\nspec: { digitalChannels: true, licenses: { p: { outbound: true } }, agentStates: [NO, on] }\n"),
            ])

        static func diagnostic(field: String, expected: String, found node: YAMLNode) -> Diagnostic {
            let place = field.isEmpty ? "the document" : "\"\(field)\""
            var message = "\(place) must be \(expected), found \(node.shapeDescription)"
            if expected == "true or false", case .scalar(let s) = node, !s.isQuoted {
                let lower = s.value.lowercased()
                if ["yes", "no", "on", "off", "y", "n"].contains(lower) {
                    message += " (YAML 1.1 booleans such as yes/no/on/off are not accepted)"
                } else if lower == "true" || lower == "false" {
                    message += " (write it in lower case: \(lower))"
                }
            }
            return rule.diagnostic(message, at: node.span)
        }
    }
}

extension Rules {
    /// `limit-out-of-range`: `maxOutboundTasks` outside 0...1000.
    public enum LimitOutOfRange {
        public static let rule = LintRule(
            id: "limit-out-of-range", severity: .error, stage: "decode",
            summary: "`maxOutboundTasks` is an integer from 0 to 1000 (0 closes the channel).",
            triggering: [.yaml("apiVersion: sortie/v1\nkind: MultimediaProfile\nmetadata: { name: p }\nspec: { channels: { sms: { maxOutboundTasks: 1001 } } }\n"),
                         .yaml("apiVersion: sortie/v1\nkind: MultimediaProfile\nmetadata: { name: p }\nspec: { channels: { sms: { maxOutboundTasks: -1 } } }\n")],
            nonTriggering: [.yaml("apiVersion: sortie/v1\nkind: MultimediaProfile\nmetadata: { name: p }\nspec: { channels: { sms: { maxOutboundTasks: 1000 } } }\n")])

        static func diagnostic(field: String, value: Int, at span: SourceSpan) -> Diagnostic {
            let range = MultimediaProfile.limitRange
            return rule.diagnostic("\"\(field)\" is \(value); it must be between \(range.lowerBound) and \(range.upperBound)", at: span)
        }
    }
}

extension Rules {
    /// `unused-contact-hours`: contact hours for a channel that no entry point serves.
    public enum UnusedContactHours {
        public static let rule = LintRule(
            id: "unused-contact-hours", severity: .warning, stage: "check",
            summary: "Contact hours for a channel no EntryPoint serves never apply: a channel missing from the set, or a typo.",
            triggering: [.yaml(ContactHourExamples.policy(windows: #"- { days: [mon], from: "08:00", to: "20:00" }"#, extra: "channels: [sms, email]")
                               + "---\n" + ContactHourExamples.entryPoint(#"["+33"]"#))],
            nonTriggering: [.yaml(ContactHourExamples.policy(windows: #"- { days: [mon], from: "08:00", to: "20:00" }"#, extra: "channels: [sms]")
                                  + "---\n" + ContactHourExamples.entryPoint(#"["+33"]"#))])

        static func check(_ set: DecodedSet, into diagnostics: inout Diagnostics) {
            // An incomplete set may hide the entry point that serves the channel.
            guard set.isComplete else { return }
            let served = Set(set.entryPoints.compactMap { $0.spec.channel?.value })
            for policy in set.outboundPolicies {
                for channel in policy.spec.contactHours?.channels ?? [] where !served.contains(channel.value) {
                    diagnostics.append(rule.diagnostic(
                        "contact hours restrict \(channel.value.rawValue), but no entry point serves \(channel.value.rawValue): they never apply",
                        at: channel.span))
                }
            }
        }
    }
}

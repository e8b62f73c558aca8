extension Rules {
    /// `empty-window`: a contact-hour window whose `to` is not after its `from`.
    public enum EmptyWindow {
        public static let rule = LintRule(
            id: "empty-window", severity: .error, stage: "check",
            summary: "A contact-hour window closes after it opens, on the same day (`to` is exclusive; write two windows for hours across midnight).",
            triggering: [.yaml(ContactHourExamples.policy(windows: #"- { days: [mon], from: "20:00", to: "08:00" }"#)),
                         .yaml(ContactHourExamples.policy(windows: #"- { days: [mon], from: "08:00", to: "08:00" }"#))],
            nonTriggering: [.yaml(ContactHourExamples.policy(windows: #"- { days: [mon], from: "08:00", to: "08:01" }"#))])

        static func check(_ set: DecodedSet, into diagnostics: inout Diagnostics) {
            for policy in set.outboundPolicies {
                for window in policy.spec.contactHours?.windows ?? [] {
                    guard let from = window.from, let to = window.to,
                          let opens = ContactHours.minutes(from.value, end: false), let closes = ContactHours.minutes(to.value, end: true),
                          closes <= opens else { continue }
                    diagnostics.append(rule.diagnostic(
                        "the window closes at \(to.value), which is not after it opens (\(from.value)): it is never open; to is exclusive and the same day",
                        at: to.span))
                }
            }
        }
    }
}

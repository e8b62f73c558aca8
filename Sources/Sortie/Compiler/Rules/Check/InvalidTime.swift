extension Rules {
    /// `invalid-time`: a contact-hour window's `from` or `to` that is not a time of day.
    public enum InvalidTime {
        public static let rule = LintRule(
            id: "invalid-time", severity: .error, stage: "check",
            summary: "A contact-hour window's `from` and `to` are local times `HH:MM` (`00:00` to `23:59`; `to` may be `24:00`, midnight).",
            triggering: [.yaml(ContactHourExamples.policy(windows: #"- { days: [mon], from: "08:00", to: "25:00" }"#)),
                         .yaml(ContactHourExamples.policy(windows: #"- { days: [mon], from: "8h", to: "20:00" }"#))],
            nonTriggering: [.yaml(ContactHourExamples.policy(windows: #"- { days: [mon], from: "08:00", to: "24:00" }"#))])

        static func check(_ set: DecodedSet, into diagnostics: inout Diagnostics) {
            for policy in set.outboundPolicies {
                for window in policy.spec.contactHours?.windows ?? [] {
                    for (time, end) in [(window.from, false), (window.to, true)] {
                        guard let time, ContactHours.minutes(time.value, end: end) == nil else { continue }
                        diagnostics.append(rule.diagnostic(
                            "\(YAMLScalar.quote(time.value)) is not a time of day; write HH:MM, from 00:00 to 23:59\(end ? " (or 24:00 for midnight)" : "")",
                            at: time.span))
                    }
                }
            }
        }
    }
}

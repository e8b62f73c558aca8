extension Rules {
    /// `unknown-time-zone`: a `contactHours.timeZone` that is neither `recipient` nor an IANA zone.
    public enum UnknownZone {
        public static let rule = LintRule(
            id: "unknown-time-zone", severity: .error, stage: "check",
            summary: "`contactHours.timeZone` is `recipient` or an IANA zone the system's tz database knows, spelled exactly (`Europe/Paris`).",
            triggering: [.yaml(ContactHourExamples.policy(windows: #"- { days: [mon], from: "08:00", to: "20:00" }"#, extra: "timeZone: Europe/Pariss"))],
            nonTriggering: [.yaml(ContactHourExamples.policy(windows: #"- { days: [mon], from: "08:00", to: "20:00" }"#, extra: "timeZone: Europe/Paris"))])

        static func check(_ set: DecodedSet, into diagnostics: inout Diagnostics) {
            for policy in set.outboundPolicies {
                guard let zone = policy.spec.contactHours?.timeZone, zone.value != ContactHours.recipient,
                      !ZoneTable.isZoneName(zone.value) else { continue }
                var message = "unknown time zone \(YAMLScalar.quote(zone.value)); write recipient or an IANA zone such as Europe/Paris"
                if let suggestion = Suggestion.closest(to: zone.value, in: [ContactHours.recipient] + ZoneTable.knownNames()) {
                    message += "; did you mean \"\(suggestion)\"?"
                }
                diagnostics.append(rule.diagnostic(message, at: zone.span))
            }
        }
    }
}

extension Rules {
    /// `overlapping-windows`: two contact-hour windows open at the same time on one day.
    public enum OverlappingWindows {
        public static let rule = LintRule(
            id: "overlapping-windows", severity: .error, stage: "check",
            summary: "Contact-hour windows of one day do not overlap: overlapping windows are usually a typo, and one window says it better.",
            triggering: [.yaml(ContactHourExamples.policy(windows: """
                - { days: [mon, tue], from: "08:00", to: "12:00" }
                - { days: [tue], from: "11:00", to: "18:00" }
                """))],
            nonTriggering: [.yaml(ContactHourExamples.policy(windows: """
                - { days: [mon, tue], from: "08:00", to: "12:00" }
                - { days: [tue], from: "12:00", to: "18:00" }
                """))])

        static func check(_ set: DecodedSet, into diagnostics: inout Diagnostics) {
            for policy in set.outboundPolicies {
                let windows = (policy.spec.contactHours?.windows ?? []).compactMap { window -> (ContactHours.Window, Int, Int)? in
                    guard let opens = window.from.flatMap({ ContactHours.minutes($0.value, end: false) }),
                          let closes = window.to.flatMap({ ContactHours.minutes($0.value, end: true) }), closes > opens else { return nil }
                    return (window, opens, closes)
                }
                for (i, later) in windows.enumerated() {
                    for earlier in windows[..<i] {
                        let days = (later.0.days ?? []).filter { day in (earlier.0.days ?? []).contains { $0.value == day.value } }
                        guard let day = days.first, later.1 < earlier.2, earlier.1 < later.2 else { continue }
                        diagnostics.append(rule.diagnostic(
                            "on \(day.value.rawValue) this window (\(later.0.from!.value)–\(later.0.to!.value)) overlaps the one at \(earlier.0.span.fileAndLine) (\(earlier.0.from!.value)–\(earlier.0.to!.value))",
                            at: later.0.span))
                        break
                    }
                }
            }
        }
    }
}

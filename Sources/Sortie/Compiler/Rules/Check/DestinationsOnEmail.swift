extension Rules {
    /// `destinations-on-email`: `allowedDestinations` on an email entry point.
    public enum DestinationsOnEmail {
        public static let rule = LintRule(
            id: "destinations-on-email", severity: .error, stage: "check",
            summary: "`allowedDestinations` holds E.164 prefixes, so it applies to SMS entry points only.",
            triggering: [.yaml(ContactHourExamples.entryPoint(#"["+33"]"#, channel: "email", address: "support@acme.fr"))],
            nonTriggering: [.yaml(ContactHourExamples.entryPoint(#"["+33"]"#))])

        static func check(_ set: DecodedSet, into diagnostics: inout Diagnostics) {
            for entryPoint in set.entryPoints where entryPoint.spec.channel?.value == .email {
                guard let first = entryPoint.spec.allowedDestinations?.first else { continue }
                diagnostics.append(rule.diagnostic(
                    "allowedDestinations applies to SMS entry points; \(YAMLScalar.quote(entryPoint.name ?? "?")) sends email", at: first.span))
            }
        }
    }
}

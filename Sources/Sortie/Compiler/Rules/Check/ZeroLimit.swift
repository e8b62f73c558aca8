extension Rules {
    /// `zero-limit`: a profile channel with `maxOutboundTasks: 0`.
    public enum ZeroLimit {
        public static let rule = LintRule(
            id: "zero-limit", severity: .warning, stage: "check",
            summary: "`maxOutboundTasks: 0` closes the channel for everyone with the profile; leaving the channel out says so more clearly.",
            triggering: [.yaml("apiVersion: sortie/v1\nkind: MultimediaProfile\nmetadata: { name: p }\nspec: { channels: { sms: { maxOutboundTasks: 0 } } }\n")],
            nonTriggering: [.yaml("apiVersion: sortie/v1\nkind: MultimediaProfile\nmetadata: { name: p }\nspec: { channels: { sms: { maxOutboundTasks: 1 } } }\n")])

        static func check(_ set: DecodedSet, into diagnostics: inout Diagnostics) {
            for profile in set.profiles {
                for channel in profile.spec.channels ?? [] {
                    guard let limit = channel.maxOutboundTasks, limit.value == 0 else { continue }
                    diagnostics.append(rule.diagnostic(
                        "maxOutboundTasks is 0: agents with profile \(YAMLScalar.quote(profile.name ?? "?")) can never start an outbound \(channel.channel.value.rawValue) conversation; remove the channel if that is intended",
                        at: limit.span))
                }
            }
        }
    }
}

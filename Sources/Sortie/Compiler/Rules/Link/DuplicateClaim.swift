extension Rules {
    /// `duplicate-claim`: two profiles claim the same agent, team or site.
    public enum DuplicateClaim {
        public static let rule = LintRule(
            id: "duplicate-claim", severity: .error, stage: "link",
            summary: "An agent, team or site may be claimed by one MultimediaProfile only, so profile resolution never depends on file order.",
            triggering: [.yaml("""
                apiVersion: sortie/v1
                kind: MultimediaProfile
                metadata: { name: sms-squad }
                spec: { channels: { sms: { maxOutboundTasks: 5 } }, assignedTo: { teams: [support-fr] } }
                ---
                apiVersion: sortie/v1
                kind: MultimediaProfile
                metadata: { name: email-squad }
                spec: { channels: { email: { maxOutboundTasks: 3 } }, assignedTo: { teams: [support-fr] } }
                """)],
            nonTriggering: [.yaml("""
                apiVersion: sortie/v1
                kind: MultimediaProfile
                metadata: { name: sms-squad }
                spec: { channels: { sms: { maxOutboundTasks: 5 } }, assignedTo: { teams: [support-fr] } }
                ---
                apiVersion: sortie/v1
                kind: MultimediaProfile
                metadata: { name: email-squad }
                spec: { channels: { email: { maxOutboundTasks: 3 } }, assignedTo: { teams: [support-be], agents: [support-fr] } }
                """)])

        static func check(_ set: DecodedSet, into diagnostics: inout Diagnostics) {
            var first: [String: [String: (profile: String, span: SourceSpan)]] = [:]
            for profile in set.profiles {
                let owner = profile.name ?? "?"
                let levels: [(String, [Located<String>])] = [("agent", profile.spec.assignedTo.agents),
                                                             ("team", profile.spec.assignedTo.teams),
                                                             ("site", profile.spec.assignedTo.sites)]
                for (level, claims) in levels {
                    for claim in claims {
                        if let earlier = first[level]?[claim.value] {
                            diagnostics.append(rule.diagnostic(
                                "\(level) \(YAMLScalar.quote(claim.value)) is already assigned to profile \(YAMLScalar.quote(earlier.profile)) at \(earlier.span.fileAndLine)",
                                at: claim.span))
                        } else {
                            first[level, default: [:]][claim.value] = (owner, claim.span)
                        }
                    }
                }
            }
        }
    }
}

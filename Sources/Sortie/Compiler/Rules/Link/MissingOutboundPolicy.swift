extension Rules {
    /// `missing-outbound-policy`: the set has no OutboundPolicy.
    public enum MissingOutboundPolicy {
        public static let rule = LintRule(
            id: "missing-outbound-policy", severity: .error, stage: "link",
            summary: "A set needs exactly one OutboundPolicy (reported on the set's root path, with no line).",
            triggering: [.yaml("apiVersion: sortie/v1\nkind: EntryPoint\nmetadata: { name: sms }\nspec: { channel: sms, address: \"+33186950000\" }\n")],
            nonTriggering: [.yaml("apiVersion: sortie/v1\nkind: OutboundPolicy\nmetadata: { name: outbound }\nspec: { allowedAgentStates: [available], wrapUpReasons: [resolved] }\n")])

        static func check(_ set: DecodedSet, into diagnostics: inout Diagnostics) {
            guard set.isComplete, !set.documents.contains(where: { $0.kind == .outboundPolicy }) else { return }
            diagnostics.append(rule.diagnostic("the policy set has no OutboundPolicy; add one document of kind OutboundPolicy", setRoot: set.root))
        }
    }
}

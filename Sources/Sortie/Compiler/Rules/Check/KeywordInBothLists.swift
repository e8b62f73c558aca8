extension Rules {
    /// `keyword-in-both-lists`: a word that is both an opt-out and an opt-in keyword.
    public enum KeywordInBothLists {
        public static let rule = LintRule(
            id: "keyword-in-both-lists", severity: .error, stage: "check",
            summary: "A consent keyword is an opt-out or an opt-in, not both (compared as inbound texts are: any case, without surrounding punctuation).",
            triggering: [.yaml(ContactHourExamples.consent("optOutKeywords: [STOP, END]\noptInKeywords: [START, stop]"))],
            nonTriggering: [.yaml(ContactHourExamples.consent("optOutKeywords: [STOP, END]\noptInKeywords: [START]"))])

        static func check(_ set: DecodedSet, into diagnostics: inout Diagnostics) {
            for policy in set.outboundPolicies {
                let consent = policy.spec.consent
                let optOut = consent.optOutKeywords ?? Consent.defaultOptOutKeywords.map { Located($0, at: policy.nameSpan) }
                for keyword in consent.optInKeywords ?? [] {
                    let word = CompiledPolicy.Consent.keyword(keyword.value)
                    guard let other = optOut.first(where: { CompiledPolicy.Consent.keyword($0.value) == word }) else { continue }
                    diagnostics.append(rule.diagnostic(
                        "\(YAMLScalar.quote(keyword.value)) is an opt-in keyword and also an opt-out keyword (\(YAMLScalar.quote(other.value))): a customer's message cannot mean both",
                        at: keyword.span))
                }
            }
        }
    }
}

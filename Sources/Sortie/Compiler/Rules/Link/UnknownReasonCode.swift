extension Rules {
    /// `unknown-reason-code`: a ReasonCatalog key or a PolicyTest expectation that is not a reason code.
    public enum UnknownReasonCode {
        public static let rule = LintRule(
            id: "unknown-reason-code", severity: .error, stage: "link",
            summary: "ReasonCatalog keys and the codes a PolicyTest expects must be reason codes of the contract.",
            triggering: [.yaml("apiVersion: sortie/v1\nkind: ReasonCatalog\nmetadata: { name: messages }\nspec:\n  OUTBOUND_LIMIT_REACHD: { en: \"Limit reached\" }\n"),
                         .yaml("apiVersion: sortie/v1\nkind: PolicyTest\nmetadata: { name: t }\nspec:\n  cases:\n    - name: refused\n      request: { agent: { id: a } }\n      expect: { allowed: false, reasons: [LIMIT_REACHED] }\n")],
            nonTriggering: [.yaml("apiVersion: sortie/v1\nkind: ReasonCatalog\nmetadata: { name: messages }\nspec:\n  OUTBOUND_LIMIT_REACHED: { en: \"Limit reached\" }\n")])

        static func check(_ set: DecodedSet, into diagnostics: inout Diagnostics) {
            for catalog in set.reasonCatalogs {
                for entry in catalog.spec.entries { report(entry.code, "ReasonCatalog key", &diagnostics) }
            }
            for test in set.policyTests {
                for testCase in test.spec.cases ?? [] {
                    for code in (testCase.expect?.reasons ?? []) + (testCase.expect?.warnings ?? []) {
                        report(code, "expected code", &diagnostics)
                    }
                }
            }
        }

        private static func report(_ code: Located<String>, _ what: String, _ diagnostics: inout Diagnostics) {
            guard ReasonCode(name: code.value) == nil else { return }
            let codes = ReasonCode.allCases.map(\.name)
            var message = "\(what) \(YAMLScalar.quote(code.value)) is not a reason code"
            if let suggestion = Suggestion.closest(to: code.value, in: codes) { message += "; did you mean \"\(suggestion)\"?" }
            diagnostics.append(rule.diagnostic(message, at: code.span))
        }
    }
}

extension Rules {
    /// `inconsistent-expectation`: a PolicyTest expects `allowed` to disagree with its reasons.
    public enum InconsistentExpectation {
        public static let rule = LintRule(
            id: "inconsistent-expectation", severity: .error, stage: "decode",
            summary: "A decision is allowed exactly when it has no reasons, so `expect.allowed` must agree with `expect.reasons`.",
            triggering: [.yaml("apiVersion: sortie/v1\nkind: PolicyTest\nmetadata: { name: t }\nspec:\n  cases:\n    - name: contradictory\n      request: { agent: { id: a } }\n      expect: { allowed: true, reasons: [OUTBOUND_LIMIT_REACHED] }\n")],
            nonTriggering: [.yaml("apiVersion: sortie/v1\nkind: PolicyTest\nmetadata: { name: t }\nspec:\n  cases:\n    - name: refused\n      request: { agent: { id: a } }\n      expect: { allowed: false, reasons: [OUTBOUND_LIMIT_REACHED] }\n")])

        static func diagnostic(allowed: Bool, at span: SourceSpan) -> Diagnostic {
            rule.diagnostic(allowed
                ? "expect.allowed is true but expect.reasons is not empty; an allowed decision has no reasons"
                : "expect.allowed is false but expect.reasons is empty; list the reason codes the decision must have",
                at: span)
        }
    }
}

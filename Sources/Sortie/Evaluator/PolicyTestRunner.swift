/// Runs a set's PolicyTest cases through the same evaluator every request goes through.
public enum PolicyTestRunner {
    /// The outcome of one case.
    public struct Result: Sendable {
        public var testCase: CompiledPolicy.TestCase
        public var decision: Decision
        public var passed: Bool

        /// `file:line`, where the case is written.
        public var location: String { testCase.span.fileAndLine }
    }

    public static func run(_ evaluator: Evaluator) -> [Result] {
        evaluator.policy.tests.map { testCase in
            let decision: Decision
            switch Request.decode(JSONValue(yaml: testCase.request)) {
            case .success(let request): decision = evaluator.decide(request)
            case .failure(let invalid): decision = evaluator.decide(invalid, locale: nil)
            }
            var passed = decision.allowed == testCase.expectAllowed
                && Set(decision.reasons.map(\.code)) == Set(testCase.expectReasons)
            if let warnings = testCase.expectWarnings {
                passed = passed && Set(decision.warnings.map(\.code)) == Set(warnings)
            }
            return Result(testCase: testCase, decision: decision, passed: passed)
        }
    }
}

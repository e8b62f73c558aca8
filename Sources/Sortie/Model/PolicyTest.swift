/// `kind: PolicyTest` — cases that `sortie test` runs against the set.
public struct PolicyTest: Sendable {
    public struct Case: Sendable {
        public var name: Located<String>?
        /// The request as written (typed by the request schema when the case runs).
        public var request: YAMLNode?
        public var expect: Expectation?
        /// The case's mapping.
        public var span: SourceSpan
    }

    public struct Expectation: Sendable {
        public var allowed: Bool?
        /// Exact set of deny codes, order-insensitive. Default: none.
        public var reasons: [Located<String>]?
        /// Exact set of warning codes; nil means "not checked".
        public var warnings: [Located<String>]?
    }

    public var cases: [Case]?

    static let declaration = ObjectDeclaration([casesField.declared])
    static let casesField = Field("cases", ValueShape<[Case]>.list(of: testCase, nonEmpty: true, decodeCase), .required, "The test cases (at least one).")
    static let testCase = ObjectDeclaration([nameField.declared, requestField.declared, expectField.declared])
    static let nameField = Field("name", .string, .required, "A sentence saying what the case shows.")
    static let requestField = Field("request", .anyMapping, .required, "A request as `sortie eval` reads it (docs/reference.md, \"Requests\").")
    static let expectField = Field("expect", .object(expectation), .required, "What the set must decide.")
    static let expectation = ObjectDeclaration([allowedField.declared, reasonsField.declared, warningsField.declared])
    static let allowedField = Field("allowed", .boolean, .required, "Whether the request is allowed; must be true exactly when reasons is empty.")
    static let reasonsField = Field("reasons", .reasonCodes, .optional, default: { _ in [] }, "The exact set of deny codes, order-insensitive.")
    static let warningsField = Field("warnings", .reasonCodes, .optional,
                                     "The exact set of warning codes, order-insensitive; omitted means warnings are not checked.")

    init(decoding spec: Fields) {
        cases = spec.read(Self.casesField)
    }

    /// One case, from a mapping with the fields of `testCase`.
    static func decodeCase(_ fields: Fields) -> Case {
        var testCase = Case(name: nil, request: nil, expect: nil, span: fields.mapping.span)
        testCase.name = fields.read(nameField)
        testCase.request = fields.read(requestField)
        if let expect = fields.read(expectField) {
            let allowed = expect.read(allowedField)
            let reasons = expect.read(reasonsField)
            let warnings = expect.read(warningsField)
            if let allowed, allowed.value != (reasons ?? []).isEmpty {
                expect.context.report(Rules.InconsistentExpectation.diagnostic(allowed: allowed.value, at: allowed.span))
            }
            testCase.expect = Expectation(allowed: allowed?.value, reasons: reasons ?? [], warnings: warnings)
        }
        return testCase
    }
}

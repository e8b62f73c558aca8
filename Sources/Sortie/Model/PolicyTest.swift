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

    static let fields = ["cases"]

    init(decoding spec: Fields) {
        let context = spec.context
        cases = spec.required("cases").flatMap { node in
            context.list(node, path: spec.path("cases"), nonEmpty: true) { item, path in
                let casePath = path()
                guard let fields = context.fields(item, path: casePath, known: ["name", "request", "expect"]) else { return nil }
                var testCase = Case(name: nil, request: nil, expect: nil, span: fields.mapping.span)
                testCase.name = fields.required("name").flatMap { context.string($0, path: fields.path("name")) }
                if let request = fields.required("request"), context.map(request, path: fields.path("request")) != nil {
                    testCase.request = request
                }
                if let node = fields.required("expect"),
                   let expect = context.fields(node, path: fields.path("expect"), known: ["allowed", "reasons", "warnings"]) {
                    let allowed = expect.required("allowed").flatMap { context.bool($0, path: expect.path("allowed")) }
                    let reasons = expect.optional("reasons").flatMap { context.stringSet($0, path: expect.path("reasons"), nonEmpty: false) }
                    let warnings = expect.optional("warnings").flatMap { context.stringSet($0, path: expect.path("warnings"), nonEmpty: false) }
                    if let allowed, allowed.value != (reasons ?? []).isEmpty {
                        context.report(Rules.InconsistentExpectation.diagnostic(allowed: allowed.value, at: allowed.span))
                    }
                    testCase.expect = Expectation(allowed: allowed?.value, reasons: reasons ?? [], warnings: warnings)
                }
                return testCase
            }
        }
    }
}

import ArgumentParser
import Sortie

/// `sortie test [DIR] [--fail-on-empty]`: runs every PolicyTest case of the set.
struct TestCommand: Verb {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run the set's PolicyTest cases through the compiler and evaluator.",
        discussion: "Prints each failure with what was expected and what was decided, and ends with 'N passed, N failed'. Exit status: 0 all passed, 1 a case failed or the set does not compile, 2 a usage or I/O error.")

    @Argument(help: "The policy directory (or files).")
    var paths: [String] = ["policies/"]

    @Flag(help: "Fail when the set has no test case.")
    var failOnEmpty = false

    func run(io: CommandIO) -> ExitStatus {
        let policy: CompiledPolicy
        switch PolicyLoading.compile(paths, io: io) {
        case .success(let compiled): policy = compiled
        case .failure(let status):
            if status == .failure {
                io.stderr("sortie: the policy set does not compile; no test was run\n")
                io.stdout("0 passed, 0 failed\n")
            }
            return status
        }
        let results = PolicyTestRunner.run(Evaluator(policy: policy))
        for failure in results where !failure.passed {
            io.stdout(Self.describe(failure))
        }
        let passed = results.count { $0.passed }
        io.stdout("\(passed) passed, \(results.count - passed) failed\n")
        if results.isEmpty && failOnEmpty {
            io.stderr("sortie: no PolicyTest case in the set (--fail-on-empty)\n")
            return .failure
        }
        return passed == results.count ? .success : .failure
    }

    static func describe(_ result: PolicyTestRunner.Result) -> String {
        let c = result.testCase
        func codes(_ list: [ReasonCode]) -> String { "[" + list.map(\.name).sorted().joined(separator: ", ") + "]" }
        var expected = "allowed: \(c.expectAllowed), reasons: \(codes(c.expectReasons))"
        if let warnings = c.expectWarnings { expected += ", warnings: \(codes(warnings))" }
        let d = result.decision
        var decided = "allowed: \(d.allowed), reasons: \(codes(d.reasons.map(\.code))), warnings: \(codes(d.warnings.map(\.code)))"
        if let invalid = d.reasons.first(where: { $0.code == .invalidRequest }) { decided += " (\(invalid.message))" }
        return "FAIL \(result.location): \(c.test) / \(c.name)\n  expected: \(expected)\n  decided:  \(decided)\n"
    }
}

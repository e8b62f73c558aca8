import Testing
@testable import Sortie

/// Runs every rule's own examples: triggering ones must report the rule, the others must not.
@Suite struct RuleExampleTests {
    @Test(arguments: Rules.all.map(\.id))
    func examplesBehave(ruleID: String) throws {
        let rule = try #require(Rules.rule(id: ruleID))
        #expect(!rule.triggering.isEmpty, "every rule has a triggering example")
        #expect(!rule.nonTriggering.isEmpty, "every rule has a non-triggering example")
        for example in rule.triggering {
            let found = lint(example.bytes()).diagnostics.filter { $0.rule == ruleID }
            #expect(!found.isEmpty, "\(ruleID) should trigger on:\n\(example.display)")
            for diagnostic in found {
                #expect(diagnostic.severity == rule.severity)
            }
        }
        for example in rule.nonTriggering {
            let found = lint(example.bytes()).diagnostics.filter { $0.rule == ruleID }
            #expect(found.isEmpty, "\(ruleID) should not trigger on:\n\(example.display)\ngot: \(found.map(\.message))")
        }
    }

    @Test func ruleIDsAreUniqueKebabCase() {
        let ids = Rules.all.map(\.id)
        #expect(Set(ids).count == ids.count)
        for id in ids {
            #expect(id.allSatisfy { $0.isLowercase || $0 == "-" }, "\(id) is not kebab-case")
        }
    }

    @Test func everyDiagnosticCarriesADeclaredRule() throws {
        // The broken example set exercises many rules at once.
        let result = try Compiler.compile(paths: [TestPaths.packageRoot.appendingPathComponent("examples/broken-policies").path])
        #expect(!result.diagnostics.isEmpty)
        for diagnostic in result.diagnostics {
            #expect(Rules.rule(id: diagnostic.rule) != nil, "undeclared rule \(diagnostic.rule)")
        }
    }

    @Test func docsListEveryRuleAndMatchTheDeclarations() throws {
        let url = TestPaths.packageRoot.appendingPathComponent("docs/lint-rules.md")
        try expectGolden(RuleReference.markdown(), url)
    }
}

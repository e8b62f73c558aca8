import Foundation
import Testing
@testable import Sortie

/// `Fixtures/lint/NAME.yaml` (or a folder `NAME/`) next to `NAME.out`, the exact text output.
/// Adding a case is adding two files; `SORTIE_UPDATE_GOLDEN=1 swift test` writes the `.out`s.
@Suite struct GoldenLintTests {
    static let directory = TestPaths.fixtures.appendingPathComponent("lint")

    static var cases: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { !$0.hasSuffix(".out") && !$0.hasPrefix(".") }.sorted()
    }

    @Test func thereAreAtLeastFortyCases() {
        #expect(Self.cases.count >= 40)
    }

    @Test(arguments: cases)
    func textOutputMatchesGolden(name: String) throws {
        let input = Self.directory.appendingPathComponent(name)
        let result = try lintFixture(input, relativeTo: Self.directory)
        let text = DiagnosticFormat.text.render(result.diagnostics, sources: result.sources)
        #expect(!result.diagnostics.isEmpty, "a lint fixture must report something; clean sets go in Fixtures/ok")
        let stem = name.hasSuffix(".yaml") ? String(name.dropLast(5)) : name
        try expectGolden(text, Self.directory.appendingPathComponent(stem + ".out"))
    }
}

/// Every file or folder under `Fixtures/ok` is a set that lints clean (no errors, no warnings).
@Suite struct CleanFixtureTests {
    static let directory = TestPaths.fixtures.appendingPathComponent("ok")

    static var cases: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
    }

    @Test func thereAreCleanFixtures() { #expect(!Self.cases.isEmpty) }

    @Test(arguments: cases)
    func lintsClean(name: String) throws {
        let result = try lintFixture(Self.directory.appendingPathComponent(name), relativeTo: Self.directory)
        #expect(result.diagnostics.isEmpty, "\(result.diagnostics.map { "\($0.file):\($0.start?.line ?? 0): \($0.message) [\($0.rule)]" })")
        #expect(result.policy != nil)
    }
}

/// The four output formats on one set with errors, warnings and a whole-set problem.
@Suite struct FormatGoldenTests {
    static let directory = TestPaths.fixtures.appendingPathComponent("formats")

    @Test(arguments: DiagnosticFormat.allCases)
    func formatMatchesGolden(format: DiagnosticFormat) throws {
        let result = try lintFixture(Self.directory.appendingPathComponent("input"), relativeTo: Self.directory)
        let output = format.render(result.diagnostics, sources: result.sources)
        try expectGolden(output, Self.directory.appendingPathComponent("expected.\(format.rawValue)"))
    }
}

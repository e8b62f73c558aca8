import Foundation
import Sortie
import SortieCLI
import Testing

private let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
private let schemaPath = "docs/sortie-policy.schema.json"

/// The JSON Schema of policy files: the committed copy is `sortie schema`'s output, every clean
/// set passes it, the mistakes it can see fail it, and policies/ points editors at it.
@Suite struct PolicySchemaTests {
    @Test func committedSchemaIsCurrent() throws {
        let output = CapturedOutput()
        #expect(SortieCommand.run(["schema"], io: output.io) == 0)
        let committed = try String(contentsOf: packageRoot.appendingPathComponent(schemaPath), encoding: .utf8)
        #expect(output.stdout == committed, "docs/sortie-policy.schema.json is stale: run scripts/update-docs")
    }

    @Test func everyShippedAndCleanFileIsValid() throws {
        let files = Self.yamlFiles(under: "policies") + Self.yamlFiles(under: "Tests/SortieTests/Fixtures/ok")
        #expect(files.count > 20)
        let results = try Self.validate(files)
        for (file, result) in results {
            #expect(result == "valid", "\(file): \(result)")
        }
    }

    /// Broken fixtures whose one mistake is of a kind the schema sees: an unknown field, a wrong
    /// type, a bad enum value or name, a missing field, a value out of range.
    static let brokenTheSchemaSees = [
        "unknown-field-did-you-mean", "unknown-field-in-envelope", "unknown-field-in-metadata", "unknown-field-typo-in-assigned-to",
        "wrong-type-quoted-integer", "wrong-type-yes-boolean", "wrong-type-float-limit", "wrong-type-scalar-for-list",
        "wrong-type-list-for-string", "wrong-type-quoted-boolean", "wrong-type-null-channel",
        "invalid-enum-value-channel", "invalid-enum-value-subject-reuse", "invalid-enum-value-profile-channel",
        "missing-field-api-version", "missing-field-kind", "missing-field-max-outbound-tasks", "missing-field-metadata-name",
        "missing-field-email-template-subject", "missing-field-license-outbound",
        "limit-out-of-range-high", "limit-out-of-range-negative", "invalid-name-format", "unknown-kind-no-suggestion",
        "unsupported-api-version", "subject-on-sms-template", "empty-list-required", "unknown-reason-code-catalog",
    ]

    @Test func brokenFixturesTheSchemaCanSeeFailIt() throws {
        let files = Self.brokenTheSchemaSees.map { "Tests/SortieTests/Fixtures/lint/\($0).yaml" }
        let results = try Self.validate(files)
        #expect(results.count == files.count)
        for (file, result) in results {
            #expect(result.hasPrefix("invalid"), "\(file) passes the schema, though lint reports it")
        }
    }

    @Test func policyFilesPointEditorsAtTheSchema() throws {
        for file in Self.yamlFiles(under: "policies") {
            let text = try String(contentsOf: packageRoot.appendingPathComponent(file), encoding: .utf8)
            let prefix = "# yaml-language-server: $schema="
            let first = text.prefix { $0 != "\n" }
            try #require(first.hasPrefix(prefix), "\(file) does not start with the schema line")
            let target = URL(fileURLWithPath: file, relativeTo: packageRoot).deletingLastPathComponent()
                .appendingPathComponent(String(first.dropFirst(prefix.count))).standardizedFileURL
            #expect(target.path == packageRoot.appendingPathComponent(schemaPath).standardizedFileURL.path, "\(file): \(first)")
        }
    }

    @Test func schemaPublishesTheDeclaredFacts() throws {
        let schema = try #require(try JSONSerialization.jsonObject(with: Data(PolicySchema.json().utf8)) as? [String: Any])
        #expect(schema["$schema"] as? String == "https://json-schema.org/draft/2020-12/schema")
        let defs = try #require(schema["$defs"] as? [String: Any])
        #expect(Set(defs.keys) == Set(PolicyKind.allCases.map(\.rawValue)))
        let policy = try #require(((defs["OutboundPolicy"] as? [String: Any])?["properties"] as? [String: Any])?["spec"] as? [String: Any])
        let fields = try #require(policy["properties"] as? [String: [String: Any]])
        #expect(fields["emailSubjectReuse"]?["default"] as? String == "warn")
        #expect(fields["emailSubjectReuse"]?["enum"] as? [String] == ["allow", "warn", "deny"])
        #expect(fields["disallowedWorkflowTriggers"]?["default"] as? [String] == OutboundPolicy.defaultDisallowedWorkflowTriggers)
        #expect(policy["required"] as? [String] == ["allowedAgentStates", "wrapUpReasons"])
        #expect(policy["additionalProperties"] as? Bool == false)
    }

    /// `.yaml`/`.yml` files under `folder` (relative to the package root), skipping hidden ones, as a policy set is read.
    static func yamlFiles(under folder: String) -> [String] {
        let root = packageRoot.appendingPathComponent(folder)
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil, options: [.skipsHiddenFiles]) else { return [] }
        return walker.compactMap { $0 as? URL }
            .filter { ["yaml", "yml"].contains($0.pathExtension) }
            .map { folder + "/" + $0.standardizedFileURL.path.dropFirst(root.standardizedFileURL.path.count + 1) }
            .sorted()
    }

    /// Each file's verdict from validate_policy_schema.py: "valid" or "invalid …".
    static func validate(_ files: [String]) throws -> [(String, String)] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "Tests/SortieCLITests/validate_policy_schema.py", schemaPath] + files
        process.currentDirectoryURL = packageRoot
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(output)")
        return output.split(separator: "\n").compactMap { line in
            guard let file = files.first(where: { line.hasPrefix("valid \($0)") || line.hasPrefix("invalid \($0)") || line.hasPrefix("unreadable \($0)") }) else { return nil }
            return (file, line.hasPrefix("valid ") ? "valid" : String(line))
        }
    }
}

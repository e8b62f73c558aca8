import Foundation
import SortieServer
import SortieYAML
import Testing

private let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// docs/openapi.yaml against the product: the routes it lists, the copy the server embeds, and
/// what a real OpenAPI validator says of the document the server serves.
@Suite struct OpenAPIContractTests {
    /// `METHOD /path` of every operation in docs/openapi.yaml.
    static func documentedRoutes() throws -> [String] {
        let bytes = try [UInt8](Data(contentsOf: packageRoot.appendingPathComponent("docs/openapi.yaml")))
        let file = YAMLLoader().load(bytes: bytes, path: "docs/openapi.yaml")
        #expect(file.issues.isEmpty, "\(file.issues)")
        guard case .mapping(let root)? = file.documents.first?.root, case .mapping(let paths)? = root["paths"]?.value else {
            Issue.record("docs/openapi.yaml has no paths mapping")
            return []
        }
        let methods: Set<String> = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]
        return paths.entries.flatMap { path -> [String] in
            guard case .mapping(let item) = path.value else { return [] }
            return item.entries.map(\.key.value).filter(methods.contains).map { "\($0.uppercased()) \(path.key.value)" }
        }.sorted()
    }

    @Test func documentListsExactlyTheRegisteredRoutes() async throws {
        let policies = try PolicyFixture.write()
        defer { try? FileManager.default.removeItem(at: policies) }
        let registered = try await LiveServer.with(policies: policies.path) { live in live.server.registeredRoutes }
        let documented = try Self.documentedRoutes()
        #expect(registered.count > 10)
        let undocumented = Set(registered).subtracting(documented).sorted()
        let unserved = Set(documented).subtracting(registered).sorted()
        #expect(undocumented.isEmpty, "routes the server registers that docs/openapi.yaml lacks: \(undocumented)")
        #expect(unserved.isEmpty, "operations in docs/openapi.yaml that the server does not register: \(unserved)")
        #expect(registered.contains("GET /v1/openapi.json"))
    }

    @Test func embeddedCopyIsTheCommittedDocument() throws {
        let committed = try String(contentsOf: packageRoot.appendingPathComponent("docs/openapi.yaml"), encoding: .utf8)
        #expect(OpenAPIDocument.yaml == committed, "Sources/SortieServer/OpenAPIDocument+Embedded.swift is stale: run scripts/embed-openapi")
    }

    @Test func servedDocumentIsValidOpenAPIAndEqualsTheYAML() async throws {
        let policies = try PolicyFixture.write()
        defer { try? FileManager.default.removeItem(at: policies) }
        let served = try await LiveServer.with(policies: policies.path) { live in try await live.get("/v1/openapi.json") }
        #expect(served.status == 200)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("sortie-openapi-\(UUID().uuidString).json")
        try served.body.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let (status, output) = try python(["Tests/SortieServerTests/validate_openapi.py", file.path, "docs/openapi.yaml"])
        #expect(status == 0, "\(output)")
        #expect(output.contains("valid OpenAPI 3.1"), "\(output)")
        #expect(output.contains("examples match their schemas"), "\(output)")
    }

    @Test func documentIsPublicAndJSON() async throws {
        let policies = try PolicyFixture.write()
        defer { try? FileManager.default.removeItem(at: policies) }
        let reply = try await LiveServer.with(policies: policies.path) { live in try await live.get("/v1/openapi.json") }
        #expect(reply.status == 200)
        #expect(reply.string("openapi") == "3.1.0")
        #expect(reply.string("servers.0.url") == "http://127.0.0.1:8080")
    }
}

/// Runs `python3 ARGS` in the package root: its exit status and combined output.
func python(_ arguments: [String]) throws -> (Int32, String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3"] + arguments
    process.currentDirectoryURL = packageRoot
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    return (process.terminationStatus, output)
}

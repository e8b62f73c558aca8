import Foundation
import Testing
@testable import Sortie

/// Paths of the test tree.
enum TestPaths {
    static let testsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    static let fixtures = testsDirectory.appendingPathComponent("Fixtures")
    static let packageRoot = testsDirectory.deletingLastPathComponent().deletingLastPathComponent()
}

/// Set `SORTIE_UPDATE_GOLDEN=1` to rewrite golden files instead of comparing (then review the diff).
let updateGoldens = ProcessInfo.processInfo.environment["SORTIE_UPDATE_GOLDEN"] == "1"

/// Compiles one in-memory file.
func lint(_ bytes: [UInt8], path: String = "example.yaml") -> CompileResult {
    Compiler.compile(sources: [PolicySource(path: path, bytes: bytes)], root: "example/")
}

/// Compiles a fixture (a file or a directory) with paths relative to `base`.
func lintFixture(_ url: URL, relativeTo base: URL) throws -> CompileResult {
    let files = try PolicySetReader.files(at: url.path)
    let prefix = base.path.hasSuffix("/") ? base.path : base.path + "/"
    let sources = try files.map { file in
        PolicySource(path: String(file.dropFirst(prefix.count)), bytes: Array(try Data(contentsOf: URL(fileURLWithPath: file))))
    }
    var root = String(url.path.dropFirst(prefix.count))
    if url.hasDirectoryPath || (try? url.resourceValues(forKeys: [.isDirectoryKey]).isDirectory) == true { root += "/" }
    return Compiler.compile(sources: sources, root: root)
}

/// Compares `actual` with the golden file, or rewrites it in update mode.
func expectGolden(_ actual: String, _ golden: URL, sourceLocation: SourceLocation = #_sourceLocation) throws {
    if updateGoldens {
        try actual.write(to: golden, atomically: true, encoding: .utf8)
        return
    }
    let expected = try String(contentsOf: golden, encoding: .utf8)
    #expect(actual == expected, "golden \(golden.lastPathComponent) differs", sourceLocation: sourceLocation)
}

import Foundation

/// One policy file's bytes, and its path as the user gave it (diagnostics use that path).
public struct PolicySource: Sendable {
    public var path: String
    public var bytes: [UInt8]

    public init(path: String, bytes: [UInt8]) {
        self.path = path
        self.bytes = bytes
    }

    public init(path: String, text: String) {
        self.init(path: path, bytes: Array(text.utf8))
    }
}

/// A path that could not be read: `sortie` exits 2 on it.
public struct PolicyReadError: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var reason: String
    public var description: String { "\(path): \(reason)" }
}

/// Finds and reads the files of a policy set.
///
/// A directory is walked recursively for `.yaml` and `.yml` files; other files, and files or
/// folders whose name starts with `.`, are ignored. A file named explicitly is always read.
public enum PolicySetReader {
    public static func read(paths: [String]) throws(PolicyReadError) -> [PolicySource] {
        var sources: [PolicySource] = []
        for path in paths {
            for file in try files(at: path) {
                guard let data = FileManager.default.contents(atPath: file) else {
                    throw PolicyReadError(path: file, reason: "cannot read the file")
                }
                sources.append(PolicySource(path: file, bytes: Array(data)))
            }
        }
        return sources
    }

    /// The policy files under `path`, sorted, with paths built from `path` as given.
    public static func files(at path: String) throws(PolicyReadError) -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw PolicyReadError(path: path, reason: "no such file or directory")
        }
        guard isDirectory.boolValue else { return [path] }
        guard let children = try? FileManager.default.contentsOfDirectory(atPath: path) else {
            throw PolicyReadError(path: path, reason: "cannot read the directory")
        }
        var out: [String] = []
        for child in children.sorted() where !child.hasPrefix(".") {
            let full = join(path, child)
            var childIsDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: full, isDirectory: &childIsDirectory) else { continue }
            if childIsDirectory.boolValue {
                out += try files(at: full)
            } else if child.hasSuffix(".yaml") || child.hasSuffix(".yml") {
                out.append(full)
            }
        }
        return out
    }

    static func join(_ directory: String, _ child: String) -> String {
        directory.hasSuffix("/") ? directory + child : directory + "/" + child
    }
}

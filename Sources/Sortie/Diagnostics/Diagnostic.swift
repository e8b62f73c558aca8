@_exported import SortieYAML

/// How serious a diagnostic is: errors fail `sortie lint`, warnings only with `--strict`.
public enum Severity: String, Sendable, Codable, Comparable {
    case error
    case warning

    public static func < (a: Severity, b: Severity) -> Bool { a == .error && b == .warning }
}

/// One problem found in a policy set: which rule, how serious, what, and where.
///
/// `start`/`end` are nil for a problem of the whole set (no Tenant, say); `file` is then the
/// set's root path. `end` is exclusive, like a SARIF region's end column.
public struct Diagnostic: Sendable, Hashable, Codable {
    public var rule: String
    public var severity: Severity
    public var message: String
    public var file: String
    public var start: SourcePosition?
    public var end: SourcePosition?

    public init(rule: String, severity: Severity, message: String, file: String, start: SourcePosition?, end: SourcePosition?) {
        self.rule = rule
        self.severity = severity
        self.message = message
        self.file = file
        self.start = start
        self.end = end
    }

    /// The order diagnostics are printed in: file, line, column, then rule and message so ties
    /// are deterministic. Whole-set problems come first in their file.
    public static func sortKey(_ a: Diagnostic, _ b: Diagnostic) -> Bool {
        if a.file != b.file { return a.file < b.file }
        let pa = a.start ?? SourcePosition(line: 0, column: 0)
        let pb = b.start ?? SourcePosition(line: 0, column: 0)
        if pa != pb { return pa < pb }
        if a.rule != b.rule { return a.rule < b.rule }
        return a.message < b.message
    }
}

/// Collects diagnostics while a compiler stage runs.
public struct Diagnostics: Sendable {
    public private(set) var items: [Diagnostic] = []

    public init() {}

    public mutating func append(_ diagnostic: Diagnostic) { items.append(diagnostic) }
    public mutating func append(contentsOf other: [Diagnostic]) { items.append(contentsOf: other) }

    public var errorCount: Int { items.count { $0.severity == .error } }
    public var warningCount: Int { items.count { $0.severity == .warning } }
    public var hasErrors: Bool { items.contains { $0.severity == .error } }

    /// The diagnostics in printing order, without exact duplicates.
    public var sorted: [Diagnostic] {
        var seen = Set<Diagnostic>()
        return items.sorted(by: Diagnostic.sortKey).filter { seen.insert($0).inserted }
    }
}

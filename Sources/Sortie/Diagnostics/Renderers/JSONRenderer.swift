#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `{"diagnostics":[{"file","line","column","endLine","endColumn","severity","rule","message"}],"errors":N,"warnings":N}`.
/// Line fields are null for whole-set problems.
public enum JSONRenderer {
    public struct Entry: Encodable, Sendable {
        var file: String
        var line: Int?
        var column: Int?
        var endLine: Int?
        var endColumn: Int?
        var severity: Severity
        var rule: String
        var message: String

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(file, forKey: .file)
            try c.encode(line, forKey: .line)
            try c.encode(column, forKey: .column)
            try c.encode(endLine, forKey: .endLine)
            try c.encode(endColumn, forKey: .endColumn)
            try c.encode(severity, forKey: .severity)
            try c.encode(rule, forKey: .rule)
            try c.encode(message, forKey: .message)
        }

        enum CodingKeys: String, CodingKey { case file, line, column, endLine, endColumn, severity, rule, message }
    }

    /// The whole report, for embedding in another JSON document (the service's reload answer).
    public struct Report: Encodable, Sendable {
        public var diagnostics: [Entry]
        public var errors: Int
        public var warnings: Int
    }

    public static func render(_ diagnostics: [Diagnostic]) -> String {
        // A report holds only strings, integers and nulls, which always encode.
        try! encodeJSON(report(diagnostics), pretty: false) + "\n"
    }

    public static func report(_ diagnostics: [Diagnostic]) -> Report {
        Report(
            diagnostics: diagnostics.map {
                Entry(file: $0.file, line: $0.start?.line, column: $0.start?.column, endLine: $0.end?.line,
                      endColumn: $0.end?.column, severity: $0.severity, rule: $0.rule, message: $0.message)
            },
            errors: diagnostics.count { $0.severity == .error },
            warnings: diagnostics.count { $0.severity == .warning })
    }
}

/// Encodes `value` as JSON with keys sorted (so output is byte-for-byte stable) and no escaped
/// slashes; an encoding failure is thrown, never replaced by a placeholder.
func encodeJSON<T: Encodable>(_ value: T, pretty: Bool) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(value), as: UTF8.self)
}

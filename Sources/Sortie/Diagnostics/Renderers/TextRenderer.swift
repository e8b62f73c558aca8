/// The human format: a header line per diagnostic, then the source line with the span underlined.
///
/// ```
/// policies/profiles.yaml:12:7: error: unknown field "maxOutboundTask"; did you mean "maxOutboundTasks"? [unknown-field]
///    |
/// 12 |       maxOutboundTask: 3
///    |       ^~~~~~~~~~~~~~~
/// ```
public struct TextRenderer: Sendable {
    private var lines: [String: [Substring]] = [:]

    public init(sources: [String: [UInt8]]) {
        for (path, bytes) in sources {
            let text = String(decoding: bytes, as: UTF8.self)
            lines[path] = text.split(separator: "\n", omittingEmptySubsequences: false).map {
                $0.hasSuffix("\r") ? $0.dropLast() : $0
            }
        }
    }

    public func render(_ diagnostics: [Diagnostic]) -> String {
        diagnostics.map(render).joined()
    }

    public func render(_ d: Diagnostic) -> String {
        guard let start = d.start else {
            return "\(d.file): \(d.severity.rawValue): \(d.message) [\(d.rule)]\n"
        }
        var out = "\(d.file):\(start.line):\(start.column): \(d.severity.rawValue): \(d.message) [\(d.rule)]\n"
        guard let fileLines = lines[d.file], start.line - 1 < fileLines.count else { return out }
        let source = Array(fileLines[start.line - 1].unicodeScalars)
        let number = String(start.line)
        let gutter = String(repeating: " ", count: number.count)
        let column = min(max(start.column - 1, 0), source.count)
        var width = 1
        if let end = d.end, end.line == start.line {
            width = max(1, end.column - start.column)
        } else {
            width = max(1, source.count - column)
        }
        // Keep tabs in the padding so the caret lines up under tab-indented text.
        var padding = ""
        for scalar in source[..<column] { padding.unicodeScalars.append(scalar == "\t" ? "\t" : " ") }
        out += "\(gutter) |\n"
        out += "\(number) | \(String(String.UnicodeScalarView(source)))\n"
        out += "\(gutter) | \(padding)^\(String(repeating: "~", count: width - 1))\n"
        return out
    }
}

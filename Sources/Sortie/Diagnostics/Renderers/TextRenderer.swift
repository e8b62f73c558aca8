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
    /// Longer source lines are shown as a window around the span.
    static let maxLineWidth = 160

    private let sources: [String: [UInt8]]

    public init(sources: [String: [UInt8]]) {
        self.sources = sources
    }

    public func render(_ diagnostics: [Diagnostic]) -> String {
        var renderer = self
        // Split only the files that have diagnostics.
        for file in Set(diagnostics.map(\.file)) where renderer.lines[file] == nil {
            if let bytes = sources[file] {
                let content = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(bytes.dropFirst(3)) : bytes
                renderer.lines[file] = SourceLines.split(String(decoding: content, as: UTF8.self))
            }
        }
        return diagnostics.map(renderer.render).joined()
    }

    func render(_ d: Diagnostic) -> String {
        guard let start = d.start else {
            return "\(d.file): \(d.severity.rawValue): \(d.message) [\(d.rule)]\n"
        }
        var out = "\(d.file):\(start.line):\(start.column): \(d.severity.rawValue): \(d.message) [\(d.rule)]\n"
        guard let fileLines = lines[d.file], start.line - 1 < fileLines.count else { return out }
        var source = Array(fileLines[start.line - 1].unicodeScalars)
        let number = String(start.line)
        let gutter = String(repeating: " ", count: number.count)
        var column = min(max(start.column - 1, 0), source.count)
        var width = 1
        if let end = d.end, end.line == start.line {
            width = max(1, end.column - start.column)
        } else {
            width = max(1, source.count - column)
        }
        // Show a window of very long lines (minified or generated YAML) around the span.
        if source.count > Self.maxLineWidth {
            let from = max(0, column - 40)
            let to = min(source.count, from + Self.maxLineWidth)
            var window = Array(source[from..<to])
            if to < source.count { window += Array("...".unicodeScalars) }
            if from > 0 { window = Array("...".unicodeScalars) + window }
            column = column - from + (from > 0 ? 3 : 0)
            width = min(width, max(1, window.count - column))
            source = window
        }
        // Keep tabs in the padding so the caret lines up under tab-indented text.
        var padding = ""
        for scalar in source[..<column] { padding.unicodeScalars.append(scalar == "\t" ? "\t" : " ") }
        out += "\(gutter) |\n"
        // Control characters (a NUL from a UTF-16 file, say) are shown as U+FFFD, one column each.
        let shown = source.map { $0.value < 0x20 && $0 != "\t" || $0.value == 0x7F ? "\u{FFFD}" : $0 }
        out += "\(number) | \(String(String.UnicodeScalarView(shown)))\n"
        out += "\(gutter) | \(padding)^\(String(repeating: "~", count: width - 1))\n"
        return out
    }
}

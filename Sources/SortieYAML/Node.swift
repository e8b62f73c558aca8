/// A 1-based line and column in a source file. Columns count Unicode scalars, as libyaml does.
public struct SourcePosition: Sendable, Hashable, Comparable, Codable {
    public var line: Int
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public static func < (a: SourcePosition, b: SourcePosition) -> Bool {
        (a.line, a.column) < (b.line, b.column)
    }
}

/// Where a piece of YAML sits: its file, and its start and end positions.
///
/// `end` is exclusive: it is the position just after the last character, as in SARIF regions.
public struct SourceSpan: Sendable, Hashable, Codable {
    public var file: String
    public var start: SourcePosition
    public var end: SourcePosition

    public init(file: String, start: SourcePosition, end: SourcePosition) {
        self.file = file
        self.start = start
        self.end = end
    }

    /// `FILE:LINE`, the way diagnostics name an earlier occurrence.
    public var fileAndLine: String { "\(file):\(start.line)" }
}

/// A scalar as written: its text, and whether it was quoted (single, double, literal or folded
/// block scalars all count as "quoted": they are strings whatever they contain).
public struct YAMLScalar: Sendable, Hashable {
    public var value: String
    public var isQuoted: Bool
    public var span: SourceSpan

    public init(value: String, isQuoted: Bool, span: SourceSpan) {
        self.value = value
        self.isQuoted = isQuoted
        self.span = span
    }

    /// True for a plain `null`, `Null`, `NULL`, `~` or an empty plain scalar.
    public var isNull: Bool {
        !isQuoted && (value.isEmpty || value == "~" || value == "null" || value == "Null" || value == "NULL")
    }
}

/// One `key: value` pair of a mapping. Keys are always scalars (complex keys are rejected).
public struct YAMLEntry: Sendable, Hashable {
    public var key: YAMLScalar
    public var value: YAMLNode
}

/// A mapping, keeping its entries in source order.
public struct YAMLMapping: Sendable, Hashable {
    public var entries: [YAMLEntry]
    public var span: SourceSpan
    /// True when a merge key, a duplicate key or a complex key was rejected here (and its value
    /// dropped): a field may then be "missing" only because of that, already reported, mistake.
    public var hasRejectedKeys = false

    /// The entry for `key`, if any (keys are unique once loaded).
    public subscript(key: String) -> YAMLEntry? {
        entries.first { $0.key.value == key }
    }
}

/// A sequence, keeping its items in order.
public struct YAMLSequence: Sendable, Hashable {
    public var items: [YAMLNode]
    public var span: SourceSpan
}

/// A node of a loaded YAML document. Every node knows its span.
public indirect enum YAMLNode: Sendable, Hashable {
    case scalar(YAMLScalar)
    case mapping(YAMLMapping)
    case sequence(YAMLSequence)

    public var span: SourceSpan {
        switch self {
        case .scalar(let s): s.span
        case .mapping(let m): m.span
        case .sequence(let s): s.span
        }
    }

    /// A short description of what the node is, for "expected X, found Y" messages.
    public var shapeDescription: String {
        switch self {
        case .scalar(let s):
            if s.isNull { return "null" }
            return s.isQuoted ? "a quoted string \(YAMLScalar.quote(s.value))" : YAMLScalar.quote(s.value)
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        }
    }
}

extension YAMLScalar {
    /// `value` in double quotes, shortened to 40 characters for messages.
    public static func quote(_ value: String) -> String {
        let short = value.count > 40 ? String(value.prefix(37)) + "..." : value
        var out = "\""
        for ch in short.unicodeScalars {
            switch ch {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default:
                if ch.value < 0x20 { out += "\\u{\(String(ch.value, radix: 16))}" } else { out.unicodeScalars.append(ch) }
            }
        }
        return out + "\""
    }
}

/// One YAML document of a file: its root node (nil for an empty document) and its span.
public struct YAMLDocument: Sendable, Hashable {
    public var root: YAMLNode?
    public var span: SourceSpan
    /// The document's index in its file, from 0.
    public var index: Int
}

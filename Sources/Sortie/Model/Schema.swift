/// A value read from a policy file, with where it was written.
public struct Located<Value: Sendable & Hashable>: Sendable, Hashable {
    public var value: Value
    public var span: SourceSpan

    public init(_ value: Value, at span: SourceSpan) {
        self.value = value
        self.span = span
    }
}

/// The schema walker's state: collects every problem of a document in one pass.
///
/// Each reading function reports what is wrong and returns nil, so a caller never cascades
/// one mistake into more (a broken field is simply unknown to later checks).
final class DecodeContext {
    var diagnostics = Diagnostics()

    func report(_ diagnostic: Diagnostic) { diagnostics.append(diagnostic) }

    // MARK: Mappings

    /// The node as a mapping whose keys must be among `known` (unknown keys are reported with a
    /// did-you-mean). Nil, with a `wrong-type` report, when the node is not a mapping.
    func fields(_ node: YAMLNode, path: @autoclosure @escaping () -> String, known: [String]) -> Fields? {
        guard case .mapping(let mapping) = node else {
            report(Rules.WrongType.diagnostic(field: path(), expected: "a mapping", found: node))
            return nil
        }
        for entry in mapping.entries where !known.contains(entry.key.value) {
            report(Rules.UnknownField.diagnostic(field: entry.key.value, path: path(), known: known, at: entry.key.span))
        }
        return Fields(mapping: mapping, makePath: path, context: self)
    }

    /// The node as a mapping with free-form keys (a map of names to values).
    func map(_ node: YAMLNode, path: @autoclosure () -> String) -> YAMLMapping? {
        guard case .mapping(let mapping) = node else {
            report(Rules.WrongType.diagnostic(field: path(), expected: "a mapping", found: node))
            return nil
        }
        return mapping
    }

    // MARK: Scalars

    func string(_ node: YAMLNode, path: @autoclosure () -> String) -> Located<String>? {
        guard case .scalar(let s) = node, !s.isNull else {
            report(Rules.WrongType.diagnostic(field: path(), expected: "a string", found: node))
            return nil
        }
        return Located(s.value, at: s.span)
    }

    func int(_ node: YAMLNode, path: @autoclosure () -> String) -> Located<Int>? {
        guard case .scalar(let s) = node, !s.isQuoted, let value = Self.parseInt(s.value) else {
            report(Rules.WrongType.diagnostic(field: path(), expected: "an integer", found: node))
            return nil
        }
        return Located(value, at: s.span)
    }

    func bool(_ node: YAMLNode, path: @autoclosure () -> String) -> Located<Bool>? {
        guard case .scalar(let s) = node, !s.isQuoted, s.value == "true" || s.value == "false" else {
            report(Rules.WrongType.diagnostic(field: path(), expected: "true or false", found: node))
            return nil
        }
        return Located(s.value == "true", at: s.span)
    }

    func enumeration<E: RawRepresentable & CaseIterable & Sendable & Hashable>(_ node: YAMLNode, path: @autoclosure () -> String, as: E.Type) -> Located<E>? where E.RawValue == String {
        guard let text = string(node, path: path()) else { return nil }
        guard let value = E(rawValue: text.value) else {
            report(Rules.InvalidEnumValue.diagnostic(field: path(), value: text.value, allowed: E.allCases.map(\.rawValue), at: text.span))
            return nil
        }
        return Located(value, at: text.span)
    }

    /// A name in the `metadata.name` format. A badly formed name is reported but still returned,
    /// so messages and duplicate checks can name the document as its author wrote it.
    func name(_ node: YAMLNode, path: @autoclosure () -> String) -> Located<String>? {
        guard let text = string(node, path: path()) else { return nil }
        if !PolicyName.isValid(text.value) {
            report(Rules.InvalidName.diagnostic(field: path(), name: text.value, at: text.span))
        }
        return text
    }

    // MARK: Lists

    /// The node as a list, each item read by `item`. Broken items are left out.
    func list<T>(_ node: YAMLNode, path: @autoclosure () -> String, nonEmpty: Bool, item: (YAMLNode, @autoclosure () -> String) -> T?) -> [T]? {
        guard case .sequence(let sequence) = node else {
            report(Rules.WrongType.diagnostic(field: path(), expected: "a list", found: node))
            return nil
        }
        if nonEmpty && sequence.items.isEmpty {
            report(Rules.EmptyList.diagnostic(field: path(), at: sequence.span))
        }
        var out: [T] = []
        withoutActuallyEscaping(path) { path in
            for (i, element) in sequence.items.enumerated() {
                if let value = item(element, "\(path())[\(i)]") { out.append(value) }
            }
        }
        return out
    }

    /// A list of strings that is a set: repeated items are reported as `duplicate-item`.
    func stringSet(_ node: YAMLNode, path: @autoclosure () -> String, nonEmpty: Bool) -> [Located<String>]? {
        guard let items = list(node, path: path(), nonEmpty: nonEmpty, item: { string($0, path: $1()) }) else { return nil }
        var first: [String: SourceSpan] = [:]
        var out: [Located<String>] = []
        for item in items {
            if let earlier = first[item.value] {
                report(Rules.DuplicateItem.diagnostic(field: path(), item: item.value, first: earlier, at: item.span))
            } else {
                first[item.value] = item.span
                out.append(item)
            }
        }
        return out
    }

    /// Decimal integers only: `12`, `-3`, `+4`. No octal, hex, floats or `_` separators.
    static func parseInt(_ text: String) -> Int? {
        var digits = Substring(text).utf8[...]
        if digits.first == UInt8(ascii: "-") || digits.first == UInt8(ascii: "+") { digits = digits.dropFirst() }
        guard !digits.isEmpty, digits.allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        return Int(text.first == "+" ? String(text.dropFirst()) : text)
    }
}

/// A mapping being decoded against a fixed set of fields.
struct Fields {
    let mapping: YAMLMapping
    /// The mapping's dotted path, built only when a message needs it.
    let makePath: () -> String
    let context: DecodeContext

    var path: String { makePath() }

    /// `path.key`, for messages.
    func path(_ key: String) -> String {
        let path = makePath()
        return path.isEmpty ? key : "\(path).\(key)"
    }

    /// The value of `key`, or nil when it is absent or null (an optional field left out).
    func optional(_ key: String) -> YAMLNode? {
        guard let entry = mapping[key] else { return nil }
        if case .scalar(let s) = entry.value, s.isNull { return nil }
        return entry.value
    }

    /// The value of `key`; reports `missing-field` when absent (and `wrong-type` when null).
    func required(_ key: String) -> YAMLNode? {
        guard let entry = mapping[key] else {
            // A misspelt key is already reported as unknown-field with this key as its
            // suggestion; saying "missing" as well would be one mistake reported twice.
            let misspelt = mapping.entries.contains { entry in
                entry.key.value != key && Suggestion.closest(to: entry.key.value, in: [key]) != nil
            }
            if !misspelt && !mapping.hasRejectedKeys {
                context.report(Rules.MissingField.diagnostic(field: key, path: path, at: mapping.span))
            }
            return nil
        }
        if case .scalar(let s) = entry.value, s.isNull {
            context.report(Rules.MissingField.diagnostic(field: key, path: path, at: entry.key.span))
            return nil
        }
        return entry.value
    }

    /// Whether `key` is written at all (even as null).
    func contains(_ key: String) -> Bool { mapping[key] != nil }
}

/// The policy name format: `[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?`.
public enum PolicyName {
    /// The format as a regular expression (the schema's `pattern`).
    public static let pattern = "^[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?$"

    public static func isValid(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard (1...64).contains(bytes.count) else { return false }
        func alnum(_ b: UInt8) -> Bool { (b >= 97 && b <= 122) || (b >= 48 && b <= 57) }
        guard let first = bytes.first, let last = bytes.last, alnum(first), alnum(last) else { return false }
        return bytes.allSatisfy { alnum($0) || $0 == UInt8(ascii: "-") }
    }
}

/// "Did you mean" suggestions by edit distance.
enum Suggestion {
    /// The candidate closest to `word`, if it is close enough to be a likely typo.
    static func closest(to word: String, in candidates: [String]) -> String? {
        let lower = word.lowercased()
        var best: (String, Int)?
        for candidate in candidates {
            let d = distance(lower, candidate.lowercased())
            let limit = max(2, candidate.count / 3)
            if d <= limit, d < (best?.1 ?? Int.max) { best = (candidate, d) }
        }
        return best?.0
    }

    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a.unicodeScalars), b = Array(b.unicodeScalars)
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            swap(&previous, &current)
        }
        return previous[b.count]
    }
}

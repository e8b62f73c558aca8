import Foundation
import SortieYAML

/// The OpenAPI description of the HTTP API, served at `GET /v1/openapi.json`.
///
/// docs/openapi.yaml is the one source: `OpenAPIDocument.yaml` is a verbatim copy compiled in
/// (scripts/update-docs writes it; a test fails when it differs), and the JSON is derived from it
/// once, by Sortie's own YAML reader, so the served document cannot differ from the committed one.
public enum OpenAPIDocument {
    /// docs/openapi.yaml as JSON (keys in document order).
    public static let json: [UInt8] = {
        let file = YAMLLoader().load(bytes: Array(yaml.utf8), path: "docs/openapi.yaml")
        // The embedded copy is checked by the tests; a document that does not load is a build mistake.
        guard file.issues.isEmpty, let root = file.documents.first?.root else {
            fatalError("docs/openapi.yaml does not load: \(file.issues)")
        }
        var out = ""
        JSONText.write(root, to: &out)
        return Array(out.utf8)
    }()
}

/// YAML nodes as JSON text, typing plain scalars as YAML 1.2's core schema does (what OpenAPI
/// tools read): `null`/`~`/empty, `true`/`false`, decimal integers and floats; everything else,
/// and every quoted scalar, is a string.
enum JSONText {
    static func write(_ node: YAMLNode, to out: inout String) {
        switch node {
        case .scalar(let scalar):
            out += literal(scalar)
        case .sequence(let sequence):
            out += "["
            for (i, item) in sequence.items.enumerated() {
                if i > 0 { out += "," }
                write(item, to: &out)
            }
            out += "]"
        case .mapping(let mapping):
            out += "{"
            for (i, entry) in mapping.entries.enumerated() {
                if i > 0 { out += "," }
                string(entry.key.value, to: &out)
                out += ":"
                write(entry.value, to: &out)
            }
            out += "}"
        }
    }

    static func literal(_ scalar: YAMLScalar) -> String {
        var text = ""
        if scalar.isQuoted {
            string(scalar.value, to: &text)
            return text
        }
        if scalar.isNull { return "null" }
        switch scalar.value {
        case "true", "True", "TRUE": return "true"
        case "false", "False", "FALSE": return "false"
        default: break
        }
        if isInteger(scalar.value), let value = Int(scalar.value.hasPrefix("+") ? String(scalar.value.dropFirst()) : scalar.value) {
            return String(value)
        }
        if isFloat(scalar.value), let value = Double(scalar.value), value.isFinite {
            return "\(value)"
        }
        string(scalar.value, to: &text)
        return text
    }

    /// `[-+]?[0-9]+`
    static func isInteger(_ text: String) -> Bool {
        let digits = text.first == "-" || text.first == "+" ? text.dropFirst() : Substring(text)
        return !digits.isEmpty && digits.allSatisfy { $0.isASCII && $0.isNumber }
    }

    /// `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?` with a dot or an exponent.
    static func isFloat(_ text: String) -> Bool {
        var rest = text.first == "-" || text.first == "+" ? text.dropFirst() : Substring(text)
        var exponent = ""
        if let e = rest.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = String(rest[rest.index(after: e)...])
            rest = rest[..<e]
            if exponent.first == "-" || exponent.first == "+" { exponent.removeFirst() }
            guard !exponent.isEmpty, exponent.allSatisfy({ $0.isASCII && $0.isNumber }) else { return false }
        }
        let parts = rest.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        let whole = parts[0], fraction = parts.count > 1 ? parts[1] : ""
        guard whole.allSatisfy({ $0.isASCII && $0.isNumber }), fraction.allSatisfy({ $0.isASCII && $0.isNumber }) else { return false }
        guard !(whole.isEmpty && fraction.isEmpty) else { return false }
        return parts.count > 1 || !exponent.isEmpty
    }

    /// `value` as a JSON string literal, escaped by Foundation's encoder (this runs once, at the
    /// first request for the document).
    static func string(_ value: String, to out: inout String) {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        // Encoding a String cannot fail.
        out += String(decoding: try! encoder.encode(value), as: UTF8.self)
    }
}

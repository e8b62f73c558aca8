/// A JSON value, as a request arrives: decoded without guessing (a boolean stays a boolean, a
/// number a number), so the request schema can say exactly which field has the wrong type.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case integer(Int)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// Parses one JSON text (RFC 8259, strictly). Nil when it is not exactly one JSON value, or
    /// when an object has a key twice (two readers must never read one text two ways).
    public static func parse(_ bytes: some Collection<UInt8>) -> JSONValue? {
        try? parseReportingDuplicates(bytes).get()
    }

    /// Why a text is not one JSON value a request can be read from.
    public enum ParseFailure: Error, Sendable, Hashable {
        case notJSON
        /// A key written twice in one object: its dotted path (`agent.id`), and the text's
        /// top-level `id` when it is written once, as a string.
        case duplicateKey(path: String, id: String?)
    }

    /// Parses one JSON text, saying why it is refused: not JSON, or a key written twice.
    public static func parseReportingDuplicates(_ bytes: some Collection<UInt8>) -> Result<JSONValue, ParseFailure> {
        switch JSONParser.parseReportingDuplicates(bytes) {
        case .failure(let failure): return .failure(failure)
        case .success((let value, nil)): return .success(value)
        case .success((let value, let duplicate?)):
            var id: String?
            if duplicate != ["id"], case .object(let object) = value, case .string(let text)? = object["id"] { id = text }
            return .failure(.duplicateKey(path: duplicate.joined(separator: "."), id: id))
        }
    }

    /// What the value is, for "expected X, found Y" messages.
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .integer, .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

extension JSONValue {
    /// A request written in YAML (a PolicyTest case), typed as JSON would type it: plain
    /// `true`/`false` are booleans, plain decimal integers are numbers, plain `null`/`~` is null;
    /// quoted scalars are always strings.
    public init(yaml node: YAMLNode) {
        switch node {
        case .scalar(let s):
            if s.isQuoted {
                self = .string(s.value)
            } else if s.isNull {
                self = .null
            } else if s.value == "true" || s.value == "false" {
                self = .bool(s.value == "true")
            } else if let value = DecodeContext.parseInt(s.value) {
                self = .integer(value)
            } else if let value = Double(s.value), s.value.contains(".") {
                self = .number(value)
            } else {
                self = .string(s.value)
            }
        case .sequence(let seq):
            self = .array(seq.items.map(JSONValue.init(yaml:)))
        case .mapping(let map):
            var object: [String: JSONValue] = [:]
            for entry in map.entries { object[entry.key.value] = JSONValue(yaml: entry.value) }
            self = .object(object)
        }
    }
}

/// How a declared value is read from YAML and what JSON Schema it publishes.
///
/// Each kind declares its fields once, as `Field` values built from these shapes; the schema
/// walker reads every field through `Fields.read(_:)`, and `sortie schema` publishes the same
/// declarations (`PolicySchema`), so the two cannot disagree on a field's name, type, enum,
/// range, pattern or default.
public struct ValueShape<Value>: Sendable {
    /// The JSON Schema of the value.
    let schema: @Sendable () -> JSONSchema
    /// Reads the value, reporting what is wrong and returning nil (the walker's convention).
    let read: @Sendable (DecodeContext, YAMLNode, @escaping () -> String) -> Value?
    /// The value as a JSON literal, for published defaults. Nil for shapes without defaults.
    let literal: (@Sendable (Value) -> JSONSchema.Literal)?
}

extension ValueShape where Value == Located<String> {
    /// Any scalar but null, read as its text: Sortie types scalars by the schema, so `0123`,
    /// `NO` and `true` written where a string is expected are the strings "0123", "NO", "true".
    /// Editors read such plain scalars as YAML 1.2 numbers or booleans, hence the union type.
    static var string: ValueShape {
        ValueShape(schema: { JSONSchema(type: JSONSchema.scalarTypes) },
                   read: { context, node, path in context.string(node, path: path()) },
                   literal: { .string($0.value) })
    }

    /// A document name: `[a-z0-9]([a-z0-9-]{0,62}[a-z0-9])?` (a malformed name is reported but
    /// still read, so later messages can name the document).
    static var name: ValueShape {
        ValueShape(schema: { JSONSchema(type: JSONSchema.scalarTypes, pattern: PolicyName.pattern) },
                   read: { context, node, path in context.name(node, path: path()) },
                   literal: { .string($0.value) })
    }

    /// A string that must be exactly `value` (`apiVersion`).
    static func constant(_ value: String, otherwise report: @escaping @Sendable (Located<String>) -> Diagnostic) -> ValueShape {
        ValueShape(schema: { JSONSchema(const: .string(value)) },
                   read: { context, node, path in
                       guard let text = context.string(node, path: path()) else { return nil }
                       if text.value != value { context.report(report(text)) }
                       return text
                   },
                   literal: { .string($0.value) })
    }
}

extension ValueShape where Value == Located<Bool> {
    /// `true` or `false`, unquoted (no YAML 1.1 `yes`/`on`).
    static var boolean: ValueShape {
        ValueShape(schema: { JSONSchema(type: ["boolean"]) },
                   read: { context, node, path in context.bool(node, path: path()) },
                   literal: { .bool($0.value) })
    }
}

extension ValueShape where Value == Located<Int> {
    /// A plain decimal integer within `range` (`limit-out-of-range` outside it).
    static func integer(in range: ClosedRange<Int>) -> ValueShape {
        ValueShape(schema: { JSONSchema(type: ["integer"], minimum: range.lowerBound, maximum: range.upperBound) },
                   read: { context, node, path in
                       guard let value = context.int(node, path: path()) else { return nil }
                       guard range.contains(value.value) else {
                           context.report(Rules.LimitOutOfRange.diagnostic(field: path(), value: value.value, at: value.span))
                           return nil
                       }
                       return value
                   },
                   literal: { .int($0.value) })
    }
}

extension ValueShape {
    /// One of `E`'s raw values (case-sensitive).
    static func enumeration<E: RawRepresentable & CaseIterable & Sendable & Hashable>(_: E.Type) -> ValueShape
    where Value == Located<E>, E.RawValue == String {
        ValueShape(schema: { JSONSchema(type: ["string"], enum: E.allCases.map { .string($0.rawValue) }) },
                   read: { context, node, path in context.enumeration(node, path: path(), as: E.self) },
                   literal: { .string($0.value.rawValue) })
    }

}

extension ValueShape where Value == [Located<String>] {
    /// A list of strings that is a set: a repeated item is a warning (`duplicate-item`), so the
    /// schema does not forbid it.
    static func stringSet(nonEmpty: Bool) -> ValueShape {
        ValueShape(schema: { JSONSchema(type: ["array"], items: JSONSchema(type: JSONSchema.scalarTypes), minItems: nonEmpty ? 1 : nil) },
                   read: { context, node, path in context.stringSet(node, path: path(), nonEmpty: nonEmpty) },
                   literal: { .array($0.map { .string($0.value) }) })
    }

    /// A list of reason codes (the link stage checks that each is one: `unknown-reason-code`).
    static var reasonCodes: ValueShape {
        ValueShape(schema: { JSONSchema(type: ["array"], items: .reasonCode) },
                   read: { context, node, path in context.stringSet(node, path: path(), nonEmpty: false) },
                   literal: { .array($0.map { .string($0.value) }) })
    }

}

extension ValueShape {
    /// A list of `E` values that is a set.
    static func enumerationSet<E: RawRepresentable & CaseIterable & Sendable & Hashable>(_: E.Type, nonEmpty: Bool) -> ValueShape
    where Value == [Located<E>], E.RawValue == String {
        ValueShape(schema: { JSONSchema(type: ["array"], items: ValueShape<Located<E>>.enumeration(E.self).schema(), minItems: nonEmpty ? 1 : nil) },
                   read: { context, node, path in
                       context.list(node, path: path(), nonEmpty: nonEmpty) { context.enumeration($0, path: $1(), as: E.self) }
                           .map { context.unique($0, path: path()) }
                   },
                   literal: { .array($0.map { .string($0.value.rawValue) }) })
    }

}

extension ValueShape where Value == Fields {
    /// A mapping with the fields of `object` (unknown keys are `unknown-field` with a did-you-mean).
    static func object(_ object: ObjectDeclaration) -> ValueShape {
        ValueShape(schema: { object.schema() },
                   read: { context, node, path in context.fields(node, path: path(), object: object) },
                   literal: nil)
    }

    /// A mapping whose keys are names the author chooses (or the cases of `keys`), each value
    /// of `values`' schema; the kind reads the entries itself.
}

extension ValueShape where Value == YAMLMapping {
    static func map(keys: MapKeys = .free, values: @escaping @Sendable () -> JSONSchema, nonEmpty: Bool) -> ValueShape {
        ValueShape(schema: { keys.schema(values: values(), nonEmpty: nonEmpty) },
                   read: { context, node, path in
                       guard let mapping = context.map(node, path: path()) else { return nil }
                       if nonEmpty && mapping.entries.isEmpty {
                           context.report(Rules.EmptyList.diagnostic(field: path(), at: mapping.span))
                       }
                       return mapping
                   },
                   literal: nil)
    }

}

extension ValueShape where Value == YAMLNode {
    /// Any mapping (a PolicyTest request: typed by the request schema when the case runs).
    static var anyMapping: ValueShape {
        ValueShape(schema: { JSONSchema(type: ["object"]) },
                   read: { context, node, path in context.map(node, path: path()).map { _ in node } },
                   literal: nil)
    }
}

/// The keys of a `map` shape.
public enum MapKeys: Sendable {
    /// Names the author chooses (licenses, locales).
    case free
    /// Exactly these keys, each optional (a profile's channels).
    case only([String])
    /// Reason codes (the link stage checks them: `unknown-reason-code`).
    case reasonCodes

    func schema(values: JSONSchema, nonEmpty: Bool) -> JSONSchema {
        let minProperties = nonEmpty ? 1 : nil
        switch self {
        case .free:
            return JSONSchema(type: ["object"], additionalProperties: .schema(values), minProperties: minProperties)
        case .only(let keys):
            return JSONSchema(type: ["object"], properties: keys.map { ($0, values) }, additionalProperties: .forbidden,
                              minProperties: minProperties)
        case .reasonCodes:
            return JSONSchema(type: ["object"], additionalProperties: .schema(values), minProperties: minProperties,
                              propertyNames: .reasonCode)
        }
    }
}

/// Whether a field must be written.
public enum Presence: Sendable, Hashable {
    case required
    case optional
    /// Must not be written (a MessageTemplate's `subject` on SMS).
    case forbidden
}

/// One field of a mapping: its key, shape, presence, default and description.
public struct Field<Value>: Sendable {
    public let name: String
    let shape: ValueShape<Value>
    public let presence: Presence
    /// The value an omitted field means, at the span of the mapping that omits it.
    let defaultValue: (@Sendable (SourceSpan) -> Value)?
    /// What the field means (the schema's `description`).
    public let summary: String

    init(_ name: String, _ shape: ValueShape<Value>, _ presence: Presence, default defaultValue: (@Sendable (SourceSpan) -> Value)? = nil,
         _ summary: String) {
        self.name = name
        self.shape = shape
        self.presence = presence
        self.defaultValue = defaultValue
        self.summary = summary
    }

    /// The field without its type, for the mapping's declaration.
    var declared: DeclaredField {
        let shape = shape
        let defaultValue = defaultValue
        return DeclaredField(name: name, presence: presence, summary: summary, schema: {
            let schema = shape.schema()
            schema.description = summary
            if let defaultValue, let literal = shape.literal {
                schema.defaultValue = literal(defaultValue(SourceSpan(file: "", start: .init(line: 0, column: 0), end: .init(line: 0, column: 0))))
            }
            return schema
        })
    }
}

/// A field of a mapping, type-erased: what `fields(_:object:)` needs to check keys and what
/// `sortie schema` publishes.
public struct DeclaredField: Sendable {
    public let name: String
    public let presence: Presence
    public let summary: String
    let schema: @Sendable () -> JSONSchema
}

/// The fields of one mapping, in the order the docs list them.
public struct ObjectDeclaration: Sendable {
    public let fields: [DeclaredField]
    /// A field whose presence depends on another field's value: (field, on, value → presence).
    let conditional: [(field: String, on: String, presence: [(String, Presence)])]

    init(_ fields: [DeclaredField], conditional: [(field: String, on: String, presence: [(String, Presence)])] = []) {
        self.fields = fields
        self.conditional = conditional
    }

    public var names: [String] { fields.map(\.name) }

    func schema() -> JSONSchema {
        let schema = JSONSchema(type: ["object"], properties: fields.map { ($0.name, $0.schema()) }, additionalProperties: .forbidden)
        let required = fields.filter { $0.presence == .required }.map(\.name)
        schema.required = required.isEmpty ? nil : required
        var rules: [JSONSchema] = []
        for condition in conditional {
            for (value, presence) in condition.presence where presence != .optional {
                let when = JSONSchema(properties: [(condition.on, JSONSchema(const: .string(value)))])
                when.required = [condition.on]
                let then = JSONSchema()
                if presence == .required {
                    then.required = [condition.field]
                } else {
                    let present = JSONSchema()
                    present.required = [condition.field]
                    then.not = present
                }
                let rule = JSONSchema()
                rule.ifSchema = when
                rule.thenSchema = then
                rules.append(rule)
            }
        }
        schema.allOf = rules.isEmpty ? nil : rules
        return schema
    }
}

extension DecodeContext {
    /// The node as a mapping with the fields `object` declares.
    func fields(_ node: YAMLNode, path: @autoclosure @escaping () -> String, object: ObjectDeclaration) -> Fields? {
        fields(node, path: path(), known: object.names)
    }

    /// `items` without repeats (each repeat reported as `duplicate-item`).
    func unique<E: RawRepresentable & Hashable & Sendable>(_ items: [Located<E>], path: String) -> [Located<E>] where E.RawValue == String {
        var first: [E: SourceSpan] = [:]
        return items.filter { item in
            if let earlier = first[item.value] {
                report(Rules.DuplicateItem.diagnostic(field: path, item: item.value.rawValue, first: earlier, at: item.span))
                return false
            }
            first[item.value] = item.span
            return true
        }
    }
}

extension Fields {
    /// The declared field's value: read by its shape when written; its default (or nil) when
    /// omitted; `missing-field` when a required field is absent.
    func read<Value>(_ field: Field<Value>) -> Value? {
        let node: YAMLNode?
        switch field.presence {
        case .required: node = required(field.name)
        case .optional, .forbidden: node = optional(field.name)
        }
        guard let node else { return field.defaultValue?(mapping.span) }
        return field.shape.read(context, node, { path(field.name) })
    }
}

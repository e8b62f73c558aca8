import Foundation

/// A JSON Schema (draft 2020-12) node, as `sortie schema` writes it.
///
/// A class so that nodes can nest (`items`, `not`, `if`…); built fresh for every use.
public final class JSONSchema: Encodable {
    /// A JSON value in `const`, `enum` and `default`.
    public enum Literal: Encodable, Hashable, Sendable {
        case string(String)
        case int(Int)
        case bool(Bool)
        case array([Literal])

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .string(let value): try container.encode(value)
            case .int(let value): try container.encode(value)
            case .bool(let value): try container.encode(value)
            case .array(let values): try container.encode(values)
            }
        }
    }

    /// `additionalProperties`: false, or the schema of every other key's value.
    public enum Additional: Encodable {
        case forbidden
        case schema(JSONSchema)

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .forbidden: try container.encode(false)
            case .schema(let schema): try container.encode(schema)
            }
        }
    }

    /// The JSON types a Sortie string accepts: any scalar but null (see `ValueShape.string`).
    static let scalarTypes = ["string", "number", "boolean"]

    var schemaURI: String?
    var id: String?
    var title: String?
    var description: String?
    var type: [String]?
    var const: Literal?
    var enumeration: [Literal]?
    var pattern: String?
    var defaultValue: Literal?
    var minimum: Int?
    var maximum: Int?
    var items: JSONSchema?
    var minItems: Int?
    /// In declaration order (encoded as an object; JSON readers keep no order anyway).
    var properties: [(String, JSONSchema)]?
    var required: [String]?
    var additionalProperties: Additional?
    var minProperties: Int?
    var propertyNames: JSONSchema?
    var ref: String?
    var defs: [(String, JSONSchema)]?
    var allOf: [JSONSchema]?
    var ifSchema: JSONSchema?
    var thenSchema: JSONSchema?
    var not: JSONSchema?

    init(type: [String]? = nil, const: Literal? = nil, enum enumeration: [Literal]? = nil, pattern: String? = nil,
         minimum: Int? = nil, maximum: Int? = nil, items: JSONSchema? = nil, minItems: Int? = nil,
         properties: [(String, JSONSchema)]? = nil, additionalProperties: Additional? = nil, minProperties: Int? = nil,
         propertyNames: JSONSchema? = nil, ref: String? = nil) {
        self.type = type
        self.const = const
        self.enumeration = enumeration
        self.pattern = pattern
        self.minimum = minimum
        self.maximum = maximum
        self.items = items
        self.minItems = minItems
        self.properties = properties
        self.additionalProperties = additionalProperties
        self.minProperties = minProperties
        self.propertyNames = propertyNames
        self.ref = ref
    }

    /// A reason code (checked by the link stage: `unknown-reason-code`).
    static var reasonCode: JSONSchema {
        JSONSchema(type: ["string"], enum: ReasonCode.allCases.map { .string($0.name) })
    }

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ string: String) { stringValue = string }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    private struct Properties: Encodable {
        let entries: [(String, JSONSchema)]
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Key.self)
            for (name, schema) in entries { try container.encode(schema, forKey: Key(name)) }
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encodeIfPresent(schemaURI, forKey: Key("$schema"))
        try c.encodeIfPresent(id, forKey: Key("$id"))
        try c.encodeIfPresent(title, forKey: Key("title"))
        try c.encodeIfPresent(description, forKey: Key("description"))
        if let type, type.count == 1 {
            try c.encode(type[0], forKey: Key("type"))
        } else {
            try c.encodeIfPresent(type, forKey: Key("type"))
        }
        try c.encodeIfPresent(const, forKey: Key("const"))
        try c.encodeIfPresent(enumeration, forKey: Key("enum"))
        try c.encodeIfPresent(pattern, forKey: Key("pattern"))
        try c.encodeIfPresent(defaultValue, forKey: Key("default"))
        try c.encodeIfPresent(minimum, forKey: Key("minimum"))
        try c.encodeIfPresent(maximum, forKey: Key("maximum"))
        try c.encodeIfPresent(items, forKey: Key("items"))
        try c.encodeIfPresent(minItems, forKey: Key("minItems"))
        try c.encodeIfPresent(properties.map { Properties(entries: $0) }, forKey: Key("properties"))
        try c.encodeIfPresent(required, forKey: Key("required"))
        try c.encodeIfPresent(additionalProperties, forKey: Key("additionalProperties"))
        try c.encodeIfPresent(minProperties, forKey: Key("minProperties"))
        try c.encodeIfPresent(propertyNames, forKey: Key("propertyNames"))
        try c.encodeIfPresent(ref, forKey: Key("$ref"))
        try c.encodeIfPresent(defs.map { Properties(entries: $0) }, forKey: Key("$defs"))
        try c.encodeIfPresent(allOf, forKey: Key("allOf"))
        try c.encodeIfPresent(ifSchema, forKey: Key("if"))
        try c.encodeIfPresent(thenSchema, forKey: Key("then"))
        try c.encodeIfPresent(not, forKey: Key("not"))
    }
}

/// The JSON Schema of policy documents (`sortie schema`, committed as docs/sortie-policy.schema.json).
///
/// Built from the declarations the schema walker decodes with: the envelope's and each kind's
/// `ObjectDeclaration`. What a schema cannot see — references between documents, duplicate
/// names and claims, addresses, placeholders — stays `sortie lint`'s.
public enum PolicySchema {
    /// The schema's `$id`: a name, not a location (editors find the file by the relative path).
    public static let id = "urn:sortie:policy-schema:v1"

    /// The schema as pretty-printed JSON (keys sorted, so the output is byte-stable), with a final newline.
    public static func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        // The schema is built from constants; failing to encode it is a programming error.
        let data = try! encoder.encode(document())
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    static func document() -> JSONSchema {
        let root = JSONSchema(type: ["object"])
        root.schemaURI = "https://json-schema.org/draft/2020-12/schema"
        root.id = id
        root.title = "Sortie policy document"
        root.description = "One YAML document of a Sortie policy set (apiVersion \(currentAPIVersion)). `kind` selects the definition of its spec. References between documents, duplicate names and claims, addresses and message placeholders are checked by `sortie lint`, not by this schema."
        root.properties = PolicyDocument.envelope.fields.map { ($0.name, $0.schema()) }
        root.required = PolicyDocument.envelope.fields.filter { $0.presence == .required }.map(\.name)
        root.additionalProperties = .forbidden
        root.allOf = PolicyKind.allCases.map { kind in
            let when = JSONSchema(properties: [("kind", JSONSchema(const: .string(kind.rawValue)))])
            when.required = ["kind"]
            let rule = JSONSchema()
            rule.ifSchema = when
            rule.thenSchema = JSONSchema(ref: "#/$defs/\(kind.rawValue)")
            return rule
        }
        root.defs = PolicyKind.allCases.map { kind in
            let definition = JSONSchema(properties: [("spec", kind.spec.schema())])
            definition.description = kind.summary
            return (kind.rawValue, definition)
        }
        return root
    }
}

extension PolicyKind {
    /// The declaration of the kind's `spec`.
    var spec: ValueShape<PolicyDocument.Spec> {
        switch self {
        case .tenant: Tenant.declaration.shape { .tenant(Tenant(decoding: $0)) }
        case .multimediaProfile: MultimediaProfile.declaration.shape { .multimediaProfile(MultimediaProfile(decoding: $0)) }
        case .entryPoint: EntryPoint.declaration.shape { .entryPoint(EntryPoint(decoding: $0)) }
        case .outboundPolicy: OutboundPolicy.declaration.shape { .outboundPolicy(OutboundPolicy(decoding: $0)) }
        case .reasonCatalog:
            ValueShape(schema: { ReasonCatalog.specShape.schema() },
                       read: { context, node, path in
                           ReasonCatalog.specShape.read(context, node, path).map { .reasonCatalog(ReasonCatalog(decoding: $0, context: context)) }
                       },
                       literal: nil)
        case .messageTemplate: MessageTemplate.declaration.shape { .messageTemplate(MessageTemplate(decoding: $0)) }
        case .policyTest: PolicyTest.declaration.shape { .policyTest(PolicyTest(decoding: $0)) }
        }
    }

    /// The kind's one-line summary (the schema's description of its definition).
    var summary: String {
        switch self {
        case .tenant: "Exactly one per set: the tenant's switches and vocabularies."
        case .multimediaProfile: "Any number: per-channel outbound limits, and who the profile applies to."
        case .entryPoint: "Any number: the \"From\" of an outbound conversation on one channel."
        case .outboundPolicy: "Exactly one per set: allowed states, forbidden operations and triggers, subject reuse, wrap-up reasons."
        case .reasonCatalog: "At most one: per-code, per-locale overrides of the built-in messages."
        case .messageTemplate: "Any number: a message agents pick in the composer, with {{variable}} placeholders."
        case .policyTest: "Any number: cases that `sortie test` runs against the set."
        }
    }
}

extension ObjectDeclaration {
    /// The shape of a `spec` with these fields, decoded by `make`.
    func shape(_ make: @escaping @Sendable (Fields) -> PolicyDocument.Spec) -> ValueShape<PolicyDocument.Spec> {
        let object = ValueShape<Fields>.object(self)
        return ValueShape(schema: object.schema,
                          read: { context, node, path in object.read(context, node, path).map(make) },
                          literal: nil)
    }
}

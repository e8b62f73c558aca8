/// The seven kinds of policy document (case-sensitive in `kind:`).
public enum PolicyKind: String, Sendable, CaseIterable, Hashable {
    case tenant = "Tenant"
    case multimediaProfile = "MultimediaProfile"
    case entryPoint = "EntryPoint"
    case outboundPolicy = "OutboundPolicy"
    case reasonCatalog = "ReasonCatalog"
    case messageTemplate = "MessageTemplate"
    case policyTest = "PolicyTest"
}

/// The only `apiVersion` today.
public let currentAPIVersion = "sortie/v1"

/// `metadata` of every document.
public struct Metadata: Sendable, Hashable {
    public var name: Located<String>?
    public var description: String?
}

/// One decoded document: the envelope and its kind-specific spec. Fields that could not be
/// read are nil (their problems are already reported), so later stages check what is known.
public struct PolicyDocument: Sendable {
    public enum Spec: Sendable {
        case tenant(Tenant)
        case multimediaProfile(MultimediaProfile)
        case entryPoint(EntryPoint)
        case outboundPolicy(OutboundPolicy)
        case reasonCatalog(ReasonCatalog)
        case messageTemplate(MessageTemplate)
        case policyTest(PolicyTest)
    }

    public var kind: PolicyKind
    public var metadata: Metadata
    /// Nil when `spec` is missing or not a mapping.
    public var spec: Spec?
    /// The document's root mapping.
    public var span: SourceSpan
    /// The `kind:` value, where duplicates of singletons are reported.
    public var kindSpan: SourceSpan
    /// True when decoding this document reported an error: some of its fields are unknown, so
    /// checks that reason about what is *absent* (an unused profile) must not trust it.
    public var hasErrors = false

    /// The document's name, where it is known.
    public var name: String? { metadata.name?.value }

    /// The envelope every document shares.
    static let envelope = ObjectDeclaration([apiVersion.declared, kindField.declared, metadataField.declared, specField.declared])
    static let apiVersion = Field("apiVersion", .constant(currentAPIVersion) { Rules.UnsupportedAPIVersion.diagnostic(version: $0.value, at: $0.span) },
                                  .required, "The format version; `\(currentAPIVersion)` is the only one.")
    static let kindField = Field("kind", .kind, .required, "The kind of document (case-sensitive); it selects the shape of `spec`.")
    static let metadataField = Field("metadata", .object(metadata), .required, "The document's name and description.")
    static let specField = Field("spec", ValueShape(schema: { JSONSchema(type: ["object"]) }, read: { _, node, _ in node }, literal: nil),
                                 .required, "The document's content; its shape depends on `kind`.")
    static let metadata = ObjectDeclaration([nameField.declared, descriptionField.declared])
    static let nameField = Field("name", .name, .required, "Unique per kind across the set: 1-64 lower-case letters, digits and inner hyphens.")
    static let descriptionField = Field("description", .string, .optional, "Free text; not part of the policy's meaning (nor of its revision).")

    /// Reads one YAML document. Nil when it is not a document of a known kind.
    static func decode(_ root: YAMLNode, context: DecodeContext) -> PolicyDocument? {
        guard let envelope = context.fields(root, path: "", object: envelope) else {
            return nil
        }
        _ = envelope.read(apiVersion)
        var metadata = Metadata()
        if let fields = envelope.read(metadataField) {
            metadata.name = fields.read(nameField)
            metadata.description = fields.read(descriptionField)?.value
        }
        let specNode = envelope.read(specField)
        guard let kindText = envelope.read(kindField), let kind = kindText.value else {
            return nil
        }
        var document = PolicyDocument(kind: kind, metadata: metadata, spec: nil, span: root.span, kindSpan: kindText.span)
        if let specNode {
            document.spec = kind.spec.read(context, specNode, { "spec" })
        }
        return document
    }
}

extension ValueShape where Value == Located<PolicyKind?> {
    /// A kind's name; an unknown one is `unknown-kind` (with a did-you-mean), read as nil.
    static var kind: ValueShape {
        ValueShape(schema: { JSONSchema(type: ["string"], enum: PolicyKind.allCases.map { .string($0.rawValue) }) },
                   read: { context, node, path in
                       guard let text = context.string(node, path: path()) else { return nil }
                       guard let kind = PolicyKind(rawValue: text.value) else {
                           context.report(Rules.UnknownKind.diagnostic(kind: text.value, at: text.span))
                           return Located(nil, at: text.span)
                       }
                       return Located(kind, at: text.span)
                   },
                   literal: nil)
    }
}

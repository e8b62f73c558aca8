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

    /// Reads one YAML document. Nil when it is not a document of a known kind.
    static func decode(_ root: YAMLNode, context: DecodeContext) -> PolicyDocument? {
        guard let envelope = context.fields(root, path: "", known: ["apiVersion", "kind", "metadata", "spec"]) else {
            return nil
        }
        if let node = envelope.required("apiVersion"), let version = context.string(node, path: "apiVersion"),
           version.value != currentAPIVersion {
            context.report(Rules.UnsupportedAPIVersion.diagnostic(version: version.value, at: version.span))
        }
        var metadata = Metadata()
        if let node = envelope.required("metadata"),
           let fields = context.fields(node, path: "metadata", known: ["name", "description"]) {
            metadata.name = fields.required("name").flatMap { context.name($0, path: "metadata.name") }
            metadata.description = fields.optional("description").flatMap { context.string($0, path: "metadata.description")?.value }
        }
        let specNode = envelope.required("spec")
        guard let kindNode = envelope.required("kind"), let kindText = context.string(kindNode, path: "kind") else {
            return nil
        }
        guard let kind = PolicyKind(rawValue: kindText.value) else {
            context.report(Rules.UnknownKind.diagnostic(kind: kindText.value, at: kindText.span))
            return nil
        }
        var document = PolicyDocument(kind: kind, metadata: metadata, spec: nil, span: root.span, kindSpan: kindText.span)
        if let specNode {
            document.spec = decodeSpec(kind: kind, node: specNode, context: context)
        }
        return document
    }

    private static func decodeSpec(kind: PolicyKind, node: YAMLNode, context: DecodeContext) -> Spec? {
        switch kind {
        case .tenant:
            return context.fields(node, path: "spec", known: Tenant.fields).map { .tenant(Tenant(decoding: $0)) }
        case .multimediaProfile:
            return context.fields(node, path: "spec", known: MultimediaProfile.fields).map { .multimediaProfile(MultimediaProfile(decoding: $0)) }
        case .entryPoint:
            return context.fields(node, path: "spec", known: EntryPoint.fields).map { .entryPoint(EntryPoint(decoding: $0)) }
        case .outboundPolicy:
            return context.fields(node, path: "spec", known: OutboundPolicy.fields).map { .outboundPolicy(OutboundPolicy(decoding: $0)) }
        case .reasonCatalog:
            return context.map(node, path: "spec").map { .reasonCatalog(ReasonCatalog(decoding: $0, context: context)) }
        case .messageTemplate:
            return context.fields(node, path: "spec", known: MessageTemplate.fields).map { .messageTemplate(MessageTemplate(decoding: $0)) }
        case .policyTest:
            return context.fields(node, path: "spec", known: PolicyTest.fields).map { .policyTest(PolicyTest(decoding: $0)) }
        }
    }
}

/// A decoded document of one kind, with its envelope.
public struct Decoded<Spec: Sendable>: Sendable {
    public var document: PolicyDocument
    public var spec: Spec

    public var name: String? { document.name }
    /// Where a duplicate of this document is reported: its name, else its `kind:`.
    public var nameSpan: SourceSpan { document.metadata.name?.span ?? document.kindSpan }
}

/// Every document of a policy set after the decode stage, in (path, line) order.
public struct DecodedSet: Sendable {
    /// The set's root path as given (whole-set problems are reported there).
    public var root: String
    public var documents: [PolicyDocument]
    /// False when a file could not be read in full or a document's kind is unknown: existence
    /// checks (no Tenant, unknown profile...) are then skipped, since the missing piece may be
    /// in the unreadable part, and one mistake must not cascade into many.
    public var isComplete: Bool

    func all<Spec>(_ extract: (PolicyDocument.Spec) -> Spec?) -> [Decoded<Spec>] {
        documents.compactMap { doc in doc.spec.flatMap(extract).map { Decoded(document: doc, spec: $0) } }
    }

    public var tenants: [Decoded<Tenant>] { all { if case .tenant(let x) = $0 { x } else { nil } } }
    public var profiles: [Decoded<MultimediaProfile>] { all { if case .multimediaProfile(let x) = $0 { x } else { nil } } }
    public var entryPoints: [Decoded<EntryPoint>] { all { if case .entryPoint(let x) = $0 { x } else { nil } } }
    public var outboundPolicies: [Decoded<OutboundPolicy>] { all { if case .outboundPolicy(let x) = $0 { x } else { nil } } }
    public var reasonCatalogs: [Decoded<ReasonCatalog>] { all { if case .reasonCatalog(let x) = $0 { x } else { nil } } }
    public var messageTemplates: [Decoded<MessageTemplate>] { all { if case .messageTemplate(let x) = $0 { x } else { nil } } }
    public var policyTests: [Decoded<PolicyTest>] { all { if case .policyTest(let x) = $0 { x } else { nil } } }

    /// The first Tenant in (path, line) order: the one that counts when there are several.
    public var tenant: Tenant? { tenants.first?.spec }
    public var outboundPolicy: OutboundPolicy? { outboundPolicies.first?.spec }
}

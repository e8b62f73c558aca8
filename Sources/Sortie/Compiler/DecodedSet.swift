/// A decoded document of one kind, with its envelope.
public struct Decoded<Spec: Sendable>: Sendable {
    public var document: PolicyDocument
    public var spec: Spec

    public var name: String? { document.name }
    /// Where a duplicate of this document is reported: its name, else its `kind:`.
    public var nameSpan: SourceSpan { document.metadata.name?.span ?? document.kindSpan }
}

/// Every document of a policy set after the decode stage, in (path, line) order, and the same
/// documents grouped by kind (computed once: the checks read them many times).
public struct DecodedSet: Sendable {
    /// The set's root path as given (whole-set problems are reported there).
    public var root: String
    public let documents: [PolicyDocument]
    /// False when a file could not be read in full or a document's kind is unknown: existence
    /// checks (no Tenant, unknown profile...) are then skipped, since the missing piece may be
    /// in the unreadable part, and one mistake must not cascade into many.
    public var isComplete: Bool

    public let tenants: [Decoded<Tenant>]
    public let profiles: [Decoded<MultimediaProfile>]
    public let entryPoints: [Decoded<EntryPoint>]
    public let outboundPolicies: [Decoded<OutboundPolicy>]
    public let reasonCatalogs: [Decoded<ReasonCatalog>]
    public let messageTemplates: [Decoded<MessageTemplate>]
    public let policyTests: [Decoded<PolicyTest>]

    public init(root: String, documents: [PolicyDocument], isComplete: Bool) {
        self.root = root
        self.documents = documents
        self.isComplete = isComplete
        var tenants: [Decoded<Tenant>] = [], profiles: [Decoded<MultimediaProfile>] = []
        var entryPoints: [Decoded<EntryPoint>] = [], outboundPolicies: [Decoded<OutboundPolicy>] = []
        var reasonCatalogs: [Decoded<ReasonCatalog>] = [], messageTemplates: [Decoded<MessageTemplate>] = []
        var policyTests: [Decoded<PolicyTest>] = []
        for document in documents {
            switch document.spec {
            case .tenant(let x): tenants.append(Decoded(document: document, spec: x))
            case .multimediaProfile(let x): profiles.append(Decoded(document: document, spec: x))
            case .entryPoint(let x): entryPoints.append(Decoded(document: document, spec: x))
            case .outboundPolicy(let x): outboundPolicies.append(Decoded(document: document, spec: x))
            case .reasonCatalog(let x): reasonCatalogs.append(Decoded(document: document, spec: x))
            case .messageTemplate(let x): messageTemplates.append(Decoded(document: document, spec: x))
            case .policyTest(let x): policyTests.append(Decoded(document: document, spec: x))
            case nil: break
            }
        }
        self.tenants = tenants
        self.profiles = profiles
        self.entryPoints = entryPoints
        self.outboundPolicies = outboundPolicies
        self.reasonCatalogs = reasonCatalogs
        self.messageTemplates = messageTemplates
        self.policyTests = policyTests
    }

    /// The first Tenant in (path, line) order: the one that counts when there are several.
    public var tenant: Tenant? { tenants.first?.spec }
    public var outboundPolicy: OutboundPolicy? { outboundPolicies.first?.spec }
}

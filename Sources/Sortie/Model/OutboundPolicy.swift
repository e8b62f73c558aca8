/// The operations an outbound conversation may forbid.
public enum Operation: String, Sendable, CaseIterable, Hashable, Codable {
    case conference
    case transfer
}

/// What to do when an email subject was already used with the customer.
public enum SubjectReuse: String, Sendable, CaseIterable, Hashable, Codable {
    case allow
    case warn
    case deny
}

/// `kind: OutboundPolicy` — exactly one per set: states, forbidden operations and triggers,
/// subject reuse, wrap-up reasons.
public struct OutboundPolicy: Sendable {
    public var allowedAgentStates: [Located<String>]?
    /// Default: both operations (the seed forbids conference and transfer).
    public var disallowedOperations: [Located<Operation>]?
    /// Default: the seed's three triggers.
    public var disallowedWorkflowTriggers: [Located<String>]?
    public var emailSubjectReuse: SubjectReuse?
    public var wrapUpReasons: [Located<String>]?

    static let fields = ["allowedAgentStates", "disallowedOperations", "disallowedWorkflowTriggers", "emailSubjectReuse", "wrapUpReasons"]

    public static let defaultDisallowedOperations: [Operation] = [.conference, .transfer]
    public static let defaultDisallowedWorkflowTriggers = ["task-created", "task-routed", "task-completed"]
    public static let defaultEmailSubjectReuse = SubjectReuse.warn

    init(decoding spec: Fields) {
        let context = spec.context
        allowedAgentStates = spec.required("allowedAgentStates").flatMap { context.stringSet($0, path: spec.path("allowedAgentStates"), nonEmpty: true) }
        if let node = spec.optional("disallowedOperations") {
            let path = spec.path("disallowedOperations")
            disallowedOperations = context.list(node, path: path, nonEmpty: false) { context.enumeration($0, path: $1(), as: Operation.self) }
                .map { Self.unique($0, path: path, context: context) }
        } else {
            disallowedOperations = Self.defaultDisallowedOperations.map { Located($0, at: spec.mapping.span) }
        }
        if let node = spec.optional("disallowedWorkflowTriggers") {
            disallowedWorkflowTriggers = context.stringSet(node, path: spec.path("disallowedWorkflowTriggers"), nonEmpty: false)
        } else {
            disallowedWorkflowTriggers = Self.defaultDisallowedWorkflowTriggers.map { Located($0, at: spec.mapping.span) }
        }
        if let node = spec.optional("emailSubjectReuse") {
            emailSubjectReuse = context.enumeration(node, path: spec.path("emailSubjectReuse"), as: SubjectReuse.self)?.value
        } else {
            emailSubjectReuse = Self.defaultEmailSubjectReuse
        }
        wrapUpReasons = spec.required("wrapUpReasons").flatMap { context.stringSet($0, path: spec.path("wrapUpReasons"), nonEmpty: true) }
    }

    private static func unique(_ items: [Located<Operation>], path: String, context: DecodeContext) -> [Located<Operation>] {
        var first: [Operation: SourceSpan] = [:]
        return items.filter { item in
            if let earlier = first[item.value] {
                context.report(Rules.DuplicateItem.diagnostic(field: path, item: item.value.rawValue, first: earlier, at: item.span))
                return false
            }
            first[item.value] = item.span
            return true
        }
    }
}

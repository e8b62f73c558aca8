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
/// subject reuse, wrap-up reasons,
/// consent and contact hours.
public struct OutboundPolicy: Sendable {
    public var allowedAgentStates: [Located<String>]?
    /// Default: both operations (the seed forbids conference and transfer).
    public var disallowedOperations: [Located<Operation>]?
    /// Default: the seed's three triggers.
    public var disallowedWorkflowTriggers: [Located<String>]?
    public var emailSubjectReuse: SubjectReuse?
    public var wrapUpReasons: [Located<String>]?
    /// Opt-out and opt-in keywords and their scope; the defaults when not written.
    public var consent = Consent()
    /// Nil: conversations may start at any time.
    public var contactHours: ContactHours?

    static let declaration = ObjectDeclaration([allowedAgentStatesField.declared, disallowedOperationsField.declared,
                                                disallowedWorkflowTriggersField.declared, emailSubjectReuseField.declared,
                                                wrapUpReasonsField.declared, consentField.declared, contactHoursField.declared])
    static let allowedAgentStatesField = Field("allowedAgentStates", .stringSet(nonEmpty: true), .required,
                                               "The states in which an agent may start an outbound conversation; each one of the Tenant's agentStates.")
    static let disallowedOperationsField = Field("disallowedOperations", .enumerationSet(Operation.self, nonEmpty: false), .optional,
                                                 default: { span in defaultDisallowedOperations.map { Located($0, at: span) } },
                                                 "Operations refused on outbound conversations; write [] to allow both.")
    static let disallowedWorkflowTriggersField = Field("disallowedWorkflowTriggers", .stringSet(nonEmpty: false), .optional,
                                                       default: { span in defaultDisallowedWorkflowTriggers.map { Located($0, at: span) } },
                                                       "Workflow triggers refused on outbound conversations.")
    static let emailSubjectReuseField = Field("emailSubjectReuse", .enumeration(SubjectReuse.self), .optional,
                                              default: { Located(defaultEmailSubjectReuse, at: $0) },
                                              "What an email subject already used with the customer gives: nothing, a warning or a refusal.")
    static let wrapUpReasonsField = Field("wrapUpReasons", .stringSet(nonEmpty: true), .required, "The reasons offered when closing a conversation (at least one).")

    static let consentField = Field("consent", .object(Consent.declaration), .optional,
                                    "Opt-out (STOP) and opt-in keywords, whom an opt-out covers, and the confirmation sent after a STOP.")
    static let contactHoursField = Field("contactHours", .object(ContactHours.declaration), .optional,
                                         "When conversations may start, in the recipient's local time; absent, at any time.")

    public static let defaultDisallowedOperations: [Operation] = [.conference, .transfer]
    public static let defaultDisallowedWorkflowTriggers = ["task-created", "task-routed", "task-completed"]
    public static let defaultEmailSubjectReuse = SubjectReuse.warn

    init(decoding spec: Fields) {
        allowedAgentStates = spec.read(Self.allowedAgentStatesField)
        disallowedOperations = spec.read(Self.disallowedOperationsField)
        disallowedWorkflowTriggers = spec.read(Self.disallowedWorkflowTriggersField)
        emailSubjectReuse = spec.read(Self.emailSubjectReuseField)?.value
        wrapUpReasons = spec.read(Self.wrapUpReasonsField)
        if let fields = spec.read(Self.consentField) { consent = Consent(decoding: fields) }
        contactHours = spec.read(Self.contactHoursField).map(ContactHours.init(decoding:))
    }
}

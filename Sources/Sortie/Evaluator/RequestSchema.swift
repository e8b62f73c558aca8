/// Every field a request may carry (docs/reference.md, "Requests"), declared once.
///
/// The strict decoder (`Request.decode`), the fast line reader (`LineEvaluator`), the service's
/// body readers and the request's JSON form all read this declaration: a field's name, its JSON
/// type, whether `null` is allowed, which actions need it, and whether the conversation service
/// supplies it from its store. Adding a field means one case and one row in `spec`.
public enum RequestField: Int, Sendable, CaseIterable {
    case id, action, locale, agent
    case agentID, agentLicense, agentState, agentTeam, agentSite
    case activeOutbound, channel, to, entryPoint, subject, destinationActive, subjectUsed
    case operation, trigger, wrapUpReason
    case at, optedOut, recipientTimeZone

    /// A field's JSON type.
    public enum FieldType: Sendable, Equatable {
        case string, boolean
        /// An object of channel name → count ≥ 0.
        case counts
        /// The `agent` object, whose fields are the `agent…` cases.
        case agent
        /// A string naming one of `Request.Action`.
        case action
        /// A string naming one of `Request.OperationKind`.
        case operation
    }

    /// When a request must carry a field.
    public enum Need: Sendable, Equatable {
        case optional
        case always
        case actions([Request.Action])
        /// Only an `operation` request whose operation is `workflow`.
        case workflowOperation
    }

    /// One field's declaration.
    public struct Spec {
        /// The key within its object: `license` for `agent.license`.
        public let key: String
        public let type: FieldType
        /// `null` is accepted (and means absent); anywhere else it is a wrong type.
        public let nullable: Bool
        public let need: Need
        /// The actions the field means something to (nil: every action); the service's body for
        /// an action takes exactly these, less what it supplies itself.
        public let usedBy: [Request.Action]?
        /// The conversation service supplies it from its store: a service body carrying it is malformed.
        public let fromStore: Bool
        /// Where a string field lives in a `Request`.
        let text: WritableKeyPath<Request, String?>?
        /// Where a boolean field lives in a `Request`.
        let flag: WritableKeyPath<Request, Bool>?
        /// What is wrong with a string field's value, or nil when it is well-formed.
        let check: (@Sendable (String) -> String?)?

        init(_ key: String, _ type: FieldType, nullable: Bool = false, need: Need = .optional, usedBy: [Request.Action]? = nil,
             fromStore: Bool = false, text: WritableKeyPath<Request, String?>? = nil, flag: WritableKeyPath<Request, Bool>? = nil,
             check: (@Sendable (String) -> String?)? = nil) {
            self.key = key
            self.type = type
            self.nullable = nullable
            self.need = need
            self.usedBy = usedBy
            self.fromStore = fromStore
            self.text = text
            self.flag = flag
            self.check = check
        }

        /// What is wrong with `value` as this string field's value (the request decoder's own
        /// check, for callers that take the field elsewhere), or nil when it is well-formed.
        public func problem(with value: String) -> String? { check?(value) }
    }

    /// This field's declaration.
    public var spec: Spec {
        switch self {
        case .id: Spec("id", .string, text: \.id)
        case .action: Spec("action", .action)
        case .locale: Spec("locale", .string, text: \.locale)
        case .agent: Spec("agent", .agent, need: .always)
        case .agentID: Spec("id", .string, need: .always)
        case .agentLicense: Spec("license", .string, need: .actions([.start, .options]), text: \.agent.license)
        case .agentState: Spec("state", .string, need: .actions([.start, .options]), text: \.agent.state)
        case .agentTeam: Spec("team", .string, nullable: true, text: \.agent.team)
        case .agentSite: Spec("site", .string, nullable: true, text: \.agent.site)
        case .activeOutbound: Spec("activeOutbound", .counts, usedBy: [.start, .options], fromStore: true)
        case .channel: Spec("channel", .string, need: .actions([.start, .message]), usedBy: [.start, .message], text: \.channel)
        case .to: Spec("to", .string, need: .actions([.start, .message]), usedBy: [.start, .message], text: \.to)
        case .entryPoint: Spec("entryPoint", .string, nullable: true, usedBy: [.start, .message], text: \.entryPoint)
        case .subject: Spec("subject", .string, nullable: true, usedBy: [.start], text: \.subject)
        case .destinationActive: Spec("destinationActive", .boolean, usedBy: [.start], fromStore: true, flag: \.destinationActive)
        case .subjectUsed: Spec("subjectUsed", .boolean, usedBy: [.start], fromStore: true, flag: \.subjectUsed)
        case .operation: Spec("operation", .operation, need: .actions([.operation]), usedBy: [.operation])
        case .trigger: Spec("trigger", .string, need: .workflowOperation, usedBy: [.operation], text: \.trigger)
        case .wrapUpReason: Spec("wrapUpReason", .string, nullable: true, usedBy: [.close], text: \.wrapUpReason)
        case .at:
            Spec("at", .string, usedBy: [.start], fromStore: true, text: \.at) { text in
                CivilTime.instant(rfc3339: text) == nil ? "not an RFC 3339 date-time such as 2026-12-02T09:30:00Z" : nil
            }
        case .optedOut: Spec("optedOut", .boolean, usedBy: [.start, .message], fromStore: true, flag: \.optedOut)
        case .recipientTimeZone:
            Spec("recipientTimeZone", .string, nullable: true, usedBy: [.start], fromStore: true, text: \.recipientTimeZone) { text in
                ZoneTable.isZoneName(text) ? nil : "unknown time zone \"\(text)\"; expected an IANA zone such as Europe/Paris"
            }
        }
    }

    /// Each field's type and nullability by `rawValue`, for readers that must not build a `Spec`
    /// per key.
    static let types: [FieldType] = allCases.map(\.spec.type)
    static let nullable: [Bool] = allCases.map(\.spec.nullable)

    /// The fields of the request object itself, in declaration order.
    public static let topLevel: [RequestField] = allCases.filter { !$0.isAgentField }
    /// The fields of the `agent` object, in declaration order.
    public static let agentFields: [RequestField] = allCases.filter(\.isAgentField)
    /// The top-level fields and the agent's, in the order of their keys: the order a request is
    /// written in.
    public static let topLevelByKey = topLevel.sorted { $0.spec.key < $1.spec.key }
    public static let agentFieldsByKey = agentFields.sorted { $0.spec.key < $1.spec.key }

    /// A field of the `agent` object.
    public var isAgentField: Bool {
        switch self {
        case .agentID, .agentLicense, .agentState, .agentTeam, .agentSite: true
        default: false
        }
    }

    /// The dotted path an `INVALID_REQUEST` names: `agent.license`.
    public var path: String { isAgentField ? "agent." + spec.key : spec.key }

    /// Whether a request of `action` (and `operation`) must carry this field.
    public func isNeeded(by action: Request.Action, operation: Request.OperationKind?) -> Bool {
        switch spec.need {
        case .optional: false
        case .always: true
        case .actions(let actions): actions.contains(action)
        case .workflowOperation: action == .operation && operation == .workflow
        }
    }

    /// The fields a request of `action` must carry (for `operation`, `workflow` says whether the
    /// operation is a workflow), worked out once per case.
    static func needed(by action: Request.Action, workflow: Bool) -> [RequestField] {
        neededLists[Request.Action.allCases.firstIndex(of: action)! * 2 + (workflow ? 1 : 0)]
    }

    private static let neededLists: [[RequestField]] = Request.Action.allCases.flatMap { action in
        [false, true].map { workflow in
            allCases.filter { $0.isNeeded(by: action, operation: workflow ? .workflow : nil) }
        }
    }

    /// The top-level or agent field called `key`, by the bytes of the name (no `String` made).
    static func named(_ key: UnsafeBufferPointer<UInt8>, agent: Bool) -> RequestField? {
        let table = agent ? agentNames : topLevelNames
        guard key.count < table.count else { return nil }
        for (name, field) in table[key.count] where name.elementsEqual(key) { return field }
        return nil
    }

    /// Per name length, the names of that length and their fields.
    private static let topLevelNames = names(topLevel)
    private static let agentNames = names(agentFields)

    private static func names(_ fields: [RequestField]) -> [[([UInt8], RequestField)]] {
        let longest = fields.map { $0.spec.key.utf8.count }.max() ?? 0
        var table = Array(repeating: [([UInt8], RequestField)](), count: longest + 1)
        for field in fields { table[field.spec.key.utf8.count].append((Array(field.spec.key.utf8), field)) }
        return table
    }
}

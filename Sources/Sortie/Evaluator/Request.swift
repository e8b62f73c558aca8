/// One request to the evaluator (SPEC §2). Build it with `Request.decode`, which checks every
/// field: a request that decodes is well-formed.
public struct Request: Sendable, Hashable {
    public enum Action: String, Sendable, CaseIterable {
        case start, options, operation, close
    }

    public enum OperationKind: String, Sendable, CaseIterable {
        case conference, transfer, workflow
    }

    public struct Agent: Sendable, Hashable {
        public var id: String
        public var license: String?
        public var state: String?
        public var team: String?
        public var site: String?

        public init(id: String, license: String? = nil, state: String? = nil, team: String? = nil, site: String? = nil) {
            self.id = id
            self.license = license
            self.state = state
            self.team = team
            self.site = site
        }
    }

    public var id: String?
    public var action: Action = .start
    public var locale: String?
    public var agent: Agent
    /// Open outbound tasks per channel name; a missing channel counts 0.
    public var activeOutbound: [String: Int] = [:]
    public var channel: String?
    public var to: String?
    public var entryPoint: String?
    public var subject: String?
    public var destinationActive = false
    public var subjectUsed = false
    public var operation: OperationKind?
    public var trigger: String?
    public var wrapUpReason: String?

    /// A request built in code. Fields not given take SPEC §2's defaults.
    public init(id: String? = nil, action: Action = .start, locale: String? = nil, agent: Agent,
                activeOutbound: [String: Int] = [:], channel: String? = nil, to: String? = nil,
                entryPoint: String? = nil, subject: String? = nil, destinationActive: Bool = false,
                subjectUsed: Bool = false, operation: OperationKind? = nil, trigger: String? = nil,
                wrapUpReason: String? = nil) {
        self.id = id
        self.action = action
        self.locale = locale
        self.agent = agent
        self.activeOutbound = activeOutbound
        self.channel = channel
        self.to = to
        self.entryPoint = entryPoint
        self.subject = subject
        self.destinationActive = destinationActive
        self.subjectUsed = subjectUsed
        self.operation = operation
        self.trigger = trigger
        self.wrapUpReason = wrapUpReason
    }
}

/// Why a request is malformed: the offending field (a dotted path) and what is wrong.
public struct InvalidRequest: Error, Sendable, Hashable {
    /// The request's `id`, when it could be read.
    public var id: String?
    public var field: String
    public var problem: String

    public init(id: String?, field: String, problem: String) {
        self.id = id
        self.field = field
        self.problem = problem
    }

    /// `field: problem`, the `field` detail of `INVALID_REQUEST`.
    public var detail: String { "\(field): \(problem)" }
}

extension Request {
    static let fields: Set<String> = ["id", "action", "locale", "agent", "activeOutbound", "channel", "to", "entryPoint",
                                      "subject", "destinationActive", "subjectUsed", "operation", "trigger", "wrapUpReason"]
    static let agentFields: Set<String> = ["id", "license", "state", "team", "site"]

    /// Decodes one JSON Lines line.
    public static func decode(json bytes: some Collection<UInt8>) -> Result<Request, InvalidRequest> {
        guard let value = JSONValue.parse(bytes) else {
            return .failure(InvalidRequest(id: nil, field: "(request)", problem: "not valid JSON"))
        }
        return decode(value)
    }

    /// Decodes a parsed request, checking every field against SPEC §2's table.
    public static func decode(_ value: JSONValue) -> Result<Request, InvalidRequest> {
        guard case .object(let object) = value else {
            return .failure(InvalidRequest(id: nil, field: "(request)", problem: "expected a JSON object, found \(value.typeName)"))
        }
        var reader = FieldReader(object: object, prefix: "")
        if case .string(let id)? = object["id"] { reader.id = id }
        do {
            return .success(try decode(&reader, object))
        } catch {
            return .failure(error)
        }
    }

    private static func decode(_ r: inout FieldReader, _ object: [String: JSONValue]) throws(InvalidRequest) -> Request {
        for key in object.keys.sorted() where !fields.contains(key) {
            throw r.invalid(key, "unknown field")
        }
        let id = try r.string("id")
        var action = Action.start
        if let text = try r.string("action") {
            guard let parsed = Action(rawValue: text) else {
                throw r.invalid("action", "unknown action \"\(text)\"; expected start, options, operation or close")
            }
            action = parsed
        }
        guard let agentValue = object["agent"], agentValue != .null else { throw r.invalid("agent", "missing") }
        guard case .object(let agentObject) = agentValue else { throw r.invalid("agent", "expected an object, found \(agentValue.typeName)") }
        let a = FieldReader(object: agentObject, prefix: "agent.", id: r.id)
        for key in agentObject.keys.sorted() where !agentFields.contains(key) { throw a.invalid(key, "unknown field") }
        guard let agentID = try a.string("id") else { throw a.invalid("id", "missing") }
        let needsAgentDetails = action == .start || action == .options
        let license = try a.string("license")
        let state = try a.string("state")
        if needsAgentDetails {
            if license == nil { throw a.invalid("license", "missing") }
            if state == nil { throw a.invalid("state", "missing") }
        }
        var request = Request(agent: Agent(id: agentID, license: license, state: state,
                                           team: try a.string("team"), site: try a.string("site")))
        request.id = id
        request.action = action
        request.locale = try r.string("locale")
        if let counts = object["activeOutbound"], counts != .null {
            guard case .object(let map) = counts else { throw r.invalid("activeOutbound", "expected an object, found \(counts.typeName)") }
            // In key order, so that of two bad counts the same one is reported every time.
            for (channel, count) in map.sorted(by: { $0.key < $1.key }) {
                switch count {
                case .integer(let n) where n >= 0: request.activeOutbound[channel] = n
                case .integer: throw r.invalid("activeOutbound.\(channel)", "a count cannot be negative")
                case .number(let n) where n >= 0 && n == n.rounded() && n < 1e15: request.activeOutbound[channel] = Int(n)
                case .number: throw r.invalid("activeOutbound.\(channel)", "a count is a whole number >= 0")
                default: throw r.invalid("activeOutbound.\(channel)", "expected an integer, found \(count.typeName)")
                }
            }
        }
        request.channel = try r.string("channel")
        request.to = try r.string("to")
        request.entryPoint = try r.string("entryPoint")
        request.subject = try r.string("subject")
        request.destinationActive = try r.bool("destinationActive") ?? false
        request.subjectUsed = try r.bool("subjectUsed") ?? false
        if let text = try r.string("operation") {
            guard let parsed = OperationKind(rawValue: text) else {
                throw r.invalid("operation", "unknown operation \"\(text)\"; expected conference, transfer or workflow")
            }
            request.operation = parsed
        }
        request.trigger = try r.string("trigger")
        request.wrapUpReason = try r.string("wrapUpReason")
        switch action {
        case .start:
            if request.channel == nil { throw r.invalid("channel", "missing") }
            if request.to == nil { throw r.invalid("to", "missing") }
        case .operation:
            guard let operation = request.operation else { throw r.invalid("operation", "missing") }
            if operation == .workflow, request.trigger == nil { throw r.invalid("trigger", "missing") }
        case .options, .close:
            break
        }
        return request
    }
}

/// Reads typed, optional fields of one JSON object; `null` reads as absent.
private struct FieldReader {
    let object: [String: JSONValue]
    let prefix: String
    var id: String?

    init(object: [String: JSONValue], prefix: String, id: String? = nil) {
        self.object = object
        self.prefix = prefix
        self.id = id
    }

    func invalid(_ key: String, _ problem: String) -> InvalidRequest {
        InvalidRequest(id: id, field: prefix + key, problem: problem)
    }

    func string(_ key: String) throws(InvalidRequest) -> String? {
        switch object[key] {
        case nil, .null?: return nil
        case .string(let s)?: return s
        case let other?: throw invalid(key, "expected a string, found \(other.typeName)")
        }
    }

    func bool(_ key: String) throws(InvalidRequest) -> Bool? {
        switch object[key] {
        case nil, .null?: return nil
        case .bool(let b)?: return b
        case let other?: throw invalid(key, "expected true or false, found \(other.typeName)")
        }
    }
}

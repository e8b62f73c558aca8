/// One request to the evaluator (docs/reference.md, "Requests"). Build it with `Request.decode`, which checks every
/// field: a request that decodes is well-formed.
public struct Request: Sendable, Hashable {
    public enum Action: String, Sendable, CaseIterable {
        case start, options, operation, close, message
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
    /// The decision's moment, RFC 3339; nil: the evaluator's clock.
    public var at: String?
    public var optedOut = false
    /// The recipient's IANA zone, when known.
    public var recipientTimeZone: String?

    /// A request built in code. Fields not given take their defaults (docs/reference.md, "Fields").
    public init(id: String? = nil, action: Action = .start, locale: String? = nil, agent: Agent,
                activeOutbound: [String: Int] = [:], channel: String? = nil, to: String? = nil,
                entryPoint: String? = nil, subject: String? = nil, destinationActive: Bool = false,
                subjectUsed: Bool = false, operation: OperationKind? = nil, trigger: String? = nil,
                wrapUpReason: String? = nil, at: String? = nil, optedOut: Bool = false, recipientTimeZone: String? = nil) {
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
        self.at = at
        self.optedOut = optedOut
        self.recipientTimeZone = recipientTimeZone
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
    /// Decodes one JSON Lines line.
    public static func decode(json bytes: some Collection<UInt8>) -> Result<Request, InvalidRequest> {
        switch JSONValue.parseReportingDuplicates(bytes) {
        case .success(let value): decode(value)
        case .failure(.notJSON): .failure(InvalidRequest(id: nil, field: "(request)", problem: "not valid JSON"))
        case .failure(.duplicateKey(let path, let id)): .failure(InvalidRequest(id: id, field: path, problem: "written twice"))
        }
    }

    /// Decodes a parsed request, checking every field against `RequestField`'s declaration.
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
        try r.refuseUnknown(RequestField.topLevel)
        var request = Request(agent: Agent(id: ""))
        // Type checks in declaration order, then what each action needs.
        for field in RequestField.topLevel {
            let spec = field.spec
            switch spec.type {
            case .string:
                if let path = spec.text, let text = try r.string(field) {
                    if let problem = spec.check?(text) { throw r.invalid(field, problem) }
                    request[keyPath: path] = text
                }
            case .boolean:
                if let path = spec.flag, let flag = try r.bool(field) { request[keyPath: path] = flag }
            case .action:
                if let text = try r.string(field) {
                    guard let parsed = Action(rawValue: text) else {
                        throw r.invalid(field, "unknown action \"\(text)\"; expected \(Action.allCases.map(\.rawValue).joinedAsChoice)")
                    }
                    request.action = parsed
                }
            case .operation:
                if let text = try r.string(field) {
                    guard let parsed = OperationKind(rawValue: text) else {
                        throw r.invalid(field, "unknown operation \"\(text)\"; expected \(OperationKind.allCases.map(\.rawValue).joinedAsChoice)")
                    }
                    request.operation = parsed
                }
            case .counts:
                request.activeOutbound = try r.counts(field)
            case .agent:
                try decodeAgent(r, into: &request)
            }
        }
        for field in RequestField.allCases where field.isNeeded(by: request.action, operation: request.operation) {
            if let path = field.spec.text, request[keyPath: path] == nil {
                throw (field.isAgentField ? r.nested(field) : r).invalid(field, "missing")
            }
            if field == .operation, request.operation == nil { throw r.invalid(field, "missing") }
        }
        return request
    }

    private static func decodeAgent(_ r: FieldReader, into request: inout Request) throws(InvalidRequest) {
        guard let value = r.object[RequestField.agent.spec.key] else { throw r.invalid(.agent, "missing") }
        guard case .object(let object) = value else { throw r.invalid(.agent, "expected an object, found \(value.typeName)") }
        let a = r.nested(.agent, object)
        try a.refuseUnknown(RequestField.agentFields)
        for field in RequestField.agentFields {
            let text = try a.string(field)
            if field == .agentID {
                guard let text else { throw a.invalid(field, "missing") }
                request.agent.id = text
            } else if let path = field.spec.text {
                request[keyPath: path] = text
            }
        }
    }
}

extension [String] {
    /// `a, b or c`.
    var joinedAsChoice: String {
        count < 2 ? joined() : dropLast().joined(separator: ", ") + " or " + last!
    }
}

/// Reads the typed fields of one JSON object as `RequestField` declares them: `null` is absent
/// where the field is nullable and a wrong type everywhere else.
private struct FieldReader {
    let object: [String: JSONValue]
    let prefix: String
    var id: String?

    init(object: [String: JSONValue], prefix: String, id: String? = nil) {
        self.object = object
        self.prefix = prefix
        self.id = id
    }

    /// A reader of `field`'s object (the `agent`), naming its fields `agent.…`.
    func nested(_ field: RequestField, _ object: [String: JSONValue] = [:]) -> FieldReader {
        if field.isAgentField { return FieldReader(object: object, prefix: "agent.", id: id) }
        return FieldReader(object: object, prefix: field.spec.key + ".", id: id)
    }

    func invalid(_ field: RequestField, _ problem: String) -> InvalidRequest {
        InvalidRequest(id: id, field: prefix + field.spec.key, problem: problem)
    }

    func invalid(key: String, _ problem: String) -> InvalidRequest {
        InvalidRequest(id: id, field: prefix + key, problem: problem)
    }

    /// The first key (in sorted order) that `fields` does not declare.
    func refuseUnknown(_ fields: [RequestField]) throws(InvalidRequest) {
        for key in object.keys.sorted() where !fields.contains(where: { $0.spec.key == key }) {
            throw invalid(key: key, "unknown field")
        }
    }

    /// The field's value; nil when absent, or null where the field allows it.
    private func value(_ field: RequestField) throws(InvalidRequest) -> JSONValue? {
        switch object[field.spec.key] {
        case nil: return nil
        case .null? where field.spec.nullable: return nil
        case let value?: return value
        }
    }

    func string(_ field: RequestField) throws(InvalidRequest) -> String? {
        switch try value(field) {
        case nil: return nil
        case .string(let s)?: return s
        case let other?: throw invalid(field, "expected a string, found \(other.typeName)")
        }
    }

    func bool(_ field: RequestField) throws(InvalidRequest) -> Bool? {
        switch try value(field) {
        case nil: return nil
        case .bool(let b)?: return b
        case let other?: throw invalid(field, "expected true or false, found \(other.typeName)")
        }
    }

    /// Channel → count; each count an integer >= 0 (`2.0` is 2), checked in key order so that of
    /// two bad counts the same one is reported every time.
    func counts(_ field: RequestField) throws(InvalidRequest) -> [String: Int] {
        guard let value = try value(field) else { return [:] }
        guard case .object(let map) = value else { throw invalid(field, "expected an object, found \(value.typeName)") }
        var counts: [String: Int] = [:]
        let path = field.spec.key + "."
        for (channel, count) in map.sorted(by: { $0.key < $1.key }) {
            switch count {
            case .integer(let n) where n >= 0: counts[channel] = n
            case .integer: throw invalid(key: path + channel, "a count cannot be negative")
            case .number(let n) where n >= 0 && n == n.rounded() && n < 1e15: counts[channel] = Int(n)
            case .number: throw invalid(key: path + channel, "a count is a whole number >= 0")
            default: throw invalid(key: path + channel, "expected an integer, found \(count.typeName)")
            }
        }
        return counts
    }
}

import Sortie
import SortieAccess

/// The JSON bodies of the service's endpoints, read as strictly as evaluator requests: an
/// unknown field, a wrong type, a key written twice or a missing field is an `InvalidRequest`
/// naming the field. Which request fields a body takes comes from `RequestField`'s declaration.
enum RequestBodies {
    /// The request fields a body for `action` takes: those the action uses, less the ones the
    /// service supplies (the store's facts, and `action` itself), plus `extra` fields of the endpoint.
    static func fields(for action: Request.Action, extra: Set<String> = []) -> Set<String> {
        var names = extra
        for field in RequestField.topLevel where field != .action && !field.spec.fromStore {
            if field.spec.usedBy?.contains(action) ?? true { names.insert(field.spec.key) }
        }
        return names
    }

    /// Fields of `POST /v1/outbound-conversations`: a start request and the first `message`.
    static let createFields = fields(for: .start, extra: ["message"])
    /// What the service supplies: a body naming one is told so.
    static let serviceSupplied: Set<String> = Set(RequestField.topLevel.filter { $0 == .action || $0.spec.fromStore }.map(\.spec.key))
    static let optionsFields = fields(for: .options)
    static let operationFields = fields(for: .operation)
    static let closeFields = fields(for: .close)
    static let inboundFields: Set<String> = ["channel", "from", "to", "body", "subject", "inReplyTo"]
    static let receiptFields: Set<String> = ["status", "providerMessageId", "error"]
    /// `PUT` and `DELETE /v1/consent/{channel}/{address}`.
    static let consentFields: Set<String> = ["entryPoint"]
    /// `PUT /v1/customers/{channel}/{address}/time-zone`.
    static let timeZoneFields: Set<String> = ["timeZone"]

    /// Why `zone` cannot be a request's `recipientTimeZone`, or nil when it can: the engine's
    /// declaration of that field holds the check.
    static func timeZoneProblem(_ zone: String) -> String? {
        RequestField.recipientTimeZone.spec.problem(with: zone)
    }
    /// The longest `providerMessageId` or `error` a receipt may give.
    static let maxReceiptFieldBytes = 1_000

    /// The body as a JSON object, or why it is not one. A string holding U+0000 is refused here,
    /// at the boundary, because the stores would cut it there (an agent `a\u0000b` stored as `a`).
    static func object(_ body: some Collection<UInt8>) -> Result<[String: JSONValue], InvalidRequest> {
        let value: JSONValue
        switch JSONValue.parseReportingDuplicates(body) {
        case .success(let parsed): value = parsed
        case .failure(.notJSON): return .failure(InvalidRequest(id: nil, field: "(request)", problem: "not valid JSON"))
        case .failure(.duplicateKey(let path, let id)): return .failure(InvalidRequest(id: id, field: path, problem: "written twice"))
        }
        guard case .object(let object) = value else {
            return .failure(InvalidRequest(id: nil, field: "(request)", problem: "expected a JSON object, found \(value.typeName)"))
        }
        if let path = nul(in: value, path: "") {
            return .failure(InvalidRequest(id: idOf(object), field: path.isEmpty ? "(request)" : path,
                                           problem: "contains U+0000 (NUL), which cannot be stored"))
        }
        return .success(object)
    }

    /// The path of the first string (or key) holding U+0000, in key order.
    static func nul(in value: JSONValue, path: String) -> String? {
        switch value {
        case .string(let text): return text.utf8.contains(0) ? path : nil
        case .array(let items):
            for (index, item) in items.enumerated() {
                if let found = nul(in: item, path: "\(path)[\(index)]") { return found }
            }
            return nil
        case .object(let members):
            for key in members.keys.sorted() {
                let child = path.isEmpty ? key : "\(path).\(key)"
                if key.utf8.contains(0) { return child }
                if let found = nul(in: members[key]!, path: child) { return found }
            }
            return nil
        case .null, .bool, .integer, .number: return nil
        }
    }

    /// The body as a JSON object holding only `allowed` fields, or the 400 `invalid-request`
    /// naming the field at fault: how the bodies that are not evaluator requests are read.
    static func object(_ body: some Collection<UInt8>, allowed: Set<String>) -> Result<[String: JSONValue], ServiceReply> {
        switch object(body) {
        case .success(let object):
            if let problem = unknownField(object, allowed: allowed) { return .failure(.invalidRequest(problem)) }
            return .success(object)
        case .failure(let problem): return .failure(.invalidRequest(problem))
        }
    }

    /// The first field (in sorted order) that `allowed` does not list.
    static func unknownField(_ object: [String: JSONValue], allowed: Set<String>) -> InvalidRequest? {
        guard let key = object.keys.sorted().first(where: { !allowed.contains($0) }) else { return nil }
        let why = serviceSupplied.contains(key) ? "unknown field; the service supplies it" : "unknown field"
        return InvalidRequest(id: idOf(object), field: key, problem: why)
    }

    static func idOf(_ object: [String: JSONValue]) -> String? {
        if case .string(let id)? = object["id"] { return id }
        return nil
    }

    /// An evaluator request from a service body: `action` set, and `agent` defaulted to the
    /// conversation's agent for actions on an existing conversation.
    static func request(_ object: [String: JSONValue], action: Request.Action, defaultAgent: String? = nil) -> Result<Request, InvalidRequest> {
        var object = object
        object["action"] = .string(action.rawValue)
        if object["agent"] == nil, let defaultAgent {
            object["agent"] = .object(["id": .string(defaultAgent)])
        }
        return Request.decode(.object(object))
    }

    /// A body field an agent's token does not let the caller write: the field, and why.
    struct IdentityMismatch: Error, Sendable, Equatable {
        let field: String
        let problem: String
    }

    /// The body's `agent` as the token states it: the body may give the agent's `state`, and
    /// its `id` only when it is the token's; any other agent field is an `IdentityMismatch`.
    ///
    /// The license is set after decoding (`withIdentity`), so a token without a license claim
    /// gives an unknown license, never a missing field.
    static func actingAs(_ agent: Principal.Agent, _ object: inout [String: JSONValue]) -> IdentityMismatch? {
        var members: [String: JSONValue] = [:]
        switch object["agent"] {
        case nil, .null?: break
        case .object(let written)?:
            for key in written.keys.sorted() where key != "state" {
                guard key == "id" else {
                    return IdentityMismatch(field: "agent.\(key)", problem: "comes from the caller's token; the body may give only agent.state")
                }
                guard written[key] == .string(agent.id) else {
                    return IdentityMismatch(field: "agent.id", problem: "is not the agent the caller's token names")
                }
            }
            members["state"] = written["state"]
        case .some:
            // A wrong type is the decoder's to report, as for any caller.
            return nil
        }
        members["id"] = .string(agent.id)
        members["license"] = .string(agent.license ?? "")
        if let team = agent.team { members["team"] = .string(team) }
        if let site = agent.site { members["site"] = .string(site) }
        object["agent"] = .object(members)
        return nil
    }

    /// The decoded request with the token's license (nil when the token has none).
    static func withIdentity(_ request: Request, of agent: Principal.Agent?) -> Request {
        guard let agent else { return request }
        var request = request
        request.agent.license = agent.license
        return request
    }

    /// The composer's message: `{"body"}` or `{"template", "variables"}`.
    enum MessageInput: Sendable, Hashable {
        case body(String)
        case template(name: String, variables: [String: String])
    }

    static func message(_ value: JSONValue, field: String = "message", id: String?) -> Result<MessageInput, InvalidRequest> {
        func invalid(_ path: String, _ problem: String) -> Result<MessageInput, InvalidRequest> {
            .failure(InvalidRequest(id: id, field: path, problem: problem))
        }
        guard case .object(let object) = value else { return invalid(field, "expected an object, found \(value.typeName)") }
        if let key = object.keys.sorted().first(where: { !["body", "template", "variables"].contains($0) }) {
            return invalid("\(field).\(key)", "unknown field")
        }
        switch (object["body"], object["template"]) {
        case (.string(let body)?, nil):
            if object["variables"] != nil { return invalid("\(field).variables", "variables go with a template, not a body") }
            if body.allSatisfy(\.isWhitespace) { return invalid("\(field).body", "blank") }
            return .success(.body(body))
        case (nil, .string(let name)?):
            var variables: [String: String] = [:]
            switch object["variables"] {
            case nil, .null?: break
            case .object(let map)?:
                for (key, value) in map {
                    guard case .string(let text) = value else {
                        return invalid("\(field).variables.\(key)", "expected a string, found \(value.typeName)")
                    }
                    variables[key] = text
                }
            case let other?: return invalid("\(field).variables", "expected an object, found \(other.typeName)")
            }
            return .success(.template(name: name, variables: variables))
        case (nil, nil): return invalid(field, "give a body or a template")
        case (.some, .some): return invalid(field, "give a body or a template, not both")
        case (let body?, nil): return invalid("\(field).body", "expected a string, found \(body.typeName)")
        case (nil, let template?): return invalid("\(field).template", "expected a string, found \(template.typeName)")
        }
    }

    /// A string field: nil when absent or null, an error when of another type.
    static func string(_ object: [String: JSONValue], _ key: String, required: Bool) -> Result<String?, InvalidRequest> {
        switch object[key] {
        case .string(let text)?: return .success(text)
        case nil, .null?:
            return required ? .failure(InvalidRequest(id: nil, field: key, problem: "missing")) : .success(nil)
        case let other?: return .failure(InvalidRequest(id: nil, field: key, problem: "expected a string, found \(other.typeName)"))
        }
    }
}

import Sortie

/// The JSON bodies of SPEC §4's endpoints, read as strictly as evaluator requests: an unknown
/// field, a wrong type or a missing field is an `InvalidRequest` naming the field.
enum RequestBodies {
    /// Fields of `POST /v1/outbound-conversations`. The evaluator's `activeOutbound`,
    /// `destinationActive` and `subjectUsed` are not among them: the service reads them from its store.
    static let createFields: Set<String> = ["id", "locale", "agent", "channel", "to", "entryPoint", "subject", "message"]
    static let storeFacts: Set<String> = ["activeOutbound", "destinationActive", "subjectUsed", "action"]
    static let optionsFields: Set<String> = ["id", "locale", "agent"]
    static let operationFields: Set<String> = ["id", "locale", "agent", "operation", "trigger"]
    static let closeFields: Set<String> = ["id", "locale", "agent", "wrapUpReason"]
    static let inboundFields: Set<String> = ["channel", "from", "to", "body", "subject", "inReplyTo"]

    /// The body as a JSON object, or why it is not one.
    static func object(_ body: some Collection<UInt8>) -> Result<[String: JSONValue], InvalidRequest> {
        guard let value = JSONValue.parse(body) else {
            return .failure(InvalidRequest(id: nil, field: "(request)", problem: "not valid JSON"))
        }
        guard case .object(let object) = value else {
            return .failure(InvalidRequest(id: nil, field: "(request)", problem: "expected a JSON object, found \(value.typeName)"))
        }
        return .success(object)
    }

    /// The first field (in sorted order) that `allowed` does not list.
    static func unknownField(_ object: [String: JSONValue], allowed: Set<String>) -> InvalidRequest? {
        guard let key = object.keys.sorted().first(where: { !allowed.contains($0) }) else { return nil }
        let why = storeFacts.contains(key) ? "unknown field; the service supplies it" : "unknown field"
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

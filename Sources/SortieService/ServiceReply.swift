import Foundation
import Sortie

/// What the service answers: an HTTP status and a JSON body. The service is HTTP-free; the
/// server turns this into a response as is.
public struct ServiceReply: Sendable {
    public var status: Int
    public var body: Data

    public init(status: Int, body: Data) {
        self.status = status
        self.body = body
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }()

    static func json<T: Encodable>(_ status: Int, _ value: T) -> ServiceReply {
        do {
            return ServiceReply(status: status, body: try encoder.encode(value))
        } catch {
            return encodingFailed(error)
        }
    }

    static func encodingFailed(_ error: any Error) -> ServiceReply {
        .error(500, "encoding-failed", "the answer could not be encoded: \(error)")
    }

    /// A JSON object of members already written as JSON, given in key order: how a reply that
    /// holds a decision embeds the decision writer's bytes.
    static func object(_ status: Int, _ members: [(key: String, json: [UInt8])]) -> ServiceReply {
        var w = JSONWriter(capacity: members.reduce(2) { $0 + $1.json.count + 16 })
        w.object { o in
            for member in members { o.member(member.key) { $0.raw(member.json) } }
        }
        return ServiceReply(status: status, body: Data(w.bytes))
    }

    /// A record as JSON, by the same encoder as every other reply.
    static func encode<T: Encodable>(_ value: T) throws -> [UInt8] {
        [UInt8](try encoder.encode(value))
    }

    /// `{"error": {"status", "code", "message", "field"?, "missing"?}}`: for problems that are
    /// not decisions (unknown ids, bodies too large, templates missing variables…).
    public static func error(_ status: Int, _ code: String, _ message: String, field: String? = nil, missing: [String]? = nil) -> ServiceReply {
        json(status, ErrorBody(status: status, code: code, message: message, field: field, missing: missing))
    }

    /// 400 `invalid-request` naming the field of a malformed body.
    static func invalidRequest(_ problem: InvalidRequest) -> ServiceReply {
        error(400, "invalid-request", problem.detail, field: problem.field)
    }

    /// `{"decision": …}` with the status the decision's first reason gives it; `json` is the
    /// decision as already written (for the decision log).
    static func decision(_ decision: Decision, json: [UInt8], allowedStatus: Int = 200) -> ServiceReply {
        object(decision.allowed ? allowedStatus : DecisionStatus.status(of: decision), [("decision", json)])
    }
}

/// The body of every non-decision error.
public struct ErrorBody: Codable, Sendable, Hashable {
    public struct Detail: Codable, Sendable, Hashable {
        public var status: Int
        /// A stable, kebab-case code: `not-found`, `payload-too-large`, `missing-template-variables`…
        public var code: String
        public var message: String
        /// The request field at fault, as a dotted path.
        public var field: String?
        /// Template variables the request did not supply.
        public var missing: [String]?
    }
    public var error: Detail

    public init(status: Int, code: String, message: String, field: String? = nil, missing: [String]? = nil) {
        error = Detail(status: status, code: code, message: message, field: field, missing: missing)
    }
}

/// The HTTP status of a refused decision: the status of its first reason in reporting order,
/// from the reason code's row (`ReasonCode.Row.status`).
public enum DecisionStatus {
    public static func status(of decision: Decision) -> Int {
        guard let first = decision.reasons.first else { return 200 }
        return status(of: first.code)
    }

    public static func status(of code: ReasonCode) -> Int { code.facts.status }
}

/// A step that ends a request early (a template missing variables, say) fails with the reply.
extension ServiceReply: Error {}

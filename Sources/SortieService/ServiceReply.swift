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
            return .error(500, "encoding-failed", "the answer could not be encoded: \(error)")
        }
    }

    /// `{"error": {"status", "code", "message", "field"?, "missing"?}}`: for problems that are
    /// not decisions (unknown ids, bodies too large, templates missing variables…).
    public static func error(_ status: Int, _ code: String, _ message: String, field: String? = nil, missing: [String]? = nil) -> ServiceReply {
        json(status, ErrorBody(status: status, code: code, message: message, field: field, missing: missing))
    }

    /// `{"decision": …}` with the status SPEC §4 gives the decision.
    static func decision(_ decision: Decision, allowedStatus: Int = 200) -> ServiceReply {
        json(decision.allowed ? allowedStatus : DecisionStatus.status(of: decision), ["decision": decision])
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

/// The HTTP status of a refused decision (SPEC §4): the status of its first reason, in reporting
/// order. One switch, so a new reason code cannot be added without choosing its status.
public enum DecisionStatus {
    public static func status(of decision: Decision) -> Int {
        guard let first = decision.reasons.first else { return 200 }
        return status(of: first.code)
    }

    public static func status(of code: ReasonCode) -> Int {
        switch code {
        case .invalidRequest:
            400
        // Eligibility, state and limits: the agent may not do this now.
        case .digitalChannelsDisabled, .licenseNotEligible, .noMultimediaProfile, .channelNotInProfile,
             .agentStateNotAllowed, .outboundLimitReached,
             .conferenceNotAllowed, .transferNotAllowed, .workflowTriggerNotAllowed:
            403
        case .conversationAlreadyActive:
            409
        // What the request names is wrong: channel, destination, entry point, subject, wrap-up.
        case .channelNotSupported, .invalidDestination, .noEntryPointConfigured, .entryPointNotFound,
             .entryPointChannelMismatch, .emailSubjectRequired, .emailSubjectReused,
             .wrapUpReasonRequired, .wrapUpReasonUnknown:
            422
        case .taskCreationFailed, .agentAssignmentFailed:
            503
        }
    }
}

/// A step that ends a request early (a template missing variables, say) fails with the reply.
extension ServiceReply: Error {}

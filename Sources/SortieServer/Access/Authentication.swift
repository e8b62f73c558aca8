import Foundation
import Hummingbird
import HTTPTypes
import HummingbirdAuth
import Synchronization
import SortieAccess
import SortieService

/// The server's request context: Hummingbird's, with what the request's bearer token said.
struct SortieRequestContext: AuthRequestContext, RequestContext {
    var coreContext: CoreRequestContextStorage
    var identity: Authentication?

    init(source: Source) {
        coreContext = .init(source: source)
        identity = nil
    }
}

/// What a request's `Authorization` header established: a principal, or why its token was
/// refused. No header leaves the context's identity nil.
///
/// A refused token is kept rather than thrown, so a public route answers whatever the header
/// holds and a protected one answers 401 `invalid_token` (`Authorization`).
enum Authentication: Sendable {
    case principal(Principal)
    case rejected(TokenError)
}

/// The configuration in use, swapped whole by a reload that succeeds.
final class AccessHolder: Sendable {
    private let state: Mutex<ServerAccess>

    init(_ access: ServerAccess) {
        state = Mutex(access)
    }

    var current: ServerAccess { state.withLock { $0 } }

    func replace(with access: ServerAccess) {
        state.withLock { $0 = access }
    }
}

/// Verifies the bearer token of every request (hummingbird-auth's authenticator middleware).
///
/// A server without a configuration authenticates everyone as the open principal. The token
/// itself never reaches a log: only the reason it was refused does, at debug level.
struct BearerAuthenticator: AuthenticatorMiddleware {
    typealias Context = SortieRequestContext
    let access: AccessHolder

    func authenticate(request: Request, context: Context) async throws -> Authentication? {
        guard let tokens = access.current.tokens else { return .principal(.open) }
        guard let header = request.headers[.authorization] else { return nil }
        switch await tokens.verify(authorization: header) {
        case .success(let principal):
            return .principal(principal)
        case .failure(let error):
            context.logger.debug("bearer token refused", metadata: ["reason": "\(error.reason)"])
            return .rejected(error)
        }
    }
}

/// Applies a route's `AccessRule` to a request: the caller it acts for, or the answer that
/// refuses it (401 `unauthenticated`, 403 `forbidden`, or a signed webhook's first answer).
struct Authorization: Sendable {
    let access: AccessHolder
    let replies: WebhookReplies
    let maxBodyBytes: Int

    /// What the check decided.
    enum Outcome: Sendable {
        case caller(Caller)
        /// A signed webhook seen for the first time: act, then `WebhookReplies.settle` its answer.
        case webhook(Caller, id: String)
        case refused(Response)
    }

    func check(_ rule: AccessRule, _ request: inout Request, context: SortieRequestContext) async throws -> Outcome {
        if rule.isPublic { return .caller(.open) }
        switch context.identity {
        case .principal(let principal)?:
            if let caller = rule.caller(principal) { return .caller(caller) }
            if rule.signedWebhook, Self.hasWebhookHeaders(request) { break }
            return .refused(Self.forbidden("this route is not open to the caller's roles"))
        case .rejected(let error)?:
            return .refused(Self.unauthenticated(error.reason, header: error.wwwAuthenticate))
        case nil:
            break
        }
        guard rule.signedWebhook, Self.hasWebhookHeaders(request) else {
            return .refused(Self.unauthenticated("this route needs a bearer token" + (rule.signedWebhook ? " or a signed webhook" : ""),
                                                 header: TokenError.missing.wwwAuthenticate))
        }
        return try await webhook(&request)
    }

    private func webhook(_ request: inout Request) async throws -> Outcome {
        guard let verifier = access.current.webhooks else {
            return .refused(Self.unauthenticated("this server accepts no signed webhooks (its configuration has no webhooks.secretFile)",
                                                 header: TokenError.missing.wwwAuthenticate))
        }
        let body = try await request.collectBody(upTo: maxBodyBytes)
        let id = request.headers[Self.webhookID]
        switch verifier.verify(id: id, timestamp: request.headers[Self.webhookTimestamp],
                               signature: request.headers[Self.webhookSignature], body: body.readableBytesView) {
        case .failure(let error) where error.httpStatus == 503:
            return .refused(respond(.error(503, "webhook-memory-full", error.reason)))
        case .failure(let error):
            return .refused(Self.unauthenticated("webhook: \(error.reason)", header: TokenError.missing.wwwAuthenticate))
        case .success(.replay):
            return .refused(await replies.answer(to: id ?? ""))
        case .success(.accepted):
            let principal = Principal(subject: "webhook", issuer: "webhook", roles: [.integration], agent: nil)
            return .webhook(Caller(principal: principal, actsAsItself: false), id: id ?? "")
        }
    }

    static let webhookID = HTTPField.Name("webhook-id")!
    static let webhookTimestamp = HTTPField.Name("webhook-timestamp")!
    static let webhookSignature = HTTPField.Name("webhook-signature")!

    static func hasWebhookHeaders(_ request: Request) -> Bool {
        request.headers[webhookSignature] != nil || request.headers[webhookID] != nil
    }

    /// 401 with `WWW-Authenticate` and the JSON error `unauthenticated`.
    static func unauthenticated(_ message: String, header: String) -> Response {
        var response = respond(.error(401, "unauthenticated", message))
        response.headers[.wwwAuthenticate] = header
        return response
    }

    static func forbidden(_ message: String) -> Response {
        respond(.error(403, "forbidden", message))
    }
}

/// The answers to signed webhooks, by `webhook-id`, so a repeat is answered as the first time.
///
/// A repeat that arrives while the first is still being handled waits for its answer. A first
/// delivery whose handling failed (a 5xx) is forgotten, so the sender's retry is acted on.
/// Answers are kept as long as the verifier remembers the id (the tolerance, twice at most).
actor WebhookReplies {
    private var answers: [String: (task: Task<Response, Never>, until: ContinuousClock.Instant)] = [:]
    private let keep: Duration

    init(keep: Duration) {
        self.keep = keep
    }

    /// Handles a first delivery: `handle` runs once; its answer is kept for repeats.
    func settle(id: String, forget: @escaping @Sendable () -> Void, _ handle: @escaping @Sendable () async -> Response) async -> Response {
        let now = ContinuousClock.now
        answers = answers.filter { $0.value.until > now }
        let task = Task { await handle() }
        answers[id] = (task, now.advanced(by: keep))
        let response = await task.value
        if response.status.code >= 500 {
            answers[id] = nil
            forget()
        }
        return response
    }

    /// The first delivery's answer (a repeat whose first answer is gone is answered as done).
    func answer(to id: String) async -> Response {
        guard let entry = answers[id] else {
            return respond(.error(409, "webhook-replayed", "webhook \"\(id)\" was already handled"))
        }
        return await entry.task.value
    }
}

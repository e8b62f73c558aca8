import Foundation
import Hummingbird
import Prometheus
import Sortie
import SortieService
import SortieStore

/// The service's endpoints (docs/openapi.yaml), each a thin call into `ConversationService`
/// behind its row of the access table (`AccessRule`).
struct Routes: Sendable {
    let service: ConversationService
    let registry: PrometheusCollectorRegistry
    let maxBodyBytes: Int
    let authorization: Authorization
    let reload: @Sendable () -> ServiceReply

    typealias Handler = @Sendable (Request, SortieRequestContext, Caller) async throws -> Response

    func register(on router: Router<SortieRequestContext>) {
        let service = service
        on(router, .post, "/v1/outbound-conversations", .actAsAgent) { request, _, caller in
            let body = try await body(request)
            return respond(await service.createOutbound(body, idempotencyKey: request.headers[.init("Idempotency-Key")!],
                                                        caller: caller))
        }
        on(router, .post, "/v1/outbound-options", .actAsAgent) { request, _, caller in
            respond(await service.options(try await body(request), caller: caller))
        }
        on(router, .post, "/v1/conversations/:id/messages", .changeConversation) { request, context, caller in
            let body = try await body(request)
            return respond(await service.sendMessage(conversationId: try context.parameters.require("id"), body, caller: caller))
        }
        on(router, .post, "/v1/conversations/:id/operations", .changeConversation) { request, context, caller in
            let body = try await body(request)
            return respond(await service.operation(conversationId: try context.parameters.require("id"), body, caller: caller))
        }
        on(router, .post, "/v1/conversations/:id/close", .changeConversation) { request, context, caller in
            let body = try await body(request)
            return respond(await service.close(conversationId: try context.parameters.require("id"), body, caller: caller))
        }
        on(router, .get, "/v1/conversations/:id", .readConversation) { request, context, caller in
            let query = request.uri.queryParameters
            switch MessagePage.query(limit: query["limit"].map(String.init), after: query["after"].map(String.init)) {
            case .success(let page): return respond(await service.conversation(id: try context.parameters.require("id"), page: page, caller: caller))
            case .failure(let reply): return respond(reply)
            }
        }
        on(router, .post, "/v1/inbound", .gateway) { request, _, _ in
            respond(await service.receiveInbound(try await body(request)))
        }
        on(router, .post, "/v1/messages/:id/status", .gateway) { request, context, _ in
            let body = try await body(request)
            return respond(await service.receipt(messageId: try context.parameters.require("id"), body))
        }
        on(router, .get, "/v1/consent/:channel/:address", .consent) { _, context, _ in
            respond(await service.consent(channel: try context.parameters.require("channel"),
                                          address: try context.parameters.require("address")))
        }
        for (method, change) in [(HTTPRequest.Method.put, ConsentChange.optOut), (.delete, .optIn)] {
            on(router, method, "/v1/consent/:channel/:address", .consent) { request, context, caller in
                let body = try await body(request)
                return respond(await service.changeConsent(change, channel: try context.parameters.require("channel"),
                                                           address: try context.parameters.require("address"), body, caller: caller))
            }
        }
        on(router, .put, "/v1/customers/:channel/:address/time-zone", .customerFacts) { request, context, _ in
            let body = try await body(request)
            return respond(await service.setTimeZone(channel: try context.parameters.require("channel"),
                                                     address: try context.parameters.require("address"), body))
        }
        on(router, .post, "/v1/decisions", .operate) { request, _, caller in
            respond(await service.decide(try await body(request), caller: caller))
        }
        on(router, .post, "/v1/admin/reload", .administer) { _, _, _ in
            respond(reload())
        }
        on(router, .get, "/healthz", .anyone) { _, _, _ in
            respond(await service.health())
        }
        // Public, like /healthz: a client fetches what the running version speaks.
        on(router, .get, "/v1/openapi.json", .anyone) { _, _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"],
                     body: .init(byteBuffer: ByteBuffer(bytes: OpenAPIDocument.json)))
        }
        let registry = registry
        on(router, .get, "/metrics", .operate) { _, _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
        }
    }

    /// Registers `handler` behind `rule`: the handler runs only for a caller the rule admits.
    private func on(_ router: Router<SortieRequestContext>, _ method: HTTPRequest.Method, _ path: RouterPath,
                    _ rule: AccessRule, _ handler: @escaping Handler) {
        let authorization = authorization
        router.on(path, method: method) { request, context -> Response in
            var request = request
            switch try await authorization.check(rule, &request, context: context) {
            case .refused(let response):
                return response
            case .caller(let caller):
                return try await handler(request, context, caller)
            case .webhook(let caller, let id):
                let access = authorization.access
                let handled = request
                return await authorization.replies.settle(id: id, forget: { access.current.webhooks?.forget(id: id) }) {
                    do {
                        return try await handler(handled, context, caller)
                    } catch {
                        return respond(.error(400, "invalid-request", "the request could not be read"))
                    }
                }
            }
        }
    }

    /// The whole body, or 413 (as JSON, by `JSONErrorMiddleware`) past `maxBodyBytes`.
    private func body(_ request: Request) async throws -> [UInt8] {
        try await request.body.collect(upTo: maxBodyBytes).bytes
    }
}

/// A service reply as an HTTP response.
func respond(_ reply: ServiceReply) -> Response {
    Response(status: .init(code: reply.status), headers: [.contentType: "application/json"],
             body: .init(byteBuffer: ByteBuffer(bytes: reply.body)))
}

extension ByteBuffer {
    /// The readable bytes, for the service's `some Collection<UInt8>` bodies.
    var bytes: [UInt8] { getBytes(at: readerIndex, length: readableBytes) ?? [] }
}

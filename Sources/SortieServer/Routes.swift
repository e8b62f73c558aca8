import Foundation
import Hummingbird
import Prometheus
import SortieService

/// The service's endpoints (docs/openapi.yaml), each a thin call into `ConversationService`.
struct Routes: Sendable {
    let service: ConversationService
    let registry: PrometheusCollectorRegistry
    let maxBodyBytes: Int
    let reload: @Sendable () -> ServiceReply

    func register(on router: Router<BasicRequestContext>) {
        let service = service
        router.post("/v1/outbound-conversations") { request, _ in
            let body = try await body(request)
            return respond(await service.createOutbound(body, idempotencyKey: request.headers[.init("Idempotency-Key")!]))
        }
        router.post("/v1/outbound-options") { request, _ in
            let body = try await body(request)
            return respond(await service.options(body))
        }
        router.post("/v1/conversations/:id/messages") { request, context in
            let body = try await body(request)
            return respond(await service.sendMessage(conversationId: try context.parameters.require("id"), body))
        }
        router.post("/v1/conversations/:id/operations") { request, context in
            let body = try await body(request)
            return respond(await service.operation(conversationId: try context.parameters.require("id"), body))
        }
        router.post("/v1/conversations/:id/close") { request, context in
            let body = try await body(request)
            return respond(await service.close(conversationId: try context.parameters.require("id"), body))
        }
        router.get("/v1/conversations/:id") { _, context in
            respond(await service.conversation(id: try context.parameters.require("id")))
        }
        router.post("/v1/inbound") { request, _ in
            let body = try await body(request)
            return respond(await service.receiveInbound(body))
        }
        router.post("/v1/decisions") { request, _ in
            respond(await service.decide(try await body(request)))
        }
        router.post("/v1/admin/reload") { _, _ in
            respond(reload())
        }
        router.get("/healthz") { _, _ in
            respond(await service.health())
        }
        // Public, like /healthz: a client fetches what the running version speaks.
        router.get("/v1/openapi.json") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"],
                     body: .init(byteBuffer: ByteBuffer(bytes: OpenAPIDocument.json)))
        }
        router.get("/metrics") { _, _ in
            Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
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

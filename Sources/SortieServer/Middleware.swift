import Foundation
import Hummingbird
import Metrics
import SortieService

/// Every error the router or a handler throws (unknown route, body too large, a bad path
/// parameter) answered as the service's JSON error body, `{"error": {status, code, message}}`.
struct JSONErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as any HTTPResponseError {
            let status = Int(error.status.code)
            let code: String
            let message: String
            switch error.status {
            case .notFound:
                code = "not-found"
                message = "no route \(request.method.rawValue) \(request.uri.path)"
            case .contentTooLarge:
                code = "payload-too-large"
                message = "the request body is larger than the service accepts"
            case .methodNotAllowed:
                code = "method-not-allowed"
                message = "\(request.method.rawValue) is not allowed on \(request.uri.path)"
            default:
                code = "http-\(status)"
                message = (error as? HTTPError)?.body ?? error.status.reasonPhrase
            }
            return respond(.error(status, code, message))
        } catch {
            context.logger.error("unexpected error", metadata: ["error": "\(error)", "path": "\(request.uri.path)"])
            return respond(.error(500, "internal-error", "the service failed unexpectedly; nothing was changed"))
        }
    }
}

/// `sortie_http_requests_total{route, status}` and `sortie_http_request_duration_seconds{route}`
/// (a histogram), through swift-metrics.
///
/// It goes outside `JSONErrorMiddleware`, which turns every error into a response: a request
/// counted 500 here is one answered 500.
struct RequestMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let factory: any MetricsFactory

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        var status = 500
        defer {
            let route = context.endpointPath ?? "unmatched"
            Counter(label: "sortie_http_requests_total", dimensions: [("route", route), ("status", "\(status)")],
                    factory: factory).increment()
            let elapsed = ContinuousClock.now - start
            Timer(label: "sortie_http_request_duration_seconds", dimensions: [("route", route)], factory: factory)
                .recordNanoseconds(elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
        }
        let response = try await next(request, context)
        status = response.status.code
        return response
    }
}

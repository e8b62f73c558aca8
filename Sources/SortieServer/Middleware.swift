import Foundation
import Hummingbird
import Metrics
import Synchronization
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
    /// The handles already made, by route and status: made once each, not per request.
    private let handles = MetricHandles()

    init(factory: any MetricsFactory) {
        self.factory = factory
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        var status = 500
        defer {
            let route = context.endpointPath ?? "unmatched"
            let (counter, timer) = handles.handles(route: route, status: status, factory: factory)
            counter.increment()
            let elapsed = ContinuousClock.now - start
            timer.recordNanoseconds(elapsed.components.seconds * 1_000_000_000 + elapsed.components.attoseconds / 1_000_000_000)
        }
        let response = try await next(request, context)
        status = response.status.code
        return response
    }
}

/// `RequestMetricsMiddleware`'s counters and timers, made on first use of a route and status.
final class MetricHandles: Sendable {
    private struct Key: Hashable {
        let route: String
        let status: Int
    }

    private let made = Mutex<(counters: [Key: Counter], timers: [String: Timer])>(([:], [:]))

    func handles(route: String, status: Int, factory: any MetricsFactory) -> (Counter, Timer) {
        made.withLock { made in
            let key = Key(route: route, status: status)
            let counter = made.counters[key] ?? Counter(label: "sortie_http_requests_total",
                                                        dimensions: [("route", route), ("status", "\(status)")], factory: factory)
            made.counters[key] = counter
            let timer = made.timers[route] ?? Timer(label: "sortie_http_request_duration_seconds", dimensions: [("route", route)],
                                                    factory: factory)
            made.timers[route] = timer
            return (counter, timer)
        }
    }
}

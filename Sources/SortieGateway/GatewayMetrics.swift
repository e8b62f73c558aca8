import CoreMetrics
import Foundation

/// The dispatcher's metrics:
/// - `sortie_gateway_deliveries_total{outcome}`: pushes by what they made of their message,
///   `sent`, `failed` or `retried`;
/// - `sortie_gateway_attempts_total`: every push;
/// - `sortie_gateway_latency_seconds`: how long the gateway took to answer a push;
/// - `sortie_outbox_depth`: the queued messages;
/// - `sortie_outbox_oldest_queued_seconds`: the age of the oldest queued message (0 when none).
struct GatewayMetrics: Sendable {
    let sent, failed, retried, attempts: Counter
    let latency: CoreMetrics.Timer
    let depth, oldest: Gauge

    init(factory: any MetricsFactory) {
        func outcome(_ name: String) -> Counter {
            Counter(label: "sortie_gateway_deliveries_total", dimensions: [("outcome", name)], factory: factory)
        }
        sent = outcome("sent")
        failed = outcome("failed")
        retried = outcome("retried")
        attempts = Counter(label: "sortie_gateway_attempts_total", factory: factory)
        latency = CoreMetrics.Timer(label: "sortie_gateway_latency_seconds", factory: factory)
        depth = Gauge(label: "sortie_outbox_depth", factory: factory)
        oldest = Gauge(label: "sortie_outbox_oldest_queued_seconds", factory: factory)
        depth.record(0)
        oldest.record(0)
    }
}

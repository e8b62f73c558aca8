import CoreMetrics
import Sortie

/// The service's metrics, made through swift-metrics with an explicit factory (so each app,
/// and each test, has its own registry):
/// - `sortie_decisions_total{action, allowed}`: every decision the service made;
/// - `sortie_decision_reasons_total{code}`: every reason and warning code reported;
/// - `sortie_store_failures_total{kind}`: creates answered 503, and other store errors;
/// - `sortie_policy_reloads_total{outcome}`: reloads, `reloaded` or `rejected`.
public struct ServiceMetrics: Sendable {
    public let factory: any MetricsFactory

    public init(factory: any MetricsFactory) {
        self.factory = factory
    }

    func record(_ decision: Decision, action: Request.Action) {
        Counter(label: "sortie_decisions_total",
                dimensions: [("action", action.rawValue), ("allowed", decision.allowed ? "true" : "false")],
                factory: factory).increment()
        for reason in decision.reasons + decision.warnings {
            Counter(label: "sortie_decision_reasons_total", dimensions: [("code", reason.code.name)], factory: factory).increment()
        }
    }

    func storeFailure(_ kind: String) {
        Counter(label: "sortie_store_failures_total", dimensions: [("kind", kind)], factory: factory).increment()
    }

    func reload(_ outcome: String) {
        Counter(label: "sortie_policy_reloads_total", dimensions: [("outcome", outcome)], factory: factory).increment()
    }
}

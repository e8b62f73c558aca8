import CoreMetrics
import Sortie

/// The service's metrics, made through swift-metrics with an explicit factory (so each app,
/// and each test, has its own registry):
/// - `sortie_decisions_total{action, allowed}`: every decision the service made;
/// - `sortie_decision_reasons_total{code}`: every reason and warning code reported;
/// - `sortie_store_failures_total{kind}`: creates answered 503, and other store errors;
/// - `sortie_policy_reloads_total{outcome}`: reloads, `reloaded` or `rejected`.
///
/// The decision counters are made once, at init: every action and every reason code is known
/// then, and a counter looked up by its labels on each decision costs a registry lookup.
public struct ServiceMetrics: Sendable {
    public let factory: any MetricsFactory
    /// By action, then allowed (index 1) or not (index 0).
    private let decisions: [Request.Action: [Counter]]
    /// By `ReasonCode.rawValue`.
    private let reasons: [Counter]

    public init(factory: any MetricsFactory) {
        self.factory = factory
        var decisions: [Request.Action: [Counter]] = [:]
        for action in Request.Action.allCases {
            decisions[action] = ["false", "true"].map { allowed in
                Counter(label: "sortie_decisions_total", dimensions: [("action", action.rawValue), ("allowed", allowed)], factory: factory)
            }
        }
        self.decisions = decisions
        reasons = ReasonCode.allCases.sorted { $0.rawValue < $1.rawValue }.map { code in
            Counter(label: "sortie_decision_reasons_total", dimensions: [("code", code.name)], factory: factory)
        }
    }

    func record(_ decision: Decision, action: Request.Action) {
        decisions[action]?[decision.allowed ? 1 : 0].increment()
        for reason in decision.reasons { reasons[reason.code.rawValue].increment() }
        for warning in decision.warnings { reasons[warning.code.rawValue].increment() }
    }

    /// Counts a decision made from bytes to bytes (`LineEvaluator`), as `record(_:action:)` does.
    func record(_ outcome: LineOutcome) {
        decisions[outcome.action]?[outcome.allowed ? 1 : 0].increment()
        for code in outcome.reasons { reasons[code.rawValue].increment() }
        for code in outcome.warnings { reasons[code.rawValue].increment() }
    }

    func storeFailure(_ kind: String) {
        Counter(label: "sortie_store_failures_total", dimensions: [("kind", kind)], factory: factory).increment()
    }

    func reload(_ outcome: String) {
        Counter(label: "sortie_policy_reloads_total", dimensions: [("outcome", outcome)], factory: factory).increment()
    }
}

import AsyncHTTPClient
import CoreMetrics
import Foundation
import Logging
import ServiceLifecycle
import Sortie
import SortieStore
import Synchronization

/// Takes committed messages out of the outbox and pushes them to the channel gateway (SPEC §6),
/// one instance per server, as a service of its group.
///
/// It claims what is due (`Outbox`), pushes up to `maxInFlight` messages at once, and writes
/// their outcomes together. It wakes when this process queues a message (`OutboxSignal`) or a
/// push ends, and otherwise every `pollInterval` (or sooner, when a retry falls due), which
/// picks up messages other instances queued and claims whose holder died.
public final class Dispatcher: Service, CustomStringConvertible {
    public var description: String { "Dispatcher" }

    /// What the dispatcher needs from the rest of the server, read afresh on each round so that
    /// a reload applies at once.
    public struct Sources: Sendable {
        /// The gateway in use; nil when none is configured (messages then stay queued).
        public var settings: @Sendable () -> GatewaySettings?
        /// The address an entry point sends from, in the policy in use.
        public var senderAddress: @Sendable (_ entryPoint: String, Channel) -> String?

        public init(settings: @escaping @Sendable () -> GatewaySettings?,
                    senderAddress: @escaping @Sendable (_ entryPoint: String, Channel) -> String?) {
            self.settings = settings
            self.senderAddress = senderAddress
        }
    }

    let outbox: any Outbox
    let sources: Sources
    let signal: OutboxSignal
    let status: GatewayStatus
    let metrics: GatewayMetrics
    let logger: Logger
    let maxInFlight: Int
    let pollInterval: Duration
    /// A number in `0..<1` for the backoff's jitter.
    let unit: @Sendable () -> Double
    let now: @Sendable () -> Date

    private let doorbell = Doorbell()
    private let finished = Mutex<[DeliveryReport]>([])
    private let inFlight = Atomic<Int>(0)

    public init(outbox: any Outbox, sources: Sources, signal: OutboxSignal, status: GatewayStatus, metrics: any MetricsFactory,
                logger: Logger, maxInFlight: Int = 64, pollInterval: Duration = .seconds(1),
                unit: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }, now: @escaping @Sendable () -> Date = { Date() }) {
        self.outbox = outbox
        self.sources = sources
        self.signal = signal
        self.status = status
        self.metrics = GatewayMetrics(factory: metrics)
        self.logger = logger
        self.maxInFlight = maxInFlight
        self.pollInterval = pollInterval
        self.unit = unit
        self.now = now
    }

    public func run() async throws {
        var configuration = HTTPClient.Configuration()
        // A push goes to the configured address only: a redirect is an answer like any other.
        configuration.redirectConfiguration = .disallow
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = maxInFlight
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                let wakeUps = signal.subscribe()
                group.addTask { [doorbell] in
                    for await _ in wakeUps { doorbell.ring() }
                }
                await rounds(client: client, group: &group)
                // Ends the wake-up listener; the pushes are all done by now.
                group.cancelAll()
            }
        } onGracefulShutdown: { [doorbell] in
            doorbell.ring()
        }
        try? await client.shutdown()
    }

    /// Claims, pushes and records until shutdown, then waits for the pushes under way and
    /// records them too: a message pushed is never left without its outcome when it can be helped.
    private func rounds(client: HTTPClient, group: inout DiscardingTaskGroup) async {
        var lastState = ContinuousClock.now - .seconds(60)
        var nextDue: Date?
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            await record()
            let settings = sources.settings()
            // A gateway configured but not yet pushed to is taken to be fine.
            if settings == nil { status.set(.none) } else if status.current == .none { status.set(.ok) }
            // Full: the next push that ends rings; the outbox is not read meanwhile.
            let saturated = inFlight.load(ordering: .sequentiallyConsistent) >= maxInFlight
            var claimed = 0
            if let settings, !saturated {
                claimed = await claim(settings: settings, client: client, group: &group)
            }
            if !saturated && (ContinuousClock.now - lastState >= pollInterval || claimed == 0) {
                lastState = ContinuousClock.now
                nextDue = await observeOutbox()
            }
            if claimed > 0 && inFlight.load(ordering: .sequentiallyConsistent) < maxInFlight { continue }
            await doorbell.wait(timeout: saturated ? pollInterval : wait(until: nextDue, settings: settings))
        }
        // Shutting down: no new claims; the pushes under way end within their timeout.
        while inFlight.load(ordering: .sequentiallyConsistent) > 0 && !Task.isCancelled {
            await doorbell.wait(timeout: .milliseconds(100))
            await record()
        }
        await record()
    }

    /// How long to sleep when nothing is claimable: until the next retry is due, at most a poll interval.
    private func wait(until nextDue: Date?, settings: GatewaySettings?) -> Duration {
        guard settings != nil, let nextDue else { return pollInterval }
        let seconds = nextDue.timeIntervalSince(now())
        guard seconds > 0 else { return .milliseconds(10) }
        return min(pollInterval, .milliseconds(Int64(seconds * 1000) + 1))
    }

    /// Claims what is due and starts its pushes; returns how many.
    private func claim(settings: GatewaySettings, client: HTTPClient, group: inout DiscardingTaskGroup) async -> Int {
        let start = now()
        let deliveries: [OutboundDelivery]
        do {
            deliveries = try await outbox.claimDeliveries(now: start, claim: UUID().uuidString, leaseUntil: start.addingTimeInterval(settings.lease.seconds),
                                                          limit: maxInFlight - inFlight.load(ordering: .sequentiallyConsistent))
        } catch {
            logger.error("the outbox cannot be read; retrying", metadata: ["error": "\(error)"])
            return 0
        }
        for delivery in deliveries {
            inFlight.add(1, ordering: .sequentiallyConsistent)
            group.addTask { [self] in
                let report = await push(delivery, settings: settings, client: client)
                finished.withLock { $0.append(report) }
                inFlight.subtract(1, ordering: .sequentiallyConsistent)
                doorbell.ring()
            }
        }
        return deliveries.count
    }

    /// One push and its report.
    func push(_ delivery: OutboundDelivery, settings: GatewaySettings, client: HTTPClient) async -> DeliveryReport {
        let startedAt = now()
        let answer: PushAnswer
        if let from = sources.senderAddress(delivery.entryPoint, delivery.channel) {
            let started = ContinuousClock.now
            answer = await GatewayPush.send(GatewayPush.body(delivery, from: from), of: delivery, settings: settings, client: client, now: startedAt)
            metrics.latency.recordNanoseconds(Int64((ContinuousClock.now - started).seconds * 1e9))
            metrics.attempts.increment()
        } else {
            answer = .rejected(status: 0, text: "entry point \"\(delivery.entryPoint)\" is not in the policy in use: no address to send from")
        }
        let (attempt, outcome) = answer.outcome(startedAt: startedAt, failuresBefore: delivery.attempts, maxAttempts: settings.maxAttempts,
                                                backoff: Backoff(maxBackoff: settings.maxBackoff), now: now(), unit: unit)
        switch answer {
        case .retryable: status.set(.failing(answer.summary))
        case .accepted, .rejected(status: 400..., _): status.set(.ok)
        case .rejected: break
        }
        switch outcome {
        case .sent: metrics.sent.increment()
        case .failed(let error):
            metrics.failed.increment()
            logger.warning("message failed", metadata: ["message": "\(delivery.messageId)", "error": "\(error)"])
        case .retry: metrics.retried.increment()
        }
        return DeliveryReport(delivery: delivery, attempt: attempt, outcome: outcome)
    }

    /// Writes the outcomes of the pushes that ended, in one transaction. When that fails, one
    /// report alone tells the store's outage (kept, for the next round) from a report the
    /// database refuses: that one is dropped, its lease ends, and its message is pushed again.
    private func record() async {
        let reports = finished.withLock { reports in defer { reports = [] }; return reports }
        guard !reports.isEmpty else { return }
        // In one order on every instance, so that two batches never wait on each other's rows.
        let sorted = reports.sorted { $0.delivery.messageId < $1.delivery.messageId }
        do {
            try await outbox.finishDeliveries(sorted)
            return
        } catch {
            logger.error("push outcomes cannot be written", metadata: ["error": "\(error)", "reports": "\(reports.count)"])
        }
        var kept: [DeliveryReport] = []
        var storeWrites = false
        for (index, report) in sorted.enumerated() {
            do {
                try await outbox.finishDeliveries([report])
                storeWrites = true
            } catch where index == 0 || !storeWrites {
                // The store does not write at all: keep everything for the next round.
                kept = Array(sorted[index...])
                break
            } catch {
                logger.error("a push outcome cannot be written; its message will be pushed again after its lease",
                             metadata: ["message": "\(report.delivery.messageId)", "error": "\(error)"])
            }
        }
        guard !kept.isEmpty else { return }
        finished.withLock { $0.insert(contentsOf: kept, at: 0) }
        try? await Task.sleep(for: .milliseconds(200))
    }

    /// Updates the outbox gauges; returns the next due time.
    private func observeOutbox() async -> Date? {
        guard let state = try? await outbox.outboxState() else { return nil }
        metrics.depth.record(state.depth)
        metrics.oldest.record(state.oldestQueuedAt.map { max(0, now().timeIntervalSince($0)) } ?? 0)
        return state.nextDueAt
    }
}

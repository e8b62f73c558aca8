import GRDB
import ServiceLifecycle
import Sortie
import SortieStore
import Synchronization

/// Group commit for creates. SQLite has one writer, and a commit costs more than the create
/// itself (docs/benchmarks.md has the measurements), so creates that arrive while the writer is busy wait and then run together: one
/// `BEGIN IMMEDIATE`, each create in its own savepoint (reading its facts after the creates
/// before it in the batch, so the invariants hold exactly as with one transaction each), one
/// commit. No create is answered before the commit that made it durable; if the commit fails,
/// every create of the batch fails and nothing of it is kept.
///
/// It is a `Service`: creates wait until it runs; at graceful shutdown it takes no more and
/// finishes the ones it holds.
final class CreateBatcher: Service {
    typealias Outcome = Result<OutboundOutcome, StoreError>

    /// One create: its draft, the evaluator, and how to render the answer kept under its key.
    struct Request: Sendable {
        var draft: OutboundDraft
        var decide: @Sendable (OutboundFacts) -> Decision
        var answer: @Sendable (Decision, CreatedConversation) -> [UInt8]
    }

    private struct Job: Sendable {
        var request: Request
        var reply: CheckedContinuation<Outcome, Never>
    }

    private struct Queue {
        var jobs: [Job] = []
        /// Set when `run` ends: a create submitted then fails at once.
        var stopped = false
    }

    /// At most this many creates share one transaction.
    static let maxBatch = 64

    private let pool: DatabasePool
    private let queue = Mutex(Queue())
    /// Wakes `run` when creates wait; one pending wake-up is enough, as `run` takes them all.
    private let wakeUps: AsyncStream<Void>
    private let wake: AsyncStream<Void>.Continuation

    init(pool: DatabasePool) {
        self.pool = pool
        (wakeUps, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    func submit(_ request: Request) async -> Outcome {
        await withCheckedContinuation { reply in
            let queued = queue.withLock { queue in
                guard !queue.stopped else { return false }
                queue.jobs.append(Job(request: request, reply: reply))
                return true
            }
            if queued {
                wake.yield()
            } else {
                reply.resume(returning: .failure(.unavailable("the store is shutting down")))
            }
        }
    }

    /// Runs batches whenever creates wait, until graceful shutdown; then runs the creates still
    /// queued, so that none is left without an answer.
    func run() async {
        for await _ in wakeUps.cancelOnGracefulShutdown() {
            await drain()
        }
        queue.withLock { $0.stopped = true }
        wake.finish()
        await drain()
    }

    /// Runs batches until no create waits.
    private func drain() async {
        while true {
            let jobs = queue.withLock { queue -> [Job] in
                let batch = Array(queue.jobs.prefix(Self.maxBatch))
                queue.jobs.removeFirst(batch.count)
                return batch
            }
            guard !jobs.isEmpty else { return }
            let requests = jobs.map(\.request)
            do {
                let outcomes = try await pool.writeWithoutTransaction { db -> [Outcome] in
                    var outcomes: [Outcome] = []
                    try db.inTransaction(.immediate) {
                        outcomes = requests.map { SQLiteStore.create(db, $0) }
                        return .commit
                    }
                    return outcomes
                }
                for (job, outcome) in zip(jobs, outcomes) { job.reply.resume(returning: outcome) }
            } catch {
                for job in jobs { job.reply.resume(returning: .failure(.unavailable("\(error)"))) }
            }
        }
    }
}

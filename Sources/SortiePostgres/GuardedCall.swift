import Logging
import NIOCore
import PostgresNIO
import SortieStore
import Synchronization

/// One store call on one pooled connection that always answers, even when its connection is
/// lost mid-call.
///
/// Why: in postgres-nio 1.33, a query written to a connection at the moment PostgreSQL closes
/// it (a restart, `pg_terminate_backend`, a failover) can wait forever: the query is handed to
/// the channel with no promise for the write, so when the channel is already gone nobody fails
/// it, and neither cancelling the task nor closing the connection wakes it. Measured with 32
/// workers in transactions and `pg_ctl restart -m fast`: about a third of them hung for good,
/// and so did every HTTP request waiting on them, and the graceful shutdown waiting on those.
///
/// So the work runs in a task of its own while the caller waits on whichever comes first:
/// - the work's own result;
/// - its connection seen closed for a grace period (`Limits.closedGrace`) while the work still
///   runs: the call is given up on and answered with `StoreError.unavailable`. A closed
///   connection cannot commit, so the transaction did not happen (or, if the commit was the
///   statement in flight, it may have: a client retries a create with its Idempotency-Key);
/// - the deadline (`Limits.timeout`): the connection is closed, which makes PostgreSQL roll the
///   transaction back, and the call is answered `unavailable`.
///
/// A call given up on before it got its connection never starts: the connection it gets later
/// is handed back untouched (`CallWatch.use`). The task of a call given up on may stay
/// suspended; it holds nothing but its own memory (the pool forgets a closed connection), and
/// such calls are counted and logged.
struct GuardedCall: Sendable {
    /// How long a call may take, and how long a call may go on after its connection closed.
    struct Limits: Sendable {
        /// The longest a call may take, lease wait included.
        var timeout: Duration = .seconds(10)
        /// How long a call may still run after its connection is seen closed: a result that is
        /// on its way (a commit's answer read just before the close) gets this long to arrive.
        var closedGrace: Duration = .milliseconds(200)
        /// How often a running call's connection is looked at.
        var pollInterval: Duration = .milliseconds(100)

    }

    let client: PostgresClient
    let limits: Limits
    let logger: Logger
    let abandoned: AbandonedCalls

    /// Runs `body` on a leased connection; see the type's documentation. `timeout` replaces
    /// `Limits.timeout` for this call.
    func run<T: Sendable>(timeout: Duration? = nil, _ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        let watch = CallWatch()
        let limits = timeout.map { timeout in
            var limits = self.limits
            limits.timeout = timeout
            return limits
        } ?? self.limits
        let client = client
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let answer = AnswerOnce(continuation)
            let work = Task {
                do {
                    let value = try await client.withConnection { connection in
                        try watch.use(connection)
                        return try await body(connection)
                    }
                    answer.resume(with: .success(value))
                } catch {
                    answer.resume(with: .failure(error))
                }
            }
            Task {
                let start = ContinuousClock.now
                var closedSince: ContinuousClock.Instant?
                while !answer.isDone {
                    do { try await Task.sleep(for: limits.pollInterval) } catch { return }
                    if answer.isDone { return }
                    let now = ContinuousClock.now
                    if watch.connection?.isClosed == true {
                        closedSince = closedSince ?? now
                        if now - closedSince! >= limits.closedGrace {
                            giveUp(answer, watch, work, "the connection to PostgreSQL was lost during the call")
                            return
                        }
                    } else if now - start >= limits.timeout {
                        giveUp(answer, watch, work, "PostgreSQL did not answer within \(limits.timeout)")
                        return
                    }
                }
            }
        }
    }

    private func giveUp<T: Sendable>(_ answer: AnswerOnce<T>, _ watch: CallWatch, _ work: Task<Void, Never>, _ why: String) {
        guard answer.resume(with: .failure(StoreError.unavailable(why))) else { return }
        work.cancel()
        let count = abandoned.count.add(1, ordering: .relaxed).newValue
        logger.warning("PostgreSQL call given up on", metadata: ["reason": "\(why)", "abandoned_calls": "\(count)"])
        if let connection = watch.abandon(), !connection.isClosed {
            // Closing it makes PostgreSQL roll the transaction back; the pool drops it.
            Task { try? await connection.close() }
        }
    }
}

/// How many calls were given up on since the store opened.
final class AbandonedCalls: Sendable {
    let count = Atomic<Int>(0)
}

/// Which connection a call uses, and whether its caller has given up on it.
final class CallWatch: Sendable {
    private enum State: Sendable {
        case waiting
        case using(PostgresConnection)
        case abandoned
    }

    private let state = Mutex(State.waiting)

    /// The work got its connection; throws when the caller has already been answered, so that
    /// a call given up on while it waited for a connection never runs.
    func use(_ connection: PostgresConnection) throws {
        try state.withLock { state in
            if case .abandoned = state { throw StoreError.unavailable("the call was given up on before it started") }
            state = .using(connection)
        }
    }

    var connection: PostgresConnection? {
        state.withLock { state in
            if case .using(let connection) = state { return connection }
            return nil
        }
    }

    /// Marks the call given up on; returns the connection it was using, if any.
    func abandon() -> PostgresConnection? {
        state.withLock { state in
            defer { state = .abandoned }
            if case .using(let connection) = state { return connection }
            return nil
        }
    }
}

/// A continuation resumed by whichever of the work and the watchdog comes first.
final class AnswerOnce<T: Sendable>: Sendable {
    private let continuation: Mutex<CheckedContinuation<T, any Error>?>

    init(_ continuation: CheckedContinuation<T, any Error>) {
        self.continuation = Mutex(continuation)
    }

    var isDone: Bool { continuation.withLock { $0 == nil } }

    /// Resumes the caller unless it was already resumed; true if this call did.
    @discardableResult
    func resume(with result: Result<T, any Error>) -> Bool {
        guard let continuation = continuation.withLock({ value in defer { value = nil }; return value }) else { return false }
        continuation.resume(with: result)
        return true
    }
}

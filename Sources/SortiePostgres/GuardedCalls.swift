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
/// So the work runs in a task of its own while the caller waits on whichever comes first (one
/// watchdog loop per store looks at every call in flight each `Limits.pollInterval`; a task
/// per call with its own timer cost a fifth of the create rate):
/// - the work's own result;
/// - its connection seen closed for a grace period (`Limits.closedGrace`) while the work still
///   runs: the call is given up on and answered with `StoreError.unavailable`. A closed
///   connection cannot commit, so the transaction did not happen (or, if the commit was the
///   statement in flight, it may have: a client retries a create with its Idempotency-Key);
/// - the deadline (`Limits.timeout`, `--store-timeout`): the connection is closed, which makes PostgreSQL roll the
///   transaction back, and the call is answered `unavailable`.
///
/// A call given up on before it got its connection never starts: the connection it gets later
/// is handed back untouched (`CallWatch.use`). The task of a call given up on may stay
/// suspended; it holds nothing but its own memory (the pool forgets a closed connection), and
/// such calls are counted and logged.
final class GuardedCalls: Sendable {
    /// How long a call may take, and how long a call may go on after its connection closed.
    struct Limits: Sendable {
        /// The longest a call may take, lease wait included.
        var timeout: Duration = .seconds(10)
        /// How long a call may still run after its connection is seen closed: a result that is
        /// on its way (a commit's answer read just before the close) gets this long to arrive.
        var closedGrace: Duration = .milliseconds(200)
        /// How often the calls in flight are looked at.
        var pollInterval: Duration = .milliseconds(100)
    }

    /// A call in flight, as the watchdog sees it.
    private struct InFlight: Sendable {
        let deadline: ContinuousClock.Instant
        let watch: CallWatch
        /// Answers the caller with this failure unless it was answered; true if it did.
        let fail: @Sendable (StoreError) -> Bool
        let work: Task<Void, Never>
        var closedSince: ContinuousClock.Instant?
    }

    let client: PostgresClient
    let limits: Limits
    private let logger: Logger
    private let inFlight = Mutex<(next: UInt64, calls: [UInt64: InFlight])>((0, [:]))
    private let watchdog = Mutex<Task<Void, Never>?>(nil)
    private let abandoned = Atomic<Int>(0)

    init(client: PostgresClient, limits: Limits, logger: Logger) {
        self.client = client
        self.limits = limits
        self.logger = logger
    }

    /// How many calls were given up on since the store opened.
    var abandonedCalls: Int { abandoned.load(ordering: .relaxed) }

    /// Starts the one watchdog loop that looks at every call in flight each `pollInterval`.
    func start() {
        watchdog.withLock { task in
            guard task == nil else { return }
            task = Task { [weak self, interval = limits.pollInterval] in
                while !Task.isCancelled {
                    try? await Task.sleep(for: interval)
                    self?.inspect()
                }
            }
        }
    }

    func stop() {
        watchdog.withLock { $0?.cancel() }
    }

    /// Runs `body` on a leased connection; see the type's documentation. `timeout` replaces
    /// `Limits.timeout` for this call.
    func run<T: Sendable>(timeout: Duration? = nil, _ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        let watch = CallWatch()
        let deadline = ContinuousClock.now + (timeout ?? limits.timeout)
        let client = client
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let answer = AnswerOnce(continuation)
            let id = inFlight.withLock { state in
                defer { state.next &+= 1 }
                return state.next
            }
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
                _ = self.inFlight.withLock { $0.calls.removeValue(forKey: id) }
            }
            inFlight.withLock { state in
                // The work may have finished already; then it has nothing to watch.
                guard !answer.isDone else { return }
                state.calls[id] = InFlight(deadline: deadline, watch: watch,
                                           fail: { answer.resume(with: .failure($0)) }, work: work)
            }
        }
    }

    /// Gives up on the calls whose connection has been closed for `closedGrace`, and on those
    /// past their deadline.
    private func inspect() {
        let now = ContinuousClock.now
        let grace = limits.closedGrace
        let doomed: [(InFlight, String)] = inFlight.withLock { state in
            var doomed: [(InFlight, String)] = []
            for (id, var call) in state.calls {
                var why: String?
                if call.watch.connection?.isClosed == true {
                    let since = call.closedSince ?? now
                    call.closedSince = since
                    state.calls[id] = call
                    if now - since >= grace { why = "the connection to PostgreSQL was lost during the call" }
                } else if now >= call.deadline {
                    why = "PostgreSQL did not answer in time"
                }
                if let why {
                    state.calls.removeValue(forKey: id)
                    doomed.append((call, why))
                }
            }
            return doomed
        }
        for (call, why) in doomed { giveUp(call, why) }
    }

    private func giveUp(_ call: InFlight, _ why: String) {
        guard call.fail(.unavailable(why)) else { return }
        call.work.cancel()
        let count = abandoned.add(1, ordering: .relaxed).newValue
        logger.warning("PostgreSQL call given up on", metadata: ["reason": "\(why)", "abandoned_calls": "\(count)"])
        if let connection = call.watch.abandon(), !connection.isClosed {
            // Closing it makes PostgreSQL roll the transaction back; the pool drops it.
            Task { try? await connection.close() }
        }
    }
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

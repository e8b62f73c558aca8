import Logging
import NIOCore
import PostgresNIO
import ServiceLifecycle
import SortieStore
import Synchronization

/// Store calls that always answer, even when their connection is lost mid-call.
///
/// Why: in postgres-nio 1.33, a query written to a connection at the moment PostgreSQL closes
/// it (a restart, `pg_terminate_backend`, a failover) can wait forever: the query is handed to
/// the channel with no promise for the write, so when the channel is already gone nobody fails
/// it, and neither cancelling the task nor closing the connection wakes it (docs/benchmarks.md
/// tells how often, under a restart); every HTTP request waiting on such a query would hang
/// too, and so would the graceful shutdown waiting on those.
///
/// So each call's work runs in a task of its own, and the caller waits on whichever comes
/// first (one watchdog loop per store looks at every call in flight each `Limits.pollInterval`):
/// - the work's own result;
/// - its connection seen closed for `Limits.closedGrace` while the work still runs: answered
///   with `StoreError.unavailable`. A closed connection cannot commit, so the transaction did
///   not happen (or, if the commit was the statement in flight, it may have: a client retries
///   a create with its Idempotency-Key);
/// - the deadline (`Limits.timeout`, `--store-timeout`): the connection is closed, which makes
///   PostgreSQL roll the transaction back, and the call is answered `unavailable`.
///
/// A call given up on before it got its connection never starts: the connection it gets later
/// is handed back untouched (`CallWatch.use`); one given up on before its `COMMIT` never sends
/// it (`CallWatch.beginCommit`). A `COMMIT` already sent gets a second timeout before its call
/// is given up on. The task of a call given up on may stay suspended, with the closed
/// connection's channel it waits on (the pool forgets a closed connection); such calls are
/// counted in the warning logged for each.
///
/// The watchdog loop is `run()`: a `Service` of the group, started before the HTTP server and
/// stopped after it.
final class GuardedCalls: Service {
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
        /// Takes the caller's continuation, unless the work answered it already: after this,
        /// the work can no longer answer, and the returned closure answers with a failure.
        let claim: @Sendable () -> (@Sendable (StoreError) -> Void)?
        let work: Task<Void, Never>
        var closedSince: ContinuousClock.Instant?
    }

    let client: PostgresClient
    let limits: Limits
    let logger: Logger
    private let inFlight = Mutex<(next: UInt64, calls: [UInt64: InFlight])>((0, [:]))
    private let abandoned = Atomic<Int>(0)

    init(client: PostgresClient, limits: Limits, logger: Logger) {
        self.client = client
        self.limits = limits
        self.logger = logger
    }

    /// The one watchdog loop: looks at every call in flight each `pollInterval` until graceful
    /// shutdown or cancellation, then answers every call still in flight with a failure.
    func run() async {
        let interval = limits.pollInterval
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                self.inspect()
            }
        }
        let remaining = inFlight.withLock { state in
            defer { state.calls.removeAll() }
            return Array(state.calls.values)
        }
        for call in remaining { giveUp(call, "the store is shutting down") }
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
                    let value: T = try await CallWatch.$current.withValue(watch) {
                        try await client.withConnection { (connection: PostgresConnection) async throws -> T in
                            try watch.use(connection)
                            return try await body(connection)
                        }
                    }
                    answer.resume(with: .success(value))
                } catch {
                    answer.resume(with: .failure(error))
                }
                _ = self.inFlight.withLock { $0.calls.removeValue(forKey: id) }
            }
            let claim: @Sendable () -> (@Sendable (StoreError) -> Void)? = {
                guard let continuation = answer.take() else { return nil }
                return { error in continuation.resume(throwing: error) }
            }
            inFlight.withLock { state in
                // The work may have finished already; then it has nothing to watch.
                guard !answer.isDone else { return }
                state.calls[id] = InFlight(deadline: deadline, watch: watch, claim: claim, work: work)
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
                } else if call.watch.isCommitting {
                    // A commit on the wire may succeed: it gets a second timeout before the
                    // answer is given up on, and then the outcome is unknown.
                    if now >= call.deadline + limits.timeout { why = "PostgreSQL did not confirm the commit in time" }
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

    /// In this order: the work can no longer answer; it can no longer start or commit; its
    /// connection is closed (PostgreSQL rolls the transaction back, the pool drops it); then
    /// the caller is answered.
    private func giveUp(_ call: InFlight, _ why: String) {
        guard let fail = call.claim() else { return }
        if let connection = call.watch.abandon(), !connection.isClosed {
            connection.close().whenComplete { _ in }
        }
        call.work.cancel()
        let count = abandoned.add(1, ordering: .relaxed).newValue
        logger.warning("PostgreSQL call given up on", metadata: ["reason": "\(why)", "abandoned_calls": "\(count)"])
        fail(.unavailable(why))
    }
}

/// Which connection a call uses, and whether its caller has given up on it.
final class CallWatch: Sendable {
    private enum State: Sendable {
        case waiting
        case using(PostgresConnection)
        case committing(PostgresConnection)
        case abandoned
    }

    private let state = Mutex(State.waiting)

    /// The watch of the call this task runs (set by `GuardedCalls.run` for its work).
    @TaskLocal static var current: CallWatch?

    /// The work got its connection; throws when the caller has already been answered, so that
    /// a call given up on while it waited for a connection never runs.
    func use(_ connection: PostgresConnection) throws {
        try state.withLock { state in
            if case .abandoned = state { throw StoreError.unavailable("the call was given up on before it started") }
            state = .using(connection)
        }
    }

    /// The transaction is about to send `COMMIT`; throws when the caller has been answered,
    /// so that a call given up on never commits afterwards.
    func beginCommit() throws {
        try state.withLock { state in
            switch state {
            case .using(let connection): state = .committing(connection)
            case .abandoned: throw StoreError.unavailable("the call was given up on before it committed")
            case .waiting, .committing: break
            }
        }
    }

    var isCommitting: Bool {
        state.withLock { state in
            if case .committing = state { return true }
            return false
        }
    }

    var connection: PostgresConnection? {
        state.withLock { state in
            switch state {
            case .using(let connection), .committing(let connection): connection
            case .waiting, .abandoned: nil
            }
        }
    }

    /// Marks the call given up on; returns the connection it was using, if any.
    func abandon() -> PostgresConnection? {
        state.withLock { state in
            defer { state = .abandoned }
            switch state {
            case .using(let connection), .committing(let connection): return connection
            case .waiting, .abandoned: return nil
            }
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

    /// Takes the continuation: nobody else can resume it after this.
    func take() -> CheckedContinuation<T, any Error>? {
        continuation.withLock { value in defer { value = nil }; return value }
    }

    /// Resumes the caller unless it was already resumed.
    func resume(with result: Result<T, any Error>) {
        take()?.resume(with: result)
    }
}

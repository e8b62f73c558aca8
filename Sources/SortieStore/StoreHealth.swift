import Foundation
import Sortie
import Synchronization

/// What a store says to a readiness probe (`GET /healthz`).
///
/// A store reads its tables in one statement (`StoreHealth.tableReads`), so the probe costs
/// about one round trip, as `SELECT 1` did, but touches every table.
public enum StoreHealth: Sendable, Equatable, CustomStringConvertible {
    /// Every table it writes can be read, and its last write did not fail.
    case ok
    /// A table cannot be read: the database is unreachable, corrupt, or its schema is broken.
    case unavailable(String)
    /// The tables can be read, but the last write failed (a full disk, a broken index) and no
    /// write has succeeded since; see `WriteHealth` for how long this is reported.
    case failing(String)

    public var description: String {
        switch self {
        case .ok: "ok"
        case .unavailable(let why): "unavailable: \(why)"
        case .failing(let why): "failing: \(why)"
        }
    }

    /// One statement that reads the first row of each of `tables` (SQLite and PostgreSQL alike).
    public static func tableReads(_ tables: [String]) -> String {
        "SELECT " + tables.map { "(SELECT 1 FROM \($0) LIMIT 1)" }.joined(separator: ", ")
    }

    /// The health of a store: `readTables` reads a row of each table it writes, then its last
    /// write failure, if recent, is reported.
    public static func of(readTables: () async throws(StoreError) -> Void, writes: WriteHealth) async -> StoreHealth {
        do {
            try await readTables()
        } catch {
            return .unavailable("\(error)")
        }
        if let failure = writes.recentFailure() { return .failing(failure) }
        return .ok
    }
}

/// The last write failure of a store, until a write succeeds or `window` passes.
///
/// Why a window: a probe that answers 503 takes the instance out of rotation, and then no
/// write arrives to prove the store works again. After `window` the failure is no longer
/// reported: the instance gets traffic again, and the next write that fails reports it anew.
public final class WriteHealth: Sendable {
    private struct Failure {
        var description: String
        var at: ContinuousClock.Instant
    }

    /// How long a failed write is reported when no write succeeds after it.
    public let window: Duration
    private let lastFailure = Mutex<Failure?>(nil)

    public init(window: Duration = .seconds(10)) {
        self.window = window
    }

    /// A write committed: the store writes again.
    public func succeeded() {
        lastFailure.withLock { $0 = nil }
    }

    /// A write failed (a thrown error, or a create step the database refused).
    public func failed(_ error: StoreError) {
        let failure = Failure(description: "\(error)", at: .now)
        lastFailure.withLock { $0 = failure }
    }

    /// The last write's failure, if no write succeeded after it and it is recent.
    public func recentFailure() -> String? {
        lastFailure.withLock { failure in
            guard let found = failure, ContinuousClock.now - found.at < window else { return nil }
            return found.description
        }
    }

    /// Runs one write call and notes what it did: a commit that wrote clears the failure, an
    /// error or a failed create step is the new one.
    public func track<Outcome: WriteResult>(_ write: () async throws(StoreError) -> Outcome) async throws(StoreError) -> Outcome {
        let result: Outcome
        do {
            result = try await write()
        } catch {
            failed(error)
            throw error
        }
        switch result.written {
        case .committed: succeeded()
        case .failed(let error): failed(error)
        case .nothing: break
        }
        return result
    }
}

/// What a write call did to the database, for `WriteHealth`.
public enum Written: Sendable {
    /// It committed rows.
    case committed
    /// A step the database refused; nothing was kept.
    case failed(StoreError)
    /// It wrote nothing (a refusal, a replay, an unknown or closed conversation).
    case nothing
}

/// The result of a write call.
public protocol WriteResult {
    var written: Written { get }
}

extension OutboundOutcome: WriteResult {
    public var written: Written {
        switch self {
        case .created: .committed
        case .failed(_, _, let error): .failed(error)
        case .refused, .replayed, .keyReused: .nothing
        }
    }
}

/// A customer a call wrote.
public struct CustomerWrite: Sendable, WriteResult {
    public var customer: CustomerRecord
    public var written: Written { .committed }

    public init(customer: CustomerRecord) { self.customer = customer }
}

extension InboundOutcome: WriteResult {
    public var written: Written { .committed }
}

extension Decided: WriteResult {
    public var written: Written {
        guard case .allowed(_, let value) = self else { return .nothing }
        return (value as? any WriteResult)?.written ?? .committed
    }
}

extension ConversationChange: WriteResult {
    public var written: Written {
        guard case .done(let value) = self else { return .nothing }
        if let inner = value as? any WriteResult { return inner.written }
        // A close the decision refused changed nothing.
        if let (decision, _) = value as? (Decision, ConversationRecord), !decision.allowed { return .nothing }
        return .committed
    }
}

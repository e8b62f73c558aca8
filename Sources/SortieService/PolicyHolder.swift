import Foundation
import Sortie
import Synchronization

/// The policy the service decides with, and its hot reload. A request takes one `evaluator`
/// snapshot and decides with it alone, so no request ever sees a half-loaded policy; a reload
/// compiles the new set completely before swapping it in, and keeps the old one if it has errors.
public final class PolicyHolder: Sendable {
    /// A directory of YAML files, or a bundle written by `sortie compile`.
    public let path: String
    private let current: Mutex<Snapshot>
    /// Serializes reloads, so two at once cannot swap in an older set last.
    private let reloading = Mutex<Void>(())

    /// What a reload did.
    public enum ReloadOutcome: Sendable {
        /// The new set compiled and is now in use (`previous == revision` when nothing changed).
        case reloaded(previous: String, revision: String)
        /// The new set has errors: the old revision stays in use.
        case rejected(kept: String, diagnostics: [Diagnostic], sources: [String: [UInt8]])
        /// The path could not be read (or the bundle is damaged): the old revision stays in use.
        case unreadable(kept: String, reason: String)
    }

    /// Loads the policy at `path`; throws `PolicyCompileError` (with diagnostics) for a broken set.
    public init(path: String) throws {
        self.path = path
        current = Mutex(Snapshot(try Evaluator.load(path: path)))
    }

    /// Holds an already loaded policy (tests, embedding).
    public init(evaluator: Evaluator, path: String) {
        self.path = path
        current = Mutex(Snapshot(evaluator))
    }

    /// One loaded policy: its evaluator, and the byte-to-byte evaluator built on it. A class, so
    /// that taking a snapshot costs one reference count, not a copy of every table.
    public final class Snapshot: Sendable {
        public let lines: LineEvaluator
        public var evaluator: Evaluator { lines.evaluator }

        init(_ evaluator: Evaluator) {
            lines = LineEvaluator(evaluator: evaluator)
        }
    }

    /// The policy in use now.
    public var evaluator: Evaluator { current.withLock { $0.evaluator } }

    /// The policy in use now, with its byte-to-byte evaluator.
    public var snapshot: Snapshot { current.withLock { $0 } }

    public var revision: String { evaluator.revision }

    /// Compiles the set at `path` again and swaps it in if it has no errors.
    public func reload() -> ReloadOutcome {
        reloading.withLock { _ in
            let kept = revision
            let next: Evaluator
            do {
                next = try Evaluator.load(path: path)
            } catch let error as PolicyCompileError {
                return .rejected(kept: kept, diagnostics: error.diagnostics.filter { $0.severity == .error }, sources: error.sources)
            } catch {
                return .unreadable(kept: kept, reason: "\(path): \(error)")
            }
            let snapshot = Snapshot(next)
            current.withLock { $0 = snapshot }
            return .reloaded(previous: kept, revision: next.revision)
        }
    }
}

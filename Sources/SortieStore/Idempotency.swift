import Foundation
import Logging
import ServiceLifecycle

/// A create's `Idempotency-Key`, scoped to its caller and bound to its request body: a retry is
/// the same caller sending the same bytes under the same key.
public struct IdempotencyKey: Sendable, Hashable {
    /// The caller the key belongs to (an opaque name): one key under two scopes is two keys.
    public var scope: String
    /// The client's key, as sent.
    public var key: String
    /// The SHA-256 of the request body's exact bytes, as 64 lowercase hex digits.
    public var bodySHA256: String

    public init(scope: String, key: String, bodySHA256: String) {
        self.scope = scope
        self.key = key
        self.bodySHA256 = bodySHA256
    }

    /// What a create under this key answers when the store already keeps `remembered` under
    /// it: the first answer for the same body, a refusal for any other. A record without a
    /// body hash (kept before bodies were hashed) matches no body.
    public func outcome(of remembered: RememberedCreate) -> OutboundOutcome {
        remembered.bodySHA256 == bodySHA256 ? .replayed(remembered.answer) : .keyReused
    }
}

/// What a store keeps under an idempotency key: the body it was bound to and the answer given.
public struct RememberedCreate: Sendable, Hashable {
    /// nil for a key stored before the store kept body hashes.
    public var bodySHA256: String?
    public var answer: [UInt8]

    public init(bodySHA256: String?, answer: [UInt8]) {
        self.bodySHA256 = bodySHA256
        self.answer = answer
    }
}

/// How long a store keeps idempotency keys, and how often it purges the older ones.
public struct IdempotencyRetention: Sendable, Hashable {
    /// A key is kept at least this long after the create that stored it.
    public var keep: Duration
    /// Time between two purges.
    public var purgeEvery: Duration

    public init(keep: Duration = .seconds(24 * 3600), purgeEvery: Duration = .seconds(3600)) {
        self.keep = keep
        self.purgeEvery = purgeEvery
    }

    /// The time before which a key stored is purged, at `now`.
    public func cutoff(at now: Date) -> Date {
        let (seconds, attoseconds) = keep.components
        return now.addingTimeInterval(-(Double(seconds) + Double(attoseconds) / 1e18))
    }
}

/// Deletes the idempotency keys older than the retention: once when it starts, then every
/// `IdempotencyRetention.purgeEvery`, until graceful shutdown. It is a `Service` of each store,
/// so that the purge is off the create path (a delete in every create would make creates of
/// different agents wait on each other's row locks) and stops with the store.
public struct IdempotencyPurger: Service {
    public let retention: IdempotencyRetention
    let purge: @Sendable (_ storedBefore: Date) async throws(StoreError) -> Int
    let logger: Logger

    /// `purge` deletes the keys stored before its date and tells how many it deleted.
    public init(retention: IdempotencyRetention, logger: Logger = Logger(label: "sortie.store"),
                purge: @escaping @Sendable (_ storedBefore: Date) async throws(StoreError) -> Int) {
        self.retention = retention
        self.purge = purge
        self.logger = logger
    }

    public func run() async {
        let retention = retention
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    let purged = try await purge(retention.cutoff(at: Date()))
                    if purged > 0 { logger.debug("idempotency keys purged", metadata: ["count": "\(purged)"]) }
                } catch {
                    // Tried again at the next tick; meanwhile keys are only kept longer.
                    logger.warning("idempotency key purge failed", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: retention.purgeEvery)
            }
        }
    }
}

/// How many idempotency keys a purge deleted.
public struct PurgedKeys: Sendable, WriteResult {
    public var count: Int

    public init(count: Int) {
        self.count = count
    }

    public var written: Written { count > 0 ? .committed : .nothing }
}

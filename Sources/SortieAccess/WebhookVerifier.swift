import Crypto
import Foundation
import Synchronization

/// A Standard Webhooks secret: `whsec_` and the base64 of the key.
public struct WebhookSecret: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// Standard Webhooks asks for keys of 24 to 64 random bytes; shorter ones are refused.
    public static let minimumKeyBytes = 24

    let key: SymmetricKey

    /// Parses `whsec_<base64>`; the message of the error never repeats the text.
    public init(_ text: String) throws(AccessConfigurationError) {
        guard text.hasPrefix("whsec_") else {
            throw AccessConfigurationError("the webhook secret does not start with whsec_")
        }
        guard let key = Data(base64Encoded: String(text.dropFirst("whsec_".count))) else {
            throw AccessConfigurationError("the webhook secret is not whsec_ and base64")
        }
        guard key.count >= Self.minimumKeyBytes else {
            throw AccessConfigurationError("the webhook secret's key must be at least \(Self.minimumKeyBytes) bytes")
        }
        self.key = SymmetricKey(data: key)
    }

    public var description: String { "WebhookSecret(redacted)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: []) }
}

/// Why a signed webhook was refused; safe to log, never quoting a header or the body.
public enum WebhookError: Error, Sendable, Equatable, CaseIterable, CustomStringConvertible {
    case missingHeaders
    case malformedTimestamp
    /// More than the tolerance in the past or in the future.
    case timestampOutsideTolerance
    /// No `v1` signature of the header matches.
    case badSignature
    /// The replay memory is full of unexpired ids: the delivery is refused, to be retried.
    case replayMemoryFull

    /// 401 for a credential that does not hold; 503 when the memory is full, since the
    /// sender did nothing wrong and its retry will pass once old ids expire.
    public var httpStatus: Int { self == .replayMemoryFull ? 503 : 401 }

    public var reason: String {
        switch self {
        case .missingHeaders: "a webhook-id, webhook-timestamp or webhook-signature header is missing"
        case .malformedTimestamp: "the webhook-timestamp is not Unix seconds"
        case .timestampOutsideTolerance: "the webhook-timestamp is outside the tolerance"
        case .badSignature: "no webhook signature matches"
        case .replayMemoryFull: "too many recent webhook ids to remember another"
        }
    }

    public var description: String { reason }
}

/// Verifies and signs Standard Webhooks, and remembers accepted ids.
///
/// The signature is HMAC-SHA256 of `id + "." + timestamp + "." + body`, base64, sent as
/// `v1,<signature>` in a space-separated list of which one match suffices; it is compared
/// in constant time. The timestamp must be within ``toleranceSeconds`` of now, either way.
///
/// An id accepted once is remembered until the tolerance has passed after both its acceptance
/// and its timestamp, so a copy of that delivery cannot pass the timestamp check once it is
/// forgotten; a second delivery with that id in the meantime is a ``Verdict/replay``. At most
/// ``capacity`` ids are remembered: when that many are unexpired, a new id is refused
/// (``WebhookError/replayMemoryFull``) rather than let through unremembered.
public final class WebhookVerifier: Sendable {
    /// What a verified delivery is.
    public enum Verdict: Sendable, Equatable {
        /// The first delivery of its id: act on it.
        case accepted
        /// Its id was accepted within the tolerance: answer as the first time, change nothing.
        case replay
    }

    public static let defaultCapacity = 100_000

    public let toleranceSeconds: Int
    public let capacity: Int
    private let secret: WebhookSecret
    private let memory: Mutex<ReplayMemory>

    public init(secret: WebhookSecret, toleranceSeconds: Int = 300,
                capacity: Int = WebhookVerifier.defaultCapacity) throws(AccessConfigurationError) {
        guard toleranceSeconds > 0 else { throw AccessConfigurationError("toleranceSeconds must be positive") }
        guard capacity > 0 else { throw AccessConfigurationError("the replay capacity must be positive") }
        self.secret = secret
        self.toleranceSeconds = toleranceSeconds
        self.capacity = capacity
        self.memory = Mutex(ReplayMemory())
    }

    /// Checks a delivery's three headers (`nil` when absent) and its raw body.
    public func verify(id: String?, timestamp: String?, signature: String?, body: some DataProtocol,
                       now: Date = Date()) -> Result<Verdict, WebhookError> {
        guard let id, !id.isEmpty, let timestamp, let signature else { return .failure(.missingHeaders) }
        // Digits only: no sign, space or exponent, so one instant has one spelling.
        guard !timestamp.isEmpty, timestamp.utf8.count <= 12, timestamp.utf8.allSatisfy({ (0x30...0x39).contains($0) }),
              let seconds = Int64(timestamp) else {
            return .failure(.malformedTimestamp)
        }
        let current = Int64(now.timeIntervalSince1970.rounded(.down))
        guard abs(current - seconds) <= Int64(toleranceSeconds) else { return .failure(.timestampOutsideTolerance) }

        let content = signedContent(id: id, timestamp: timestamp, body: body)
        let matches = signature.split(separator: " ").contains { entry in
            guard entry.hasPrefix("v1,"), let mac = Data(base64Encoded: String(entry.dropFirst(3))) else { return false }
            return HMAC<SHA256>.isValidAuthenticationCode(mac, authenticating: content, using: secret.key)
        }
        guard matches else { return .failure(.badSignature) }

        let until = max(current, seconds) + Int64(toleranceSeconds)
        let capacity = self.capacity
        return memory.withLock { memory in
            memory.remember(id, until: until, now: current, capacity: capacity)
        }
    }

    /// Forgets an accepted id, so that the sender's retry is acted on.
    ///
    /// For a server whose handling of a first delivery failed: without it, the retry would be
    /// a replay and the delivery would be lost.
    public func forget(id: String) {
        memory.withLock { $0.forget(id) }
    }

    /// The `webhook-signature` value for a delivery: `v1,` and the base64 HMAC.
    public func sign(id: String, timestamp: Int64, body: some DataProtocol) -> String {
        let content = signedContent(id: id, timestamp: String(timestamp), body: body)
        let mac = HMAC<SHA256>.authenticationCode(for: content, using: secret.key)
        return "v1," + Data(mac).base64EncodedString()
    }

    private func signedContent(id: String, timestamp: String, body: some DataProtocol) -> Data {
        var content = Data()
        content.append(contentsOf: Array(id.utf8))
        content.append(UInt8(ascii: "."))
        content.append(contentsOf: Array(timestamp.utf8))
        content.append(UInt8(ascii: "."))
        content.append(contentsOf: body)
        return content
    }
}

/// The ids accepted lately, each with the second after which it is forgotten.
struct ReplayMemory: Sendable {
    private var expiries: [String: Int64] = [:]
    /// The ids in the order they were remembered, to drop the expired ones from the front.
    private var order: [String] = []
    private var head = 0

    var count: Int { expiries.count }

    mutating func remember(_ id: String, until: Int64, now: Int64, capacity: Int) -> Result<WebhookVerifier.Verdict, WebhookError> {
        dropExpired(now: now)
        if let expiry = expiries[id], expiry >= now { return .success(.replay) }
        if expiries.count >= capacity {
            // Expiries are nearly, not exactly, in insertion order (timestamps differ): sweep all.
            expiries = expiries.filter { $0.value >= now }
            order = order[head...].filter { expiries[$0] != nil }
            head = 0
            guard expiries.count < capacity else { return .failure(.replayMemoryFull) }
        }
        expiries[id] = until
        order.append(id)
        return .success(.accepted)
    }

    mutating func forget(_ id: String) {
        expiries[id] = nil
    }

    private mutating func dropExpired(now: Int64) {
        while head < order.count {
            let id = order[head]
            if let expiry = expiries[id], expiry >= now { break }
            expiries[id] = nil
            head += 1
        }
        // Compact now and then so the array does not grow without bound.
        if head > 1024, head * 2 > order.count {
            order.removeFirst(head)
            head = 0
        }
    }
}

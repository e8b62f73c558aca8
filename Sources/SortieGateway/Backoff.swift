import Foundation

/// When a message whose push failed is pushed again: exponential backoff with full jitter
/// (a uniform wait between zero and the exponential bound), and at least what the gateway's
/// `Retry-After` asked, never more than `maxBackoff`.
public struct Backoff: Sendable {
    /// The bound after the first failed push; it doubles with each further one.
    public var base: Duration
    public var maxBackoff: Duration

    public init(base: Duration = .seconds(1), maxBackoff: Duration) {
        self.base = base
        self.maxBackoff = maxBackoff
    }

    /// The exponential bound after `failures` failed pushes (1 for the first): `base · 2^(failures-1)`,
    /// capped at `maxBackoff`.
    public func bound(afterFailures failures: Int) -> Duration {
        let exponent = min(max(failures - 1, 0), 40)
        let seconds = min(base.seconds * pow(2, Double(exponent)), maxBackoff.seconds)
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }

    /// The wait after `failures` failed pushes. `unit` gives a number in `0..<1` (random in
    /// use; fixed in tests).
    public func delay(afterFailures failures: Int, retryAfter: Duration?, unit: () -> Double) -> Duration {
        let bound = bound(afterFailures: failures)
        var wait = Duration.milliseconds(Int64((bound.seconds * 1000 * min(max(unit(), 0), 1)).rounded()))
        if let retryAfter, retryAfter > wait { wait = retryAfter }
        return min(wait, maxBackoff)
    }

    /// A `Retry-After` header's wait: delay-seconds or an HTTP-date (RFC 9110), relative to `now`.
    public static func retryAfter(_ header: String?, now: Date) -> Duration? {
        guard let text = header?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        if let seconds = Int(text), seconds >= 0 { return .seconds(seconds) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        guard let date = formatter.date(from: text) else { return nil }
        let seconds = date.timeIntervalSince(now)
        return seconds > 0 ? .milliseconds(Int64(seconds * 1000)) : .zero
    }
}

extension Duration {
    /// The duration in seconds, as a floating-point number.
    var seconds: Double {
        let (whole, fraction) = components
        return Double(whole) + Double(fraction) / 1e18
    }
}

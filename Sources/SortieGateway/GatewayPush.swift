import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Sortie
import SortieStore

/// What the gateway's answer to one push means (SPEC §6).
public enum PushAnswer: Sendable, Hashable {
    /// A 2xx: the gateway took the message, maybe with its own id for it.
    case accepted(status: Int, providerMessageId: String?)
    /// A 4xx other than 408 and 429: the gateway refuses the message for good.
    case rejected(status: Int, text: String)
    /// A 5xx, 408, 429 or another status, a timeout or a connection error: push again later.
    case retryable(status: Int?, error: String, retryAfter: Duration?)

    /// The answer for an HTTP status and its body (at most `textLimit` bytes of it are kept).
    public static func of(status: Int, body: [UInt8], retryAfter: Duration?) -> PushAnswer {
        switch status {
        case 200..<300:
            return .accepted(status: status, providerMessageId: providerMessageId(in: body))
        case 408, 429:
            return .retryable(status: status, error: "HTTP \(status)" + excerpt(body), retryAfter: retryAfter)
        case 400..<500:
            return .rejected(status: status, text: "HTTP \(status)" + excerpt(body))
        default:
            return .retryable(status: status, error: "HTTP \(status)" + excerpt(body), retryAfter: retryAfter)
        }
    }

    /// The longest part of an answer's body kept as a message's error.
    public static let textLimit = 500

    static func excerpt(_ body: [UInt8]) -> String {
        let text = printable(String(decoding: body.prefix(textLimit), as: UTF8.self)).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty ? "" : ": " + text
    }

    /// `providerMessageId` of a JSON object answer, when it is a non-empty string of printable
    /// characters.
    static func providerMessageId(in body: [UInt8]) -> String? {
        guard !body.isEmpty, let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
              let id = object["providerMessageId"] as? String, !id.isEmpty, id.utf8.count <= 256, printable(id) == id else { return nil }
        return id
    }

    /// The text with each control character (NUL, which PostgreSQL refuses in text, included)
    /// replaced by a space: what a gateway answers is stored and shown, never trusted.
    static func printable(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { $0.properties.generalCategory == .control ? " " : $0 }))
    }

    /// The short form of the answer that `/healthz`, which anyone may read, shows: the status
    /// or the kind of failure, never the gateway's text or address.
    public var summary: String {
        switch self {
        case .accepted(let status, _), .rejected(let status, _): "HTTP \(status)"
        case .retryable(let status?, _, _): "HTTP \(status)"
        case .retryable(nil, let error, _): error.hasPrefix("no answer") ? "no answer in time" : "cannot reach the gateway"
        }
    }

    /// The attempt to store, and what it makes of the message after `failuresBefore` failed
    /// pushes: the last allowed attempt that is retryable fails the message.
    public func outcome(startedAt: Date, failuresBefore: Int, maxAttempts: Int, backoff: Backoff, now: Date,
                        unit: () -> Double) -> (DeliveryAttempt, DeliveryOutcome) {
        switch self {
        case .accepted(let status, let id):
            return (DeliveryAttempt(at: startedAt, httpStatus: status, error: nil), .sent(providerMessageId: id))
        case .rejected(let status, let text):
            return (DeliveryAttempt(at: startedAt, httpStatus: status, error: text), .failed(text))
        case .retryable(let status, let error, let retryAfter):
            let attempt = DeliveryAttempt(at: startedAt, httpStatus: status, error: error)
            let failures = failuresBefore + 1
            guard failures < maxAttempts else {
                return (attempt, .failed("no success after \(failures) attempts; the last: \(error)"))
            }
            let wait = backoff.delay(afterFailures: failures, retryAfter: retryAfter, unit: unit)
            return (attempt, .retry(at: now.addingTimeInterval(wait.seconds)))
        }
    }
}

/// The push itself: the JSON of SPEC §6, signed, POSTed with AsyncHTTPClient.
struct GatewayPush {
    /// `{"message": {…}, "type": "message.outbound"}`, keys sorted, with `null` for an absent
    /// subject or `inReplyTo`; written by the engine's `JSONWriter`, which cannot fail.
    static func body(_ delivery: OutboundDelivery, from: String) -> [UInt8] {
        var w = JSONWriter(capacity: delivery.body.utf8.count + 256)
        w.object { o in
            o.member("message") { w in
                w.object { m in
                    m.member("body") { $0.string(delivery.body) }
                    m.member("channel") { $0.string(delivery.channel.rawValue) }
                    m.member("conversationId") { $0.string(delivery.conversationId) }
                    m.member("from") { $0.string(from) }
                    m.member("id") { $0.string(delivery.messageId) }
                    m.member("inReplyTo") { $0.string(delivery.inReplyTo) }
                    m.member("subject") { $0.string(delivery.subject) }
                    m.member("to") { $0.string(delivery.destination) }
                }
            }
            o.member("type") { $0.string("message.outbound") }
        }
        return w.bytes
    }

    /// Pushes `body` for `delivery` and reads the answer (at most 64 KiB of it).
    static func send(_ body: [UInt8], of delivery: OutboundDelivery, settings: GatewaySettings, client: HTTPClient,
                     now: Date) async -> PushAnswer {
        var request = HTTPClientRequest(url: settings.url)
        request.method = .POST
        let timestamp = Int64(now.timeIntervalSince1970)
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "User-Agent", value: "sortie")
        request.headers.add(name: "webhook-id", value: delivery.messageId)
        request.headers.add(name: "webhook-timestamp", value: String(timestamp))
        request.headers.add(name: "webhook-signature", value: settings.signer.sign(id: delivery.messageId, timestamp: timestamp, body: body))
        request.body = .bytes(ByteBuffer(bytes: body))
        let prepared = request
        let timedOut = PushAnswer.retryable(status: nil, error: "no answer within \(Int(settings.timeout.seconds)) s", retryAfter: nil)
        // One limit for the whole exchange: the client's own deadline ends with the answer's
        // head, and a body that trickles must not hold the push past its lease.
        return await withTaskGroup(of: PushAnswer?.self) { group in
            group.addTask {
                do {
                    let response = try await client.execute(prepared, timeout: .nanoseconds(Int64(settings.timeout.seconds * 1e9)))
                    // The first bytes are enough to classify and quote; the rest is dropped.
                    var answer: [UInt8] = []
                    for try await chunk in response.body {
                        answer += chunk.readableBytesView.prefix(maxAnswerBytes - answer.count)
                        if answer.count >= maxAnswerBytes { break }
                    }
                    return .of(status: Int(response.status.code), body: answer,
                               retryAfter: Backoff.retryAfter(response.headers.first(name: "Retry-After"), now: Date()))
                } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout || error == .connectTimeout {
                    return timedOut
                } catch is CancellationError {
                    return nil
                } catch {
                    return .retryable(status: nil, error: "cannot reach the gateway: \(Self.describe(error))", retryAfter: nil)
                }
            }
            group.addTask {
                try? await Task.sleep(for: settings.timeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? timedOut
        }
    }

    /// The most of an answer's body that is read.
    static let maxAnswerBytes = 64 * 1024

    /// An error's text for a message's `lastError`: never the URL's credentials (there are none
    /// in a push), bounded in length.
    static func describe(_ error: any Error) -> String {
        String("\(error)".prefix(300))
    }
}

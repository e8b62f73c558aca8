import Foundation
import Testing
@testable import SortieAccess

private let secretText = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
private let now = Date(timeIntervalSince1970: 1_800_000_000)
private let start = Int64(now.timeIntervalSince1970)
private let body = Array(#"{"type":"message.inbound","text":"hello"}"#.utf8)

private func verifier(capacity: Int = WebhookVerifier.defaultCapacity) throws -> WebhookVerifier {
    try WebhookVerifier(secret: WebhookSecret(secretText), toleranceSeconds: 300, capacity: capacity)
}

@Suite struct WebhookVerifierTests {
    /// The example of the Standard Webhooks specification, so another implementation agrees with ours.
    @Test func signsAsTheStandardsExample() throws {
        let signature = try verifier().sign(id: "msg_p5jXN8AQM9LWM0D4loKWxJek", timestamp: 1_614_265_330,
                                            body: Array(#"{"test": 2432232314}"#.utf8))
        #expect(signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
    }

    @Test func validDelivery() throws {
        let webhooks = try verifier()
        let signature = webhooks.sign(id: "msg_1", timestamp: start, body: body)
        #expect(webhooks.verify(id: "msg_1", timestamp: "\(start)", signature: signature, body: body, now: now) == .success(.accepted))
    }

    @Test func wrongSignature() throws {
        let other = try WebhookVerifier(secret: WebhookSecret("whsec_" + Data(repeating: 7, count: 32).base64EncodedString()))
        let webhooks = try verifier()
        let forged = other.sign(id: "msg_1", timestamp: start, body: body)
        #expect(webhooks.verify(id: "msg_1", timestamp: "\(start)", signature: forged, body: body, now: now) == .failure(.badSignature))
        // Signed for another id, timestamp or body.
        let signature = webhooks.sign(id: "msg_1", timestamp: start, body: body)
        #expect(webhooks.verify(id: "msg_2", timestamp: "\(start)", signature: signature, body: body, now: now) == .failure(.badSignature))
        #expect(webhooks.verify(id: "msg_1", timestamp: "\(start + 1)", signature: signature, body: body, now: now) == .failure(.badSignature))
        #expect(webhooks.verify(id: "msg_1", timestamp: "\(start)", signature: signature, body: body + [0x20], now: now) == .failure(.badSignature))
        for garbage in ["", "v1,", "v1,!!!", "v2," + String(signature.dropFirst(3)), String(signature.dropFirst(3)), "v1," + String(signature.dropFirst(4))] {
            #expect(webhooks.verify(id: "msg_1", timestamp: "\(start)", signature: garbage, body: body, now: now) == .failure(.badSignature),
                    "\(garbage)")
        }
    }

    @Test func oneOfSeveralSignatures() throws {
        let webhooks = try verifier()
        let good = webhooks.sign(id: "msg_1", timestamp: start, body: body)
        let header = "v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= v1a,ignored " + good + " v1,bm90IGl0"
        #expect(webhooks.verify(id: "msg_1", timestamp: "\(start)", signature: header, body: body, now: now) == .success(.accepted))
    }

    @Test func staleAndFutureTimestamps() throws {
        let webhooks = try verifier()
        for (offset, expected) in [(-301, false), (301, false), (-300, true), (300, true)] {
            let stamp = start + Int64(offset)
            let id = "msg_\(offset)"
            let result = webhooks.verify(id: id, timestamp: "\(stamp)", signature: webhooks.sign(id: id, timestamp: stamp, body: body),
                                         body: body, now: now)
            #expect(result == (expected ? .success(.accepted) : .failure(.timestampOutsideTolerance)), "\(offset)")
        }
    }

    @Test func malformedTimestamps() throws {
        let webhooks = try verifier()
        for stamp in ["", "abc", "+\(start)", " \(start)", "\(start).0", "1e9", "-\(start)", "99999999999999999999"] {
            #expect(webhooks.verify(id: "msg_1", timestamp: stamp, signature: "v1,AAAA", body: body, now: now) == .failure(.malformedTimestamp),
                    "\(stamp)")
        }
    }

    @Test func missingHeaders() throws {
        let webhooks = try verifier()
        let signature = webhooks.sign(id: "msg_1", timestamp: start, body: body)
        #expect(webhooks.verify(id: nil, timestamp: "\(start)", signature: signature, body: body, now: now) == .failure(.missingHeaders))
        #expect(webhooks.verify(id: "", timestamp: "\(start)", signature: signature, body: body, now: now) == .failure(.missingHeaders))
        #expect(webhooks.verify(id: "msg_1", timestamp: nil, signature: signature, body: body, now: now) == .failure(.missingHeaders))
        #expect(webhooks.verify(id: "msg_1", timestamp: "\(start)", signature: nil, body: body, now: now) == .failure(.missingHeaders))
    }

    @Test func malformedSecrets() {
        let short = "whsec_" + Data(repeating: 1, count: 16).base64EncodedString()
        for text in ["", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "whsec_", "whsec_not base64!", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n", short] {
            #expect(throws: AccessConfigurationError.self) { try WebhookSecret(text) }
        }
    }

    @Test func secretIsNeverPrinted() throws {
        let secret = try WebhookSecret(secretText)
        let key = String(secretText.dropFirst(6))
        var dumped = ""
        dump(secret, to: &dumped)
        let webhooks = try verifier()
        for text in ["\(secret)", String(reflecting: secret), dumped, "\(webhooks)"] {
            #expect(!text.contains(key))
        }
        do {
            _ = try WebhookSecret("whsec_" + key + "!")
        } catch {
            #expect(!"\(error)".contains(key))
        }
    }

    @Test func replayedIdIsReportedAsReplay() throws {
        let webhooks = try verifier()
        let signature = webhooks.sign(id: "msg_1", timestamp: start, body: body)
        #expect(webhooks.verify(id: "msg_1", timestamp: "\(start)", signature: signature, body: body, now: now) == .success(.accepted))
        #expect(webhooks.verify(id: "msg_1", timestamp: "\(start)", signature: signature, body: body,
                                now: now.addingTimeInterval(200)) == .success(.replay))
        // A retry with a new timestamp and signature is the same delivery.
        let later = start + 250
        let retry = webhooks.sign(id: "msg_1", timestamp: later, body: body)
        #expect(webhooks.verify(id: "msg_1", timestamp: "\(later)", signature: retry, body: body,
                                now: now.addingTimeInterval(250)) == .success(.replay))
        // Once the tolerance has passed, the first signature is stale anyway and the id is forgotten.
        let much = start + 400
        let fresh = webhooks.sign(id: "msg_1", timestamp: much, body: body)
        #expect(webhooks.verify(id: "msg_1", timestamp: "\(start)", signature: signature, body: body,
                                now: now.addingTimeInterval(400)) == .failure(.timestampOutsideTolerance))
        #expect(webhooks.verify(id: "msg_1", timestamp: "\(much)", signature: fresh, body: body,
                                now: now.addingTimeInterval(400)) == .success(.accepted))
    }

    /// A delivery stamped in the future is remembered until its own timestamp is stale.
    @Test func futureStampedIdIsRememberedUntilItsStampIsStale() throws {
        let webhooks = try verifier()
        let stamp = start + 300
        let signature = webhooks.sign(id: "msg_f", timestamp: stamp, body: body)
        #expect(webhooks.verify(id: "msg_f", timestamp: "\(stamp)", signature: signature, body: body, now: now) == .success(.accepted))
        #expect(webhooks.verify(id: "msg_f", timestamp: "\(stamp)", signature: signature, body: body,
                                now: now.addingTimeInterval(599)) == .success(.replay))
    }

    @Test func forgottenIdIsAcceptedAgain() throws {
        let webhooks = try verifier()
        let signature = webhooks.sign(id: "msg_1", timestamp: start, body: body)
        #expect(webhooks.verify(id: "msg_1", timestamp: "\(start)", signature: signature, body: body, now: now) == .success(.accepted))
        webhooks.forget(id: "msg_1")
        #expect(webhooks.verify(id: "msg_1", timestamp: "\(start)", signature: signature, body: body, now: now) == .success(.accepted))
    }

    @Test func fullMemoryRefusesNewIds() throws {
        let webhooks = try verifier(capacity: 3)
        func deliver(_ id: String, at offset: Int64) -> Result<WebhookVerifier.Verdict, WebhookError> {
            let stamp = start + offset
            return webhooks.verify(id: id, timestamp: "\(stamp)", signature: webhooks.sign(id: id, timestamp: stamp, body: body),
                                   body: body, now: now.addingTimeInterval(TimeInterval(offset)))
        }
        #expect(deliver("a", at: 0) == .success(.accepted))
        #expect(deliver("b", at: 10) == .success(.accepted))
        #expect(deliver("c", at: 20) == .success(.accepted))
        let full = deliver("d", at: 30)
        #expect(full == .failure(.replayMemoryFull))
        #expect(WebhookError.replayMemoryFull.httpStatus == 503)
        // Ids already remembered are still recognised at the cap.
        #expect(deliver("b", at: 30) == .success(.replay))
        // Once "a" has expired there is room again.
        #expect(deliver("d", at: 301) == .success(.accepted))
        #expect(deliver("e", at: 302) == .failure(.replayMemoryFull))
    }

    @Test func concurrentDeliveriesOfOneIdAcceptOnce() async throws {
        let webhooks = try verifier()
        let signature = webhooks.sign(id: "msg_c", timestamp: start, body: body)
        let verdicts = await withTaskGroup(of: Result<WebhookVerifier.Verdict, WebhookError>.self) { group in
            for _ in 0..<50 {
                group.addTask { webhooks.verify(id: "msg_c", timestamp: "\(start)", signature: signature, body: body, now: now) }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(verdicts.filter { $0 == .success(.accepted) }.count == 1)
        #expect(verdicts.filter { $0 == .success(.replay) }.count == 49)
    }

    @Test func refusalsAre401AndFixed() {
        for error in WebhookError.allCases where error != .replayMemoryFull {
            #expect(error.httpStatus == 401)
            #expect(error.description == error.reason)
        }
    }
}

import Crypto
import Foundation
import SortieStore

/// How a create with an `Idempotency-Key` starts: the key checked, scoped and bound to the body.
enum IdempotentStart {
    /// No answer is kept under the key yet: create, keeping the answer under `key`.
    case proceed(IdempotencyKey)
    /// Answer this and create nothing (a replay, a reused key, a malformed key, a store error).
    case answer(ServiceReply)
}

extension ConversationService {
    /// The key of a create (scoped to its caller, bound to the SHA-256 of `body`), or the answer
    /// already due: the first 201 again for the same body, 422 for another.
    func idempotentStart(key: String, scope: String, body: some Collection<UInt8>) async -> IdempotentStart {
        guard !key.isEmpty, key.utf8.count <= 255 else {
            return .answer(.error(400, "invalid-idempotency-key", "Idempotency-Key must be 1 to 255 bytes"))
        }
        let idempotency = IdempotencyKey(scope: scope, key: key, bodySHA256: Self.sha256Hex(body))
        do {
            guard let remembered = try await store.remembered(idempotency) else { return .proceed(idempotency) }
            return .answer(Self.idempotentReply(idempotency.outcome(of: remembered)))
        } catch {
            return .answer(storeUnavailable(error))
        }
    }

    /// The answer to a create that found its key already used: `.replayed` or `.keyReused`.
    static func idempotentReply(_ outcome: OutboundOutcome) -> ServiceReply {
        if case .replayed(let answer) = outcome { return ServiceReply(status: 201, body: Data(answer)) }
        return .error(422, "idempotency-key-reused",
                      "this Idempotency-Key was already used with another request body; send a new key for a new request")
    }

    /// 64 lowercase hex digits.
    static func sha256Hex(_ bytes: some Collection<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var hex: [UInt8] = []
        hex.reserveCapacity(64)
        for byte in SHA256.hash(data: Array(bytes)) {
            hex.append(digits[Int(byte >> 4)])
            hex.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: hex, as: UTF8.self)
    }
}

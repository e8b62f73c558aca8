import Crypto
import Foundation
import Sortie

/// What `--decision-log-redact` does to a decision-log line: destinations, subjects and message
/// bodies are replaced by their keyed hash, `hmac-sha256:` and the 64 hex digits of
/// HMAC-SHA256(key, UTF-8 text). The same value under the same key always gives the same text, so
/// a reader of the log can still tell that two lines name one customer, without learning who;
/// without the key the hash cannot be checked against a guessed number.
public struct DecisionLogRedaction: Sendable {
    public static let prefix = "hmac-sha256:"

    /// Keys whose values a body that could not be decoded has redacted, at any depth: the
    /// destination and sender, the subject, a message body and a template's variables. A
    /// `message` that is not an object (so not `{"body"}` or `{"template"}`) is hashed whole.
    static let bodyKeys: Set<String> = ["to", "from", "destination", "subject", "body", "variables"]
    /// Keys of a decision's reason details that quote the request's destination or subject.
    static let detailKeys: Set<String> = ["destination", "subject"]

    private let key: SymmetricKey

    public init(key: [UInt8]) {
        self.key = SymmetricKey(data: key)
    }

    /// `hmac-sha256:<hex>` of `text`.
    public func hash(_ text: String) -> String {
        let code = HMAC<Crypto.SHA256>.authenticationCode(for: Array(text.utf8), using: key)
        var hex = Self.prefix
        hex.reserveCapacity(Self.prefix.utf8.count + 64)
        for byte in code {
            hex.append(Character(Unicode.Scalar(Self.hexDigit(byte >> 4))))
            hex.append(Character(Unicode.Scalar(Self.hexDigit(byte & 0x0F))))
        }
        return hex
    }

    private static func hexDigit(_ n: UInt8) -> UInt8 { n < 10 ? 48 + n : 87 + n }

    /// The request with its destination and subject hashed.
    func redacting(_ request: Request) -> Request {
        var request = request
        request.to = request.to.map(hash)
        request.subject = request.subject.map(hash)
        return request
    }

    /// A body that could not be decoded: its JSON with the `bodyKeys` values hashed, or, when it
    /// is not a JSON object or array, the hash of the whole text.
    func redacting(raw: String) -> String {
        guard let value = JSONValue.parse(Array(raw.utf8)) else { return hash(raw) }
        switch value {
        case .object, .array:
            var w = JSONWriter(capacity: raw.utf8.count)
            write(redactingBody(value), &w)
            return String(decoding: w.bytes, as: UTF8.self)
        default:
            return hash(raw)
        }
    }

    private func redactingBody(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let members):
            var redacted: [String: JSONValue] = [:]
            for (key, member) in members {
                switch (key, member) {
                case ("message", .object): redacted[key] = redactingBody(member)
                case ("message", _): redacted[key] = .string(hash(of: member))
                default: redacted[key] = Self.bodyKeys.contains(key) ? .string(hash(of: member)) : redactingBody(member)
                }
            }
            return .object(redacted)
        case .array(let elements):
            return .array(elements.map(redactingBody))
        default:
            return value
        }
    }

    /// A string's hash is of its text (so it matches the hash of the same value in a decoded
    /// request); any other value's is of its JSON.
    private func hash(of value: JSONValue) -> String {
        if case .string(let text) = value { return hash(text) }
        var w = JSONWriter()
        write(value, &w)
        return hash(String(decoding: w.bytes, as: UTF8.self))
    }

    /// A decision's JSON with the destinations and subjects its reasons quote hashed, in their
    /// details and in their messages. `quoted` are the request's own values, which a message may
    /// quote without a detail naming them.
    func redacting(decision: [UInt8], quoted: [String]) -> [UInt8] {
        guard let value = JSONValue.parse(decision) else {
            // The service writes every decision itself; one it cannot read back is not logged as is.
            var w = JSONWriter()
            w.string(hash(String(decoding: decision, as: UTF8.self)))
            return w.bytes
        }
        var originals = Set(quoted.filter { !$0.isEmpty })
        collectDetails(value, into: &originals)
        // Longest first, so a value that contains another is replaced whole.
        let replacements = originals.sorted { $0.count > $1.count }.map { ($0, hash($0)) }
        var w = JSONWriter(capacity: decision.count + 128)
        write(redactingDecision(value, replacements), &w)
        return w.bytes
    }

    private func collectDetails(_ value: JSONValue, into originals: inout Set<String>) {
        switch value {
        case .object(let members):
            for (key, member) in members {
                if Self.detailKeys.contains(key), case .string(let text) = member, !text.isEmpty {
                    originals.insert(text)
                } else {
                    collectDetails(member, into: &originals)
                }
            }
        case .array(let elements):
            for element in elements { collectDetails(element, into: &originals) }
        default:
            break
        }
    }

    private func redactingDecision(_ value: JSONValue, _ replacements: [(String, String)]) -> JSONValue {
        switch value {
        case .object(let members):
            var redacted: [String: JSONValue] = [:]
            for (key, member) in members {
                if Self.detailKeys.contains(key), case .string(let text) = member {
                    redacted[key] = .string(hash(text))
                } else if key == "message", case .string(var text) = member {
                    for (original, hashed) in replacements { text = text.replacingOccurrences(of: original, with: hashed) }
                    redacted[key] = .string(text)
                } else {
                    redacted[key] = redactingDecision(member, replacements)
                }
            }
            return .object(redacted)
        case .array(let elements):
            return .array(elements.map { redactingDecision($0, replacements) })
        default:
            return value
        }
    }

    /// Writes a JSON value, object keys sorted.
    private func write(_ value: JSONValue, _ w: inout JSONWriter) {
        switch value {
        case .null: w.raw("null")
        case .bool(let flag): w.bool(flag)
        case .integer(let n): w.integer(n)
        case .number(let x): w.raw(Array((x.isFinite ? "\(x)" : "null").utf8))
        case .string(let text): w.string(text)
        case .array(let elements):
            w.raw("[")
            for (index, element) in elements.enumerated() {
                if index > 0 { w.raw(",") }
                write(element, &w)
            }
            w.raw("]")
        case .object(let members):
            w.object { o in
                for (key, member) in members.sorted(by: { $0.key < $1.key }) {
                    o.member(key) { write(member, &$0) }
                }
            }
        }
    }
}

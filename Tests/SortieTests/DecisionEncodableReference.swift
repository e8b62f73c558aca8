import Foundation
@testable import Sortie

// The slow reference of the decision writer: `Decision` through `JSONEncoder` with sorted keys.
// Only the tests have it; `DecisionJSONTests` checks the writer against it byte for byte.

extension DetailValue: Encodable {
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .string(let s): try c.encode(s)
        case .integer(let n): try c.encode(n)
        case .null: try c.encodeNil()
        }
    }
}

extension Reason: Encodable {
    enum CodingKeys: String, CodingKey { case code, message, details }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(code.name, forKey: .code)
        try c.encode(message, forKey: .message)
        try c.encode(details, forKey: .details)
    }
}

extension Decision.ChannelOption: Encodable {
    enum CodingKeys: String, CodingKey { case channel, allowed, limit, active, entryPoints, reasons }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(channel, forKey: .channel)
        try c.encode(allowed, forKey: .allowed)
        try c.encode(limit, forKey: .limit)
        try c.encode(active, forKey: .active)
        try c.encode(entryPoints, forKey: .entryPoints)
        try c.encode(reasons, forKey: .reasons)
    }
}

extension Decision: Encodable {
    enum CodingKeys: String, CodingKey { case id, allowed, reasons, warnings, profile, destination, revision, channels }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(allowed, forKey: .allowed)
        try c.encode(reasons, forKey: .reasons)
        try c.encode(warnings, forKey: .warnings)
        try c.encode(profile, forKey: .profile)
        if channels == nil { try c.encode(destination, forKey: .destination) }
        try c.encode(revision, forKey: .revision)
        if let channels { try c.encode(channels, forKey: .channels) }
    }
}

extension ExplainStep: Encodable {
    enum CodingKeys: String, CodingKey { case check, inputs, outcome, because, channel }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(check.name, forKey: .check)
        try c.encode(inputs, forKey: .inputs)
        try c.encode(outcome.rawValue, forKey: .outcome)
        try c.encodeIfPresent(because, forKey: .because)
        try c.encodeIfPresent(channel, forKey: .channel)
    }
}

/// A decision with its explanation, as `sortie eval --explain` writes it: the decision's fields
/// plus `explain`.
struct ExplainedDecisionReference: Encodable {
    var decision: Decision
    var explain: [ExplainStep]

    enum CodingKeys: String, CodingKey { case explain }

    func encode(to encoder: any Encoder) throws {
        try decision.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(explain, forKey: .explain)
    }
}

/// `value` through `JSONEncoder` with sorted keys and unescaped slashes.
func referenceJSON(_ value: some Encodable) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(value), as: UTF8.self)
}

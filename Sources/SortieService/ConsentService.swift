import Foundation
import Logging
import Sortie
import SortieStore

/// The consent API (SPEC §7): an address's state and history, and the suppressions an
/// administrator or an integration imports or lifts. The access table admits only those
/// roles; nothing here checks a role.
extension ConversationService {
    /// `GET /v1/consent/{channel}/{address}`: 200 `{channel, address, scope, optedOut, history}`.
    public func consent(channel: String, address: String) async -> ServiceReply {
        let target: (Channel, String)
        switch pathAddress(channel: channel, address: address) {
        case .success(let found): target = found
        case .failure(let reply): return reply
        }
        do {
            return consentReply(target, history: try await store.consentHistory(channel: target.0, address: target.1))
        } catch {
            return storeUnavailable(error)
        }
    }

    /// `PUT` (`change` opt-out: an imported suppression) and `DELETE` (opt-in: a lift) on
    /// `/v1/consent/{channel}/{address}`. The body is empty (the whole tenant) or
    /// `{"entryPoint": name}` (that entry point only). 200 with the state after the change.
    public func changeConsent(_ change: ConsentChange, channel: String, address: String, _ body: some Collection<UInt8>,
                              caller: Caller) async -> ServiceReply {
        let target: (Channel, String)
        switch pathAddress(channel: channel, address: address) {
        case .success(let found): target = found
        case .failure(let reply): return reply
        }
        var entryPoint: String?
        if !body.allSatisfy({ [0x20, 0x09, 0x0A, 0x0D].contains($0) }) {
            let object: [String: JSONValue]
            switch RequestBodies.object(body, allowed: RequestBodies.consentFields) {
            case .success(let value): object = value
            case .failure(let reply): return reply
            }
            switch RequestBodies.string(object, "entryPoint", required: false) {
            case .success(let name): entryPoint = name
            case .failure(let problem): return .invalidRequest(problem)
            }
        }
        if let entryPoint {
            let known = policy.evaluator.policy.entryPoints.filter { $0.channel == target.0 }.map(\.name)
            guard known.contains(entryPoint) else {
                return .error(422, "unknown-entry-point", "no \(target.0.rawValue) entry point is named \"\(entryPoint)\"", field: "entryPoint")
            }
        }
        let record = ConsentRecord(id: makeId("consent"), channel: target.0, address: target.1, entryPoint: entryPoint, change: change,
                                   source: .api, by: ConsentActor(kind: caller.principal.kind.rawValue, subject: caller.principal.subject),
                                   at: now())
        do {
            let written = try await store.recordConsent(record)
            logger.notice("consent changed", metadata: ["change": "\(change.rawValue)", "channel": "\(target.0.rawValue)",
                                                        "entryPoint": "\(entryPoint ?? ConsentLookup.tenantWide)",
                                                        "by": "\(record.by.kind)"])
            return consentReply(target, history: written.history)
        } catch {
            return storeUnavailable(error)
        }
    }

    /// The channel and the normalized address of the path (percent-encoded, as the router
    /// leaves it), or the 400 or 422 naming the one at fault.
    func pathAddress(channel: String, address encoded: String) -> Result<(Channel, String), ServiceReply> {
        guard let known = Channel(rawValue: channel) else {
            return .failure(.error(422, "channel-not-supported", "channel \"\(channel)\" is not sms or email", field: "channel"))
        }
        // No stored address holds U+0000, and PostgreSQL would refuse it in a query.
        guard let address = encoded.removingPercentEncoding, !address.unicodeScalars.contains("\u{0}") else {
            return .failure(.error(400, "invalid-request", "the address is not a valid percent-encoded path segment", field: "address"))
        }
        switch Destination.normalize(address, channel: known) {
        case .success(let normalized): return .success((known, normalized))
        case .failure(let problem):
            return .failure(.error(422, "invalid-address", "\"\(address)\" is not a valid \(known.rawValue) address (\(problem.rawValue))",
                                   field: "address"))
        }
    }

    /// The state per entry point of the channel (and per entry point a record names) under the
    /// policy's scope, by the rule creates and messages read (`ConsentLookup`).
    private func consentReply(_ target: (Channel, String), history: [ConsentRecord]) -> ServiceReply {
        let compiled = policy.evaluator.policy
        let scope = compiled.consent.scope
        var names = Set(compiled.entryPoints.filter { $0.channel == target.0 }.map(\.name))
        names.formUnion(history.compactMap(\.entryPoint))
        var optedOut: [String: Bool] = [:]
        for name in names {
            optedOut[name] = ConsentLookup(channel: target.0, address: target.1, entryPoint: name, scope: scope).optedOut(history)
        }
        return .json(200, ConsentReply(channel: target.0, address: target.1, scope: scope, optedOut: optedOut, history: history))
    }
}

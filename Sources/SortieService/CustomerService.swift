import Foundation
import Sortie
import SortieStore

/// What the service keeps about a customer beyond its conversations: its time zone, which
/// creates give the evaluator as `recipientTimeZone` (contact hours, SPEC §7).
extension ConversationService {
    /// `PUT /v1/customers/{channel}/{address}/time-zone`: `{"timeZone": "Europe/Paris"}` sets the
    /// customer's IANA zone, `{"timeZone": null}` forgets it; the customer is created if the
    /// address is new. 200 `{customer}`.
    public func setTimeZone(channel: String, address: String, _ body: some Collection<UInt8>) async -> ServiceReply {
        let target: (Channel, String)
        switch pathAddress(channel: channel, address: address) {
        case .success(let found): target = found
        case .failure(let reply): return reply
        }
        let object: [String: JSONValue]
        switch RequestBodies.object(body, allowed: RequestBodies.timeZoneFields) {
        case .success(let value): object = value
        case .failure(let reply): return reply
        }
        guard object["timeZone"] != nil else { return .error(400, "invalid-request", "timeZone: missing (null forgets it)", field: "timeZone") }
        let zone: String?
        switch RequestBodies.string(object, "timeZone", required: false) {
        case .success(let value): zone = value
        case .failure(let problem): return .invalidRequest(problem)
        }
        if let zone, let problem = RequestBodies.timeZoneProblem(zone) {
            return .error(422, "invalid-time-zone", problem, field: "timeZone")
        }
        do {
            let written = try await store.setTimeZone(channel: target.0, address: target.1, timeZone: zone, newCustomerId: makeId("cust"),
                                                      now: now())
            return .json(200, ["customer": written.customer])
        } catch {
            return storeUnavailable(error)
        }
    }
}

import Foundation
import HTTPTypes
import Testing

/// `GET`, `PUT` and `DELETE /v1/consent/{channel}/{address}` over real HTTP on loopback against
/// both stores: the state per entry point, imported and lifted suppressions, the history with
/// who and when, and what the API refuses. Who may call it is `AccessTests`' table.
@Suite struct ConsentAPITests {
    @Test(arguments: StoreKind.available)
    func anImportedSuppressionBlocksAndALiftAllowsWithHistory(store: StoreKind) async throws {
        try await ConsentTests.withServer(store: store) { live in
            let customer = "+33611223344"
            let empty = try await live.get("/v1/consent/sms/\(customer)")
            #expect(empty.status == 200, "\(empty)")
            #expect(empty.string("address") == customer)
            #expect(empty.string("scope") == "entry-point")
            #expect((empty.at("history") as? [Any])?.isEmpty == true)
            #expect(empty.at("optedOut") as? [String: Bool] == ["support-sms-fr": false, "ventes-sms": false])

            // One sender only, then the whole tenant; the address is normalized and percent-decoded.
            let one = try await live.send(.put, "/v1/consent/sms/%2B33%206%2011%2022%2033%2044", #"{"entryPoint":"ventes-sms"}"#)
            #expect(one.status == 200, "\(one)")
            #expect(one.at("optedOut") as? [String: Bool] == ["support-sms-fr": false, "ventes-sms": true])
            #expect(try await ConsentTests.create(live, to: customer, from: "ventes-sms").reasonCodes == ["RECIPIENT_OPTED_OUT"])
            let all = try await live.send(.put, "/v1/consent/sms/\(customer)")
            #expect(all.status == 200, "\(all)")
            #expect(all.at("optedOut") as? [String: Bool] == ["support-sms-fr": true, "ventes-sms": true])
            let blocked = try await ConsentTests.create(live, to: customer)
            #expect(blocked.status == 403, "\(blocked)")
            #expect(blocked.reasonCodes == ["RECIPIENT_OPTED_OUT"])
            #expect(try await live.inspector.count("conversations") == 0)

            // Lifting the whole tenant lifts every sender.
            let lifted = try await live.send(.delete, "/v1/consent/sms/\(customer)")
            #expect(lifted.status == 200, "\(lifted)")
            #expect(lifted.at("optedOut") as? [String: Bool] == ["support-sms-fr": false, "ventes-sms": false])
            #expect(try await ConsentTests.create(live, to: customer).status == 201)

            let history = try #require(try await live.get("/v1/consent/sms/\(customer)").at("history") as? [[String: Any]])
            #expect(history.map { $0["change"] as? String } == ["opt-out", "opt-out", "opt-in"])
            #expect(history.map { $0["entryPoint"] as? String } == ["ventes-sms", nil, nil])
            #expect(history.allSatisfy { $0["source"] as? String == "api" })
            #expect(history.allSatisfy { ($0["by"] as? [String: Any])?["kind"] as? String == "open" })
            #expect(history.allSatisfy { ($0["at"] as? String).flatMap { try? Date($0, strategy: .iso8601) } != nil })
            // Records are never changed nor removed, whatever writes to the database.
            await #expect(throws: (any Error).self) { try await live.inspector.execute(["DELETE FROM consent_changes"]) }
            await #expect(throws: (any Error).self) { try await live.inspector.execute(["UPDATE consent_changes SET change = 'opt-in'"]) }
            #expect(try await live.inspector.count("consent_changes") == 3)
        }
    }

    @Test(arguments: StoreKind.available)
    func theConsentAPIRefusesWhatItCannotRead(store: StoreKind) async throws {
        try await ConsentTests.withServer(store: store) { live in
            let cases: [(HTTPRequest.Method, String, String?, Int, String)] = [
                (.get, "/v1/consent/fax/+33611223344", nil, 422, "channel"),
                (.get, "/v1/consent/sms/0611223344", nil, 422, "address"),
                (.get, "/v1/consent/sms/%ZZ", nil, 400, "address"),
                (.put, "/v1/consent/email/not-an-address", nil, 422, "address"),
                (.put, "/v1/consent/sms/+33611223344", #"{"entryPoint":"nowhere"}"#, 422, "entryPoint"),
                (.put, "/v1/consent/sms/+33611223344", #"{"entryPoint":"service-client"}"#, 422, "entryPoint"),
                (.put, "/v1/consent/sms/+33611223344", #"{"entryPoint":7}"#, 400, "entryPoint"),
                (.put, "/v1/consent/sms/+33611223344", #"{"scope":"tenant"}"#, 400, "scope"),
                (.delete, "/v1/consent/sms/+33611223344", #"[1]"#, 400, "(request)"),
            ]
            for (method, path, body, status, field) in cases {
                let reply = try await live.send(method, path, body)
                #expect(reply.status == status, "\(method) \(path) \(body ?? ""): \(reply)")
                #expect(reply.string("error.field") == field, "\(method) \(path): \(reply)")
            }
            #expect(try await live.inspector.count("consent_changes") == 0)
        }
    }

    @Test(arguments: StoreKind.available)
    func theHistorySaysWhichPrincipalChangedWhat(store: StoreKind) async throws {
        try await AccessTests.withServer(store: store) { live, credentials in
            let admin = Credentials.bearer(try await credentials.token("ops-lea", roles: [.admin]))
            let integration = Credentials.bearer(try await credentials.token("crm-sync", roles: [.integration]))
            let agentToken = Credentials.bearer(try await credentials.agent("agent-a"))
            let path = "/v1/consent/sms/%2B33614000001"
            #expect(try await live.send(.put, path, headers: agentToken).status == 403)
            let imported = try await live.send(.put, path, #"{"entryPoint":"support-sms-fr"}"#, headers: integration)
            #expect(imported.status == 200, "\(imported)")
            let lifted = try await live.send(.delete, path, #"{"entryPoint":"support-sms-fr"}"#, headers: admin)
            #expect(lifted.status == 200, "\(lifted)")
            let read = try await live.send(.get, path, headers: integration)
            let history = try #require(read.at("history") as? [[String: Any]])
            #expect(history.map { $0["change"] as? String } == ["opt-out", "opt-in"])
            #expect(history.map { ($0["by"] as? [String: Any])?["kind"] as? String } == ["integration", "admin"])
            #expect(history.map { ($0["by"] as? [String: Any])?["subject"] as? String } == ["crm-sync", "ops-lea"])
            #expect(read.at("optedOut.support-sms-fr") as? Bool == false, "\(read)")
            #expect(try await live.inspector.count("consent_changes") == 2)
        }
    }
}

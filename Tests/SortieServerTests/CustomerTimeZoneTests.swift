import Foundation
import HTTPTypes
import Testing

/// `PUT /v1/customers/{channel}/{address}/time-zone` over real HTTP on loopback against both
/// stores: the zone is validated as the evaluator validates `recipientTimeZone`, kept on the
/// customer, and given to the next create, where contact hours read it.
@Suite struct CustomerTimeZoneTests {
    /// Contact hours on SMS all day every day in the recipient's zone, refused when it is unknown:
    /// a create passes exactly when the recipient's zone is known.
    static let allDayInTheRecipientsZone = """
        { channels: [sms], timeZone: recipient, unknownTimeZone: deny, windows: [{ days: [mon, tue, wed, thu, fri, sat, sun], from: "00:00", to: "24:00" }] }
        """

    static func withServer<T: Sendable>(store: StoreKind, _ body: @Sendable (LiveServer) async throws -> T) async throws -> T {
        let folder = try PolicyFixture.write(PolicyFixture.text(contactHours: allDayInTheRecipientsZone))
        defer { try? FileManager.default.removeItem(at: folder) }
        return try await LiveServer.with(store: store, policies: folder.path, body)
    }

    @Test(arguments: StoreKind.available)
    func aStoredZoneIsTheNextCreatesRecipientTimeZone(store: StoreKind) async throws {
        try await Self.withServer(store: store) { live in
            // +1 is shared by many zones: without a stored one the recipient's zone is unknown.
            let customer = "+12125550123"
            let unknown = try await ConsentTests.create(live, to: customer)
            #expect(unknown.status == 403, "\(unknown)")
            #expect(unknown.reasonCodes == ["OUTSIDE_CONTACT_HOURS"])

            let set = try await live.send(.put, "/v1/customers/sms/%2B1%20212%20555%200123/time-zone", #"{"timeZone":"America/New_York"}"#)
            #expect(set.status == 200, "\(set)")
            #expect(set.string("customer.address") == customer)
            #expect(set.string("customer.timeZone") == "America/New_York")
            let created = try await ConsentTests.create(live, to: customer)
            #expect(created.status == 201, "\(created)")
            #expect(created.string("conversation.customerId") == set.string("customer.id"), "the customer it set is the one written to")
            let view = try await live.get("/v1/conversations/\(try #require(created.string("conversation.id")))")
            #expect(view.string("customer.timeZone") == "America/New_York")
            try await ConsentTests.close(live, try #require(created.string("conversation.id")))

            // Forgotten: unknown again.
            let forgotten = try await live.send(.put, "/v1/customers/sms/\(customer)/time-zone", #"{"timeZone":null}"#)
            #expect(forgotten.status == 200, "\(forgotten)")
            #expect(forgotten.at("customer.timeZone") == nil)
            #expect(try await ConsentTests.create(live, to: customer).reasonCodes == ["OUTSIDE_CONTACT_HOURS"])
            #expect(try await live.inspector.count("customers") == 1)
        }
    }

    @Test(arguments: StoreKind.available)
    func whatTheRouteRefusesChangesNothing(store: StoreKind) async throws {
        try await Self.withServer(store: store) { live in
            let path = "/v1/customers/sms/+12125550123/time-zone"
            let cases: [(String, String, Int, String)] = [
                (path, #"{"timeZone":"Mars/Olympus_Mons"}"#, 422, "timeZone"),
                (path, #"{"timeZone":"europe/paris"}"#, 422, "timeZone"),
                (path, #"{"timeZone":7}"#, 400, "timeZone"),
                (path, #"{}"#, 400, "timeZone"),
                (path, #"{"timeZone":"UTC","zone":"UTC"}"#, 400, "zone"),
                ("/v1/customers/fax/+12125550123/time-zone", #"{"timeZone":"UTC"}"#, 422, "channel"),
                ("/v1/customers/sms/555-0123/time-zone", #"{"timeZone":"UTC"}"#, 422, "address"),
            ]
            for (path, body, status, field) in cases {
                let reply = try await live.send(.put, path, body)
                #expect(reply.status == status, "\(path) \(body): \(reply)")
                #expect(reply.string("error.field") == field, "\(path) \(body): \(reply)")
            }
            #expect(try await live.inspector.count("customers") == 0)
            let utc = try await live.send(.put, path, #"{"timeZone":"UTC"}"#)
            #expect(utc.status == 200, "\(utc)")
            #expect(utc.string("customer.timeZone") == "UTC")
        }
    }
}

import Foundation
import Sortie
import SortieServer
import SortieService
import Testing

/// `--decision-log-redact`: destinations, subjects and bodies reach the decision log only as
/// keyed hashes, the same value as the same hash, a different key as a different one.
@Suite struct DecisionLogRedactionTests {
    static let key = Array("a key of the decision log, for tests".utf8)

    static func logText(_ live: LiveServer) throws -> String {
        try String(contentsOfFile: live.decisionLogPath, encoding: .utf8)
    }

    @Test func noDestinationSubjectOrBodyReachesTheLog() async throws {
        let secrets = ["client.secret@example.com", "Dossier Martin 4521", "Bonjour Madame Martin", "+33699887766",
                       "+3361234567890123", "+33655443322", "Le code est 7781", "+33644556677"]
        try await LiveServer.with(policies: examplePolicies, configure: {
            $0.decisionLogRedact = true
            $0.decisionLogRedactKey = Self.key
        }) { live in
            // Decoded requests: an email with a subject and a first message, an SMS to a number
            // the policy refuses (its reason quotes the destination), the same number twice.
            _ = try await live.post("/v1/outbound-conversations",
                                    emailCreate(agent: agent("a-1"), to: secrets[0], subject: secrets[1],
                                                extra: #","message":{"body":"\#(secrets[2])"}"#))
            _ = try await live.post("/v1/outbound-conversations", smsCreate(agent: agent("a-2"), to: secrets[3]))
            _ = try await live.post("/v1/outbound-conversations", smsCreate(agent: agent("a-3"), to: secrets[3]))
            let invalid = try await live.post("/v1/outbound-conversations", smsCreate(agent: agent("a-4"), to: secrets[4]))
            #expect(invalid.body.contains(secrets[4]), "the reply itself still quotes it: \(invalid)")
            // Bodies that could not be decoded: JSON with an unknown field, and text that is not JSON.
            _ = try await live.post("/v1/outbound-conversations",
                                    #"{"agent":\#(agent("a-5")),"channel":"sms","to":"\#(secrets[5])","message":{"body":"\#(secrets[6])"},"nope":1}"#)
            _ = try await live.post("/v1/outbound-conversations", "to=\(secrets[7])&body=hello")
            let log = try Self.logText(live)
            #expect(log.split(separator: "\n").count >= 6, "\(log)")
            for secret in secrets { #expect(!log.contains(secret), "\(secret) in the log:\n\(log)") }
            for line in log.split(separator: "\n") {
                #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) != nil, "not JSON: \(line)")
            }
            let redaction = DecisionLogRedaction(key: Self.key)
            // A reader with the log alone can still tell which lines name one customer.
            let hashed = redaction.hash(secrets[3])
            #expect(log.components(separatedBy: hashed).count - 1 >= 2, "\(hashed) twice:\n\(log)")
            for secret in secrets.prefix(2) { #expect(log.contains(redaction.hash(secret)), "\(secret)") }
            #expect(log.contains(redaction.hash(secrets[6])), "the raw body's message body, hashed")
            #expect(log.contains(redaction.hash(secrets[5])), "the raw body's destination, hashed")
            #expect(log.contains(redaction.hash("to=\(secrets[7])&body=hello")), "text that is not JSON, hashed whole")
        }
    }

    @Test func theSameValueHashesAlikeAndAnotherKeyDiffers() throws {
        let one = DecisionLogRedaction(key: Self.key)
        let other = DecisionLogRedaction(key: Array("another key".utf8))
        let hash = one.hash("+33612345678")
        #expect(hash.hasPrefix("hmac-sha256:") && hash.count == "hmac-sha256:".count + 64)
        #expect(hash == one.hash("+33612345678"))
        #expect(hash != one.hash("+33612345679"))
        #expect(hash != other.hash("+33612345678"))
        // HMAC-SHA256 as RFC 4231 test case 2 defines it.
        #expect(DecisionLogRedaction(key: Array("Jefe".utf8)).hash("what do ya want for nothing?")
                == "hmac-sha256:5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    @Test func aLineUnderAnotherKeyHashesDifferently() throws {
        let decision = try DecisionLogTests.decision(1)
        let withTo = Request(action: .start, agent: .init(id: "a"), channel: "email", to: "+33612345678", subject: "Votre dossier")
        let lines = [Self.key, Array("another key".utf8)].map { key in
            String(decoding: DecisionLog.line(caller: .open, request: withTo, raw: nil, decision: decision.jsonBytes, revision: "r", at: Date(),
                                              redaction: DecisionLogRedaction(key: key)), as: UTF8.self)
        }
        #expect(lines[0] != lines[1])
        for line in lines {
            #expect(!line.contains("+33612345678") && !line.contains("Votre dossier"), "\(line)")
            #expect(line.contains("hmac-sha256:"))
        }
        let clear = String(decoding: DecisionLog.line(caller: .open, request: withTo, raw: nil, decision: decision.jsonBytes, revision: "r", at: Date()),
                           as: UTF8.self)
        #expect(clear.contains("+33612345678"), "without redaction the line is as before")
    }

    @Test func theKeyComesFromTheConfigFile() async throws {
        let credentials = try Credentials.make(extraSpec: "  decisionLog:\n    redactKeyFile: redact.key")
        defer { credentials.remove() }
        let key = Array("thirty-two bytes or more of a key for the log".utf8)
        try Data(key).write(to: credentials.folder.appendingPathComponent("redact.key"))
        try await LiveServer.with(policies: examplePolicies, configure: {
            $0.configFile = credentials.configPath
            $0.decisionLogRedact = true
        }) { live in
            let token = try await credentials.agent("a-1")
            let reply = try await live.send(.post, "/v1/outbound-conversations", smsCreate(agent: #"{"state":"available"}"#, to: "+33611223344"),
                                            headers: Credentials.bearer(token))
            #expect(reply.status == 201, "\(reply)")
            let log = try Self.logText(live)
            #expect(!log.contains("+33611223344"), "\(log)")
            #expect(log.contains(DecisionLogRedaction(key: key).hash("+33611223344")), "\(log)")
        }
    }

    @Test func redactionWithoutAKeyIsAConfigurationError() async throws {
        var configuration = ServerConfiguration(policies: examplePolicies, store: "sqlite:/nonexistent/never-opened.db", port: 0, decisionLog: nil)
        configuration.decisionLogRedact = true
        do {
            _ = try await SortieServer.make(configuration)
            Issue.record("started without a redaction key")
        } catch let error as ServerError {
            guard case .configuration(let why) = error else { Issue.record("\(error)"); return }
            #expect(why.contains("--decision-log-redact") && why.contains("decisionLog.redactKeyFile") && why.contains("--config"), "\(why)")
        }
    }
}

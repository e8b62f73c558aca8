import Foundation
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing

/// `sortie serve` as a real process: signals (SIGHUP reloads, SIGTERM stops cleanly), exit
/// statuses, and the walkthrough script played with curl against a live server.
@Suite struct ServeProcessTests {
    /// A built executable of the package (the test runner lives in .build/<triple>/debug).
    static func executable(_ name: String) throws -> URL {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        while !FileManager.default.fileExists(atPath: directory.appendingPathComponent(name).path), directory.path != "/" {
            directory.deleteLastPathComponent()
        }
        let url = directory.appendingPathComponent(name)
        try #require(FileManager.default.fileExists(atPath: url.path), "build the package first (swift build)")
        return url
    }

    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// A running `sortie serve`, its stderr collected as it comes.
    final class ServeProcess: Sendable {
        let process: Process
        private let collected = Mutex("")

        init(_ arguments: [String]) throws {
            process = Process()
            process.executableURL = try ServeProcessTests.executable("sortie")
            process.arguments = ["serve"] + arguments
            let pipe = Pipe()
            process.standardError = pipe
            process.standardOutput = FileHandle.nullDevice
            pipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
                let text = String(decoding: handle.availableData, as: UTF8.self)
                self?.collected.withLock { $0 += text }
            }
            try process.run()
        }

        var stderr: String { collected.withLock { $0 } }

        /// Waits until stderr contains `text` (or the process ends, or 20 s pass).
        func wait(for text: String) async throws -> Bool {
            for _ in 0..<400 {
                if stderr.contains(text) { return true }
                if !process.isRunning { return stderr.contains(text) }
                try await Task.sleep(for: .milliseconds(50))
            }
            return false
        }

        /// The port from "listening on http://127.0.0.1:PORT".
        func port() async throws -> Int {
            _ = try await wait(for: "listening on http://127.0.0.1:")
            let line = try #require(stderr.split(separator: "\n").first { $0.contains("listening on http://127.0.0.1:") })
            let after = line.split(separator: "http://127.0.0.1:")[1]
            return try #require(Int(after.prefix { $0.isNumber }))
        }

        func exitStatus() async throws -> Int32 {
            for _ in 0..<400 where process.isRunning { try await Task.sleep(for: .milliseconds(50)) }
            if process.isRunning { process.interrupt() }
            process.waitUntilExit()
            return process.terminationStatus
        }
    }

    /// Runs `process` to its end and returns its status and output (stdout and stderr), waiting
    /// on a thread of its own: a blocking wait on the concurrency pool's few threads could starve
    /// the in-process server the process talks to.
    static func output(of process: Process) async throws -> (status: Int32, output: String) {
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        return await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                process.waitUntilExit()
                continuation.resume(returning: (process.terminationStatus, output))
            }
        }
    }

    /// Sends `signal` and waits for the process to end on a thread of its own (SIGKILL after
    /// 30 s): `waitUntilExit` spins a run loop, which on the pool's few threads would starve
    /// the in-process server the process may still be talking to.
    static func stop(_ process: Process, signal: Int32 = SIGTERM) async {
        guard process.isRunning else { return }
        kill(process.processIdentifier, signal)
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            Thread.detachNewThread {
                let deadline = Date().addingTimeInterval(30)
                while process.isRunning && Date() < deadline { usleep(20_000) }
                if process.isRunning { kill(process.processIdentifier, SIGKILL) }
                process.waitUntilExit()
                continuation.resume()
            }
        }
    }

    static func http(_ port: Int, _ method: HTTPRequest.Method, _ path: String, _ body: String? = nil) async throws -> (Int, String) {
        try await TestClient.withClient(host: "127.0.0.1", port: port) { client in
            let response = try await client.execute(.init(path, method: method, body: body.map { ByteBuffer(string: $0) }))
            return (Int(response.status.code), response.body.map { String(buffer: $0) } ?? "")
        }
    }

    @Test func sighupReloadsAndSigtermStopsCleanly() async throws {
        let folder = try TemporaryFolder.make()
        defer { try? FileManager.default.removeItem(at: folder) }
        let policies = try PolicyFixture.write()
        defer { try? FileManager.default.removeItem(at: policies) }
        let database = folder.appendingPathComponent("data/sortie.db").path
        let serve = try ServeProcess(["--policies", policies.path, "--store", "sqlite:" + database, "--port", "0",
                                      "--decision-log", folder.appendingPathComponent("data/decisions.jsonl").path])
        let port = try await serve.port()
        let (created, body) = try await Self.http(port, .post, "/v1/outbound-conversations", smsCreate(agent: agent("a"), to: "+33612345678"))
        #expect(created == 201, "\(body)")
        let before = try await Self.http(port, .get, "/healthz").1

        // A broken set on SIGHUP: the old revision stays.
        try "kind: Tenant\nspec: [".write(to: policies.appendingPathComponent("policy.yaml"), atomically: true, encoding: .utf8)
        kill(serve.process.processIdentifier, SIGHUP)
        #expect(try await serve.wait(for: "SIGHUP: reload answered 422"), "\(serve.stderr)")
        #expect(try await Self.http(port, .get, "/healthz").1 == before)

        // A good one: the new revision is in use.
        try PolicyFixture.text(wrapUpReasons: ["done", "later"]).write(to: policies.appendingPathComponent("policy.yaml"), atomically: true, encoding: .utf8)
        kill(serve.process.processIdentifier, SIGHUP)
        #expect(try await serve.wait(for: "SIGHUP: reload answered 200"), "\(serve.stderr)")
        #expect(try await Self.http(port, .get, "/healthz").1 != before)

        kill(serve.process.processIdentifier, SIGTERM)
        #expect(try await serve.exitStatus() == 0, "\(serve.stderr)")
        #expect(serve.stderr.contains("stopped"))
        // The answered 201 is in the file, and the store was closed cleanly (no WAL left behind).
        #expect(try Database(database).int("SELECT COUNT(*) FROM conversations") == 1)
        let wal = (try? FileManager.default.attributesOfItem(atPath: database + "-wal"))?[.size] as? Int ?? 0
        #expect(wal == 0)
    }

    /// With a flush interval far longer than the test, answered decisions wait in memory; SIGTERM
    /// writes every one of them before the process ends.
    @Test func aBufferedDecisionLogLosesNoAnsweredLineOnSigterm() async throws {
        let folder = try TemporaryFolder.make()
        defer { try? FileManager.default.removeItem(at: folder) }
        let policies = try PolicyFixture.write()
        defer { try? FileManager.default.removeItem(at: policies) }
        let log = folder.appendingPathComponent("data/decisions.jsonl").path
        let launched = ContinuousClock.now
        let serve = try ServeProcess(["--policies", policies.path, "--store", "sqlite:" + folder.appendingPathComponent("data/sortie.db").path,
                                      "--port", "0", "--decision-log", log, "--decision-log-flush-ms", "60000"])
        let port = try await serve.port()
        for n in 0..<20 {
            let body = #"{"id":"r-\#(n)","agent":\#(agent("a")),"channel":"sms","to":"+33612345678","entryPoint":"support-sms-fr"}"#
            #expect(try await Self.http(port, .post, "/v1/decisions", body).0 == 200)
        }
        // Under a loaded machine the first timed flush (60 s after launch) may already have run;
        // the lines can only be expected to wait while it has not.
        if ContinuousClock.now - launched < .seconds(50) {
            #expect(try String(contentsOfFile: log, encoding: .utf8).isEmpty, "the lines wait for the flush")
        }
        kill(serve.process.processIdentifier, SIGTERM)
        #expect(try await serve.exitStatus() == 0, "\(serve.stderr)")
        let ids = try String(contentsOfFile: log, encoding: .utf8).split(separator: "\n").map { line in
            ((try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any]).flatMap { ($0["decision"] as? [String: Any])?["id"] as? String }
        }
        #expect(ids == (0..<20).map { "r-\($0)" })
    }

    @Test func aBrokenPolicyExits1WithItsDiagnosticsAndABadStoreExits2() async throws {
        let folder = try TemporaryFolder.make()
        defer { try? FileManager.default.removeItem(at: folder) }
        let broken = try ServeProcess(["--policies", Self.repository.appendingPathComponent("examples/broken-policies").path,
                                       "--store", "sqlite:" + folder.appendingPathComponent("db").path, "--port", "0"])
        #expect(try await broken.exitStatus() == 1)
        #expect(broken.stderr.contains("error:"), "\(broken.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("db").path))

        let badStore = try ServeProcess(["--policies", examplePolicies, "--store", "mysql://nope", "--port", "0"])
        #expect(try await badStore.exitStatus() == 2)
        #expect(badStore.stderr.contains("--store"), "\(badStore.stderr)")

        let badTimeout = try ServeProcess(["--policies", examplePolicies, "--store-timeout", "0", "--port", "0"])
        #expect(try await badTimeout.exitStatus() == 2)
        #expect(badTimeout.stderr.contains("--store-timeout"), "\(badTimeout.stderr)")
    }

    @Test func aBrokenConfigurationExits1AndAnOpenServerStaysOnLoopback() async throws {
        let folder = try TemporaryFolder.make()
        defer { try? FileManager.default.removeItem(at: folder) }
        let config = folder.appendingPathComponent("server.yaml")
        try "apiVersion: sortie/v1\nkind: ServerConfig\nmetadata: { name: x }\nspec:\n  issuer: []\n".write(to: config, atomically: true, encoding: .utf8)
        let store = "sqlite:" + folder.appendingPathComponent("db").path
        let broken = try ServeProcess(["--config", config.path, "--policies", examplePolicies, "--store", store, "--port", "0"])
        #expect(try await broken.exitStatus() == 1)
        #expect(broken.stderr.contains("server.yaml:5:3: error: unknown field \"issuer\"; did you mean \"issuers\"?"), "\(broken.stderr)")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("db").path), "nothing was created")

        let exposed = try ServeProcess(["--policies", examplePolicies, "--store", store, "--host", "0.0.0.0", "--port", "0"])
        #expect(try await exposed.exitStatus() == 2)
        #expect(exposed.stderr.contains("not a loopback address"), "\(exposed.stderr)")

        let open = try ServeProcess(["--policies", examplePolicies, "--store", store, "--port", "0"])
        #expect(try await open.wait(for: "running open"), "\(open.stderr)")
        // SIGTERM once it listens: its graceful-shutdown handler is installed by then.
        _ = try await open.port()
        kill(open.process.processIdentifier, SIGTERM)
        #expect(try await open.exitStatus() == 0)
    }

    @Test func theWalkthroughWithCredentialsShowsWhoMayDoWhat() async throws {
        let folder = try TemporaryFolder.make()
        defer { try? FileManager.default.removeItem(at: folder) }
        let credentials = folder.appendingPathComponent("dev")
        let generate = Process()
        generate.executableURL = URL(fileURLWithPath: "/bin/bash")
        generate.arguments = [Self.repository.appendingPathComponent("scripts/dev-credentials").path, credentials.path]
        #expect(try await Self.output(of: generate).status == 0)
        let config = credentials.appendingPathComponent("server.yaml").path
        try await LiveServer.with(policies: examplePolicies, configure: { $0.configFile = config }) { live in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/bash")
            process.arguments = [Self.repository.appendingPathComponent("examples/walkthrough.sh").path]
            process.environment = ProcessInfo.processInfo.environment.merging([
                "BASE_URL": "http://127.0.0.1:\(live.port)", "RUN": "525252", "SORTIE_CONFIG_DIR": credentials.path,
                "SORTIE": try Self.executable("sortie").path,
            ]) { $1 }
            let (status, output) = try await Self.output(of: process)
            #expect(status == 0, "\(output)")
            for expected in ["-> 401", "-> 404", "-> 403 identity-mismatch agent.license", "-> 403 LICENSE_NOT_ELIGIBLE",
                             "-> 409 CONVERSATION_ALREADY_ACTIVE", "joined by inReplyTo", "walkthrough complete"] {
                #expect(output.contains(expected), "\(expected)")
            }
            #expect(try await live.inspector.count("conversations", where: "agent_id = 'agent-walk-525252'") == 3)
        }
    }

    /// The story with the example gateway (examples/gateway/gateway.py): the first SMS goes
    /// out, its receipt says delivered, and the customer's reply comes back.
    @Test func theWalkthroughThroughTheExampleGatewaySeesAMessageGoOutAndComeBack() async throws {
        let folder = try TemporaryFolder.make()
        defer { try? FileManager.default.removeItem(at: folder) }
        let credentials = folder.appendingPathComponent("dev")
        let gatewayPort = try unusedLoopbackPort()
        let generate = Process()
        generate.executableURL = URL(fileURLWithPath: "/bin/bash")
        generate.arguments = [Self.repository.appendingPathComponent("scripts/dev-credentials").path, credentials.path]
        generate.environment = ProcessInfo.processInfo.environment.merging(["SORTIE_GATEWAY_URL": "http://127.0.0.1:\(gatewayPort)/sortie"]) { $1 }
        #expect(try await Self.output(of: generate).status == 0)
        let config = credentials.appendingPathComponent("server.yaml").path
        let log = folder.appendingPathComponent("gateway.jsonl").path
        try await LiveServer.with(policies: examplePolicies, configure: { $0.configFile = config }) { live in
            let gateway = Process()
            gateway.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            gateway.arguments = ["python3", Self.repository.appendingPathComponent("examples/gateway/gateway.py").path,
                                 "--port", String(gatewayPort), "--secret-file", credentials.appendingPathComponent("gateway.secret").path,
                                 "--sortie", "http://127.0.0.1:\(live.port)", "--receipt-delay", "0.2",
                                 "--reply", "Bien reçu, merci.", "--log", log]
            gateway.standardOutput = FileHandle.nullDevice
            gateway.standardError = FileHandle.nullDevice
            let sortie = try Self.executable("sortie").path
            try gateway.run()
            // Ready once its /healthz answers.
            var ready = false
            for _ in 0..<150 where !ready {
                ready = (try? await LiveServer.request(port: gatewayPort, .get, "/healthz", timeout: .seconds(2)))?.status == 200
                if !ready { try await Task.sleep(for: .milliseconds(200)) }
            }
            #expect(ready, "the example gateway did not start")
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/bash")
            process.arguments = [Self.repository.appendingPathComponent("examples/walkthrough.sh").path]
            process.environment = ProcessInfo.processInfo.environment.merging([
                "BASE_URL": "http://127.0.0.1:\(live.port)", "RUN": "626262", "SORTIE_CONFIG_DIR": credentials.path,
                "SORTIE": sortie, "SORTIE_GATEWAY": "1", "SORTIE_GATEWAY_LOG": log,
                "AWAIT_SECONDS": "60",
            ]) { $1 }
            let walked: (status: Int32, output: String)
            do {
                walked = try await Self.output(of: process)
            } catch {
                await Self.stop(gateway)
                throw error
            }
            await Self.stop(gateway)
            let (status, output) = walked
            #expect(status == 0, "\(output)")
            for expected in ["The gateway took the SMS and its receipt says delivered", "gateway ok", "-> sms +33186950000 -> +33",
                             "joins the conversation", "walkthrough complete"] {
                #expect(output.contains(expected), "\(expected)")
            }
            #expect(try await live.inspector.count("messages", where: "direction = 'inbound' AND body = 'Bien reçu, merci.'") >= 1)
        }
    }

    @Test func theWalkthroughPlaysTheSeedsStory() async throws {
        try await LiveServer.with(policies: examplePolicies) { live in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/bash")
            process.arguments = [Self.repository.appendingPathComponent("examples/walkthrough.sh").path]
            process.environment = ProcessInfo.processInfo.environment.merging(["BASE_URL": "http://127.0.0.1:\(live.port)", "RUN": "424242"]) { $1 }
            let (status, output) = try await Self.output(of: process)
            #expect(status == 0, "\(output)")
            for expected in ["-> 403 LICENSE_NOT_ELIGIBLE", "-> 403 AGENT_STATE_NOT_ALLOWED", "-> 403 OUTBOUND_LIMIT_REACHED",
                             "-> 422 INVALID_DESTINATION", "-> 422 ENTRY_POINT_NOT_FOUND", "-> 409 CONVERSATION_ALREADY_ACTIVE",
                             "-> 422 EMAIL_SUBJECT_REQUIRED", "joined by inReplyTo", "-> 403 TRANSFER_NOT_ALLOWED", "walkthrough complete"] {
                #expect(output.contains(expected), "\(expected)")
            }
            // What the story left in the store: two SMS and one email from the agent, one reply conversation.
            let database = live.inspector
            #expect(try await database.count("conversations", where: "agent_id = 'agent-walk-424242'") == 3)
            #expect(try await database.count("conversations", where: "origin = 'inbound' AND previous_conversation_id IS NOT NULL") == 1)
        }
    }
}

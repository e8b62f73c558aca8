import Foundation
import HTTPTypes
import Hummingbird
import Logging
import ServiceLifecycle
import SortieAccess
import Synchronization

/// A real HTTP channel gateway on a loopback port: it records every push (headers, body, time,
/// whether its signature verifies) and answers as the test's `script` says.
///
/// It also counts overlapping pushes of one message id: a push that arrives while another of
/// the same id is still being answered.
final class GatewayReceiver: Sendable {
    /// One push as received.
    struct Push: Sendable {
        let id: String
        let timestamp: String
        let signature: String
        let body: [UInt8]
        let at: Date
        let signatureValid: Bool

        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any] ?? [:] }
        var message: [String: Any] { json["message"] as? [String: Any] ?? [:] }
        var conversationId: String { message["conversationId"] as? String ?? "" }
    }

    /// How to answer a push: its status, headers and body, after an optional delay.
    struct Answer: Sendable {
        var status: Int = 200
        var headers: [String: String] = [:]
        var body: String = ""
        var delay: Duration = .zero

        static func ok(_ providerMessageId: String?) -> Answer {
            Answer(body: providerMessageId.map { "{\"providerMessageId\":\"\($0)\"}" } ?? "")
        }
    }

    /// The answer for a push, given how many pushes of its id came before it.
    typealias Script = @Sendable (_ push: Push, _ earlierOfSameId: Int) -> Answer

    /// Checks each push's signature; set once the server's secret exists (`verify(with:)`).
    private let verifier: Mutex<WebhookVerifier?>
    private let state = Mutex<(pushes: [Push], inFlight: [String: Int], overlaps: Int, script: Script)>(
        ([], [:], 0, { push, _ in .ok("gw-\(push.id)") }))
    let port: Int
    private let stop: @Sendable () async -> Void

    private init(verifier: WebhookVerifier?, port: Int, stop: @escaping @Sendable () async -> Void) {
        self.verifier = Mutex(verifier)
        self.port = port
        self.stop = stop
    }

    var url: String { "http://127.0.0.1:\(port)/sortie" }
    var pushes: [Push] { state.withLock { $0.pushes } }
    var overlaps: Int { state.withLock { $0.overlaps } }

    func verify(with verifier: WebhookVerifier) {
        self.verifier.withLock { $0 = verifier }
    }

    func answer(with script: @escaping Script) {
        state.withLock { $0.script = script }
    }

    /// Starts a receiver (on `port`, or one the system picks), runs `body`, and stops it.
    static func with<T: Sendable>(verifier: WebhookVerifier? = nil, port: Int = 0,
                                  _ body: @Sendable (GatewayReceiver) async throws -> T) async throws -> T {
        let receiver = try await start(verifier: verifier, port: port)
        do {
            let result = try await body(receiver)
            await receiver.stop()
            return result
        } catch {
            await receiver.stop()
            throw error
        }
    }

    /// Starts a receiver; the caller stops it with `shutdown()`.
    static func start(verifier: WebhookVerifier?, port: Int = 0) async throws -> GatewayReceiver {
        let holder = Mutex<GatewayReceiver?>(nil)
        let router = Router()
        router.post("/sortie") { request, _ -> Response in
            guard let receiver = holder.withLock({ $0 }) else { return Response(status: .serviceUnavailable) }
            let body = Array(try await request.body.collect(upTo: 1 << 20).readableBytesView)
            return await receiver.receive(request, body: body)
        }
        var logger = Logger(label: "gateway-receiver")
        logger.logLevel = .critical
        let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)),
                              onServerRunning: { channel in portSink.yield(channel.localAddress?.port ?? 0) }, logger: logger)
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        // A port that cannot be bound ends the port stream, so that the wait below ends too.
        let task = Task {
            defer { portSink.finish() }
            try await group.run()
        }
        var iterator = ports.makeAsyncIterator()
        guard let bound = await iterator.next() else {
            _ = await task.result
            throw POSIXError(.EADDRINUSE)
        }
        let receiver = GatewayReceiver(verifier: verifier, port: bound, stop: {
            await group.triggerGracefulShutdown()
            _ = await task.result
        })
        holder.withLock { $0 = receiver }
        return receiver
    }

    func shutdown() async {
        await stop()
    }

    private func receive(_ request: Request, body: [UInt8]) async -> Response {
        let id = request.headers[.init("webhook-id")!] ?? ""
        let timestamp = request.headers[.init("webhook-timestamp")!] ?? ""
        let signature = request.headers[.init("webhook-signature")!] ?? ""
        let verifier = verifier.withLock { $0 }
        let valid = Int64(timestamp).flatMap { time in verifier.map { $0.sign(id: id, timestamp: time, body: body) == signature } } ?? false
        let push = Push(id: id, timestamp: timestamp, signature: signature, body: body, at: Date(), signatureValid: valid)
        let answer = state.withLock { state -> Answer in
            let earlier = state.pushes.filter { $0.id == id }.count
            state.pushes.append(push)
            if state.inFlight[id, default: 0] > 0 { state.overlaps += 1 }
            state.inFlight[id, default: 0] += 1
            return state.script(push, earlier)
        }
        if answer.delay > .zero { try? await Task.sleep(for: answer.delay) }
        state.withLock { $0.inFlight[id, default: 1] -= 1 }
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        for (name, value) in answer.headers { headers[HTTPField.Name(name)!] = value }
        return Response(status: .init(code: answer.status), headers: headers, body: .init(byteBuffer: ByteBuffer(string: answer.body)))
    }

    /// Waits until `condition` holds over the pushes, or `timeout` passes; returns whether it held.
    func waitFor(_ timeout: Duration = .seconds(30), _ condition: ([Push]) -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if condition(pushes) { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return condition(pushes)
    }
}

/// A loopback port that nothing listens on, for a gateway that is down until the test starts it.
func unusedLoopbackPort() throws -> Int {
    try PrivatePostgres.freePort()
}

// How fast the dispatcher empties the outbox into a channel gateway that answers at once, and
// how long a message waits between its commit and the gateway receiving it.
//
//   swift build -c release --product sortie-gateway-benchmark
//   .build/release/sortie-gateway-benchmark [--store sqlite|POSTGRES_URL] [--messages 5000]
//                                           [--rate 1000] [--seconds 10] [--conversations 200]
//
// Phase 1 queues --messages while no gateway is configured, then names the gateway (a reload,
// by SIGHUP) and reports messages pushed per second while the backlog drains. Phase 2 queues --rate messages a
// second for --seconds (open loop) and reports, per message, the time from its commit (the
// moment the service's append returned) to the gateway receiving it: p50, p99 and max.
// Server, dispatcher, store and gateway share this machine, as they would on one host.
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import SortieServer
import Synchronization

struct Options {
    var store = "sqlite"
    var messages = 5_000
    var rate = 1_000
    var seconds = 10
    var conversations = 200

    init(_ arguments: [String]) {
        var rest = arguments.dropFirst()
        while let flag = rest.popFirst() {
            guard let value = rest.popFirst() else { fatalError("\(flag) needs a value") }
            switch flag {
            case "--store": store = value
            case "--messages": messages = Int(value)!
            case "--rate": rate = Int(value)!
            case "--seconds": seconds = Int(value)!
            case "--conversations": conversations = Int(value)!
            default: fatalError("unknown option \(flag)")
            }
        }
    }
}

/// When each message id first did something (arrived at the gateway, or was committed).
final class Times: Sendable {
    let times = Mutex<[String: ContinuousClock.Instant]>([:])
    func count() -> Int { times.withLock { $0.count } }
}

func percentile(_ sorted: [Double], _ p: Double) -> Double {
    guard !sorted.isEmpty else { return .nan }
    return sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
}

func milliseconds(_ duration: Duration) -> Double {
    let (seconds, attoseconds) = duration.components
    return Double(seconds) * 1000 + Double(attoseconds) / 1e15
}

let options = Options(CommandLine.arguments)
var logger = Logger(label: "sortie-gateway-benchmark")
logger.logLevel = .error
let folder = URL(fileURLWithPath: ".build/gateway-benchmark-\(UUID().uuidString)")
try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: folder) }

// The gateway: answers 200 at once.
let arrivals = Times()
let router = Router()
router.post("/sortie") { request, _ -> Response in
    let id = request.headers[.init("webhook-id")!] ?? ""
    let now = ContinuousClock.now
    arrivals.times.withLock { if $0[id] == nil { $0[id] = now } }
    return Response(status: .ok, headers: [.contentType: "application/json"],
                    body: .init(byteBuffer: ByteBuffer(string: "{\"providerMessageId\":\"gw-\(id)\"}")))
}
let (receiverPorts, receiverPortSink) = AsyncStream.makeStream(of: Int.self)
let receiver = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                           onServerRunning: { receiverPortSink.yield($0.localAddress?.port ?? 0) }, logger: logger)

// The server: its configuration names the gateway and the secret pushes are signed with.
var key = [UInt8](repeating: 0, count: 32)
for i in key.indices { key[i] = .random(in: 0...255) }
try Data(("whsec_" + Data(key).base64EncodedString()).utf8).write(to: folder.appendingPathComponent("gateway.secret"))

let receiverGroup = ServiceGroup(configuration: .init(services: [receiver], logger: logger))
try await withThrowingTaskGroup(of: Void.self) { tasks in
    tasks.addTask { try await receiverGroup.run() }
    var portIterator = receiverPorts.makeAsyncIterator()
    let gatewayPort = await portIterator.next()!
    /// The configuration, first without the gateway (the backlog builds up), then with it.
    func writeConfiguration(gateway: Bool) throws {
        try Data(("""
            apiVersion: sortie/v1
            kind: ServerConfig
            metadata: { name: benchmark }
            spec:
              webhooks:
                secretFile: gateway.secret

            """ + (gateway ? "  gateway:\n    url: http://127.0.0.1:\(gatewayPort)/sortie\n" : "")).utf8)
            .write(to: folder.appendingPathComponent("server.yaml"))
    }
    try writeConfiguration(gateway: false)
    var configuration = ServerConfiguration(policies: "policies",
                                            store: options.store == "sqlite" ? "sqlite:" + folder.appendingPathComponent("sortie.db").path : options.store,
                                            port: 0)
    configuration.configFile = folder.appendingPathComponent("server.yaml").path
    configuration.maxMessagesPerConversation = 1_000_000
    let server = try await SortieServer.make(configuration, logger: logger)
    let (ports, portSink) = AsyncStream.makeStream(of: Int.self)
    let group = ServiceGroup(configuration: .init(services: [server.application { portSink.yield($0) }], logger: logger))
    tasks.addTask { try await group.run() }
    var iterator = ports.makeAsyncIterator()
    _ = await iterator.next()
    let service = server.service
    let run = UUID().uuidString.prefix(6)
    // Destinations of their own, so that a run on a database that kept an earlier run's active
    // conversations does not collide with them.
    let numbers = Int.random(in: 0..<9_000) * 1_000

    // Conversations: two per agent (the example set's SMS limit).
    var created: [String] = []
    for n in 0..<options.conversations {
        let body = "{\"agent\":{\"id\":\"bench-\(run)-\(n / 2)\",\"license\":\"premium\",\"state\":\"available\"},\"channel\":\"sms\","
            + "\"to\":\"+3361\(String(format: "%07d", numbers + n))\",\"entryPoint\":\"support-sms-fr\"}"
        let reply = await service.createOutbound(Array(body.utf8))
        guard reply.status == 201, let object = try JSONSerialization.jsonObject(with: reply.body) as? [String: Any],
              let conversation = (object["conversation"] as? [String: Any])?["id"] as? String else {
            fatalError("create answered \(reply.status): \(String(decoding: reply.body, as: UTF8.self))")
        }
        created.append(conversation)
    }
    let conversations = created

    /// Queues one message; returns its id and when the append returned.
    @Sendable func queue(_ n: Int, text: String) async -> (String, ContinuousClock.Instant) {
        let reply = await service.sendMessage(conversationId: conversations[n % conversations.count], Array("{\"body\":\"\(text)\"}".utf8))
        let committed = ContinuousClock.now
        guard reply.status == 201, let object = try? JSONSerialization.jsonObject(with: reply.body) as? [String: Any],
              let id = (object["message"] as? [String: Any])?["id"] as? String else {
            fatalError("send answered \(reply.status): \(String(decoding: reply.body, as: UTF8.self))")
        }
        return (id, committed)
    }

    func waitForArrivals(_ total: Int) async throws {
        let deadline = ContinuousClock.now + .seconds(300)
        while arrivals.count() < total {
            guard ContinuousClock.now < deadline else { fatalError("only \(arrivals.count()) of \(total) messages arrived") }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    // Phase 1: a backlog queued without a gateway, then drained once a reload (SIGHUP) names it.
    let queueStart = ContinuousClock.now
    try await withThrowingTaskGroup(of: Void.self) { writers in
        for writer in 0..<8 {
            writers.addTask {
                for n in stride(from: writer, to: options.messages, by: 8) { _ = await queue(n, text: "backlog \(n)") }
            }
        }
        try await writers.waitForAll()
    }
    let queuedIn = ContinuousClock.now - queueStart
    try writeConfiguration(gateway: true)
    let start = ContinuousClock.now
    kill(getpid(), SIGHUP)
    try await waitForArrivals(options.messages)
    let last = arrivals.times.withLock { $0.values.max()! }
    let throughput = Double(options.messages) / (milliseconds(last - start) / 1000)
    print(String(format: "store=%@ phase=backlog messages=%d queued_per_s=%.0f pushed_per_s=%.0f",
                 options.store == "sqlite" ? "sqlite" : "postgres", options.messages,
                 Double(options.messages) / (milliseconds(queuedIn) / 1000), throughput))

    // Phase 2: an open-loop rate, each message's commit-to-gateway time.
    let total = options.rate * options.seconds
    let committed = Times()
    let interval = Duration.nanoseconds(1_000_000_000 / Int64(options.rate))
    let paceStart = ContinuousClock.now
    try await withThrowingTaskGroup(of: Void.self) { senders in
        for n in 0..<total {
            let due = paceStart + interval * n
            if due > ContinuousClock.now { try await Task.sleep(until: due, clock: .continuous) }
            senders.addTask {
                let (id, at) = await queue(options.messages + n, text: "latency \(n)")
                committed.times.withLock { $0[id] = at }
            }
        }
        try await senders.waitForAll()
    }
    let offered = Double(total) / (milliseconds(ContinuousClock.now - paceStart) / 1000)
    try await waitForArrivals(options.messages + total)
    let latencies = committed.times.withLock { committed in
        arrivals.times.withLock { arrived in
            committed.map { id, at in max(0, milliseconds(arrived[id]! - at)) }.sorted()
        }
    }
    print(String(format: "store=%@ phase=latency rate=%d offered_per_s=%.0f messages=%d p50_ms=%.2f p99_ms=%.2f max_ms=%.2f",
                 options.store == "sqlite" ? "sqlite" : "postgres", options.rate, offered, total,
                 percentile(latencies, 0.5), percentile(latencies, 0.99), latencies.last ?? .nan))
    await group.triggerGracefulShutdown()
    await receiverGroup.triggerGracefulShutdown()
    try await tasks.waitForAll()
}

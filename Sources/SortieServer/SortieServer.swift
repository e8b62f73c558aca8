import Foundation
import Hummingbird
import HummingbirdAuth
import HummingbirdCore
import Logging
import Metrics
import Prometheus
import ServiceLifecycle
import Sortie
import SortieAccess
import SortieGateway
import SortieService
import SortiePostgres
import SortieSQLite
import SortieStore
import UnixSignals

/// The conversation service over HTTP. `make` opens the store and loads the policy;
/// `application` builds the Hummingbird app (tests run it on port 0), whose service group also
/// runs the store's services; `run` serves until SIGTERM or SIGINT, letting in-flight requests
/// finish before the store's services stop.
public struct SortieServer: Sendable {
    public let configuration: ServerConfiguration
    public let service: ConversationService
    public let registry: PrometheusCollectorRegistry
    let metricsFactory: PrometheusMetricsFactory
    let logger: Logger
    /// The `ServerConfig` in use (open without `--config`), replaced by a reload that succeeds.
    let access: AccessHolder
    let webhookReplies: WebhookReplies

    /// Opens the store and loads the policy. Throws `PolicyCompileError` for a broken set,
    /// `ServerError` for a store or configuration problem.
    public static func make(_ configuration: ServerConfiguration, logger: Logger = Logger(label: "sortie")) async throws -> SortieServer {
        let access = try loadAccess(configuration)
        let redaction = try decisionLogRedaction(configuration, key: access.redactKey)
        let policy = try PolicyHolder(path: configuration.policies)
        let store = try await openStore(configuration, logger: logger)
        var decisionLog: DecisionLog?
        if let path = configuration.decisionLog {
            try createParent(of: path)
            do {
                decisionLog = try DecisionLog(path: path, maxBytes: configuration.decisionLogMaxBytes, keep: configuration.decisionLogKeep,
                                              redaction: redaction, flushInterval: configuration.decisionLogFlushInterval)
            } catch {
                throw ServerError.configuration("cannot open the decision log \(path): \(error)")
            }
        }
        return SortieServer(configuration: configuration, policy: policy, store: store, decisionLog: decisionLog, access: access, logger: logger)
    }

    /// The `--config` file's access settings (open without one), and the address rule: a
    /// server that anyone on its network could call must know its callers.
    static func loadAccess(_ configuration: ServerConfiguration) throws -> ServerAccess {
        var access = ServerAccess.open
        if let path = configuration.configFile {
            switch ServerAccess.load(path: path) {
            case .success(let loaded): access = loaded
            case .failure(let problems): throw problems
            }
        }
        guard access.issuerCount > 0 || Self.isLoopback(configuration.host) else {
            throw ServerError.configuration("--host \(configuration.host) is not a loopback address: a server reachable from "
                                            + "other machines needs --config with at least one issuer (without one it runs open, "
                                            + "on 127.0.0.1 or ::1 only)")
        }
        return access
    }

    /// 127.0.0.0/8, `::1` or `localhost`.
    static func isLoopback(_ host: String) -> Bool {
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        if bare == "localhost" || bare == "::1" || bare == "0:0:0:0:0:0:0:1" { return true }
        let octets = bare.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4, octets.allSatisfy({ !$0.isEmpty && $0.count <= 3 && $0.allSatisfy(\.isNumber) && Int($0)! <= 255 }) else {
            return false
        }
        return octets[0] == "127"
    }

    /// The decision log's redaction, when asked for, with `configuration.decisionLogRedactKey`
    /// or else the `--config` file's key; asking without a key is a configuration error, never
    /// a log written in clear. The key is read at start: a reload does not change it.
    static func decisionLogRedaction(_ configuration: ServerConfiguration, key fileKey: [UInt8]?) throws(ServerError) -> DecisionLogRedaction? {
        guard configuration.decisionLogRedact else { return nil }
        guard let key = configuration.decisionLogRedactKey ?? fileKey, !key.isEmpty else {
            throw .configuration("--decision-log-redact needs a key: set decisionLog.redactKeyFile in the --config file")
        }
        return DecisionLogRedaction(key: key)
    }

    /// A server over parts built elsewhere (tests substitute the store).
    public init(configuration: ServerConfiguration, policy: PolicyHolder, store: any ConversationStore,
                decisionLog: DecisionLog?, access: ServerAccess = .open, logger: Logger = Logger(label: "sortie")) {
        self.configuration = configuration
        self.logger = logger
        self.access = AccessHolder(access)
        // As long as the verifier may still call a repeat a replay: the tolerance after both
        // the first delivery and its timestamp.
        let tolerance = access.webhooks?.toleranceSeconds ?? 300
        webhookReplies = WebhookReplies(keep: .seconds(2 * tolerance + 1))
        registry = PrometheusCollectorRegistry()
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5),
            .milliseconds(10), .milliseconds(20), .milliseconds(50), .milliseconds(100), .milliseconds(500), .seconds(1),
        ]
        metricsFactory = factory
        service = ConversationService(policy: policy, store: store, decisionLog: decisionLog,
                                      metrics: ServiceMetrics(factory: factory), logger: logger,
                                      maxMessagesPerConversation: configuration.maxMessagesPerConversation)
        RevisionGauge.set(service.policy.revision, previous: nil, factory: factory)
    }

    static func openStore(_ configuration: ServerConfiguration, logger: Logger) async throws -> any ConversationStore {
        switch try StoreLocation.parse(configuration.store) {
        case .sqlite(let path):
            try createParent(of: path)
            guard let durability = SQLiteStore.Durability(rawValue: configuration.sqliteDurability) else {
                throw ServerError.configuration("--sqlite-durability: \"\(configuration.sqliteDurability)\" is not full or normal")
            }
            do {
                return try SQLiteStore(path: path, durability: durability, idempotency: configuration.idempotencyRetention)
            } catch {
                throw ServerError.store("\(error)")
            }
        case .postgres(let url):
            do {
                return try await PostgresStore(url: url, logger: logger, connectTimeout: configuration.storeConnectTimeout,
                                               callTimeout: configuration.storeTimeout,
                                               idempotency: configuration.idempotencyRetention)
            } catch {
                throw ServerError.store("\(error)")
            }
        }
    }

    /// Creates the folder of a file the service writes (0700, see `OwnerOnlyFiles`).
    static func createParent(of path: String) throws {
        do {
            try OwnerOnlyFiles.createParent(of: path)
        } catch {
            throw ServerError.configuration("\(error)")
        }
    }

    /// The Hummingbird application: routes, JSON errors, metrics, the SIGHUP reloader, and the
    /// store's services. Hummingbird starts its HTTP server after these and stops it first, and
    /// the group stops the rest in reverse order, so the store outlives every request.
    public func application(onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) -> some ApplicationProtocol {
        let router = Router(context: SortieRequestContext.self)
        // Metrics outside JSON errors: an error thrown by the router or a handler (404, 413) is
        // a response by the time the metrics see it, so they record the status answered.
        router.add(middleware: RequestMetricsMiddleware(factory: metricsFactory))
        router.add(middleware: JSONErrorMiddleware())
        router.add(middleware: BearerAuthenticator(access: access))
        routes.register(on: router)
        return Application(
            router: router,
            // The idle timeout also runs while a request's head or body is being read, so a
            // half-sent request cannot hold its connection.
            server: .http1(configuration: .init(idleTimeout: .init(configuration.idleTimeout))),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "sortie",
                                 availableConnectionsDelegate: MaximumAvailableConnections(configuration.maxConnections, logger: logger)),
            services: service.store.services + [ReloadOnHangup(server: self), dispatcher] + decisionLogFlusher,
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? 0) },
            logger: logger)
    }

    /// Pushes the outbox to the gateway of the configuration in use (none: it only watches the
    /// outbox), from the addresses of the policy in use. Stopped before the store's services.
    var dispatcher: Dispatcher {
        let access = access
        let policy = service.policy
        return Dispatcher(outbox: service.store,
                          sources: .init(settings: { access.current.gatewaySettings },
                                         senderAddress: { name, channel in
                                             policy.evaluator.policy.entryPoints.first { $0.name == name && $0.channel == channel }?.address
                                         }),
                          signal: service.outboxSignal, status: service.gatewayStatus, metrics: metricsFactory,
                          logger: logger, pollInterval: configuration.outboxPollInterval)
    }

    /// The buffered decision log's flusher, if the log is buffered.
    var decisionLogFlusher: [any Service] {
        guard let log = service.decisionLog, let interval = log.flushInterval else { return [] }
        return [DecisionLogFlusher(log: log, interval: interval, logger: logger)]
    }

    /// Serves until SIGTERM or SIGINT, then closes the decision log.
    public func run(onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        let app = application(onServerRunning: onServerRunning)
        defer { service.decisionLog?.close() }
        try await app.runService(gracefulShutdownSignals: [.sigterm, .sigint])
        logger.notice("stopped")
    }

    /// The routes, each behind its row of the access table.
    var routes: Routes {
        Routes(service: service, registry: registry, maxBodyBytes: configuration.maxBodyBytes,
               authorization: Authorization(access: access, replies: webhookReplies, maxBodyBytes: configuration.maxBodyBytes),
               reload: reload)
    }

    /// `POST /v1/admin/reload` and SIGHUP: the `--config` file and the policy, each compiled
    /// before it replaces the one in use. A broken file keeps the old configuration and the
    /// old policy (422 with its diagnostics).
    func reload() -> ServiceReply {
        var reloadedAccess: ServerAccess?
        if let path = configuration.configFile {
            switch ServerAccess.load(path: path) {
            case .success(let loaded) where loaded.issuerCount == 0 && !Self.isLoopback(configuration.host):
                logger.error("configuration reload rejected: no issuer left for a non-loopback address")
                return service.configurationRejected([Diagnostic(rule: ServerConfigDocument.rule, severity: .error,
                                                                 message: "the server listens on \(configuration.host), not a loopback address: "
                                                                     + "its configuration must keep at least one issuer",
                                                                 file: path, start: nil, end: nil)])
            case .success(let loaded):
                reloadedAccess = loaded
            case .failure(let problems):
                logger.error("configuration reload rejected; keeping the old one", metadata: ["errors": "\(problems.diagnostics.count)"])
                return service.configurationRejected(problems.diagnostics)
            }
        }
        let previous = service.policy.revision
        let reply = service.reload()
        RevisionGauge.set(service.policy.revision, previous: previous, factory: metricsFactory)
        if reply.status == 200, let reloadedAccess {
            access.replace(with: reloadedAccess)
        }
        return reply
    }
}

/// Reloads the policy on SIGHUP, as `POST /v1/admin/reload` does.
struct ReloadOnHangup: Service, CustomStringConvertible {
    var description: String { "ReloadOnHangup" }

    let server: SortieServer

    func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        for await _ in signals.cancelOnGracefulShutdown() {
            let reply = server.reload()
            server.logger.notice("SIGHUP: reload answered \(reply.status)")
        }
    }
}

/// `sortie_policy_revision_info{revision}`: 1 for the revision in use, 0 for the one it replaced.
enum RevisionGauge {
    static func set(_ revision: String, previous: String?, factory: any MetricsFactory) {
        if let previous, previous != revision {
            Gauge(label: "sortie_policy_revision_info", dimensions: [("revision", previous)], factory: factory).record(0)
        }
        Gauge(label: "sortie_policy_revision_info", dimensions: [("revision", revision)], factory: factory).record(1)
    }
}

import Foundation
import Sortie
import SortieAccess
import SortieGateway

/// What a `ServerConfig` file makes of the server: who may sign tokens, the gateway's webhook
/// secret, the decision log's redaction key and the gateway's address, every file it names
/// read and checked.
///
/// Without a file the server is ``open``: no credential is asked, and the agent comes from
/// the request body. A file always closes it, even one without issuers (only signed webhooks
/// are then accepted).
public struct ServerAccess: Sendable {
    /// Nil when the server runs open.
    public let tokens: TokenVerifier?
    public let webhooks: WebhookVerifier?
    public let redactKey: [UInt8]?
    public let gateway: ServerConfigDocument.Gateway?
    /// How many issuers the file names: a non-loopback address needs one.
    public let issuerCount: Int
    public let isOpen: Bool

    /// A server without a configuration.
    public static let open = ServerAccess(tokens: nil, webhooks: nil, redactKey: nil, gateway: nil, issuerCount: 0, isOpen: true)

    /// A configuration file that cannot be used: every problem, positioned, and the file's
    /// bytes (to show the lines).
    public struct Problems: Error, Sendable, CustomStringConvertible {
        public let diagnostics: [Diagnostic]
        public let sources: [String: [UInt8]]

        public var description: String {
            DiagnosticFormat.text.render(diagnostics, sources: sources)
        }
    }

    /// Reads and checks the file at `path` and every file it names. Relative paths in it are
    /// relative to the file's own folder, so a configuration and its secrets move together.
    public static func load(path: String) -> Result<ServerAccess, Problems> {
        guard let data = FileManager.default.contents(atPath: path) else {
            let exists = FileManager.default.fileExists(atPath: path)
            return .failure(Problems(diagnostics: [Diagnostic(rule: ServerConfigDocument.rule, severity: .error,
                                                             message: exists ? "cannot read the file" : "no such file",
                                                             file: path, start: nil, end: nil)], sources: [:]))
        }
        let source = PolicySource(path: path, bytes: Array(data))
        let (decoded, diagnostics) = ServerConfigDocument.decode(source)
        guard let document = decoded else {
            return .failure(Problems(diagnostics: diagnostics, sources: [path: source.bytes]))
        }
        var loader = Loader(folder: (path as NSString).deletingLastPathComponent)
        let access = loader.access(document)
        let all = (diagnostics + loader.diagnostics.items).sorted(by: Diagnostic.sortKey)
        guard let access, !all.contains(where: { $0.severity == .error }) else {
            return .failure(Problems(diagnostics: all, sources: [path: source.bytes]))
        }
        return .success(access)
    }

    /// Turns a decoded document into verifiers, reporting each file or key that cannot be
    /// used at the field that names it. Secrets never reach a message.
    struct Loader {
        let folder: String
        var diagnostics = Diagnostics()

        mutating func report(_ message: String, at span: SourceSpan) {
            diagnostics.append(Diagnostic(rule: ServerConfigDocument.rule, severity: .error, message: message,
                                          file: span.file, start: span.start, end: span.end))
        }

        func resolve(_ path: String) -> String {
            path.hasPrefix("/") || folder.isEmpty ? path : (folder as NSString).appendingPathComponent(path)
        }

        mutating func read(_ file: Located<String>, field: String) -> [UInt8]? {
            do {
                return try SecretFile.read(resolve(file.value))
            } catch {
                report("\(field): \(error)", at: file.span)
                return nil
            }
        }

        mutating func access(_ document: ServerConfigDocument) -> ServerAccess? {
            var issuers: [IssuerConfiguration] = []
            for (index, entry) in document.issuers.enumerated() {
                if let issuer = issuer(entry, field: "spec.issuers[\(index)]") { issuers.append(issuer) }
            }
            var tokens: TokenVerifier?
            do {
                tokens = try TokenVerifier(issuers: issuers)
            } catch {
                report("spec.issuers: \(error.message)", at: document.issuers.first?.span
                       ?? SourceSpan(file: "", start: .init(line: 1, column: 1), end: .init(line: 1, column: 1)))
            }
            var webhooks: WebhookVerifier?
            if let settings = document.webhooks, let bytes = read(settings.secretFile, field: "spec.webhooks.secretFile") {
                do {
                    webhooks = try WebhookVerifier(secret: WebhookSecret(String(decoding: bytes, as: UTF8.self)),
                                                   toleranceSeconds: settings.toleranceSeconds)
                } catch {
                    report("spec.webhooks.secretFile: \(error.message)", at: settings.secretFile.span)
                }
            }
            if let gateway = document.gateway, document.webhooks == nil {
                report("spec.gateway: pushes are signed with the webhook secret; add spec.webhooks.secretFile", at: gateway.url.span)
            }
            var redactKey: [UInt8]?
            if let file = document.redactKeyFile, let bytes = read(file, field: "spec.decisionLog.redactKeyFile") {
                if bytes.count < 32 {
                    report("spec.decisionLog.redactKeyFile: the key has \(bytes.count) bytes; it needs at least 32", at: file.span)
                } else {
                    redactKey = bytes
                }
            }
            guard let tokens else { return nil }
            return ServerAccess(tokens: tokens, webhooks: webhooks, redactKey: redactKey, gateway: document.gateway,
                                issuerCount: issuers.count, isOpen: false)
        }

        mutating func issuer(_ entry: ServerConfigDocument.Issuer, field: String) -> IssuerConfiguration? {
            var algorithms: [TokenAlgorithm]?
            if let names = entry.algorithms {
                var parsed: [TokenAlgorithm] = []
                for name in names {
                    guard let algorithm = TokenAlgorithm(rawValue: name.value) else {
                        if name.value.lowercased() != "none" {
                            report("\(field).algorithms: unknown algorithm \(YAMLScalar.quote(name.value)); one of "
                                   + TokenAlgorithm.allCases.map(\.rawValue).joined(separator: ", "), at: name.span)
                        }
                        continue
                    }
                    parsed.append(algorithm)
                }
                algorithms = parsed
            }
            let keys: IssuerConfiguration.Keys
            if let file = entry.jwksFile {
                guard let bytes = read(file, field: "\(field).jwksFile") else { return nil }
                keys = .jwks(bytes)
            } else if let file = entry.hmacSecretFile {
                guard let bytes = read(file, field: "\(field).hmacSecretFile") else { return nil }
                keys = .hmacSecret(bytes)
            } else {
                return nil
            }
            let claims = ClaimNames(agent: entry.claims.agent, license: entry.claims.license, team: entry.claims.team,
                                    site: entry.claims.site, roles: entry.claims.roles)
            let configuration = IssuerConfiguration(issuer: entry.issuer.value, audiences: entry.audiences.map(\.value), keys: keys,
                                                    algorithms: algorithms, claims: claims, leewaySeconds: entry.leewaySeconds)
            // Checked alone, so a problem is reported at the issuer it is about.
            do {
                _ = try TokenVerifier(issuers: [configuration])
            } catch {
                report("\(field): \(error.message)", at: entry.span)
                return nil
            }
            return configuration
        }
    }
}

extension ServerAccess {
    /// The dispatcher's settings: `spec.gateway`, signed with `spec.webhooks`' secret (a file
    /// that names a gateway without a secret does not load).
    var gatewaySettings: GatewaySettings? {
        guard let gateway, let webhooks else { return nil }
        return GatewaySettings(url: gateway.url.value, timeout: .seconds(gateway.timeoutSeconds), maxAttempts: gateway.maxAttempts,
                               maxBackoff: .seconds(gateway.maxBackoffSeconds), signer: webhooks)
    }
}

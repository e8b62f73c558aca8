import Foundation
import HTTPTypes
import SortieAccess

/// A `ServerConfig` in a temporary folder, as `scripts/dev-credentials` writes one: an HS256
/// issuer and a webhook secret, with the means to mint tokens and sign webhooks for it.
struct Credentials: Sendable {
    static let issuerName = "sortie-test"
    static let audience = "sortie"

    let folder: URL
    let configPath: String
    let issuer: TokenIssuer
    let webhooks: WebhookVerifier

    /// Writes the key files and the configuration; `extraSpec` is appended under `spec:`.
    static func make(extraSpec: String = "", issuers: String? = nil) throws -> Credentials {
        let folder = try TemporaryFolder.make()
        let secret = Array((0..<32).map { _ in UInt8.random(in: 0x21...0x7e) })
        try Data(secret).write(to: folder.appendingPathComponent("dev-hs256.key"))
        var key = [UInt8](repeating: 0, count: 32)
        for i in key.indices { key[i] = .random(in: 0...255) }
        let whsec = "whsec_" + Data(key).base64EncodedString()
        try Data((whsec + "\n").utf8).write(to: folder.appendingPathComponent("gateway.secret"))
        let config = """
            apiVersion: sortie/v1
            kind: ServerConfig
            metadata: { name: test }
            spec:
              issuers:
            \(issuers ?? """
                - issuer: \(issuerName)
                  audiences: [\(audience)]
                  hmacSecretFile: dev-hs256.key
            """)
              webhooks:
                secretFile: gateway.secret
            \(extraSpec)
            """
        let configPath = folder.appendingPathComponent("server.yaml").path
        try Data(config.utf8).write(to: URL(fileURLWithPath: configPath))
        return Credentials(folder: folder, configPath: configPath,
                           issuer: try TokenIssuer(secret: secret, issuer: issuerName, audience: audience),
                           webhooks: try WebhookVerifier(secret: try WebhookSecret(whsec)))
    }

    /// An agent's bearer token (premium, no team or site: the default profile).
    func agent(_ id: String, license: String? = "premium", team: String? = nil, site: String? = nil) async throws -> String {
        try await issuer.sign(agent: id, license: license, team: team, site: site, lifetimeSeconds: 600)
    }

    func token(_ subject: String, roles: Set<Principal.Role>) async throws -> String {
        try await issuer.sign(agent: subject, roles: roles, lifetimeSeconds: 600)
    }

    /// The `Authorization` header of `token`.
    static func bearer(_ token: String?) -> HTTPFields {
        guard let token else { return [:] }
        return [.authorization: "Bearer \(token)"]
    }

    /// The three Standard Webhooks headers of a delivery of `body`.
    func signed(_ body: String, id: String, at time: Date = Date()) -> HTTPFields {
        let timestamp = Int64(time.timeIntervalSince1970.rounded(.down))
        return [HTTPField.Name("webhook-id")!: id, HTTPField.Name("webhook-timestamp")!: String(timestamp),
                HTTPField.Name("webhook-signature")!: webhooks.sign(id: id, timestamp: timestamp, body: Array(body.utf8))]
    }

    func remove() {
        try? FileManager.default.removeItem(at: folder)
    }
}

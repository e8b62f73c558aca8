import Foundation

/// `kind: ServerConfig`: who may call `sortie serve` and how it reaches the channel gateway.
///
/// Not part of a policy set: `sortie serve --config FILE` and `sortie lint --config FILE` read
/// it alone, with the policy files' strict YAML rules and positioned diagnostics. This type
/// holds what the file says, with where it says it; the server reads the files it names and
/// reports their problems at those places.
public struct ServerConfigDocument: Sendable {
    /// One `spec.issuers[]` entry: who may sign bearer tokens.
    public struct Issuer: Sendable {
        public var issuer: Located<String>
        public var audiences: [Located<String>]
        /// Nil when not written: the server's default allow-list.
        public var algorithms: [Located<String>]?
        public var jwksFile: Located<String>?
        public var hmacSecretFile: Located<String>?
        public var claims: Claims
        public var leewaySeconds: Int
        /// The entry's mapping, where whole-entry problems are reported.
        public var span: SourceSpan
    }

    /// Where a token's claims put the agent's facts.
    public struct Claims: Sendable, Equatable {
        public var agent = "sub"
        public var license = "license"
        public var team = "team"
        public var site = "site"
        public var roles = "roles"
    }

    /// `spec.webhooks`: the channel gateway's signed calls.
    public struct Webhooks: Sendable {
        public var secretFile: Located<String>
        public var toleranceSeconds: Int
    }

    /// `spec.gateway`: where queued messages are pushed.
    public struct Gateway: Sendable {
        public var url: Located<String>
        public var timeoutSeconds: Int
        public var maxAttempts: Int
        public var maxBackoffSeconds: Int
    }

    public var name: String?
    public var issuers: [Issuer] = []
    public var webhooks: Webhooks?
    /// `spec.decisionLog.redactKeyFile`: the HMAC key of `--decision-log-redact`'s hashes.
    public var redactKeyFile: Located<String>?
    public var gateway: Gateway?

    /// The rule of the problems only a server configuration has (a key source missing, a file
    /// that cannot be used); its structure is checked by the policy files' rules.
    public static let rule = "server-config"

    /// Reads one configuration file. The document is nil when the file has errors.
    public static func decode(_ source: PolicySource) -> (document: ServerConfigDocument?, diagnostics: [Diagnostic]) {
        let file = YAMLLoader().load(bytes: source.bytes, path: source.path)
        var diagnostics = Diagnostics()
        for issue in file.issues { diagnostics.append(Rules.diagnostic(for: issue)) }
        let roots = file.documents.compactMap(\.root)
        guard file.isComplete, !diagnostics.hasErrors else { return (nil, diagnostics.sorted) }
        guard roots.count == 1, let root = roots.first else {
            let span = roots.dropFirst().first?.span ?? SourceSpan(file: source.path, start: .init(line: 1, column: 1), end: .init(line: 1, column: 1))
            diagnostics.append(Diagnostic(rule: rule, severity: .error,
                                          message: "a server configuration file holds exactly one document, not \(roots.count)",
                                          file: source.path, start: span.start, end: span.end))
            return (nil, diagnostics.sorted)
        }
        let context = DecodeContext()
        let document = decode(root, context: context)
        diagnostics.append(contentsOf: context.diagnostics.items)
        return (diagnostics.hasErrors ? nil : document, diagnostics.sorted)
    }

    // MARK: The declaration

    static let envelope = ObjectDeclaration([PolicyDocument.apiVersion.declared, kindField.declared,
                                             PolicyDocument.metadataField.declared, specField.declared])
    static let kindField = Field("kind", .constant("ServerConfig") { text in
        Diagnostic(rule: rule, severity: .error, message: "kind is \(YAMLScalar.quote(text.value)); a server configuration is kind \"ServerConfig\"",
                   file: text.span.file, start: text.span.start, end: text.span.end)
    }, .required, "Always `ServerConfig`.")
    static let specField = Field("spec", .object(spec), .required, "The server's identity, webhook, decision-log and gateway settings.")
    static let spec = ObjectDeclaration([issuersField.declared, webhooksField.declared, decisionLogField.declared, gatewayField.declared])
    static let issuersField = Field("issuers", ValueShape<YAMLNode>.anyList, .optional, "Who may sign bearer tokens. None: only signed webhooks are accepted.")
    static let issuer = ObjectDeclaration([issuerName.declared, audiencesField.declared, algorithmsField.declared, jwksFileField.declared,
                                           hmacSecretFileField.declared, claimsField.declared, leewayField.declared])
    static let issuerName = Field("issuer", .string, .required, "Equals the token's `iss`.")
    static let audiencesField = Field("audiences", .stringSet(nonEmpty: true), .required, "The token's `aud` must hold one of them.")
    static let algorithmsField = Field("algorithms", .stringSet(nonEmpty: true), .optional,
                                       "Allow-list of `alg` values (default RS256, ES256, EdDSA; with `hmacSecretFile`, HS256 only). `none` never.")
    static let jwksFileField = Field("jwksFile", .string, .optional, "A JWKS file (RFC 7517): the issuer's public keys, chosen by `kid`.")
    static let hmacSecretFileField = Field("hmacSecretFile", .string, .optional,
                                           "Instead of `jwksFile` (development, tests): the file's bytes, less a final newline, are the HS256 key.")
    static let claimsField = Field("claims", .object(claims), .optional, "Where the agent's facts are in the token's claims.")
    static let claims = ObjectDeclaration([claimAgent.declared, claimLicense.declared, claimTeam.declared, claimSite.declared, claimRoles.declared])
    static let claimAgent = Field("agent", .string, .optional, "The agent's id (default `sub`).")
    static let claimLicense = Field("license", .string, .optional, "The agent's license (default `license`).")
    static let claimTeam = Field("team", .string, .optional, "The agent's team (default `team`).")
    static let claimSite = Field("site", .string, .optional, "The agent's site (default `site`).")
    static let claimRoles = Field("roles", .string, .optional, "An array of agent, admin, integration (default `roles`); absent: agent.")
    static let leewayField = Field("leewaySeconds", .integer(in: 0...600), .optional, default: { Located(60, at: $0) },
                                   "Clock skew allowed on exp, nbf and iat.")
    static let webhooksField = Field("webhooks", .object(webhooks), .optional, "The channel gateway's calls (Standard Webhooks).")
    static let webhooks = ObjectDeclaration([secretFileField.declared, toleranceField.declared])
    static let secretFileField = Field("secretFile", .string, .required, "`whsec_` and the base64 key.")
    static let toleranceField = Field("toleranceSeconds", .integer(in: 1...3600), .optional, default: { Located(300, at: $0) },
                                      "How far a webhook's timestamp may be from now.")
    static let decisionLogField = Field("decisionLog", .object(decisionLog), .optional, "Decision log settings.")
    static let decisionLog = ObjectDeclaration([redactKeyFileField.declared])
    static let redactKeyFileField = Field("redactKeyFile", .string, .optional, "The HMAC-SHA256 key of `--decision-log-redact`'s hashes.")
    static let gatewayField = Field("gateway", .object(gateway), .optional, "Where queued messages are pushed.")
    static let gateway = ObjectDeclaration([urlField.declared, timeoutField.declared, maxAttemptsField.declared, maxBackoffField.declared])
    static let urlField = Field("url", .string, .required, "The gateway's http or https URL.")
    static let timeoutField = Field("timeoutSeconds", .integer(in: 1...300), .optional, default: { Located(10, at: $0) },
                                    "How long one push may take.")
    static let maxAttemptsField = Field("maxAttempts", .integer(in: 1...100), .optional, default: { Located(12, at: $0) },
                                        "Pushes of one message before it is failed.")
    static let maxBackoffField = Field("maxBackoffSeconds", .integer(in: 1...86_400), .optional, default: { Located(600, at: $0) },
                                       "The longest wait between two pushes.")

    static func decode(_ root: YAMLNode, context: DecodeContext) -> ServerConfigDocument? {
        guard let envelope = context.fields(root, path: "", object: envelope) else { return nil }
        _ = envelope.read(PolicyDocument.apiVersion)
        _ = envelope.read(kindField)
        var document = ServerConfigDocument()
        if let metadata = envelope.read(PolicyDocument.metadataField) {
            document.name = metadata.read(PolicyDocument.nameField)?.value
            _ = metadata.read(PolicyDocument.descriptionField)
        }
        guard let spec = envelope.read(specField) else { return document }
        if let list = spec.read(issuersField) {
            document.issuers = context.list(list, path: "spec.issuers", nonEmpty: false) { node, path in
                issuer(node, path: path(), context: context)
            } ?? []
            var first: [String: SourceSpan] = [:]
            for entry in document.issuers {
                if let earlier = first[entry.issuer.value] {
                    context.report(Rules.DuplicateItem.diagnostic(field: "spec.issuers", item: entry.issuer.value, first: earlier, at: entry.issuer.span))
                } else {
                    first[entry.issuer.value] = entry.issuer.span
                }
            }
        }
        if let fields = spec.read(webhooksField), let secretFile = fields.read(secretFileField) {
            document.webhooks = Webhooks(secretFile: secretFile, toleranceSeconds: fields.read(toleranceField)?.value ?? 300)
        }
        if let fields = spec.read(decisionLogField) {
            document.redactKeyFile = fields.read(redactKeyFileField)
        }
        if let fields = spec.read(gatewayField), let url = fields.read(urlField) {
            let components = URLComponents(string: url.value)
            if !(url.value.hasPrefix("http://") || url.value.hasPrefix("https://")) || url.value.contains(where: \.isWhitespace)
                || (components?.host ?? "").isEmpty {
                context.report(Diagnostic(rule: rule, severity: .error, message: "spec.gateway.url: \(YAMLScalar.quote(url.value)) is not an http or https URL",
                                          file: url.span.file, start: url.span.start, end: url.span.end))
            } else if components?.user != nil || components?.password != nil {
                // Not positioned, so that no renderer shows the line: the part before the host
                // is a credential.
                context.report(Diagnostic(rule: rule, severity: .error,
                                          message: "spec.gateway.url (line \(url.span.start.line)): credentials in the URL are not sent; "
                                              + "remove them (the gateway checks each push's signature instead)",
                                          file: url.span.file, start: nil, end: nil))
            }
            document.gateway = Gateway(url: url, timeoutSeconds: fields.read(timeoutField)?.value ?? 10,
                                       maxAttempts: fields.read(maxAttemptsField)?.value ?? 12,
                                       maxBackoffSeconds: fields.read(maxBackoffField)?.value ?? 600)
        }
        return document
    }

    static func issuer(_ node: YAMLNode, path: String, context: DecodeContext) -> Issuer? {
        guard let fields = context.fields(node, path: path, object: issuer) else { return nil }
        let name = fields.read(issuerName)
        let audiences = fields.read(audiencesField)
        let algorithms = fields.read(algorithmsField)
        let jwksFile = fields.read(jwksFileField)
        let hmacSecretFile = fields.read(hmacSecretFileField)
        var claims = Claims()
        if let names = fields.read(claimsField) {
            claims.agent = names.read(claimAgent)?.value ?? claims.agent
            claims.license = names.read(claimLicense)?.value ?? claims.license
            claims.team = names.read(claimTeam)?.value ?? claims.team
            claims.site = names.read(claimSite)?.value ?? claims.site
            claims.roles = names.read(claimRoles)?.value ?? claims.roles
        }
        let leeway = fields.read(leewayField)?.value ?? 60
        func problem(_ message: String) {
            context.report(Diagnostic(rule: rule, severity: .error, message: "\(path): \(message)",
                                      file: node.span.file, start: node.span.start, end: node.span.end))
        }
        switch (jwksFile, hmacSecretFile) {
        case (nil, nil): problem("give jwksFile (public keys) or hmacSecretFile (an HS256 secret)")
        case (.some, .some): problem("give jwksFile or hmacSecretFile, not both")
        default: break
        }
        for algorithm in algorithms ?? [] where algorithm.value.lowercased() == "none" {
            context.report(Diagnostic(rule: rule, severity: .error, message: "\(path).algorithms: \"none\" is never allowed",
                                      file: algorithm.span.file, start: algorithm.span.start, end: algorithm.span.end))
        }
        guard let name, let audiences else { return nil }
        return Issuer(issuer: name, audiences: audiences, algorithms: algorithms, jwksFile: jwksFile, hmacSecretFile: hmacSecretFile,
                      claims: claims, leewaySeconds: leeway, span: node.span)
    }
}

extension ValueShape where Value == YAMLNode {
    /// Any list; the caller reads its items.
    static var anyList: ValueShape {
        ValueShape(schema: { JSONSchema(type: ["array"]) },
                   read: { context, node, path in
                       guard case .sequence = node else {
                           context.report(Rules.WrongType.diagnostic(field: path(), expected: "a list", found: node))
                           return nil
                       }
                       return node
                   },
                   literal: nil)
    }
}

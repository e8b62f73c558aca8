import Foundation

/// Small policy sets written to a temporary folder, for tests that need their own limits or
/// that rewrite the set while the service runs (reloads).
enum PolicyFixture {
    /// A valid set: one premium license, every agent on a default profile with these limits,
    /// one SMS and one email entry point; `locales`, `consentScope`, `contactHours` (a flow
    /// mapping) and more SMS entry points (name → address) when given.
    static func text(smsLimit: Int = 3, emailLimit: Int = 3, wrapUpReasons: [String] = ["done"], locales: [String]? = nil,
                     consentScope: String? = nil, contactHours: String? = nil,
                     smsEntryPoints: [(name: String, address: String)] = []) -> String {
        """
        apiVersion: sortie/v1
        kind: Tenant
        metadata: { name: test }
        spec:
          digitalChannels: true
          licenses: { premium: { outbound: true } }
          agentStates: [available]
          defaultProfile: everyone\(locales.map { "\n  locales: [\($0.joined(separator: ", "))]" } ?? "")
        ---
        apiVersion: sortie/v1
        kind: OutboundPolicy
        metadata: { name: outbound }
        spec:
          allowedAgentStates: [available]
          wrapUpReasons: [\(wrapUpReasons.joined(separator: ", "))]\(consentScope.map { "\n  consent: { scope: \($0) }" } ?? "")\(contactHours.map { "\n  contactHours: \($0)" } ?? "")
        ---
        apiVersion: sortie/v1
        kind: MultimediaProfile
        metadata: { name: everyone }
        spec:
          channels:
            sms: { maxOutboundTasks: \(smsLimit) }
            email: { maxOutboundTasks: \(emailLimit) }
        ---
        apiVersion: sortie/v1
        kind: EntryPoint
        metadata: { name: support-sms-fr }
        spec: { channel: sms, address: "+33186950000" }
        ---
        apiVersion: sortie/v1
        kind: EntryPoint
        metadata: { name: service-client }
        spec: { channel: email, address: service-client@acme-assurances.fr }
        \(smsEntryPoints.map { entryPoint in """
            ---
            apiVersion: sortie/v1
            kind: EntryPoint
            metadata: { name: \(entryPoint.name) }
            spec: { channel: sms, address: "\(entryPoint.address)" }

            """ }.joined())
        """
    }

    /// Writes `text` as `policy.yaml` in a new folder; returns the folder.
    static func write(_ text: String = PolicyFixture.text()) throws -> URL {
        let folder = try TemporaryFolder.make()
        try text.write(to: folder.appendingPathComponent("policy.yaml"), atomically: true, encoding: .utf8)
        return folder
    }
}

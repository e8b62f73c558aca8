/// The revision of a policy set: `sha256:` and the hash of a canonical text of what the set
/// *means* (docs/reference.md, "The revision"). Every document except PolicyTests, without descriptions, with every
/// default applied, addresses normalized, and lists that are sets sorted — so comments,
/// formatting, key order, file layout, the order of set-like lists and omitted-versus-default
/// fields never change it, and any change of meaning does.
extension CompiledPolicy {
    public var revision: String { "sha256:" + SHA256.hex(Array(canonicalText.utf8)) }

    /// One line per fact, in a fixed order; values are JSON-quoted so no value can forge a line.
    var canonicalText: String {
        var lines: [String] = ["sortie/v1"]
        func q(_ s: String) -> String { JSONWriter.quoted(s) }
        func set(_ items: [String]) -> String { "[" + items.sorted().map(q).joined(separator: ",") + "]" }
        lines.append("tenant \(q(tenant)) digitalChannels=\(digitalChannels) defaultProfile=\(defaultProfile.map(q) ?? "null")")
        lines.append("locales " + "[" + locales.map(q).joined(separator: ",") + "]")
        lines.append("agentStates " + set(agentStates))
        for license in licenses.sorted(by: { $0.name < $1.name }) { lines.append("license \(q(license.name)) outbound=\(license.outbound)") }
        for profile in profiles.sorted(by: { $0.name < $1.name }) {
            let limits = profile.limits.sorted { $0.key.rawValue < $1.key.rawValue }.map { "\($0.key.rawValue)=\($0.value)" }.joined(separator: ",")
            lines.append("profile \(q(profile.name)) limits=\(limits) agents=\(set(profile.agents)) teams=\(set(profile.teams)) sites=\(set(profile.sites))")
        }
        for entryPoint in entryPoints.sorted(by: { $0.name < $1.name }) {
            let allowed = entryPoint.allowedDestinations.map { " allowedDestinations=" + set($0) } ?? ""
            lines.append("entryPoint \(q(entryPoint.name)) \(entryPoint.channel.rawValue) \(q(entryPoint.address))\(allowed)")
        }
        lines.append("allowedAgentStates " + set(allowedAgentStates))
        lines.append("disallowedOperations " + set(disallowedOperations.map(\.rawValue)))
        lines.append("disallowedWorkflowTriggers " + set(disallowedWorkflowTriggers))
        lines.append("emailSubjectReuse \(emailSubjectReuse.rawValue)")
        lines.append("wrapUpReasons " + set(wrapUpReasons))
        // Only what differs from the defaults, so sets written before consent existed keep their revision.
        if consent != .defaults {
            let texts = consent.confirmation.sorted { $0.key < $1.key }.map { "\(q($0.key))=\(q($0.value))" }.joined(separator: ",")
            lines.append("consent optOut=\(set(consent.optOutKeywords)) optIn=\(set(consent.optInKeywords)) scope=\(consent.scope.rawValue) confirmation=[\(texts)]")
        }
        if let hours = contactHours {
            let windows = hours.windows.map { "\(set($0.days.map(\.rawValue)))\($0.from)-\($0.to)" }.sorted().joined(separator: ",")
            lines.append("contactHours channels=\(set(hours.channels.map(\.rawValue))) timeZone=\(hours.timeZone.map(q) ?? "recipient") unknownTimeZone=\(hours.unknownTimeZone.rawValue) windows=[\(windows)]")
        }
        for (code, byLocale) in messages.sorted(by: { $0.key.name < $1.key.name }) {
            for (locale, text) in byLocale.sorted(by: { $0.key < $1.key }) {
                lines.append("message \(code.name) \(q(locale)) \(q(text))")
            }
        }
        for template in templates.sorted(by: { $0.name < $1.name }) {
            lines.append("template \(q(template.name)) \(template.channel.rawValue) subject=\(template.subject.map(q) ?? "null") body=\(q(template.body))")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

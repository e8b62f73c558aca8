/// `kind: Tenant` — exactly one per set: the tenant's switches and vocabularies.
public struct Tenant: Sendable {
    /// A license type agents can hold.
    public struct License: Sendable {
        public var name: Located<String>
        /// May agents holding it start outbound conversations? Nil when unreadable.
        public var outbound: Bool?
    }

    /// The tenant enabled digital channels. Nil when missing or unreadable.
    public var digitalChannels: Bool?
    public var licenses: [License]?
    /// The agent-state vocabulary.
    public var agentStates: [Located<String>]?
    /// Message locales; the first is the default. Defaults to `[en]`.
    public var locales: [Located<String>]?
    /// Profile for agents that no assignment covers.
    public var defaultProfile: Located<String>?
    /// True when `defaultProfile` is written but could not be read.
    public var defaultProfileUnreadable = false

    static let fields = ["digitalChannels", "licenses", "agentStates", "locales", "defaultProfile"]

    init(decoding spec: Fields) {
        let context = spec.context
        digitalChannels = spec.required("digitalChannels").flatMap { context.bool($0, path: spec.path("digitalChannels"))?.value }
        if let node = spec.required("licenses"), let map = context.map(node, path: spec.path("licenses")) {
            if map.entries.isEmpty {
                context.report(Rules.EmptyList.diagnostic(field: spec.path("licenses"), at: map.span))
            }
            licenses = map.entries.map { entry in
                let path = spec.path("licenses.\(entry.key.value)")
                let outbound = context.fields(entry.value, path: path, known: ["outbound"]).flatMap { fields in
                    fields.required("outbound").flatMap { context.bool($0, path: fields.path("outbound"))?.value }
                }
                return License(name: Located(entry.key.value, at: entry.key.span), outbound: outbound)
            }
        }
        agentStates = spec.required("agentStates").flatMap { context.stringSet($0, path: spec.path("agentStates"), nonEmpty: true) }
        if let node = spec.optional("locales") {
            locales = context.stringSet(node, path: spec.path("locales"), nonEmpty: true)
        } else {
            locales = [Located("en", at: spec.mapping.span)]
        }
        if let node = spec.optional("defaultProfile") {
            defaultProfile = context.string(node, path: spec.path("defaultProfile"))
            defaultProfileUnreadable = defaultProfile == nil
        }
    }
}

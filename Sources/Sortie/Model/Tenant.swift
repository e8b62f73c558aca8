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

    static let declaration = ObjectDeclaration([digitalChannelsField.declared, licensesField.declared, agentStatesField.declared,
                                                localesField.declared, defaultProfileField.declared])
    static let digitalChannelsField = Field("digitalChannels", .boolean, .required, "The tenant enabled digital channels.")
    static let licensesField = Field("licenses", .map(values: { license.schema() }, nonEmpty: true), .required,
                                     "The license types agents can hold (at least one), by name.")
    static let license = ObjectDeclaration([outboundField.declared])
    static let outboundField = Field("outbound", .boolean, .required, "Whether agents holding this license may start outbound conversations.")
    static let agentStatesField = Field("agentStates", .stringSet(nonEmpty: true), .required, "The agent-state vocabulary (at least one).")
    static let localesField = Field("locales", .stringSet(nonEmpty: true), .optional, default: { [Located("en", at: $0)] },
                                    "Message locales; the first is the default.")
    static let defaultProfileField = Field("defaultProfile", .string, .optional,
                                           "The MultimediaProfile for agents that no assignment covers (a profile's name).")

    init(decoding spec: Fields) {
        let context = spec.context
        digitalChannels = spec.read(Self.digitalChannelsField)?.value
        if let map = spec.read(Self.licensesField) {
            licenses = map.entries.map { entry in
                let path = spec.path("licenses.\(entry.key.value)")
                let outbound = context.fields(entry.value, path: path, object: Self.license).flatMap { $0.read(Self.outboundField)?.value }
                return License(name: Located(entry.key.value, at: entry.key.span), outbound: outbound)
            }
        }
        agentStates = spec.read(Self.agentStatesField)
        locales = spec.read(Self.localesField)
        if spec.optional(Self.defaultProfileField.name) != nil {
            defaultProfile = spec.read(Self.defaultProfileField)
            defaultProfileUnreadable = defaultProfile == nil
        }
    }
}

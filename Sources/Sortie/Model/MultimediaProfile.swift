/// `kind: MultimediaProfile` — per-channel outbound limits, and who the profile applies to.
public struct MultimediaProfile: Sendable {
    public struct ChannelLimit: Sendable {
        public var channel: Located<Channel>
        /// 0...1000; 0 closes the channel. Nil when unreadable.
        public var maxOutboundTasks: Located<Int>?
    }

    /// Who the profile is assigned to. Resolution: agents > teams > sites > the tenant's default.
    public struct Assignment: Sendable {
        public var agents: [Located<String>] = []
        public var teams: [Located<String>] = []
        public var sites: [Located<String>] = []

        public var isEmpty: Bool { agents.isEmpty && teams.isEmpty && sites.isEmpty }
    }

    public var channels: [ChannelLimit]?
    public var assignedTo = Assignment()
    /// True when `assignedTo` lost a key to a YAML error (a complex or duplicate key): who the
    /// profile is for is then not fully known.
    public var assignedToUnreadable = false

    static let declaration = ObjectDeclaration([channelsField.declared, assignedToField.declared])
    static let channelsField = Field("channels", .map(keys: .only(Channel.allCases.map(\.rawValue)), values: { channelLimit.schema() }, nonEmpty: true),
                                     .required, "The channels the profile handles (at least one), each with its limit.")
    static let channelLimit = ObjectDeclaration([maxOutboundTasksField.declared])
    static let maxOutboundTasksField = Field("maxOutboundTasks", .integer(in: limitRange), .required,
                                             "How many outbound tasks of this channel an agent may have open; 0 closes the channel (a warning).")
    static let assignedToField = Field("assignedTo", .object(assignment), .optional,
                                       "Who the profile applies to. Resolution: agents, then teams, then sites, then the tenant's defaultProfile.")
    static let assignment = ObjectDeclaration([agentsField.declared, teamsField.declared, sitesField.declared])
    static let agentsField = Field("agents", .stringSet(nonEmpty: false), .optional, default: { _ in [] }, "Agent ids.")
    static let teamsField = Field("teams", .stringSet(nonEmpty: false), .optional, default: { _ in [] }, "Team names.")
    static let sitesField = Field("sites", .stringSet(nonEmpty: false), .optional, default: { _ in [] }, "Site names.")

    /// Valid values of `maxOutboundTasks`.
    public static let limitRange = 0...1000

    init(decoding spec: Fields) {
        let context = spec.context
        if let map = spec.read(Self.channelsField) {
            channels = map.entries.compactMap { entry in
                let path = spec.path("channels.\(entry.key.value)")
                guard let channel = Channel(rawValue: entry.key.value) else {
                    context.report(Rules.InvalidEnumValue.diagnostic(
                        field: spec.path("channels"), value: entry.key.value,
                        allowed: Channel.allCases.map(\.rawValue), at: entry.key.span))
                    return nil
                }
                let limit = context.fields(entry.value, path: path, object: Self.channelLimit).flatMap { $0.read(Self.maxOutboundTasksField) }
                return ChannelLimit(channel: Located(channel, at: entry.key.span), maxOutboundTasks: limit)
            }
        }
        if let fields = spec.read(Self.assignedToField) {
            assignedTo = Assignment(agents: fields.read(Self.agentsField) ?? [], teams: fields.read(Self.teamsField) ?? [],
                                    sites: fields.read(Self.sitesField) ?? [])
            assignedToUnreadable = fields.mapping.hasRejectedKeys
        }
    }
}

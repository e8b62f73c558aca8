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

    static let fields = ["channels", "assignedTo"]

    /// Valid values of `maxOutboundTasks`.
    public static let limitRange = 0...1000

    init(decoding spec: Fields) {
        let context = spec.context
        if let node = spec.required("channels"), let map = context.map(node, path: spec.path("channels")) {
            if map.entries.isEmpty {
                context.report(Rules.EmptyList.diagnostic(field: spec.path("channels"), at: map.span))
            }
            channels = map.entries.compactMap { entry in
                let path = spec.path("channels.\(entry.key.value)")
                guard let channel = Channel(rawValue: entry.key.value) else {
                    context.report(Rules.InvalidEnumValue.diagnostic(
                        field: spec.path("channels"), value: entry.key.value,
                        allowed: Channel.allCases.map(\.rawValue), at: entry.key.span))
                    return nil
                }
                var limit: Located<Int>?
                if let fields = context.fields(entry.value, path: path, known: ["maxOutboundTasks"]),
                   let node = fields.required("maxOutboundTasks"),
                   let value = context.int(node, path: fields.path("maxOutboundTasks")) {
                    if Self.limitRange.contains(value.value) {
                        limit = value
                    } else {
                        context.report(Rules.LimitOutOfRange.diagnostic(field: fields.path("maxOutboundTasks"), value: value.value, at: value.span))
                    }
                }
                return ChannelLimit(channel: Located(channel, at: entry.key.span), maxOutboundTasks: limit)
            }
        }
        if let node = spec.optional("assignedTo"),
           let fields = context.fields(node, path: spec.path("assignedTo"), known: ["agents", "teams", "sites"]) {
            func read(_ key: String) -> [Located<String>] {
                fields.optional(key).flatMap { context.stringSet($0, path: fields.path(key), nonEmpty: false) } ?? []
            }
            assignedTo = Assignment(agents: read("agents"), teams: read("teams"), sites: read("sites"))
            assignedToUnreadable = fields.mapping.hasRejectedKeys
        }
    }
}

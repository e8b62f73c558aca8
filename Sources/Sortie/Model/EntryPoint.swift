/// `kind: EntryPoint` — the "From" of an outbound conversation on one channel.
public struct EntryPoint: Sendable {
    public var channel: Located<Channel>?
    /// As written; the check stage validates it for its channel.
    public var address: Located<String>?
    /// `address` normalized for `channel` (nil when either is unknown). Computed once here;
    /// the address checks and lowering all read it.
    public var normalizedAddress: Result<String, DestinationProblem>?

    static let fields = ["channel", "address"]

    init(decoding spec: Fields) {
        let context = spec.context
        channel = spec.required("channel").flatMap { context.enumeration($0, path: spec.path("channel"), as: Channel.self) }
        address = spec.required("address").flatMap { context.string($0, path: spec.path("address")) }
        if let channel = channel?.value, let address {
            normalizedAddress = Destination.normalize(address.value, channel: channel)
        }
    }
}

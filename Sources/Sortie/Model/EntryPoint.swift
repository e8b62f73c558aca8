/// `kind: EntryPoint` — the "From" of an outbound conversation on one channel.
public struct EntryPoint: Sendable {
    public var channel: Located<Channel>?
    /// As written; the check stage validates it for its channel.
    public var address: Located<String>?

    static let fields = ["channel", "address"]

    init(decoding spec: Fields) {
        let context = spec.context
        channel = spec.required("channel").flatMap { context.enumeration($0, path: spec.path("channel"), as: Channel.self) }
        address = spec.required("address").flatMap { context.string($0, path: spec.path("address")) }
    }
}

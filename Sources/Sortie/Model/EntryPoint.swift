/// `kind: EntryPoint` — the "From" of an outbound conversation on one channel.
public struct EntryPoint: Sendable {
    public var channel: Located<Channel>?
    /// As written; the check stage validates it for its channel.
    public var address: Located<String>?
    /// `address` normalized for `channel` (nil when either is unknown). Computed once here;
    /// the address checks and lowering all read it.
    public var normalizedAddress: Result<String, DestinationProblem>?

    static let declaration = ObjectDeclaration([channelField.declared, addressField.declared])
    static let channelField = Field("channel", .enumeration(Channel.self), .required, "The channel this entry point sends on.")
    static let addressField = Field("address", .string, .required,
                                    "The sender address: for sms an E.164 number with its country code (\"+33186950000\"), for email local@domain.")

    init(decoding spec: Fields) {
        channel = spec.read(Self.channelField)
        address = spec.read(Self.addressField)
        if let channel = channel?.value, let address {
            normalizedAddress = Destination.normalize(address.value, channel: channel)
        }
    }
}

/// `kind: EntryPoint` — the "From" of an outbound conversation on one channel.
public struct EntryPoint: Sendable {
    public var channel: Located<Channel>?
    /// As written; the check stage validates it for its channel.
    public var address: Located<String>?
    /// `address` normalized for `channel` (nil when either is unknown). Computed once here;
    /// the address checks and lowering all read it.
    public var normalizedAddress: Result<String, DestinationProblem>?
    /// E.164 prefixes a destination must start with (SMS); nil: any valid destination.
    public var allowedDestinations: [Located<String>]?

    static let declaration = ObjectDeclaration([channelField.declared, addressField.declared, allowedDestinationsField.declared])
    static let channelField = Field("channel", .enumeration(Channel.self), .required, "The channel this entry point sends on.")
    static let addressField = Field("address", .string, .required,
                                    "The sender address: for sms an E.164 number with its country code (\"+33186950000\"), for email local@domain.")

    static let allowedDestinationsField = Field("allowedDestinations", .stringSet(nonEmpty: true), .optional,
                                                "SMS: the E.164 prefixes (\"+33\", \"+32\") a destination must start with; absent, any valid destination.")

    init(decoding spec: Fields) {
        channel = spec.read(Self.channelField)
        address = spec.read(Self.addressField)
        allowedDestinations = spec.read(Self.allowedDestinationsField)
        if let channel = channel?.value, let address {
            normalizedAddress = Destination.normalize(address.value, channel: channel)
        }
    }
}

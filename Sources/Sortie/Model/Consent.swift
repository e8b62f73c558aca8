/// Whom a customer's STOP silences: the sender it was sent to, or every sender of the tenant.
public enum ConsentScope: String, Sendable, CaseIterable, Hashable, Codable {
    case entryPoint = "entry-point"
    case tenant
}

/// `OutboundPolicy.spec.consent` — the keywords a customer opts out and back in with, whom an
/// opt-out covers, and the one confirmation sent back after a STOP.
public struct Consent: Sendable {
    public var optOutKeywords: [Located<String>]?
    public var optInKeywords: [Located<String>]?
    public var scope: ConsentScope?
    /// The confirmation per locale, as written (the built-in `fr` and `en` texts apply to the
    /// locales it does not name).
    public var confirmation: [(locale: Located<String>, text: Located<String>)] = []

    static let declaration = ObjectDeclaration([optOutKeywordsField.declared, optInKeywordsField.declared, scopeField.declared,
                                                confirmationField.declared])
    static let optOutKeywordsField = Field("optOutKeywords", .stringSet(nonEmpty: true), .optional,
                                           default: { span in defaultOptOutKeywords.map { Located($0, at: span) } },
                                           "An inbound message that is one of these words (trimmed, any case, without surrounding punctuation) opts the customer out.")
    static let optInKeywordsField = Field("optInKeywords", .stringSet(nonEmpty: true), .optional,
                                          default: { span in defaultOptInKeywords.map { Located($0, at: span) } },
                                          "An inbound message that is one of these words lifts the customer's opt-out.")
    static let scopeField = Field("scope", .enumeration(ConsentScope.self), .optional, default: { Located(defaultScope, at: $0) },
                                  "entry-point: a STOP to one sender stops that sender only; tenant: it stops every sender.")
    static let confirmationField = Field("confirmation", .map(values: { JSONSchema(type: JSONSchema.scalarTypes) }, nonEmpty: false), .optional,
                                         "The one message sent back after a STOP, per locale (built in for fr and en); sent in the tenant's default locale.")

    public static let defaultOptOutKeywords = ["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "ARRET", "ARRÊT"]
    public static let defaultOptInKeywords = ["START", "UNSTOP"]
    public static let defaultScope = ConsentScope.entryPoint
    /// The built-in confirmations.
    public static let builtInConfirmation = [
        "en": "You will no longer receive text messages from this number. Reply START to subscribe again.",
        "fr": "Vous ne recevrez plus de SMS de ce numéro. Répondez START pour vous réabonner.",
    ]

    /// The defaults, for a policy that does not write `consent`.
    init() {
        optOutKeywords = nil
        optInKeywords = nil
        scope = nil
    }

    init(decoding spec: Fields) {
        optOutKeywords = spec.read(Self.optOutKeywordsField)
        optInKeywords = spec.read(Self.optInKeywordsField)
        scope = spec.read(Self.scopeField)?.value
        if let map = spec.read(Self.confirmationField) {
            confirmation = map.entries.compactMap { entry in
                spec.context.string(entry.value, path: spec.path("confirmation.\(entry.key.value)"))
                    .map { (Located(entry.key.value, at: entry.key.span), $0) }
            }
        }
    }
}

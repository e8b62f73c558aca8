/// Every reason code, in reporting order (docs/reference.md, "Reason codes").
///
/// A code is one case here and one row in `row` below: its name, when it applies, its details,
/// the HTTP status the service answers with it and its built-in `en` and `fr` messages. The
/// reporting order is the order of the cases (the raw value), so it is never typed twice, and
/// `row` is one exhaustive switch, so the compiler refuses a code without its row. Everything
/// else — lint checks of ReasonCatalog keys and placeholders, the evaluator's order, every
/// decision writer, `--explain`, the service's statuses, the reference's table — reads the row.
public enum ReasonCode: Int, Sendable, CaseIterable, Comparable, Codable {
    case invalidRequest
    case digitalChannelsDisabled
    case licenseNotEligible
    case channelNotSupported
    case noMultimediaProfile
    case channelNotInProfile
    case agentStateNotAllowed
    case outboundLimitReached
    case invalidDestination
    case noEntryPointConfigured
    case entryPointNotFound
    case entryPointChannelMismatch
    case destinationNotAllowed
    case recipientOptedOut
    case outsideContactHours
    case conversationAlreadyActive
    case emailSubjectRequired
    case emailSubjectReused
    case conferenceNotAllowed
    case transferNotAllowed
    case workflowTriggerNotAllowed
    case wrapUpReasonRequired
    case wrapUpReasonUnknown
    case taskCreationFailed
    case agentAssignmentFailed

    /// One code's facts: the one place to write them.
    public struct Row: Sendable {
        /// The code as it appears in decisions and catalogs: `OUTBOUND_LIMIT_REACHED`.
        public let name: String
        /// When the code applies, in one sentence of the reference.
        public let when: String
        /// Its `details` fields, in the order the reference lists them; they are also the
        /// placeholders its messages may use.
        public let details: [DetailField]
        /// The HTTP status of a refusal whose first reason is this code.
        public let status: Int
        /// Only the service reports it, never the evaluator.
        public let serviceOnly: Bool
        /// Built-in messages, with `{placeholder}`s.
        public let en: String
        public let fr: String
        /// Built-in messages for when every detail is null (the recipient's zone is unknown), where
        /// the code has them.
        public let whenNull: (en: String, fr: String)?

        init(_ name: String, when: String, details: [DetailField] = [], status: Int, serviceOnly: Bool = false,
             en: String, fr: String, whenNull: (en: String, fr: String)? = nil) {
            self.name = name
            self.when = when
            self.details = details
            self.status = status
            self.serviceOnly = serviceOnly
            self.en = en
            self.fr = fr
            self.whenNull = whenNull
        }
    }

    // Statuses: 400 malformed; 403 the agent may not do this now (eligibility, state, limits,
    // forbidden operations); 409 a conflict with another conversation; 422 what the request names
    // is wrong (channel, destination, entry point, subject, wrap-up); 503 the service failed.
    private var row: Row {
        switch self {
        case .invalidRequest:
            Row("INVALID_REQUEST", when: "the request is malformed", details: [.field], status: 400,
                en: "The request is malformed: {field}.",
                fr: "La requête est invalide : {field}.")
        case .digitalChannelsDisabled:
            Row("DIGITAL_CHANNELS_DISABLED", when: "the tenant has not enabled digital channels", status: 403,
                en: "Digital channels are not enabled for this organization.",
                fr: "Les canaux numériques ne sont pas activés pour votre entreprise.")
        case .licenseNotEligible:
            Row("LICENSE_NOT_ELIGIBLE", when: "the agent's license is unknown or has `outbound: false`", details: [.license], status: 403,
                en: "Your license ({license}) does not allow outbound conversations.",
                fr: "Votre licence ({license}) ne permet pas de démarrer des conversations sortantes.")
        case .channelNotSupported:
            Row("CHANNEL_NOT_SUPPORTED", when: "the channel is not `sms` or `email`", details: [.channel], status: 422,
                en: "The channel {channel} is not supported for outbound conversations.",
                fr: "Le canal {channel} n'est pas disponible pour les conversations sortantes.")
        case .noMultimediaProfile:
            Row("NO_MULTIMEDIA_PROFILE", when: "no profile resolves for the agent", status: 403,
                en: "No multimedia profile is assigned to you.",
                fr: "Aucun profil multimédia ne vous est attribué.")
        case .channelNotInProfile:
            Row("CHANNEL_NOT_IN_PROFILE", when: "the resolved profile does not handle the channel", details: [.channel, .profile], status: 403,
                en: "Your multimedia profile {profile} does not include the {channel} channel.",
                fr: "Votre profil multimédia {profile} ne comprend pas le canal {channel}.")
        case .agentStateNotAllowed:
            Row("AGENT_STATE_NOT_ALLOWED", when: "the agent's state is not in `allowedAgentStates`", details: [.state], status: 403,
                en: "You cannot start an outbound conversation in the {state} state.",
                fr: "Vous ne pouvez pas démarrer de conversation sortante dans l'état {state}.")
        case .outboundLimitReached:
            Row("OUTBOUND_LIMIT_REACHED", when: "`activeOutbound[channel] >= maxOutboundTasks`",
                details: [.channel, .limit, .active, .profile], status: 403,
                en: "You have reached your limit of {limit} outbound {channel} conversations ({active} open).",
                fr: "Vous avez atteint votre limite de {limit} conversations {channel} sortantes ({active} en cours).")
        case .invalidDestination:
            Row("INVALID_DESTINATION", when: "`to` does not normalize", details: [.destination, .problem], status: 422,
                en: "The destination {destination} is not valid ({problem}).",
                fr: "La destination {destination} n'est pas valide ({problem}).")
        case .noEntryPointConfigured:
            Row("NO_ENTRY_POINT_CONFIGURED", when: "the set has no entry point for the channel", details: [.channel], status: 422,
                en: "No entry point is configured for the {channel} channel.",
                fr: "Aucun point d'entrée n'est configuré pour le canal {channel}.")
        case .entryPointNotFound:
            Row("ENTRY_POINT_NOT_FOUND", when: "`entryPoint` is null, absent or names no entry point",
                details: [.entryPoint, .channel], status: 422,
                en: "The entry point {entryPoint} does not exist for the {channel} channel.",
                fr: "Le point d'entrée {entryPoint} n'existe pas pour le canal {channel}.")
        case .entryPointChannelMismatch:
            Row("ENTRY_POINT_CHANNEL_MISMATCH", when: "the entry point serves the other channel",
                details: [.entryPoint, .channel, .entryPointChannel], status: 422,
                en: "The entry point {entryPoint} serves {entryPointChannel}, not {channel}.",
                fr: "Le point d'entrée {entryPoint} sert le canal {entryPointChannel}, pas {channel}.")
        case .destinationNotAllowed:
            Row("DESTINATION_NOT_ALLOWED", when: "the entry point's `allowedDestinations` has no prefix of the destination",
                details: [.destination, .entryPoint], status: 422,
                en: "The entry point {entryPoint} may not send to {destination}.",
                fr: "Le point d'entrée {entryPoint} ne peut pas envoyer de message à {destination}.")
        case .recipientOptedOut:
            Row("RECIPIENT_OPTED_OUT", when: "`optedOut` is true", details: [.destination, .entryPoint], status: 403,
                en: "This customer ({destination}) asked not to receive messages from {entryPoint} any more.",
                fr: "Ce client ({destination}) a demandé à ne plus recevoir de messages de {entryPoint}.")
        case .outsideContactHours:
            Row("OUTSIDE_CONTACT_HOURS",
                when: "the channel has contact hours and the recipient's local time is outside every window, or the zone is unknown under `deny`",
                details: [.localTime, .timeZone, .nextAllowed], status: 403,
                en: "It is {localTime} for this customer ({timeZone}); you can write from {nextAllowed}.",
                fr: "Il est {localTime} chez ce client ({timeZone}) ; envoi possible à partir de {nextAllowed}.",
                whenNull: (en: "This customer's time zone is unknown, so their contact hours cannot be checked.",
                           fr: "Le fuseau horaire de ce client est inconnu : ses heures de contact ne peuvent pas être vérifiées."))
        case .conversationAlreadyActive:
            Row("CONVERSATION_ALREADY_ACTIVE", when: "`destinationActive` is true", details: [.destination], status: 409,
                en: "A conversation with {destination} is already active.",
                fr: "Une conversation avec {destination} est déjà en cours.")
        case .emailSubjectRequired:
            Row("EMAIL_SUBJECT_REQUIRED", when: "an email without a non-blank subject (absent, null or blank)", status: 422,
                en: "An email needs a subject.",
                fr: "Un e-mail doit avoir un objet.")
        case .emailSubjectReused:
            Row("EMAIL_SUBJECT_REUSED", when: "`subjectUsed` is true: a warning under `warn`, a reason under `deny`, nothing under `allow`",
                details: [.subject], status: 422,
                en: "The subject \"{subject}\" was already used with this customer; choose a new one.",
                fr: "L'objet « {subject} » a déjà été utilisé avec ce client ; choisissez-en un nouveau.")
        case .conferenceNotAllowed:
            Row("CONFERENCE_NOT_ALLOWED", when: "operation `conference` while it is disallowed", details: [.operation], status: 403,
                en: "Conferences are not allowed on outbound conversations.",
                fr: "Les conférences ne sont pas autorisées sur une conversation sortante.")
        case .transferNotAllowed:
            Row("TRANSFER_NOT_ALLOWED", when: "operation `transfer` while it is disallowed", details: [.operation], status: 403,
                en: "Transfers are not allowed on outbound conversations.",
                fr: "Les transferts ne sont pas autorisés sur une conversation sortante.")
        case .workflowTriggerNotAllowed:
            Row("WORKFLOW_TRIGGER_NOT_ALLOWED", when: "operation `workflow` whose trigger is disallowed", details: [.trigger], status: 403,
                en: "The workflow trigger {trigger} is not allowed on outbound conversations.",
                fr: "Le déclencheur de workflow {trigger} n'est pas autorisé sur une conversation sortante.")
        case .wrapUpReasonRequired:
            Row("WRAP_UP_REASON_REQUIRED", when: "close without a wrap-up reason (absent, null or blank)", status: 422,
                en: "Choose a wrap-up reason to close the conversation.",
                fr: "Choisissez un motif de post-appel pour fermer la conversation.")
        case .wrapUpReasonUnknown:
            Row("WRAP_UP_REASON_UNKNOWN", when: "close with a reason not in `wrapUpReasons` (compared trimmed)", details: [.reason], status: 422,
                en: "The wrap-up reason {reason} is not in the list.",
                fr: "Le motif de post-appel {reason} ne fait pas partie de la liste.")
        case .taskCreationFailed:
            Row("TASK_CREATION_FAILED", when: "the task could not be created; nothing was kept", status: 503, serviceOnly: true,
                en: "The task could not be created because of an internal error. Please try again.",
                fr: "La tâche n'a pas pu être créée à la suite d'une erreur interne. Veuillez réessayer.")
        case .agentAssignmentFailed:
            Row("AGENT_ASSIGNMENT_FAILED", when: "the task could not be assigned; nothing was kept", status: 503, serviceOnly: true,
                en: "The task could not be assigned to you because of an internal error. Please try again.",
                fr: "La tâche n'a pas pu vous être affectée à la suite d'une erreur interne. Veuillez réessayer.")
        }
    }

    /// Every row, indexed by `order` (built once: `row` makes new arrays at each call).
    static let rows: [Row] = allCases.map(\.row)
    /// Every code, indexed by `order` (`allCases` builds a new array at each use).
    static let inOrder = allCases
    private static let byName: [String: ReasonCode] = Dictionary(uniqueKeysWithValues: allCases.map { ($0.name, $0) })

    /// This code's row.
    public var facts: Row { Self.rows[rawValue] }

    /// Position in the reporting order, from 0: the position of the case.
    @inline(__always) public var order: Int { rawValue }

    /// The code as decisions and catalogs write it: `OUTBOUND_LIMIT_REACHED`.
    public var name: String { facts.name }

    /// The code written `name`, or nil when there is none.
    public init?(name: String) {
        guard let code = Self.byName[name] else { return nil }
        self = code
    }

    public static func < (a: ReasonCode, b: ReasonCode) -> Bool { a.order < b.order }

    /// The `details` fields of this code, which are also the placeholders its messages may use.
    public var detailFields: [DetailField] { facts.details }
    /// The `details` keys of this code, as written in JSON and in message placeholders.
    public var detailKeys: [String] { facts.details.map(\.rawValue) }

    /// The locales every code has a built-in message in.
    public static let builtInLocales = ["en", "fr"]

    /// The built-in message for `locale` (`en` or `fr`), with `{placeholder}`s; `whenNull`: the
    /// one for details that are all null, where the code has one.
    public func builtInMessage(locale: String, whenNull: Bool = false) -> String? {
        if whenNull, let variant = facts.whenNull {
            return switch locale {
            case "en": variant.en
            case "fr": variant.fr
            default: nil
            }
        }
        return switch locale {
        case "en": facts.en
        case "fr": facts.fr
        default: nil
        }
    }

    public init(from decoder: any Decoder) throws {
        let name = try decoder.singleValueContainer().decode(String.self)
        guard let code = ReasonCode(name: name) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "unknown reason code \(name)"))
        }
        self = code
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(name)
    }
}

/// A field of a reason's `details` (and a placeholder of its messages): its key and JSON type.
public enum DetailField: String, Sendable, CaseIterable {
    case field, license, channel, profile, state, limit, active, destination, problem
    case entryPoint, entryPointChannel, subject, operation, trigger, reason
    case localTime, timeZone, nextAllowed

    /// The value is a JSON integer; every other field is a string (`entryPoint` and the
    /// contact-hour fields may be null).
    public var isInteger: Bool { self == .limit || self == .active }
}

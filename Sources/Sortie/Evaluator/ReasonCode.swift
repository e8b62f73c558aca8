/// Every reason code of the contract, in reporting order (SPEC §2), with the `details` keys it
/// carries (which are also the placeholders its messages may use) and its built-in messages.
///
/// This table is the one home of a reason code: add a code here and everything else (lint
/// checks of ReasonCatalog keys and placeholders, the evaluator's order) follows.
public enum ReasonCode: String, Sendable, CaseIterable, Codable, Comparable {
    case invalidRequest = "INVALID_REQUEST"
    case digitalChannelsDisabled = "DIGITAL_CHANNELS_DISABLED"
    case licenseNotEligible = "LICENSE_NOT_ELIGIBLE"
    case channelNotSupported = "CHANNEL_NOT_SUPPORTED"
    case noMultimediaProfile = "NO_MULTIMEDIA_PROFILE"
    case channelNotInProfile = "CHANNEL_NOT_IN_PROFILE"
    case agentStateNotAllowed = "AGENT_STATE_NOT_ALLOWED"
    case outboundLimitReached = "OUTBOUND_LIMIT_REACHED"
    case invalidDestination = "INVALID_DESTINATION"
    case noEntryPointConfigured = "NO_ENTRY_POINT_CONFIGURED"
    case entryPointNotFound = "ENTRY_POINT_NOT_FOUND"
    case entryPointChannelMismatch = "ENTRY_POINT_CHANNEL_MISMATCH"
    case conversationAlreadyActive = "CONVERSATION_ALREADY_ACTIVE"
    case emailSubjectRequired = "EMAIL_SUBJECT_REQUIRED"
    case emailSubjectReused = "EMAIL_SUBJECT_REUSED"
    case conferenceNotAllowed = "CONFERENCE_NOT_ALLOWED"
    case transferNotAllowed = "TRANSFER_NOT_ALLOWED"
    case workflowTriggerNotAllowed = "WORKFLOW_TRIGGER_NOT_ALLOWED"
    case wrapUpReasonRequired = "WRAP_UP_REASON_REQUIRED"
    case wrapUpReasonUnknown = "WRAP_UP_REASON_UNKNOWN"
    case taskCreationFailed = "TASK_CREATION_FAILED"
    case agentAssignmentFailed = "AGENT_ASSIGNMENT_FAILED"

    /// Position in the reporting order, from 0 (the order of the cases above; a test checks it).
    public var order: Int {
        switch self {
        case .invalidRequest: 0
        case .digitalChannelsDisabled: 1
        case .licenseNotEligible: 2
        case .channelNotSupported: 3
        case .noMultimediaProfile: 4
        case .channelNotInProfile: 5
        case .agentStateNotAllowed: 6
        case .outboundLimitReached: 7
        case .invalidDestination: 8
        case .noEntryPointConfigured: 9
        case .entryPointNotFound: 10
        case .entryPointChannelMismatch: 11
        case .conversationAlreadyActive: 12
        case .emailSubjectRequired: 13
        case .emailSubjectReused: 14
        case .conferenceNotAllowed: 15
        case .transferNotAllowed: 16
        case .workflowTriggerNotAllowed: 17
        case .wrapUpReasonRequired: 18
        case .wrapUpReasonUnknown: 19
        case .taskCreationFailed: 20
        case .agentAssignmentFailed: 21
        }
    }

    public static func < (a: ReasonCode, b: ReasonCode) -> Bool { a.order < b.order }

    /// Every code, indexed by `order` (`allCases` builds a new array at each use).
    static let inOrder = allCases

    /// The `details` keys of this code, which are also the placeholders its messages may use.
    public var detailKeys: [String] {
        switch self {
        case .invalidRequest: ["field"]
        case .licenseNotEligible: ["license"]
        case .channelNotSupported, .noEntryPointConfigured: ["channel"]
        case .channelNotInProfile: ["channel", "profile"]
        case .agentStateNotAllowed: ["state"]
        case .outboundLimitReached: ["channel", "limit", "active", "profile"]
        case .invalidDestination: ["destination", "problem"]
        case .entryPointNotFound: ["entryPoint", "channel"]
        case .entryPointChannelMismatch: ["entryPoint", "channel", "entryPointChannel"]
        case .conversationAlreadyActive: ["destination"]
        case .emailSubjectReused: ["subject"]
        case .conferenceNotAllowed, .transferNotAllowed: ["operation"]
        case .workflowTriggerNotAllowed: ["trigger"]
        case .wrapUpReasonUnknown: ["reason"]
        case .digitalChannelsDisabled, .noMultimediaProfile, .emailSubjectRequired,
             .wrapUpReasonRequired, .taskCreationFailed, .agentAssignmentFailed: []
        }
    }

    /// The locales every code has a built-in message in.
    public static let builtInLocales = ["en", "fr"]

    /// The built-in message for `locale` (`en` or `fr`), with `{placeholder}`s.
    public func builtInMessage(locale: String) -> String? {
        switch locale {
        case "en": englishMessage
        case "fr": frenchMessage
        default: nil
        }
    }

    private var englishMessage: String {
        switch self {
        case .invalidRequest: "The request is malformed: {field}."
        case .digitalChannelsDisabled: "Digital channels are not enabled for this organization."
        case .licenseNotEligible: "Your license ({license}) does not allow outbound conversations."
        case .channelNotSupported: "The channel {channel} is not supported for outbound conversations."
        case .noMultimediaProfile: "No multimedia profile is assigned to you."
        case .channelNotInProfile: "Your multimedia profile {profile} does not include the {channel} channel."
        case .agentStateNotAllowed: "You cannot start an outbound conversation in the {state} state."
        case .outboundLimitReached: "You have reached your limit of {limit} outbound {channel} conversations ({active} open)."
        case .invalidDestination: "The destination {destination} is not valid ({problem})."
        case .noEntryPointConfigured: "No entry point is configured for the {channel} channel."
        case .entryPointNotFound: "The entry point {entryPoint} does not exist for the {channel} channel."
        case .entryPointChannelMismatch: "The entry point {entryPoint} serves {entryPointChannel}, not {channel}."
        case .conversationAlreadyActive: "A conversation with {destination} is already active."
        case .emailSubjectRequired: "An email needs a subject."
        case .emailSubjectReused: "The subject \"{subject}\" was already used with this customer; choose a new one."
        case .conferenceNotAllowed: "Conferences are not allowed on outbound conversations."
        case .transferNotAllowed: "Transfers are not allowed on outbound conversations."
        case .workflowTriggerNotAllowed: "The workflow trigger {trigger} is not allowed on outbound conversations."
        case .wrapUpReasonRequired: "Choose a wrap-up reason to close the conversation."
        case .wrapUpReasonUnknown: "The wrap-up reason {reason} is not in the list."
        case .taskCreationFailed: "The task could not be created because of an internal error. Please try again."
        case .agentAssignmentFailed: "The task could not be assigned to you because of an internal error. Please try again."
        }
    }

    private var frenchMessage: String {
        switch self {
        case .invalidRequest: "La requête est invalide : {field}."
        case .digitalChannelsDisabled: "Les canaux numériques ne sont pas activés pour votre entreprise."
        case .licenseNotEligible: "Votre licence ({license}) ne permet pas de démarrer des conversations sortantes."
        case .channelNotSupported: "Le canal {channel} n'est pas disponible pour les conversations sortantes."
        case .noMultimediaProfile: "Aucun profil multimédia ne vous est attribué."
        case .channelNotInProfile: "Votre profil multimédia {profile} ne comprend pas le canal {channel}."
        case .agentStateNotAllowed: "Vous ne pouvez pas démarrer de conversation sortante dans l'état {state}."
        case .outboundLimitReached: "Vous avez atteint votre limite de {limit} conversations {channel} sortantes ({active} en cours)."
        case .invalidDestination: "La destination {destination} n'est pas valide ({problem})."
        case .noEntryPointConfigured: "Aucun point d'entrée n'est configuré pour le canal {channel}."
        case .entryPointNotFound: "Le point d'entrée {entryPoint} n'existe pas pour le canal {channel}."
        case .entryPointChannelMismatch: "Le point d'entrée {entryPoint} sert le canal {entryPointChannel}, pas {channel}."
        case .conversationAlreadyActive: "Une conversation avec {destination} est déjà en cours."
        case .emailSubjectRequired: "Un e-mail doit avoir un objet."
        case .emailSubjectReused: "L'objet « {subject} » a déjà été utilisé avec ce client ; choisissez-en un nouveau."
        case .conferenceNotAllowed: "Les conférences ne sont pas autorisées sur une conversation sortante."
        case .transferNotAllowed: "Les transferts ne sont pas autorisés sur une conversation sortante."
        case .workflowTriggerNotAllowed: "Le déclencheur de workflow {trigger} n'est pas autorisé sur une conversation sortante."
        case .wrapUpReasonRequired: "Choisissez un motif de post-appel pour fermer la conversation."
        case .wrapUpReasonUnknown: "Le motif de post-appel {reason} ne fait pas partie de la liste."
        case .taskCreationFailed: "La tâche n'a pas pu être créée à la suite d'une erreur interne. Veuillez réessayer."
        case .agentAssignmentFailed: "La tâche n'a pas pu vous être affectée à la suite d'une erreur interne. Veuillez réessayer."
        }
    }
}

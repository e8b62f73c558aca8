/// The lint rules, one file each under `Rules/<stage>/`, listed here in stage order.
public enum Rules {
    public static let all: [LintRule] = [
        // load: the YAML source layer
        YAMLSyntax.rule, InvalidEncoding.rule, FileTooLarge.rule, NestingTooDeep.rule, DuplicateKey.rule,
        YAMLAnchor.rule, YAMLAlias.rule, YAMLMergeKey.rule, YAMLTag.rule, ComplexKey.rule,
        EmptyFile.rule, EmptyDocument.rule,
        // decode: the schema walker
        UnsupportedAPIVersion.rule, UnknownKind.rule, UnknownField.rule, WrongType.rule, MissingField.rule,
        InvalidEnumValue.rule, InvalidName.rule, EmptyList.rule, LimitOutOfRange.rule, DuplicateItem.rule,
        SubjectOnSMS.rule, InconsistentExpectation.rule,
        // link: names and references across documents
        DuplicateName.rule, DuplicateSingleton.rule, MissingTenant.rule, MissingOutboundPolicy.rule,
        UnknownProfile.rule, DuplicateClaim.rule, UnknownAgentState.rule, UnknownReasonCode.rule,
        UnknownPlaceholder.rule,
        // check: meaning
        InvalidAddress.rule, ZeroLimit.rule, UnusedProfile.rule, DuplicateAddress.rule, MissingMessage.rule,
        InvalidDestinationPrefix.rule, DestinationsOnEmail.rule, KeywordInBothLists.rule, InvalidTime.rule, EmptyWindow.rule,
        OverlappingWindows.rule, UnknownZone.rule, UnusedContactHours.rule,
    ]

    /// The rule with `id`, if any.
    public static func rule(id: String) -> LintRule? { all.first { $0.id == id } }

    /// Cross-document checks of the link stage, in order.
    static let linkChecks: [@Sendable (DecodedSet, inout Diagnostics) -> Void] = [
        DuplicateName.check, DuplicateSingleton.check, MissingTenant.check, MissingOutboundPolicy.check,
        UnknownProfile.check, DuplicateClaim.check, UnknownAgentState.check, UnknownReasonCode.check,
        UnknownPlaceholder.check,
    ]

    /// Meaning checks of the check stage, in order.
    static let meaningChecks: [@Sendable (DecodedSet, inout Diagnostics) -> Void] = [
        InvalidAddress.check, ZeroLimit.check, UnusedProfile.check, DuplicateAddress.check, MissingMessage.check,
        InvalidDestinationPrefix.check, DestinationsOnEmail.check, KeywordInBothLists.check, InvalidTime.check, EmptyWindow.check,
        OverlappingWindows.check, UnknownZone.check, UnusedContactHours.check,
    ]

    /// The diagnostic for a problem the YAML loader found.
    static func diagnostic(for issue: YAMLIssue) -> Diagnostic {
        switch issue.kind {
        case .syntax(let problem, let context): YAMLSyntax.diagnostic(problem: problem, context: context, at: issue.span)
        case .invalidEncoding(let offset): InvalidEncoding.diagnostic(byteOffset: offset, at: issue.span)
        case .fileTooLarge(let bytes, let limit): FileTooLarge.diagnostic(bytes: bytes, limit: limit, at: issue.span)
        case .nestingTooDeep(let limit): NestingTooDeep.diagnostic(limit: limit, at: issue.span)
        case .duplicateKey(let key, let first): DuplicateKey.diagnostic(key: key, first: first, at: issue.span)
        case .anchor(let name): YAMLAnchor.diagnostic(name: name, at: issue.span)
        case .alias(let name): YAMLAlias.diagnostic(name: name, at: issue.span)
        case .mergeKey: YAMLMergeKey.diagnostic(at: issue.span)
        case .explicitTag(let tag): YAMLTag.diagnostic(tag: tag, at: issue.span)
        case .complexKey: ComplexKey.diagnostic(at: issue.span)
        case .emptyFile: EmptyFile.diagnostic(at: issue.span)
        case .emptyDocument: EmptyDocument.diagnostic(at: issue.span)
        }
    }
}

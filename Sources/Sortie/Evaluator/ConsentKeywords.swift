/// What an inbound message does to the sender's consent.
public enum ConsentChange: String, Sendable, Hashable, Codable {
    case optOut = "opt-out"
    case optIn = "opt-in"
}

extension CompiledPolicy.Consent {
    /// The change an inbound message's text asks for: its text, trimmed, case-folded and
    /// stripped of surrounding punctuation, is one of the opt-out or opt-in keywords. `Stop.`,
    /// ` stop ` and `ARRÊT !` are opt-outs under the defaults; `stop please` is nothing.
    public func change(for text: String) -> ConsentChange? {
        let word = Self.keyword(text)
        guard !word.isEmpty else { return nil }
        if optOutKeywords.contains(where: { Self.keyword($0) == word }) { return .optOut }
        if optInKeywords.contains(where: { Self.keyword($0) == word }) { return .optIn }
        return nil
    }

    /// A text as keywords are compared: without surrounding whitespace and punctuation, lower-cased.
    public static func keyword(_ text: String) -> String {
        let unwanted: (Character) -> Bool = { $0.isWhitespace || $0.isPunctuation || $0.isSymbol }
        var scalars = Substring(text)
        while let first = scalars.first, unwanted(first) { scalars.removeFirst() }
        while let last = scalars.last, unwanted(last) { scalars.removeLast() }
        return scalars.lowercased()
    }

    /// The confirmation sent after an opt-out, in `locale` (the tenant's default), else in `en`.
    public func confirmation(locale: String) -> String {
        confirmation[locale] ?? confirmation["en"] ?? Sortie.Consent.builtInConfirmation["en"]!
    }
}

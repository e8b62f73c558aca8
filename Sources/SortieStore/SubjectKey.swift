/// How email subjects are compared: for threading a reply (`Re: Votre commande` joins the
/// conversation `Votre commande`) and for `subjectUsed` (the same subject with the same customer).
public enum SubjectKey {
    /// Reply and forward prefixes, English and French, compared without case.
    public static let prefixes = ["re:", "fwd:", "fw:", "tr:"]

    /// The subject without its leading reply/forward prefixes (repeated ones too), trimmed:
    /// `"RE: Fwd: Votre commande "` → `"Votre commande"`.
    public static func stripped(_ subject: String) -> String {
        var text = Substring(subject)
        while true {
            text = text.drop { $0.isWhitespace }
            guard let prefix = prefixes.first(where: { text.lowercased().hasPrefix($0) }) else { break }
            text = text.dropFirst(prefix.count)
        }
        while text.last?.isWhitespace == true { text = text.dropLast() }
        return String(text)
    }

    /// The comparison key: `stripped`, with runs of white space made single, lower-cased.
    public static func of(_ subject: String) -> String {
        stripped(subject).split(whereSeparator: { $0.isWhitespace }).joined(separator: " ").lowercased()
    }
}

/// The reason-code table of docs/reference.md, generated from `ReasonCode`'s rows (a test keeps
/// the committed document in step).
public enum ReasonReference {
    /// The table as Markdown: one row per code, in reporting order.
    public static func markdown() -> String {
        var out = "| code | when | details | HTTP status |\n|---|---|---|---|\n"
        for code in ReasonCode.allCases {
            let row = code.facts
            let details = row.details.map { "`\($0.rawValue)`" }.joined(separator: ", ")
            let when = row.serviceOnly ? "(service only) \(row.when)" : row.when
            out += "| `\(row.name)` | \(when) | \(details) | \(row.status) |\n"
        }
        return out
    }

    /// `docs/reference.md` with the table between its markers replaced by `markdown()`; nil when
    /// the markers are missing.
    public static func updating(_ document: String) -> String? {
        guard let begin = document.range(of: beginMarker), let end = document.range(of: endMarker),
              begin.upperBound <= end.lowerBound else { return nil }
        let line = document[begin.upperBound...].firstIndex(of: "\n").map { document.index(after: $0) } ?? begin.upperBound
        return String(document[..<line]) + markdown() + String(document[end.lowerBound...])
    }

    static let beginMarker = "<!-- reason-codes:begin"
    static let endMarker = "<!-- reason-codes:end -->"
}

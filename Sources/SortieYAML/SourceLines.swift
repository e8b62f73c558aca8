/// Splits source text into lines the way libyaml counts them, so that a diagnostic's line
/// number always finds its line: `\r\n`, `\r`, `\n`, NEL (U+0085), LS (U+2028) and PS (U+2029)
/// all end a line.
public enum SourceLines {
    public static func split(_ text: String) -> [Substring] {
        var lines: [Substring] = []
        var start = text.startIndex
        var i = text.startIndex
        let scalars = text.unicodeScalars
        while i < text.endIndex {
            let scalar = scalars[i]
            let next = scalars.index(after: i)
            switch scalar {
            case "\r", "\n", "\u{85}", "\u{2028}", "\u{2029}":
                lines.append(text[start..<i])
                if scalar == "\r", next < text.endIndex, scalars[next] == "\n" {
                    i = scalars.index(after: next)
                } else {
                    i = next
                }
                start = i
            default:
                i = next
            }
        }
        lines.append(text[start..<text.endIndex])
        return lines
    }
}

/// GitHub Actions workflow commands, exactly as docs/reference.md ("sortie lint") gives them:
/// `::error file=…,line=…,col=…,title=RULE::MESSAGE` (no line or col for whole-set problems).
/// Property values and messages are escaped as the Actions toolkit does.
public enum GitHubRenderer {
    public static func render(_ diagnostics: [Diagnostic]) -> String {
        diagnostics.map { d in
            var properties = ["file=\(escapeProperty(d.file))"]
            if let start = d.start {
                properties += ["line=\(start.line)", "col=\(start.column)"]
            }
            properties.append("title=\(escapeProperty(d.rule))")
            return "::\(d.severity.rawValue) \(properties.joined(separator: ","))::\(escapeData(d.message))\n"
        }.joined()
    }

    static func escapeData(_ s: String) -> String {
        s.replacingOccurrences("%", "%25").replacingOccurrences("\r", "%0D").replacingOccurrences("\n", "%0A")
    }

    static func escapeProperty(_ s: String) -> String {
        escapeData(s).replacingOccurrences(":", "%3A").replacingOccurrences(",", "%2C")
    }
}

extension String {
    func replacingOccurrences(_ target: String, _ replacement: String) -> String {
        split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}

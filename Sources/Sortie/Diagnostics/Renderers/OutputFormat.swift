/// The output formats of `sortie lint`.
public enum DiagnosticFormat: String, Sendable, CaseIterable {
    /// `file:line:col: severity: message [rule]`, the source line and a caret underline.
    case text
    /// One JSON object with every diagnostic and the counts.
    case json
    /// SARIF 2.1.0, for code-scanning upload.
    case sarif
    /// GitHub Actions workflow commands (`::error file=…`), shown as annotations.
    case github

    /// Renders `diagnostics` (already sorted); `sources` supplies the source lines for `text`.
    public func render(_ diagnostics: [Diagnostic], sources: [String: [UInt8]]) -> String {
        switch self {
        case .text: TextRenderer(sources: sources).render(diagnostics)
        case .json: JSONRenderer.render(diagnostics)
        case .sarif: SARIFRenderer.render(diagnostics)
        case .github: GitHubRenderer.render(diagnostics)
        }
    }
}

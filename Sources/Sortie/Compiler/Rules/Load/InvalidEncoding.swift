extension Rules {
    /// `invalid-encoding`: the file is not UTF-8.
    public enum InvalidEncoding {
        public static let rule = LintRule(
            id: "invalid-encoding", severity: .error, stage: "load",
            summary: "Policy files must be UTF-8 (Latin-1 or UTF-16 files are refused, not guessed).",
            triggering: [.generated("`kind: Tenant` followed by the Latin-1 byte 0xE9 (é)") { Array("kind: Tenant\nmetadata: { name: caf".utf8) + [0xE9] + Array(" }\n".utf8) }],
            nonTriggering: [.yaml("metadata: { description: café }\n")])

        static func diagnostic(byteOffset: Int, at span: SourceSpan) -> Diagnostic {
            rule.diagnostic("the file is not valid UTF-8 (first invalid byte at offset \(byteOffset)); save it as UTF-8", at: span)
        }
    }
}

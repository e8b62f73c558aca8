extension Rules {
    /// `file-too-large`: the file is larger than 8 MiB.
    public enum FileTooLarge {
        public static let rule = LintRule(
            id: "file-too-large", severity: .error, stage: "load",
            summary: "A policy file may not exceed 8 MiB; it is refused unread.",
            triggering: [.generated("a file of 8 MiB + 1 byte of comments") { Array(repeating: UInt8(ascii: "#"), count: 8 * 1024 * 1024) + [0x0A] }],
            nonTriggering: [.generated("a file of exactly 8 MiB of comments") { Array(repeating: UInt8(ascii: "#"), count: 8 * 1024 * 1024 - 1) + [0x0A] }])

        static func diagnostic(bytes: Int, limit: Int, at span: SourceSpan) -> Diagnostic {
            rule.diagnostic("the file is \(bytes) bytes; policy files may not exceed \(limit) bytes (8 MiB)", at: span)
        }
    }
}

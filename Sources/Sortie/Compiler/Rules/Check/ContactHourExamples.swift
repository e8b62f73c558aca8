/// The OutboundPolicy documents the contact-hour and consent rules' examples lint.
enum ContactHourExamples {
    /// An OutboundPolicy whose `contactHours.windows` are `windows` (YAML list items, one per line).
    static func policy(windows: String, extra: String = "") -> String {
        outboundPolicy(under: "contactHours", (extra.isEmpty ? [] : lines(extra, indent: 2)) + ["  windows:"] + lines(windows, indent: 4))
    }

    /// An OutboundPolicy with `consent` (YAML lines under it).
    static func consent(_ text: String) -> String {
        outboundPolicy(under: "consent", lines(text, indent: 2))
    }

    /// The policy's shared lines, then `key:` and `body` (already indented under it).
    private static func outboundPolicy(under key: String, _ body: [String]) -> String {
        (["apiVersion: sortie/v1", "kind: OutboundPolicy", "metadata: { name: outbound }", "spec:",
          "  allowedAgentStates: [available]", "  wrapUpReasons: [resolved]", "  \(key):"] + body.map { "  " + $0 })
            .joined(separator: "\n") + "\n"
    }

    private static func lines(_ text: String, indent: Int) -> [String] {
        text.split(separator: "\n").map { String(repeating: " ", count: indent) + $0 }
    }
}

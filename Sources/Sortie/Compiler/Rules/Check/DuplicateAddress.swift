extension Rules {
    /// `duplicate-address`: two entry points with the same normalized address.
    public enum DuplicateAddress {
        public static let rule = LintRule(
            id: "duplicate-address", severity: .warning, stage: "check",
            summary: "Two EntryPoints whose addresses normalize alike are the same \"From\" under two names.",
            triggering: [.yaml("""
                apiVersion: sortie/v1
                kind: EntryPoint
                metadata: { name: support-sms }
                spec: { channel: sms, address: "+33186950000" }
                ---
                apiVersion: sortie/v1
                kind: EntryPoint
                metadata: { name: sales-sms }
                spec: { channel: sms, address: "+33 1 86 95 00 00" }
                """)],
            nonTriggering: [.yaml("""
                apiVersion: sortie/v1
                kind: EntryPoint
                metadata: { name: support-sms }
                spec: { channel: sms, address: "+33186950000" }
                ---
                apiVersion: sortie/v1
                kind: EntryPoint
                metadata: { name: sales-sms }
                spec: { channel: sms, address: "+33186950001" }
                """)])

        static func check(_ set: DecodedSet, into diagnostics: inout Diagnostics) {
            struct Key: Hashable {
                var channel: Channel
                var address: String
            }
            var first: [Key: (name: String, span: SourceSpan)] = [:]
            first.reserveCapacity(set.entryPoints.count)
            for entryPoint in set.entryPoints {
                guard let channel = entryPoint.spec.channel?.value, let address = entryPoint.spec.address,
                      case .success(let normalized) = entryPoint.spec.normalizedAddress else { continue }
                let key = Key(channel: channel, address: normalized)
                if let earlier = first[key] {
                    diagnostics.append(rule.diagnostic(
                        "address \(normalized) is also used by entry point \(YAMLScalar.quote(earlier.name)) at \(earlier.span.fileAndLine)",
                        at: address.span))
                } else {
                    first[key] = (entryPoint.name ?? "?", address.span)
                }
            }
        }
    }
}

extension Rules {
    /// `invalid-destination-prefix`: an `allowedDestinations` prefix that no SMS destination can start with.
    public enum InvalidDestinationPrefix {
        public static let rule = LintRule(
            id: "invalid-destination-prefix", severity: .error, stage: "check",
            summary: "An `allowedDestinations` prefix is `+` and 1 to 15 digits beginning with an assigned E.164 country calling code (`+33`, `+1212`).",
            triggering: [.yaml(ContactHourExamples.entryPoint(#"["33"]"#)), .yaml(ContactHourExamples.entryPoint(#"["+999"]"#)),
                         .yaml(ContactHourExamples.entryPoint(#"["+3 3"]"#))],
            nonTriggering: [.yaml(ContactHourExamples.entryPoint(#"["+33", "+1212"]"#))])

        static func check(_ set: DecodedSet, into diagnostics: inout Diagnostics) {
            for entryPoint in set.entryPoints {
                for prefix in entryPoint.spec.allowedDestinations ?? [] {
                    guard let problem = Self.problem(prefix.value) else { continue }
                    diagnostics.append(rule.diagnostic("destination prefix \(YAMLScalar.quote(prefix.value)) \(problem)", at: prefix.span))
                }
            }
        }

        /// What is wrong with a prefix, or nil.
        static func problem(_ prefix: String) -> String? {
            let bytes = Array(prefix.utf8)
            guard bytes.first == UInt8(ascii: "+") else { return "does not start with + and a country calling code" }
            let digits = bytes.dropFirst()
            guard !digits.isEmpty, digits.count <= 15, digits.allSatisfy({ $0 >= 48 && $0 <= 57 }) else {
                return "is not + and 1 to 15 digits"
            }
            if let length = CountryCallingCodes.prefixLength(of: digits), length <= digits.count { return nil }
            if digits.count < 3, CountryCallingCodes.assigned.contains(where: { $0.hasPrefix(String(decoding: digits, as: UTF8.self)) }) {
                return nil
            }
            return "starts with no assigned country calling code (ITU-T E.164)"
        }
    }
}

extension ContactHourExamples {
    /// An SMS EntryPoint with `allowedDestinations: list`.
    static func entryPoint(_ list: String, channel: String = "sms", address: String = "\"+33186950000\"") -> String {
        """
        apiVersion: sortie/v1
        kind: EntryPoint
        metadata: { name: support-sms }
        spec:
          channel: \(channel)
          address: \(address)
          allowedDestinations: \(list)

        """
    }
}

extension Rules {
    /// `invalid-address`: an entry point's address is not a valid destination of its channel.
    public enum InvalidAddress {
        public static let rule = LintRule(
            id: "invalid-address", severity: .error, stage: "check",
            summary: "An EntryPoint's address must be a valid destination of its channel, by the same normalization requests get (E.164 with country code for SMS).",
            triggering: [.yaml("apiVersion: sortie/v1\nkind: EntryPoint\nmetadata: { name: sms }\nspec: { channel: sms, address: \"0186950000\" }\n"),
                         .yaml("apiVersion: sortie/v1\nkind: EntryPoint\nmetadata: { name: mail }\nspec: { channel: email, address: \"support@acme\" }\n")],
            nonTriggering: [.yaml("apiVersion: sortie/v1\nkind: EntryPoint\nmetadata: { name: sms }\nspec: { channel: sms, address: \"+33 1 86 95 00 00\" }\n")])

        static func check(_ set: DecodedSet, into diagnostics: inout Diagnostics) {
            for entryPoint in set.entryPoints {
                guard let channel = entryPoint.spec.channel?.value, let address = entryPoint.spec.address else { continue }
                if case .failure(let problem) = entryPoint.spec.normalizedAddress {
                    diagnostics.append(rule.diagnostic(
                        "address \(YAMLScalar.quote(address.value)) is not a valid \(channel.rawValue) destination (\(problem.rawValue))\(hint(problem))",
                        at: address.span))
                }
            }
        }

        private static func hint(_ problem: DestinationProblem) -> String {
            switch problem {
            case .missingCountryCode: "; write it in E.164 form with its country code, e.g. \"+33186950000\""
            case .invalidPhoneNumber: "; a number is \"+\" then 8 to 15 digits"
            case .unknownCountryCode: "; the number does not start with an assigned country calling code"
            case .invalidEmail: ""
            }
        }
    }
}

extension Rules {
    /// `missing-message`: a tenant locale with no message for some reason codes.
    public enum MissingMessage {
        public static let rule = LintRule(
            id: "missing-message", severity: .warning, stage: "check",
            summary: "Built-in messages exist in `en` and `fr`; for any other tenant locale, codes without a ReasonCatalog message fall back to `en`.",
            triggering: [.yaml("apiVersion: sortie/v1\nkind: Tenant\nmetadata: { name: acme }\nspec: { digitalChannels: true, licenses: { premium: { outbound: true } }, agentStates: [available], locales: [de, en] }\n")],
            nonTriggering: [.yaml("apiVersion: sortie/v1\nkind: Tenant\nmetadata: { name: acme }\nspec: { digitalChannels: true, licenses: { premium: { outbound: true } }, agentStates: [available], locales: [fr, en] }\n")])

        static func check(_ set: DecodedSet, into diagnostics: inout Diagnostics) {
            guard let tenant = set.tenant, let locales = tenant.locales else { return }
            var overridden: [String: Set<String>] = [:]
            for catalog in set.reasonCatalogs {
                for entry in catalog.spec.entries {
                    for message in entry.messages { overridden[message.locale.value, default: []].insert(entry.code.value) }
                }
            }
            for locale in locales where !ReasonCode.builtInLocales.contains(locale.value) {
                let missing = ReasonCode.allCases.map(\.name).filter { !(overridden[locale.value]?.contains($0) ?? false) }
                guard !missing.isEmpty else { continue }
                let shown = missing.prefix(3).joined(separator: ", ") + (missing.count > 3 ? ", ..." : "")
                diagnostics.append(rule.diagnostic(
                    "locale \(YAMLScalar.quote(locale.value)) has no message for \(missing.count) of \(ReasonCode.allCases.count) reason codes (\(shown)); they fall back to \"en\"",
                    at: locale.span))
            }
        }
    }
}

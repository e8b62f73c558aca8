extension Rules {
    /// `duplicate-name`: two documents of one kind share a name.
    public enum DuplicateName {
        public static let rule = LintRule(
            id: "duplicate-name", severity: .error, stage: "link",
            summary: "Names are unique per kind across the whole set (documents of different kinds may share a name).",
            triggering: [.yaml("""
                apiVersion: sortie/v1
                kind: EntryPoint
                metadata: { name: support }
                spec: { channel: sms, address: "+33186950000" }
                ---
                apiVersion: sortie/v1
                kind: EntryPoint
                metadata: { name: support }
                spec: { channel: email, address: support@acme.fr }
                """)],
            nonTriggering: [.yaml("""
                apiVersion: sortie/v1
                kind: EntryPoint
                metadata: { name: support-sms }
                spec: { channel: sms, address: "+33186950000" }
                ---
                apiVersion: sortie/v1
                kind: EntryPoint
                metadata: { name: support-email }
                spec: { channel: email, address: support@acme.fr }
                """)])

        static func check(_ set: DecodedSet, into diagnostics: inout Diagnostics) {
            var first: [PolicyKind: [String: SourceSpan]] = [:]
            for document in set.documents {
                guard let name = document.metadata.name else { continue }
                if let earlier = first[document.kind]?[name.value] {
                    diagnostics.append(rule.diagnostic(
                        "duplicate \(document.kind.rawValue) name \(YAMLScalar.quote(name.value)); first defined at \(earlier.fileAndLine)",
                        at: name.span))
                } else {
                    first[document.kind, default: [:]][name.value] = name.span
                }
            }
        }
    }
}

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
            struct Key: Hashable {
                var kind: PolicyKind
                var name: String
            }
            var first: [Key: SourceSpan] = [:]
            first.reserveCapacity(set.documents.count)
            for index in set.documents.indices {
                guard let name = set.documents[index].metadata.name else { continue }
                let kind = set.documents[index].kind
                if let earlier = first.updateValue(name.span, forKey: Key(kind: kind, name: name.value)) {
                    first[Key(kind: kind, name: name.value)] = earlier
                    diagnostics.append(rule.diagnostic(
                        "duplicate \(kind.rawValue) name \(YAMLScalar.quote(name.value)); first defined at \(earlier.fileAndLine)",
                        at: name.span))
                }
            }
        }
    }
}

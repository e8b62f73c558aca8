import Sortie

/// A large, valid policy set: one Tenant and OutboundPolicy, `profiles` profiles each assigned to
/// its own agent, team or site, and `entryPoints` entry points with distinct addresses, spread
/// over `files` files.
enum SyntheticPolicySet {
    static func make(profiles: Int = 10_000, entryPoints: Int = 50_000, files: Int = 100) -> [PolicySource] {
        var documents: [String] = []
        documents.append("""
            apiVersion: sortie/v1
            kind: Tenant
            metadata: { name: acme-fr, description: "Synthetic tenant for the lint benchmark" }
            spec:
              digitalChannels: true
              licenses:
                premium: { outbound: true }
                standard: { outbound: false }
              agentStates: [available, idle, rona, engaged, wrap-up]
              locales: [fr, en]
              defaultProfile: profile-0
            """)
        documents.append("""
            apiVersion: sortie/v1
            kind: OutboundPolicy
            metadata: { name: outbound }
            spec:
              allowedAgentStates: [available, rona]
              wrapUpReasons: [resolved, follow-up, no-response]
            """)
        for i in 0..<profiles {
            let level = ["agents", "teams", "sites"][i % 3]
            documents.append("""
                apiVersion: sortie/v1
                kind: MultimediaProfile
                metadata:
                  name: profile-\(i)
                  description: Profile number \(i)
                spec:
                  channels:
                    sms: { maxOutboundTasks: \(1 + i % 9) }
                    email:
                      maxOutboundTasks: \(1 + i % 5)
                  assignedTo:
                    \(level): [member-\(i)]
                """)
        }
        for i in 0..<entryPoints {
            if i % 2 == 0 {
                documents.append("""
                    apiVersion: sortie/v1
                    kind: EntryPoint
                    metadata: { name: entry-\(i) }
                    spec: { channel: sms, address: "+33 1 \(String(10_000_000 + i).dropFirst())" }
                    """)
            } else {
                documents.append("""
                    apiVersion: sortie/v1
                    kind: EntryPoint
                    metadata: { name: entry-\(i) }
                    spec:
                      channel: email
                      address: "contact-\(i)@acme-assurances.fr"
                    """)
            }
        }
        var buckets = [[String]](repeating: [], count: files)
        for (i, document) in documents.enumerated() { buckets[i % files].append(document) }
        return buckets.enumerated().map { index, docs in
            PolicySource(path: "set/file-\(index).yaml", text: docs.joined(separator: "\n---\n") + "\n")
        }
    }
}

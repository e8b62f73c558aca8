import Foundation
import SortieAccess
import Testing
@testable import SortieCLI

private func run(_ arguments: [String]) -> (code: Int32, out: String, err: String) {
    let captured = CapturedOutput()
    let code = SortieCommand.run(arguments, io: captured.io)
    return (code, captured.stdout, captured.stderr)
}

/// A secret file (with the final newline an editor adds), removed at the end of `body`.
private func withSecretFile(_ contents: String, _ body: (String) async throws -> Void) async throws {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("sortie-token-\(UUID().uuidString)")
    try contents.write(to: url, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(at: url) }
    try await body(url.path)
}

private let secret = "a development secret of well over thirty-two bytes"

@Suite struct TokenCommandTests {
    @Test func printsATokenThatTheVerifierAccepts() async throws {
        try await withSecretFile(secret + "\n") { file in
            let result = run(["token", "--secret-file", file, "--issuer", "https://dev.local", "--audience", "sortie",
                              "--agent", "agent-7", "--license", "premium", "--team", "north", "--site", "lyon",
                              "--roles", "agent,integration", "--ttl", "15m"])
            #expect(result.code == 0, "\(result.err)")
            #expect(result.err.isEmpty)
            #expect(result.out.hasSuffix("\n"))
            let token = String(result.out.dropLast())
            #expect(!result.out.contains(secret))

            // The key is the file's bytes less the final newline.
            let verifier = try TokenVerifier(issuers: [
                IssuerConfiguration(issuer: "https://dev.local", audiences: ["sortie"], keys: .hmacSecret(Array(secret.utf8))),
            ])
            let principal = try await verifier.verify(token).get()
            #expect(principal.kind == .integration)
            #expect(principal.roles == [.agent, .integration])
            #expect(principal.agent == Principal.Agent(id: "agent-7", license: "premium", team: "north", site: "lyon"))
            // 15 minutes: valid in 14, expired (beyond the default leeway) in 17.
            #expect(try await verifier.verify(token, now: Date().addingTimeInterval(14 * 60)).get().subject == "agent-7")
            #expect(await verifier.verify(token, now: Date().addingTimeInterval(17 * 60)) == .failure(.expired))
        }
    }

    @Test func withoutRolesTheTokenIsAnAgents() async throws {
        try await withSecretFile(secret) { file in
            let result = run(["token", "--secret-file", file, "--issuer", "i", "--audience", "a", "--agent", "agent-7"])
            #expect(result.code == 0, "\(result.err)")
            let verifier = try TokenVerifier(issuers: [.init(issuer: "i", audiences: ["a"], keys: .hmacSecret(Array(secret.utf8)))])
            let principal = try await verifier.verify(String(result.out.dropLast())).get()
            #expect(principal.roles == [.agent])
            #expect(principal.agent?.license == nil)
        }
    }

    @Test func usageErrorsExitTwo() async throws {
        try await withSecretFile(secret) { file in
            let base = ["token", "--secret-file", file, "--issuer", "i", "--audience", "a", "--agent", "agent-7"]
            let missing = run(["token", "--secret-file", "/nonexistent/secret", "--issuer", "i", "--audience", "a", "--agent", "x"])
            #expect(missing.code == 2)
            #expect(missing.err.contains("/nonexistent/secret"))
            for ttl in ["0h", "1w", "h", "-5m", "31d", "1.5h", "99999999999999999999s"] {
                let bad = run(base + ["--ttl", ttl])
                #expect(bad.code == 2, "\(ttl)")
                #expect(bad.err.contains("--ttl"), "\(ttl)")
            }
            let role = run(base + ["--roles", "agent,root"])
            #expect(role.code == 2)
            #expect(role.err.contains("unknown role \"root\""))
            #expect(run(base + ["--roles", ""]).code == 2)
        }
        try await withSecretFile("too short\n") { file in
            let short = run(["token", "--secret-file", file, "--issuer", "i", "--audience", "a", "--agent", "x"])
            #expect(short.code == 2)
            #expect(short.err.contains("at least 32 bytes"))
            #expect(!short.err.contains("too short"))
        }
    }

    @Test func ttlUnits() {
        #expect(TokenCommand.seconds("90s") == 90)
        #expect(TokenCommand.seconds("15m") == 900)
        #expect(TokenCommand.seconds("1h") == 3600)
        #expect(TokenCommand.seconds("30d") == 30 * 86_400)
        #expect(TokenCommand.seconds("90") == nil)
    }
}

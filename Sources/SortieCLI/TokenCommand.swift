import ArgumentParser
import Foundation
import SortieAccess

/// `sortie token --secret-file F --issuer I --audience A --agent ID …`: prints an HS256 token.
struct TokenCommand: Verb {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Print an HS256 bearer token, for tests, scripts and development.",
        discussion: """
            The secret file's bytes, less one final newline, are the key (at least 32 bytes), as for an \
            issuer's hmacSecretFile. Exit status: 0 the token is printed, 2 a usage or I/O error.
            """)

    @Option(help: "The file whose bytes, less one final newline, are the HMAC key.")
    var secretFile: String

    @Option(help: "The token's iss: the issuer the server's configuration names.")
    var issuer: String

    @Option(help: "The token's aud: one of the issuer's audiences.")
    var audience: String

    @Option(help: "The agent's id (the sub claim).")
    var agent: String

    @Option(help: "The agent's license (no claim when absent: an unknown license).")
    var license: String?

    @Option(help: "The agent's team.")
    var team: String?

    @Option(help: "The agent's site.")
    var site: String?

    @Option(help: "Comma-separated roles among agent, admin, integration (no claim when absent: agent).")
    var roles: String?

    @Option(help: "How long the token is valid: a number and s, m, h or d, at most 30d.")
    var ttl: String = "1h"

    func validate() throws {
        _ = try parsedRoles()
        guard Self.seconds(ttl) != nil else {
            throw ValidationError("--ttl: \"\(ttl)\" is not a number and s, m, h or d between 1s and 30d (say 1h)")
        }
    }

    func run(io: CommandIO) -> ExitStatus {
        let secret: [UInt8]
        do {
            secret = try SecretFile.read(secretFile)
        } catch {
            io.stderr("sortie token: \(error)\n")
            return .usage
        }
        do {
            let signer = try TokenIssuer(secret: secret, issuer: issuer, audience: audience)
            let (agent, license, team, site) = (agent, license, team, site)
            let roles = try parsedRoles()
            let lifetime = Self.seconds(ttl) ?? 0
            let token = try CallingThreadExecutor<String>.run {
                try await signer.sign(agent: agent, license: license, team: team, site: site, roles: roles,
                                      lifetimeSeconds: lifetime)
            }
            io.stdout(token + "\n")
            return .success
        } catch {
            // The messages name fields and limits, never the secret.
            io.stderr("sortie token: \(error)\n")
            return .usage
        }
    }

    private func parsedRoles() throws -> Set<Principal.Role>? {
        guard let roles else { return nil }
        var parsed: Set<Principal.Role> = []
        for name in roles.split(separator: ",", omittingEmptySubsequences: false) {
            let name = name.trimmingCharacters(in: .whitespaces)
            guard let role = Principal.Role(rawValue: name) else {
                throw ValidationError("--roles: unknown role \"\(name)\" (known: agent, admin, integration)")
            }
            parsed.insert(role)
        }
        return parsed
    }

    /// `90s`, `15m`, `1h`, `7d` in seconds; `nil` for anything else or outside 1s…30d.
    static func seconds(_ text: String) -> Int? {
        let digits = text.dropLast()
        guard let unit = text.last, !digits.isEmpty, digits.allSatisfy({ ("0"..."9").contains($0) }),
              let count = Int(digits), count > 0 else { return nil }
        let scale: Int
        switch unit {
        case "s": scale = 1
        case "m": scale = 60
        case "h": scale = 3600
        case "d": scale = 86_400
        default: return nil
        }
        let (seconds, overflow) = count.multipliedReportingOverflow(by: scale)
        guard !overflow, seconds <= TokenIssuer.maximumLifetimeSeconds else { return nil }
        return seconds
    }
}

/// Runs an async operation to its end for a synchronous verb, on the thread that waits for it.
///
/// jwt-kit signs through an actor, and `Verb.run` is synchronous. Blocking a thread of the
/// cooperative pool until a task on that same pool finishes can deadlock on a one-core
/// machine; this task prefers an executor that the waiting thread drives itself, so it needs
/// no other thread.
final class CallingThreadExecutor<Value: Sendable>: TaskExecutor, @unchecked Sendable {
    // @unchecked: `jobs` and `outcome` are only touched with `condition` locked.
    private let condition = NSCondition()
    private var jobs: [UnownedJob] = []
    private var outcome: Result<Value, any Error>?

    static func run(_ operation: @escaping @Sendable () async throws -> Value) throws -> Value {
        let executor = CallingThreadExecutor()
        Task(executorPreference: executor) {
            let result: Result<Value, any Error>
            do { result = .success(try await operation()) } catch { result = .failure(error) }
            executor.finish(with: result)
        }
        return try executor.drain().get()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    private func finish(with result: Result<Value, any Error>) {
        condition.lock()
        outcome = result
        condition.signal()
        condition.unlock()
    }

    /// Runs the jobs as they come until the operation has finished.
    private func drain() -> Result<Value, any Error> {
        while true {
            condition.lock()
            while jobs.isEmpty && outcome == nil { condition.wait() }
            if jobs.isEmpty, let outcome {
                condition.unlock()
                return outcome
            }
            let job = jobs.removeFirst()
            condition.unlock()
            job.runSynchronously(on: asUnownedTaskExecutor())
        }
    }
}

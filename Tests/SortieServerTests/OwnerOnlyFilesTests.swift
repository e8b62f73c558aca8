import Foundation
import SortieService
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Files the service creates are readable by their owner only (0600), its folders 0700,
/// whatever the process's umask.
@Suite struct OwnerOnlyFilesTests {
    /// The permission bits of `path`, nil when it does not exist.
    static func mode(_ path: String) -> Int? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return Int(info.st_mode & 0o777)
    }

    @Test func theDatabaseItsWALAndTheDecisionLogAre0600InFolders0700() async throws {
        try await LiveServer.with(policies: examplePolicies, configure: { configuration in
            let base = ((configuration.decisionLog ?? "") as NSString).deletingLastPathComponent
            configuration.store = "sqlite:\(base)/.sortie/db/sortie.db"
            configuration.decisionLog = "\(base)/.sortie/decisions.jsonl"
        }) { live in
            let created = try await live.post("/v1/outbound-conversations", smsCreate(agent: agent("a-1"), to: "+33612345678"))
            #expect(created.status == 201)
            let sortie = live.folder.appendingPathComponent(".sortie").path
            #expect(Self.mode(sortie) == 0o700)
            #expect(Self.mode(sortie + "/db") == 0o700)
            for file in ["db/sortie.db", "db/sortie.db-wal", "db/sortie.db-shm", "decisions.jsonl"] {
                #expect(Self.mode("\(sortie)/\(file)") == 0o600, "\(file)")
            }
        }
    }

    @Test func rotatedDecisionLogsStay0600() async throws {
        let folder = try TemporaryFolder.make()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("decisions.jsonl").path
        let log = try DecisionLog(path: path, maxBytes: 600, keep: 2)
        let decision = try DecisionLogTests.decision(1)
        for _ in 0..<6 { #expect(await log.append(request: nil, raw: "{}", decision: decision) == nil) }
        log.close()
        for file in [path, path + ".1", path + ".2"] { #expect(Self.mode(file) == 0o600, "\(file)") }
    }

    @Test func aFileThatAlreadyExistsKeepsItsMode() async throws {
        let folder = try TemporaryFolder.make()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("decisions.jsonl").path
        #expect(FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o640]))
        let log = try DecisionLog(path: path)
        log.close()
        #expect(Self.mode(path) == 0o640)
    }
}

import Foundation
import GRDB
@testable import SortieSQLite
import SortieService
import SortieStore
import Synchronization
import Testing

/// The SQLite store checkpoints its WAL beside the writer (`WALCheckpointer`), never inside a
/// commit: automatic checkpoints are off, a checkpoint copies every committed page into the
/// database file, the WAL starts over once it passes its bound, and a clean shutdown leaves
/// everything in the database file alone.
@Suite("SQLite WAL checkpoints")
struct WALCheckpointTests {
    /// A store in a fresh folder. By default its background loop never ticks during the test,
    /// so each checkpoint is the one the test asks for.
    static func store(restartAbovePages: Int = 16_384, restartWait: Duration = .seconds(5),
                      interval: Duration = .seconds(3_600)) throws -> (SQLiteStore, String) {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sortie-wal-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let store = try SQLiteStore(path: "\(folder)/sortie.db", durability: .normal,
                                    checkpoints: .init(interval: interval, restartAbovePages: restartAbovePages,
                                                       restartWait: restartWait))
        return (store, folder)
    }

    /// `count` inbound SMS from different customers: each is its own write transaction.
    static func write(_ store: SQLiteStore, count: Int, from first: Int = 0) async throws {
        for n in first..<(first + count) {
            _ = try await store.receiveInbound(InboundDraft(
                messageId: "msg-\(n)", newConversationId: "conv-\(n)", newCustomerId: "cust-\(n)", channel: .sms,
                from: "+3361\(String(format: "%07d", n))", entryPoint: "ep", body: "hello \(n)", subject: nil, inReplyTo: nil,
                now: Date()), maxMessages: 10)
        }
    }

    /// Frames in the WAL file, from its size (a 32-byte header, then 24-byte headers + pages).
    /// No file counts as empty: SQLite deletes the WAL when the last connection closes.
    static func walFrames(_ path: String) throws -> Int {
        guard FileManager.default.fileExists(atPath: "\(path)-wal") else { return 0 }
        let size = (try FileManager.default.attributesOfItem(atPath: "\(path)-wal")[.size] as? Int) ?? 0
        return size <= 32 ? 0 : (size - 32) / (4_096 + 24)
    }

    /// Rows of `conversations` in a copy of the database file alone, without its WAL (0 while
    /// even the schema is only in the WAL).
    static func conversationsInFileAlone(_ path: String) throws -> Int {
        let copy = "\(path).copy-\(UUID().uuidString)"
        try FileManager.default.copyItem(atPath: path, toPath: copy)
        defer { try? FileManager.default.removeItem(atPath: copy) }
        return try DatabaseQueue(path: copy).read { db in
            guard try db.tableExists("conversations") else { return 0 }
            return try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM conversations") ?? -1
        }
    }

    @Test("automatic checkpoints are off: the WAL grows past SQLite's 1,000-page default")
    func automaticCheckpointsOff() async throws {
        let (store, folder) = try Self.store()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try await store.withServices { store in
            try await Self.write(store, count: 400)
            #expect(try Self.walFrames(store.path) > 1_000)
        }
    }

    @Test("a checkpoint copies every committed page into the database file")
    func checkpointCopiesEverything() async throws {
        let (store, folder) = try Self.store()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try await store.withServices { store in
            try await Self.write(store, count: 50)
            #expect(try Self.conversationsInFileAlone(store.path) == 0)
            let result = try await store.checkpointer.checkpointNow()
            #expect(result.walFrameCount > 0)
            #expect(result.checkpointedFrameCount == result.walFrameCount)
            #expect(try Self.conversationsInFileAlone(store.path) == 50)
        }
    }

    /// A write transaction on a connection of its own, holding the writer's lock on a thread of
    /// its own until `commit()`.
    final class HeldWrite: Sendable {
        private let release = DispatchSemaphore(value: 0)
        private let queue: DatabaseQueue

        init(path: String) async throws {
            let queue = try DatabaseQueue(path: path)
            self.queue = queue
            let release = release
            await withCheckedContinuation { (holding: CheckedContinuation<Void, Never>) in
                Thread {
                    try? queue.write { db in
                        try db.execute(sql: "INSERT INTO customers (id, channel, address, created_at) VALUES ('cust-held', 'sms', '+33699999999', 0)")
                        holding.resume()
                        release.wait()
                    }
                }.start()
            }
        }

        /// Commits, and waits until the commit is done.
        func commit() async throws {
            release.signal()
            try await queue.read { _ in }
            try queue.close()
        }
    }

    /// Non-stop writes, one step at a time: a checkpoint runs while a write transaction is open,
    /// and that write commits once the checkpoint is done or `holdAtMost` has passed. Returns
    /// the WAL's frames before, whether the checkpoint had finished before the commit, and the
    /// WAL's frames once one more create has followed.
    ///
    /// A checkpoint that must not wait for the writer, or that gives up waiting, is given a long
    /// `holdAtMost`, so a loaded machine only makes the test slower, never wrong (a short one could
    /// pass before the checkpoint even started, and the writer would be free); one that must wait
    /// is given a short one.
    static func checkpointRacingAWrite(restartAbovePages: Int, restartWait: Duration,
                                       holdAtMost: Duration = .milliseconds(300)) async throws
        -> (before: Int, doneBeforeCommit: Bool, after: Int, rows: Int) {
        let (store, folder) = try Self.store(restartAbovePages: restartAbovePages, restartWait: restartWait)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        return try await store.withServices { store in
            try await Self.write(store, count: 60)
            let before = try Self.walFrames(store.path)
            let held = try await HeldWrite(path: store.path)
            let done = Mutex(false)
            let checkpoint = Task {
                defer { done.withLock { $0 = true } }
                return try await store.checkpointer.checkpointNow()
            }
            let clock = ContinuousClock()
            let deadline = clock.now.advanced(by: holdAtMost)
            while !done.withLock({ $0 }), clock.now < deadline {
                try await Task.sleep(for: .milliseconds(10))
            }
            let doneBeforeCommit = done.withLock { $0 }
            try await held.commit()
            _ = try await checkpoint.value
            try await Self.write(store, count: 1, from: 60)
            let after = try await store.checkpointer.checkpointNow()
            let rows = try Self.conversationsInFileAlone(store.path)
            return (before, doneBeforeCommit, after.walFrameCount, rows)
        }
    }

    @Test("past its bound the WAL starts over even under non-stop writes: the checkpoint waits for the writer")
    func walStartsOverPastItsBound() async throws {
        let wal = try await Self.checkpointRacingAWrite(restartAbovePages: 200, restartWait: .seconds(5))
        #expect(wal.before > 200)
        #expect(!wal.doneBeforeCommit)
        // The create after the restart went to the beginning of the log: only its frames are there.
        #expect(wal.after > 0)
        #expect(wal.after < 50)
        #expect(wal.rows == 61)
    }

    @Test("below its bound a checkpoint never waits for the writer, and the WAL grows")
    func walGrowsBelowItsBound() async throws {
        let wal = try await Self.checkpointRacingAWrite(restartAbovePages: 100_000, restartWait: .seconds(30),
                                                       holdAtMost: .seconds(20))
        #expect(wal.doneBeforeCommit)
        #expect(wal.after > wal.before)
        #expect(wal.rows == 61)
    }

    @Test("a restart that cannot get the writer within its wait gives up; the WAL keeps growing and nothing fails")
    func restartGivesUp() async throws {
        let wal = try await Self.checkpointRacingAWrite(restartAbovePages: 200, restartWait: .milliseconds(20),
                                                       holdAtMost: .seconds(20))
        #expect(wal.doneBeforeCommit)
        #expect(wal.after > wal.before)
        #expect(wal.rows == 61)
    }

    @Test("the background loop checkpoints by itself")
    func backgroundLoop() async throws {
        let (store, folder) = try Self.store(interval: .milliseconds(20))
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try await store.withServices { store in
            try await Self.write(store, count: 40)
            var copied = try Self.conversationsInFileAlone(store.path)
            for _ in 0..<250 where copied < 40 {
                try await Task.sleep(for: .milliseconds(20))
                copied = try Self.conversationsInFileAlone(store.path)
            }
            #expect(copied == 40)
        }
    }

    @Test("a clean shutdown leaves every row in the database file and an empty WAL")
    func shutdownEmptiesTheWAL() async throws {
        let (store, folder) = try Self.store()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try await store.withServices { store in
            try await Self.write(store, count: 60)
        }
        #expect(try Self.walFrames(store.path) == 0)
        #expect(try Self.conversationsInFileAlone(store.path) == 60)
    }
}

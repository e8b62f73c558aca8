import GRDB
import ServiceLifecycle

/// Copies the WAL back into the database file off the writer's path.
///
/// SQLite's automatic checkpoint runs inside the commit that crosses 1,000 WAL pages: that
/// commit copies the pages into the database file and syncs it while every create queued
/// behind the single writer waits, which made most of the create latency's tail
/// (docs/benchmarks.md). So the store turns automatic checkpoints off
/// (`PRAGMA wal_autocheckpoint = 0` on its connections) and this checkpointer, on a
/// connection of its own, runs a `PASSIVE` checkpoint every `Settings.interval`: it copies what readers
/// no longer need without taking the writer's lock. The WAL only starts over when a write
/// begins right after a complete checkpoint, which non-stop writes never allow; so once it
/// passes `Settings.restartAbovePages`, one `RESTART` checkpoint waits for the writer, copies the few
/// frames the passive one left, and starts the WAL over. The file stays bounded at about
/// `Settings.restartAbovePages` pages.
///
/// It is a `Service`: it checkpoints while it runs, and at graceful shutdown empties the WAL
/// into the database file once more.
final class WALCheckpointer: Service {
    /// When and how far to checkpoint.
    struct Settings: Sendable {
        /// Time between two checkpoints.
        var interval: Duration = .milliseconds(100)
        /// WAL size (in pages, 4 KiB by default) past which a checkpoint waits for the writer.
        /// Each restart stalls the writer for about one database-file sync whatever the bound,
        /// so the bound sets how often the stall happens (docs/benchmarks.md compares bounds);
        /// a crash replays at most this much WAL on open.
        var restartAbovePages = 32_768
        /// How long a `RESTART` checkpoint may wait for the writer and readers. Writers wait
        /// behind it meanwhile, so this bounds the stall; a restart that does not get in time
        /// gives up and is tried again at the next tick.
        var restartWait: Duration = .milliseconds(250)
    }

    let settings: Settings
    private let connection: DatabaseQueue

    init(path: String, settings: Settings = Settings()) throws {
        self.settings = settings
        var configuration = Configuration()
        configuration.busyMode = .timeout(Double(settings.restartWait.components.seconds)
                                          + Double(settings.restartWait.components.attoseconds) / 1e18)
        configuration.label = "sortie.checkpointer"
        connection = try DatabaseQueue(path: path, configuration: configuration)
    }

    /// Checkpoints every `Settings.interval` until graceful shutdown or cancellation, then
    /// empties the WAL into the database file and closes its connection.
    func run() async {
        let connection = connection
        let settings = settings
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try? await Task.sleep(for: settings.interval)
                guard !Task.isCancelled else { return }
                // A failed checkpoint is retried at the next tick; the WAL keeps every commit meanwhile.
                _ = try? await connection.writeWithoutTransaction { db in
                    try Self.checkpoint(db, restartAbovePages: settings.restartAbovePages)
                }
            }
        }
        // Synchronous, so that a cancelled group still gets it: a clean shutdown leaves the
        // database file whole and the WAL empty. It waits at most `restartWait` for a reader.
        _ = try? connection.inDatabase { db in try db.checkpoint(.truncate) }
        try? connection.close()
    }

    /// One checkpoint: `PASSIVE`, then `RESTART` if the WAL is still past `Settings.restartAbovePages`.
    /// Returns the WAL's size in pages (frames) and how many of them are in the database file.
    @discardableResult
    static func checkpoint(_ db: Database, restartAbovePages: Int) throws -> (walFrameCount: Int, checkpointedFrameCount: Int) {
        let passive = try db.checkpoint(.passive)
        guard passive.walFrameCount > restartAbovePages else { return passive }
        do {
            return try db.checkpoint(.restart)
        } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY {
            return passive  // the writer or a reader did not let go within `restartWait`
        }
    }

    /// Runs one checkpoint now (for tests).
    func checkpointNow() async throws -> (walFrameCount: Int, checkpointedFrameCount: Int) {
        let restartAbovePages = settings.restartAbovePages
        return try await connection.writeWithoutTransaction { db in try Self.checkpoint(db, restartAbovePages: restartAbovePages) }
    }
}

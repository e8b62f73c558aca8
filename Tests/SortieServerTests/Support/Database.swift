import Foundation
import GRDB

/// A second, independent connection to the service's SQLite file: to check what was written
/// (or not), and to plant real database faults (triggers that make a step fail).
struct Database {
    let queue: DatabaseQueue

    init(_ path: String) throws {
        var configuration = Configuration()
        configuration.busyMode = .timeout(10)
        queue = try DatabaseQueue(path: path, configuration: configuration)
    }

    func count(_ table: String, where condition: String = "1") throws -> Int {
        try queue.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table) WHERE \(condition)") ?? -1 }
    }

    func execute(_ sql: String) throws {
        try queue.write { db in try db.execute(sql: sql) }
    }

    func strings(_ sql: String) throws -> [String] {
        try queue.read { db in try String.fetchAll(db, sql: sql) }
    }

    /// The most open outbound tasks any agent holds on one channel (on `channel` only, if given).
    func mostOpenTasksPerAgentAndChannel(_ channel: String? = nil) throws -> Int {
        try queue.read { db in
            try Int.fetchOne(db, sql: """
                SELECT COALESCE(MAX(n), 0) FROM (SELECT COUNT(*) AS n FROM tasks WHERE state <> 'completed'
                AND (? IS NULL OR channel = ?) GROUP BY agent_id, channel)
                """, arguments: [channel, channel]) ?? -1
        }
    }

    /// The most active conversations any destination has.
    func mostActiveConversationsPerDestination() throws -> Int {
        try queue.read { db in
            try Int.fetchOne(db, sql: """
                SELECT COALESCE(MAX(n), 0) FROM (SELECT COUNT(*) AS n FROM conversations WHERE state = 'active' GROUP BY channel, destination)
                """) ?? -1
        }
    }
}

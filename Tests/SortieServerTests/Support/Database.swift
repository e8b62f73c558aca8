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

    func int(_ sql: String) throws -> Int {
        try queue.read { db in try Int.fetchOne(db, sql: sql) ?? -1 }
    }

    func execute(_ sql: String) throws {
        try queue.write { db in try db.execute(sql: sql) }
    }

    func strings(_ sql: String) throws -> [String] {
        try queue.read { db in try String.fetchAll(db, sql: sql) }
    }
}

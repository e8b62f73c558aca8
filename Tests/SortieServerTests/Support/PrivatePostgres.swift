import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A PostgreSQL cluster of one test's own: Debian's binaries, a temporary folder, a free
/// loopback port. The fault tests stop and restart it, which they could not do to the cluster
/// scripts/test shares with every other test running at the same time.
final class PrivatePostgres: Sendable {
    let folder: String
    let port: Int
    private let bin: String
    /// Server settings beyond the defaults (`ssl=on`, …), as `-c` options.
    private let settings: [String]

    /// The newest installed PostgreSQL's binaries (scripts/install-deps installs them).
    static let binaries: String? = {
        let root = "/usr/lib/postgresql"
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        return versions.sorted { $0.compare($1, options: .numeric) == .orderedAscending }
            .map { "\(root)/\($0)/bin" }
            .last { FileManager.default.isExecutableFile(atPath: "\($0)/initdb") }
    }()

    static var isAvailable: Bool { binaries != nil }

    /// The database every cluster has, reachable without a password from loopback.
    var url: String { "postgres://sortie@127.0.0.1:\(port)/postgres" }

    private init(folder: String, port: Int, bin: String, settings: [String]) {
        self.folder = folder
        self.port = port
        self.bin = bin
        self.settings = settings
    }

    /// Creates and starts a cluster with `settings` (`name=value`) and, if given, `hba` as its
    /// pg_hba.conf; `destroy()` removes it.
    static func start(settings: [String] = [], hba: String? = nil) async throws -> PrivatePostgres {
        guard let bin = binaries else { throw Failure("PostgreSQL is not installed (scripts/install-deps installs it)") }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sortie-pg-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let cluster = PrivatePostgres(folder: folder, port: try freePort(), bin: bin, settings: settings)
        if getuid() == 0 { try await shell("chown postgres \(folder)") }
        try await cluster.asOwner("\(bin)/initdb -D \(folder)/data -U sortie --auth=trust -E UTF8 > \(folder)/initdb.log 2>&1")
        // Written in place, so the file keeps its owner.
        if let hba { try hba.write(toFile: "\(folder)/data/pg_hba.conf", atomically: false, encoding: .utf8) }
        try await cluster.startServer()
        return cluster
    }

    /// Starts the server of a stopped cluster and waits until it accepts connections.
    func startServer() async throws {
        try await asOwner("\(bin)/pg_ctl -D \(folder)/data -o '\(options)' -l \(folder)/server.log -w start > /dev/null")
    }

    /// Stops the server the way an administrator does (`-m fast`: sessions are ended).
    func stopServer() async throws {
        try await asOwner("\(bin)/pg_ctl -D \(folder)/data -m fast -w stop > /dev/null")
    }

    /// A restart as `pg_ctl restart -m fast`: every connection is closed by the server.
    func restartServer() async throws {
        try await asOwner("\(bin)/pg_ctl -D \(folder)/data -o '\(options)' -l \(folder)/server.log -m fast -w restart > /dev/null")
    }

    /// Stops the server at once and deletes the cluster.
    func destroy() async {
        try? await asOwner("\(bin)/pg_ctl -D \(folder)/data -m immediate -w stop > /dev/null 2>&1")
        try? FileManager.default.removeItem(atPath: folder)
    }

    private var options: String {
        "-p \(port) -k \(folder) -c listen_addresses=127.0.0.1 -c max_connections=200" + settings.map { " -c \($0)" }.joined()
    }

    /// PostgreSQL refuses to run as root: as root, the cluster belongs to the `postgres` user.
    private func asOwner(_ command: String) async throws {
        try await Self.shell(getuid() == 0 ? "runuser -u postgres -- sh -c \"\(command)\"" : command)
    }

    /// Runs `sh -c command` and waits for it on a thread of its own (posix_spawn and waitpid:
    /// nothing that depends on the cooperative pool or a run loop).
    static func shell(_ command: String) async throws {
        let status: Int32 = await withCheckedContinuation { continuation in
            Thread.detachNewThread {
                var pid: pid_t = 0
                let arguments = ["/bin/sh", "-c", command]
                var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
                defer { for pointer in argv { free(pointer) } }
                guard posix_spawn(&pid, "/bin/sh", nil, nil, &argv, environ) == 0 else {
                    continuation.resume(returning: -1)
                    return
                }
                var status: Int32 = 0
                while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
                continuation.resume(returning: (status >> 8) & 0xff)
            }
        }
        guard status == 0 else { throw Failure("`\(command)` exited with \(status)") }
    }

    /// A loopback port nothing listens on, for a server that starts later: chosen below the
    /// system's ephemeral range, so that no outgoing connection (the suite makes thousands)
    /// takes it as its local port in the meantime, and tried with a bind.
    static func freePort() throws -> Int {
        let range = (try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8))?
            .split(whereSeparator: \.isWhitespace).compactMap { Int($0) } ?? []
        let ephemeralStart = range.first ?? 32_768
        let candidates = ephemeralStart > 12_000 ? 10_000..<ephemeralStart : 1_024..<ephemeralStart
        for _ in 0..<200 {
            let port = Int.random(in: candidates)
            if canBind(port) { return port }
        }
        throw Failure("no free loopback port below \(ephemeralStart)")
    }

    private static func canBind(_ port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}

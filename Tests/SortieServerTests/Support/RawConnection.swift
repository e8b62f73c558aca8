import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A plain TCP connection to a loopback port, for tests that must send half a request or hold
/// a connection open without an HTTP client's help. Reads wait on a thread of their own, never
/// on the cooperative pool the server under test runs on.
final class RawConnection: @unchecked Sendable {
    // Used by one test task at a time.
    private var fd: Int32

    enum Read: Equatable {
        case data(String)
        /// The server closed the connection (or reset it).
        case closed
        case timedOut
    }

    init(port: Int) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw PrivatePostgres.Failure("socket: \(errno)") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard connected else {
            Glibc.close(fd)
            throw PrivatePostgres.Failure("connect to 127.0.0.1:\(port): \(errno)")
        }
    }

    deinit { close() }

    func send(_ text: String) throws {
        let bytes = Array(text.utf8)
        let sent = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard sent == bytes.count else { throw PrivatePostgres.Failure("send: \(errno)") }
    }

    /// What arrives within `timeout`: some bytes, the end of the connection, or nothing.
    func read(timeout: Duration) async -> Read {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread { continuation.resume(returning: self.blockingRead(timeout: timeout)) }
        }
    }

    private func blockingRead(timeout: Duration) -> Read {
        var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let milliseconds = Int32(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        guard poll(&poller, 1, milliseconds) > 0 else { return .timedOut }
        var buffer = [UInt8](repeating: 0, count: 65_536)
        let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        return count > 0 ? .data(String(decoding: buffer.prefix(count), as: UTF8.self)) : .closed
    }

    /// Reads until the server closes the connection, ignoring what it sends before; false when
    /// it is still open after `timeout`.
    func closesWithin(_ timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            switch await read(timeout: deadline - ContinuousClock.now) {
            case .closed: return true
            case .timedOut: return false
            case .data: continue
            }
        }
        return false
    }

    func close() {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
    }
}

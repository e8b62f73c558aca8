import Foundation
import Sortie
import SortieStore
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The decision log: one JSON line per decision the service makes (`decision`, `request`,
/// `revision`, `time`), appended to a file that rotates by size: when a write would take it
/// past `maxBytes`, `decisions.jsonl` becomes `decisions.jsonl.1` (`.1` becomes `.2`, and so on,
/// up to `keep` old files) and a new file starts. Lines are never split across files.
///
/// By default (`flushInterval` nil) lines appended at the same time are written together: the
/// first appender writes every line waiting, the others wait for that write, so there is one
/// `write(2)` per batch rather than per line. `append` returns only once its line is in the file,
/// so a line whose request was answered is never lost to a crash of the process (it is not synced
/// to disk: a crash of the machine may lose what the kernel had not written yet).
///
/// With a `flushInterval`, `append` returns at once and the lines wait in memory until `flush`
/// (called every interval by the server's `DecisionLogFlusher`, and by `close`) or until
/// `bufferBytes` of them wait. Answers no longer wait for the file; the price is a window: a
/// crash of the process loses the lines of the last interval. A clean stop loses none.
public final class DecisionLog: Sendable {
    public let path: String
    public let maxBytes: Int
    public let keep: Int
    /// Hashes destinations, subjects and bodies in every line; nil writes them as they are.
    public let redaction: DecisionLogRedaction?
    /// How long a line may wait in memory before it is written; nil: it is written before `append` returns.
    public let flushInterval: Duration?
    /// With a `flushInterval`, this many bytes waiting are written at once by the appender.
    public static let bufferBytes = 256 << 10

    /// The open file: touched only by the appender that is writing.
    private struct File {
        var handle: FileHandle
        var size: Int
    }

    /// Lines waiting for the writer, and who waits for them.
    private struct Queue {
        /// Lines waiting to be written, and how many have ever been appended.
        var pending: [UInt8] = []
        var appended = 0
        /// Some appender is writing.
        var writing = false
        /// Appenders waiting for their line: its number, and how to answer them.
        var waiters: [(line: Int, continuation: CheckedContinuation<Turn, Never>)] = []
    }

    /// What a waiting appender is told: its line was written (or failed), or it writes next.
    private enum Turn: Sendable {
        case written((any Error)?)
        case write
    }

    private let file: Mutex<File>
    private let queue = Mutex(Queue())

    /// Opens (creating if needed) the log at `path` for appending.
    public init(path: String, maxBytes: Int = 64 << 20, keep: Int = 5, redaction: DecisionLogRedaction? = nil,
                flushInterval: Duration? = nil) throws {
        self.path = path
        self.redaction = redaction
        self.flushInterval = flushInterval
        self.maxBytes = max(maxBytes, 1)
        self.keep = max(keep, 1)
        let handle = try Self.open(path)
        let size = Int(try handle.seekToEnd())
        file = Mutex(File(handle: handle, size: size))
    }

    /// Opens the log for appending; a new file is readable by its owner only (rotation renames
    /// files, so rotated ones keep that mode).
    private static func open(_ path: String) throws -> FileHandle {
        let handle = try OwnerOnlyFiles.openForAppending(atPath: path)
        _ = try handle.seekToEnd()
        return handle
    }

    /// One line: `{"decision":…,"principal":…,"request":…,"revision":…,"time":…}`: who asked
    /// (`principal`, `{"kind", "subject", "issuer"}`), and `request`, the request
    /// as the evaluator saw it (with the facts the service supplied), or, for a body that could
    /// not be decoded, the body as a string. `decision` is the decision's JSON. With `redaction`,
    /// destinations, subjects and bodies are written as their keyed hash (see `DecisionLogRedaction`).
    public static func line(caller: Caller, request: Request?, raw: String?, decision: [UInt8], revision: String, at time: Date,
                            redaction: DecisionLogRedaction? = nil) -> [UInt8] {
        let decision = redaction.map { $0.redacting(decision: decision, quoted: [request?.to, request?.subject].compactMap { $0 }) } ?? decision
        return line(caller: caller, decision: decision, revision: revision, at: time) { w in
            switch (request, redaction) {
            case (let request?, nil): request.write(&w)
            case (let request?, let redaction?): redaction.redacting(request).write(&w)
            case (nil, nil): w.string(raw ?? "")
            case (nil, let redaction?): w.string(raw.map(redaction.redacting(raw:)) ?? "")
            }
        }
    }

    /// One line without redaction, whose `request` is already written as JSON (by
    /// `LineEvaluator.decide(body:decision:request:)`).
    public static func line(caller: Caller, request: [UInt8], decision: [UInt8], revision: String, at time: Date) -> [UInt8] {
        line(caller: caller, decision: decision, revision: revision, at: time) { $0.raw(request) }
    }

    private static func line(caller: Caller, decision: [UInt8], revision: String, at time: Date,
                             request: (inout JSONWriter) -> Void) -> [UInt8] {
        var w = JSONWriter(capacity: decision.count + 512)
        w.raw("{\"decision\":")
        w.raw(decision)
        w.raw(",\"principal\":")
        caller.writePrincipal(&w)
        w.raw(",\"request\":")
        request(&w)
        w.raw(",\"revision\":")
        w.string(revision)
        w.raw(",\"time\":\"")
        writeTime(time, &w)
        w.raw("\"}\n")
        return w.bytes
    }

    /// `2026-12-01T19:30:00Z`, as `JSONEncoder`'s `.iso8601` writes a date.
    static func writeTime(_ time: Date, _ w: inout JSONWriter) {
        var seconds = time_t(time.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ n: Int32) {
            w.bytes.append(UInt8(48 + n / 10))
            w.bytes.append(UInt8(48 + n % 10))
        }
        w.integer(Int(parts.tm_year) + 1900)
        w.raw("-")
        two(parts.tm_mon + 1)
        w.raw("-")
        two(parts.tm_mday)
        w.raw("T")
        two(parts.tm_hour)
        w.raw(":")
        two(parts.tm_min)
        w.raw(":")
        two(parts.tm_sec)
        w.raw("Z")
    }

    /// Appends one decision and returns once it is written. A log that cannot be written does
    /// not stop the service: the error is returned for the caller to report.
    @discardableResult
    public func append(caller: Caller = .open, request: Request?, raw: String? = nil, decision: Decision,
                       at time: Date = Date()) async -> (any Error)? {
        await append(line: Self.line(caller: caller, request: request, raw: raw, decision: decision.jsonBytes, revision: decision.revision,
                                     at: time, redaction: redaction))
    }

    /// Appends one line (with its `\n`) and returns once it is written, or, with a
    /// `flushInterval`, once it waits in memory (the error is then that of a write this
    /// appender made because the buffer was full).
    public func append(line: [UInt8]) async -> (any Error)? {
        if flushInterval != nil {
            let full = queue.withLock { state in
                state.pending += line
                state.appended += 1
                return state.pending.count >= Self.bufferBytes
            }
            return full ? flush() : nil
        }
        let turn = await withCheckedContinuation { (continuation: CheckedContinuation<Turn, Never>) in
            let leads = queue.withLock { state -> Bool in
                state.pending += line
                state.appended += 1
                if state.writing {
                    state.waiters.append((state.appended, continuation))
                    return false
                }
                state.writing = true
                return true
            }
            if leads { continuation.resume(returning: .write) }
        }
        switch turn {
        case .written(let error): return error
        case .write: return writeBatch()
        }
    }

    /// Writes every pending line, answers the appenders whose lines they were, and hands the
    /// next batch to the first appender still waiting.
    private func writeBatch() -> (any Error)? {
        let (batch, upTo) = queue.withLock { queue in
            defer { queue.pending = [] }
            return (queue.pending, queue.appended)
        }
        var error: (any Error)?
        do {
            try file.withLock { try write(batch, &$0) }
        } catch let failure {
            error = failure
        }
        queue.withLock { queue in
            var still: [(line: Int, continuation: CheckedContinuation<Turn, Never>)] = []
            for waiter in queue.waiters {
                if waiter.line <= upTo { waiter.continuation.resume(returning: .written(error)) } else { still.append(waiter) }
            }
            if still.isEmpty {
                queue.writing = false
            } else {
                still.removeFirst().continuation.resume(returning: .write)
            }
            queue.waiters = still
        }
        return error
    }

    /// Writes whole lines, rotating first when the next line would take the file past `maxBytes`.
    private func write(_ batch: [UInt8], _ state: inout File) throws {
        var start = 0
        while start < batch.count {
            // Take as many whole lines as fit.
            var end = start
            var next = start
            while next < batch.count {
                let lineEnd = (batch[next...].firstIndex(of: 0x0A) ?? batch.count - 1) + 1
                if state.size + (lineEnd - start) > maxBytes, state.size > 0 || end > start { break }
                end = lineEnd
                next = lineEnd
            }
            if end == start {
                try rotate(&state)
                continue
            }
            try state.handle.write(contentsOf: batch[start..<end])
            state.size += end - start
            start = end
        }
    }

    private func rotate(_ state: inout File) throws {
        try state.handle.close()
        let files = FileManager.default
        try? files.removeItem(atPath: "\(path).\(keep)")
        for n in stride(from: keep - 1, through: 1, by: -1) where files.fileExists(atPath: "\(path).\(n)") {
            try files.moveItem(atPath: "\(path).\(n)", toPath: "\(path).\(n + 1)")
        }
        try files.moveItem(atPath: path, toPath: "\(path).1")
        state.handle = try Self.open(path)
        state.size = 0
    }

    /// Writes the lines waiting in memory (with a `flushInterval`); nil when there were none
    /// or they were written. Lines leave in the order they were appended.
    @discardableResult
    public func flush() -> (any Error)? {
        do {
            try file.withLock { state in
                // Taken under the file's lock, so that two flushes write their batches in order.
                let batch = queue.withLock { queue in
                    defer { queue.pending = [] }
                    return queue.pending
                }
                if !batch.isEmpty { try write(batch, &state) }
            }
            return nil
        } catch {
            return error
        }
    }

    /// Writes what waits in memory, then flushes and closes the file.
    public func close() {
        flush()
        file.withLock { state in
            try? state.handle.synchronize()
            try? state.handle.close()
        }
    }
}

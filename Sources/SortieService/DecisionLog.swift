import Foundation
import Sortie
import Synchronization

/// The decision log: one JSON line per decision the service makes (`time`, `request`,
/// `decision`, `revision`), appended to a file that rotates by size: when a write would take it
/// past `maxBytes`, `decisions.jsonl` becomes `decisions.jsonl.1` (`.1` becomes `.2`, and so on,
/// up to `keep` old files) and a new file starts. Lines are never split across files.
public final class DecisionLog: Sendable {
    public let path: String
    public let maxBytes: Int
    public let keep: Int

    private struct State {
        var handle: FileHandle
        var size: Int
    }
    private let state: Mutex<State>

    /// One line of the log.
    struct Line: Encodable {
        var time: Date
        /// The request as the evaluator saw it (with the facts the service supplied), or, for a
        /// body that could not be decoded, the body as text.
        var request: LoggedRequest
        var decision: Decision
        var revision: String
    }

    enum LoggedRequest: Encodable {
        case decoded(Request)
        case raw(String)

        func encode(to encoder: any Encoder) throws {
            switch self {
            case .decoded(let request): try request.encode(to: encoder)
            case .raw(let text):
                var c = encoder.singleValueContainer()
                try c.encode(text)
            }
        }
    }

    /// Opens (creating if needed) the log at `path` for appending.
    public init(path: String, maxBytes: Int = 64 << 20, keep: Int = 5) throws {
        self.path = path
        self.maxBytes = max(maxBytes, 1)
        self.keep = max(keep, 1)
        let handle = try Self.open(path)
        let size = Int(try handle.seekToEnd())
        state = Mutex(State(handle: handle, size: size))
    }

    private static func open(_ path: String) throws -> FileHandle {
        if !FileManager.default.fileExists(atPath: path) {
            guard FileManager.default.createFile(atPath: path, contents: nil) else {
                throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
            }
        }
        guard let handle = FileHandle(forWritingAtPath: path) else {
            throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path])
        }
        _ = try handle.seekToEnd()
        return handle
    }

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }()

    /// Appends one decision. A log that cannot be written does not stop the service: the
    /// error is returned for the caller to report.
    @discardableResult
    public func append(request: Request?, raw: String? = nil, decision: Decision, at time: Date = Date()) -> (any Error)? {
        let logged: LoggedRequest = request.map { .decoded($0) } ?? .raw(raw ?? "")
        var line: Data
        do {
            line = try Self.encoder.encode(Line(time: time, request: logged, decision: decision, revision: decision.revision))
        } catch {
            return error
        }
        line.append(0x0A)
        return state.withLock { state -> (any Error)? in
            do {
                if state.size > 0, state.size + line.count > maxBytes {
                    try rotate(&state)
                }
                try state.handle.write(contentsOf: line)
                state.size += line.count
                return nil
            } catch {
                return error
            }
        }
    }

    private func rotate(_ state: inout State) throws {
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

    /// Flushes and closes the file.
    public func close() {
        state.withLock { state in
            try? state.handle.synchronize()
            try? state.handle.close()
        }
    }
}

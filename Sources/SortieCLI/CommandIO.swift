import Synchronization

/// Where a command writes. `main` uses the process's streams; tests capture the text.
public struct CommandIO: Sendable {
    public var stdout: @Sendable (String) -> Void
    public var stderr: @Sendable (String) -> Void
    /// UTF-8 for standard output, written as it is (`sortie eval` builds its output as bytes).
    public var stdoutBytes: @Sendable (UnsafeBufferPointer<UInt8>) -> Void

    /// `stdoutBytes` defaults to decoding the bytes and passing them to `stdout`.
    public init(stdout: @escaping @Sendable (String) -> Void, stderr: @escaping @Sendable (String) -> Void,
                stdoutBytes: (@Sendable (UnsafeBufferPointer<UInt8>) -> Void)? = nil) {
        self.stdout = stdout
        self.stderr = stderr
        self.stdoutBytes = stdoutBytes ?? { bytes in stdout(String(decoding: bytes, as: UTF8.self)) }
    }

    /// The process's standard output and error.
    public static let standard = CommandIO(
        stdout: { text in FileStream.write(text, to: 1) },
        stderr: { text in FileStream.write(text, to: 2) },
        stdoutBytes: { bytes in FileStream.write(bytes, to: 1) })
}

/// Text captured from a command run in-process (for tests and embedding).
public final class CapturedOutput: Sendable {
    private let state = Mutex<(out: String, err: String)>(("", ""))

    public init() {}

    public var io: CommandIO {
        CommandIO(stdout: { text in self.state.withLock { $0.out += text } },
                  stderr: { text in self.state.withLock { $0.err += text } })
    }

    public var stdout: String { state.withLock { $0.out } }
    public var stderr: String { state.withLock { $0.err } }
}

/// The exit codes of every verb (docs/reference.md, "The command line").
public enum ExitStatus: Int32, Sendable, Error {
    /// Success.
    case success = 0
    /// The policy or a test failed.
    case failure = 1
    /// Usage or I/O error: a missing path, an unreadable file, an unknown flag.
    case usage = 2
}

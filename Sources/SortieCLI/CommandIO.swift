import Synchronization

/// Where a command writes. `main` uses the process's streams; tests capture the text.
public struct CommandIO: Sendable {
    public var stdout: @Sendable (String) -> Void
    public var stderr: @Sendable (String) -> Void

    public init(stdout: @escaping @Sendable (String) -> Void, stderr: @escaping @Sendable (String) -> Void) {
        self.stdout = stdout
        self.stderr = stderr
    }

    /// The process's standard output and error.
    public static let standard = CommandIO(
        stdout: { text in FileStream.write(text, to: 1) },
        stderr: { text in FileStream.write(text, to: 2) })
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

/// The exit codes of every verb (SPEC §3).
public enum ExitStatus: Int32, Sendable, Error {
    /// Success.
    case success = 0
    /// The policy or a test failed.
    case failure = 1
    /// Usage or I/O error: a missing path, an unreadable file, an unknown flag.
    case usage = 2
}

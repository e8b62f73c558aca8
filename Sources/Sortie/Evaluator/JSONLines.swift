#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How a JSON Lines batch is read, the same for `sortie eval` and every embedding: a line ends
/// at `\n` (a `\r` before it is dropped), a last line may have no `\n`, and a blank line is
/// skipped rather than decided.
public enum JSONLines {
    /// Whether `line` holds only spaces, tabs and carriage returns.
    public static func isBlank(_ line: UnsafeBufferPointer<UInt8>) -> Bool {
        !line.contains { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }
    }

    /// Where the line that ends at the `\n` at `newline` stops: before the `\r` in front of it.
    @inline(__always)
    public static func end(ofLineFrom start: Int, toNewline newline: Int, in bytes: UnsafeBufferPointer<UInt8>) -> Int {
        newline > start && bytes[newline - 1] == 0x0D ? newline - 1 : newline
    }

    /// Calls `body` with each line of `batch` that is not blank, in order, in place.
    public static func forEachLine(in batch: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        guard let base = batch.baseAddress else { return }
        var start = 0
        while start < batch.count {
            let newline = memchr(base + start, 0x0A, batch.count - start)
                .map { base.distance(to: $0.assumingMemoryBound(to: UInt8.self)) }
            // The last line has no line break and keeps a final `\r`.
            let stop = newline.map { Self.end(ofLineFrom: start, toNewline: $0, in: batch) } ?? batch.count
            let line = UnsafeBufferPointer(rebasing: batch[start..<stop])
            if !isBlank(line) { body(line) }
            start = (newline ?? batch.count) + 1
        }
    }
}

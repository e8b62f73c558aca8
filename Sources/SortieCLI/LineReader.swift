import Sortie

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a file descriptor line by line through one buffer, so a stream of any length is read
/// in constant memory (the buffer grows only to hold the longest line). Lines are handed out in
/// place, without copying.
struct LineReader {
    private let fd: Int32
    private var buffer = [UInt8](repeating: 0, count: 1 << 18)
    private var start = 0
    private var end = 0
    private var finished = false

    init(fd: Int32) { self.fd = fd }

    /// Calls `body` with the next line, without its `\n` (and the `\r` before it); false at the
    /// end of the input. The bytes are valid only inside `body`.
    mutating func next(_ body: (UnsafeBufferPointer<UInt8>) -> Void) -> Bool {
        while true {
            let line: Range<Int>? = buffer.withUnsafeBufferPointer { b in
                guard start < end, let found = memchr(b.baseAddress! + start, 0x0A, end - start) else { return nil }
                let newline = b.baseAddress!.distance(to: found.assumingMemoryBound(to: UInt8.self))
                let lineEnd = JSONLines.end(ofLineFrom: start, toNewline: newline, in: b)
                defer { start = newline + 1 }
                return start..<lineEnd
            }
            if let line {
                buffer.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[line])) }
                return true
            }
            if finished {
                // The last line has no line break (and keeps a final `\r`).
                guard start < end else { return false }
                let rest = start..<end
                start = end
                buffer.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[rest])) }
                return true
            }
            // Keep the partial line at the front, grow the buffer if it fills it, read more.
            if start > 0 {
                buffer.withUnsafeMutableBufferPointer { b in
                    _ = memmove(b.baseAddress!, b.baseAddress! + start, end - start)
                }
                end -= start
                start = 0
            }
            if end == buffer.count { buffer += [UInt8](repeating: 0, count: buffer.count) }
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress! + end, $0.count - end) }
            if n <= 0 { finished = true } else { end += n }
        }
    }
}

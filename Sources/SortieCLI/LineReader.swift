#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a file descriptor line by line with a fixed buffer, so a stream of any length is read
/// in constant memory (one line at a time is held, however long the input).
struct LineReader {
    private let fd: Int32
    private var buffer = [UInt8](repeating: 0, count: 1 << 16)
    private var start = 0
    private var end = 0
    private var finished = false

    init(fd: Int32) { self.fd = fd }

    /// The next line without its `\n` (and `\r`), or nil at the end of the input.
    mutating func next() -> [UInt8]? {
        var line: [UInt8] = []
        while true {
            if start == end {
                if finished { return line.isEmpty ? nil : line }
                let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if n <= 0 {
                    finished = true
                    continue
                }
                start = 0
                end = n
            }
            if let newline = buffer[start..<end].firstIndex(of: 0x0A) {
                line.append(contentsOf: buffer[start..<newline])
                start = newline + 1
                if line.last == 0x0D { line.removeLast() }
                return line
            }
            line.append(contentsOf: buffer[start..<end])
            start = end
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Unbuffered writes to a file descriptor, retrying short writes.
enum FileStream {
    static func write(_ text: String, to fd: Int32) {
        Array(text.utf8).withUnsafeBufferPointer { write($0, to: fd) }
    }

    static func write(_ bytes: UnsafeBufferPointer<UInt8>, to fd: Int32) {
        var offset = 0
        while offset < bytes.count {
            #if canImport(Glibc)
            let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            #else
            let n = Darwin.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            #endif
            if n <= 0 { return }
            offset += n
        }
    }
}

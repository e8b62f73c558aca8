import Foundation

/// Reads a file that holds a secret: its bytes, less one final newline, are the secret.
///
/// One newline goes because editors and `echo` add it; anything else stays, so a key is
/// never silently changed. Errors name the path and the cause, never the content.
public enum SecretFile {
    public struct ReadError: Error, Sendable, Equatable, CustomStringConvertible {
        public let path: String
        public let cause: String
        public var description: String { "cannot read the secret file \(path): \(cause)" }
    }

    public static func read(_ path: String) throws(ReadError) -> [UInt8] {
        var bytes: [UInt8]
        do {
            bytes = Array(try Data(contentsOf: URL(fileURLWithPath: path)))
        } catch let error as CocoaError where error.code == .fileReadNoSuchFile {
            throw ReadError(path: path, cause: "no such file")
        } catch let error as CocoaError where error.code == .fileReadNoPermission {
            throw ReadError(path: path, cause: "permission denied")
        } catch {
            throw ReadError(path: path, cause: "it is not a readable file")
        }
        if bytes.last == UInt8(ascii: "\n") { bytes.removeLast() }
        guard !bytes.isEmpty else { throw ReadError(path: path, cause: "it is empty") }
        return bytes
    }
}

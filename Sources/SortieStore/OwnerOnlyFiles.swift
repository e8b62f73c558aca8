import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Files and folders the service creates, readable by their owner only: files 0600, folders 0700.
///
/// The mode is given at creation (`open(2)`, `mkdir(2)`) and set again with `chmod` before any
/// data is written, so neither the process's umask nor a window after creation can widen it.
/// No process-wide umask is changed: the service also runs inside other processes (tests, embedders).
/// A file or folder that already exists keeps the mode its owner gave it.
public enum OwnerOnlyFiles {
    public static let fileMode: mode_t = 0o600
    public static let folderMode: mode_t = 0o700

    /// Creates the file at `path` (0600) unless it exists; returns whether it was created.
    @discardableResult
    public static func createFile(atPath path: String) throws -> Bool {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, fileMode)
        if fd < 0 {
            let code = errno
            if code == EEXIST { return false }
            throw failure("cannot create \(path)", code: code)
        }
        defer { close(fd) }
        guard fchmod(fd, fileMode) == 0 else { throw failure("cannot set the mode of \(path)", code: errno) }
        return true
    }

    /// Opens `path` for appending, creating it (0600) if needed.
    public static func openForAppending(atPath path: String) throws -> FileHandle {
        try createFile(atPath: path)
        let fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC)
        guard fd >= 0 else { throw failure("cannot open \(path)", code: errno) }
        return FileHandle(fileDescriptor: fd, closeOnDealloc: true)
    }

    /// Creates `path` and any missing parent folders, each 0700; folders already there are left alone.
    public static func createFolder(atPath path: String) throws {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) {
            guard isFolder.boolValue else { throw failure("\(path) is not a folder", code: ENOTDIR) }
            return
        }
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty, parent != path { try createFolder(atPath: parent) }
        if mkdir(path, folderMode) != 0 {
            let code = errno
            if code == EEXIST { return }
            throw failure("cannot create \(path)", code: code)
        }
        guard chmod(path, folderMode) == 0 else { throw failure("cannot set the mode of \(path)", code: errno) }
    }

    /// Creates the folder that will hold `path`, if it has one (see `createFolder`).
    public static func createParent(of path: String) throws {
        let parent = (path as NSString).deletingLastPathComponent
        guard !parent.isEmpty else { return }
        try createFolder(atPath: parent)
    }

    private static func failure(_ what: String, code: Int32) -> FileModeError {
        FileModeError(description: "\(what): \(String(cString: strerror(code)))")
    }
}

/// A file or folder could not be created owner-only.
public struct FileModeError: Error, Sendable, CustomStringConvertible {
    public let description: String
}

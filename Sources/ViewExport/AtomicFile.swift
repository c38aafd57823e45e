import Foundation

/// Why a file could not be written, in words for the status line or stderr.
public struct FileWriteError: Error, CustomStringConvertible, Equatable, Sendable {
    public enum Reason: Sendable, Equatable {
        case exists, missingFolder, permission, diskFull, isDirectory, emptyPath, other(String)
    }
    public var path: String
    public var reason: Reason
    public init(path: String, reason: Reason) { self.path = path; self.reason = reason }

    public var description: String {
        switch reason {
        case .exists: return "\(path) exists (not replaced)"
        case .missingFolder: return "cannot write \(path): the folder \((path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent) does not exist"
        case .permission: return "cannot write \(path): permission denied"
        case .diskFull: return "cannot write \(path): the disk is full (or over quota); nothing was changed"
        case .isDirectory: return "cannot write \(path): it is a folder"
        case .emptyPath: return "the output path is empty; give a file name"
        case .other(let s): return "cannot write \(path): \(s)"
        }
    }

    static func from(errno e: Int32, path: String) -> FileWriteError {
        switch e {
        case ENOENT, ENOTDIR: return FileWriteError(path: path, reason: .missingFolder)
        case EACCES, EPERM, EROFS: return FileWriteError(path: path, reason: .permission)
        case ENOSPC, EDQUOT, EFBIG: return FileWriteError(path: path, reason: .diskFull)
        case EISDIR: return FileWriteError(path: path, reason: .isDirectory)
        default: return FileWriteError(path: path, reason: .other(String(cString: strerror(e))))
        }
    }
}

/// Writes a file atomically: the bytes go to a temporary file in the target folder, which is
/// flushed to disk and renamed over the target, so a failure (permission, missing folder, disk full,
/// a crash) never leaves a half-written or damaged file, and an old file stays intact.
public enum AtomicFile {
    /// Writes `text` to `path`. With `overwrite` false an existing file is an error (`.exists`).
    /// Returns the absolute path written. `failAfterBytes` is a test hook simulating a full disk.
    @discardableResult
    public static func write(_ text: String, to path: String, overwrite: Bool, failAfterBytes: Int? = nil) throws(FileWriteError) -> String {
        guard !path.isEmpty else { throw FileWriteError(path: path, reason: .emptyPath) }
        var absolute = absolutePath(path)
        // A symbolic link is followed (its target is replaced, the link stays); a path that is not a
        // regular file (/dev/null, a FIFO, a terminal) is written in place: renaming over it would
        // replace the device node itself.
        var link = stat()
        if lstat(absolute, &link) == 0, (link.st_mode & S_IFMT) == S_IFLNK, let real = realpath(absolute, nil) {
            absolute = String(cString: real)
            free(real)
        }
        var existing = stat()
        if stat(absolute, &existing) == 0, (existing.st_mode & S_IFMT) != S_IFREG, (existing.st_mode & S_IFMT) != S_IFDIR {
            if !overwrite { throw FileWriteError(path: path, reason: .exists) }
            let fd = open(absolute, O_WRONLY)
            guard fd >= 0 else { throw FileWriteError.from(errno: errno, path: path) }
            defer { close(fd) }
            let bytes = Array(text.utf8)
            var offset = 0
            while offset < bytes.count {
                let n = bytes.withUnsafeBufferPointer { Foundation.write(fd, $0.baseAddress! + offset, bytes.count - offset) }
                if n < 0 { if errno == EINTR { continue }; throw FileWriteError.from(errno: errno, path: path) }
                offset += n
            }
            return absolute
        }
        let folder = (absolute as NSString).deletingLastPathComponent
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDir), isDir.boolValue else {
            throw FileWriteError(path: path, reason: .missingFolder)
        }
        if FileManager.default.fileExists(atPath: absolute, isDirectory: &isDir) {
            if isDir.boolValue { throw FileWriteError(path: path, reason: .isDirectory) }
            if !overwrite { throw FileWriteError(path: path, reason: .exists) }
        }
        var template = Array((folder + "/." + (absolute as NSString).lastPathComponent + ".tmp-XXXXXX").utf8CString)
        let fd = mkstemp(&template)
        guard fd >= 0 else {
            // the folder exists (checked above): ENOENT here is a folder that takes no new files
            // (/proc, /sys), not a missing one
            let e = errno
            if e == ENOENT || e == ENOTDIR {
                throw FileWriteError(path: path, reason: .other("cannot create a file in the folder \(folder) to write or replace it (\(String(cString: strerror(e))))"))
            }
            throw FileWriteError.from(errno: e, path: path)
        }
        let temporary = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        var closed = false
        func fail(_ e: Int32) -> FileWriteError {
            if !closed { close(fd) }
            unlink(temporary)
            return FileWriteError.from(errno: e, path: path)
        }
        // keep the mode an existing file had, else the usual 0644 (minus the umask)
        var st = stat()
        if stat(absolute, &st) == 0 { fchmod(fd, st.st_mode & 0o7777) } else {
            let mask = umask(0); umask(mask)
            fchmod(fd, 0o666 & ~mask)
        }
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            var chunk = min(1 << 20, bytes.count - offset)
            if let limit = failAfterBytes {
                if offset >= limit { throw fail(ENOSPC) }
                chunk = min(chunk, limit - offset)
            }
            let n = bytes.withUnsafeBufferPointer { Foundation.write(fd, $0.baseAddress! + offset, chunk) }
            if n < 0 {
                if errno == EINTR { continue }
                throw fail(errno)
            }
            offset += n
        }
        if failAfterBytes != nil && bytes.isEmpty { throw fail(ENOSPC) }
        if fsync(fd) != 0 { throw fail(errno) }
        closed = true
        if close(fd) != 0 { throw fail(errno) }
        if rename(temporary, absolute) != 0 { throw fail(errno) }
        return absolute
    }

    /// `path` made absolute against the current folder (`~` expanded).
    public static func absolutePath(_ path: String) -> String {
        let expanded = (path as NSString).expandingTildeInPath
        let url = expanded.hasPrefix("/") ? URL(fileURLWithPath: expanded)
            : URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(expanded)
        return url.standardizedFileURL.path
    }
}

import Foundation

/// A write to standard output that failed (a full disk, a closed stream, a broken pipe, a
/// read-only device): exit code 2 with the reason, never a trap and never a silent success.
struct StandardOutputError: Error, CustomStringConvertible {
    var reason: String
    var description: String { "cannot write to standard output: \(reason)" }
}

/// Every byte ntkscope writes to its standard streams goes through here, with write(2), so that a
/// failure is seen: on standard output it is an error (`StandardOutputError`), on standard error it
/// is ignored (there is nowhere left to report it). `FileHandle.write(_: Data)` traps on a failed
/// write and `print` loses the failure in the stdio buffer.
enum StandardStreams {
    /// Whether descriptor 1 was closed when the process started (`ntkscope density >&-`).
    nonisolated(unsafe) private static var outputWasClosed = false

    /// Called first thing in `main`: a closed descriptor 1 or 2 is pointed at /dev/null, so that no
    /// file opened later takes its number and receives the output; a closed standard output is
    /// remembered and reported by the first write to it.
    static func prepare() {
        for fd: Int32 in [1, 2] where fcntl(fd, F_GETFD) == -1 && errno == EBADF {
            if fd == 1 { outputWasClosed = true }
            let null = open("/dev/null", O_WRONLY)
            if null >= 0 && null != fd { dup2(null, fd); close(null) }
        }
    }

    /// Writes `text` to standard output, all of it, or throws with the reason.
    static func output(_ text: String) throws(StandardOutputError) {
        if outputWasClosed { throw StandardOutputError(reason: "it is closed") }
        if let e = writeAll(text, to: 1) { throw StandardOutputError(reason: String(cString: strerror(e))) }
    }

    /// Writes `text` to standard error; a failure is ignored.
    static func error(_ text: String) {
        _ = writeAll(text, to: 2)
    }

    /// nil when every byte was written, else the errno.
    private static func writeAll(_ text: String, to fd: Int32) -> Int32? {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBufferPointer { Foundation.write(fd, $0.baseAddress! + offset, bytes.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                return errno
            }
            if n == 0 { return EIO }
            offset += n
        }
        return nil
    }
}

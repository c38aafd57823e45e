import Foundation
import LimitLaws

/// Writes command output to standard output or to a file. Files are written to a temporary file
/// in the target folder and renamed into place, so a failure never leaves a damaged file; an
/// existing file is replaced only with `force`.
enum OutputFile {
    static func write(_ text: String, to path: String?, force: Bool) throws {
        guard let path, path != "-" else {
            FileHandle.standardOutput.write(Data(text.utf8))
            return
        }
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent()
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDir), isDir.boolValue else {
            throw ModelError(field: "--output", value: path, allowed: "its folder \(folder.path) does not exist")
        }
        if FileManager.default.fileExists(atPath: url.path) && !force {
            throw ModelError(field: "--output", value: path, allowed: "the file exists; pass --force to replace it")
        }
        let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())")
        do {
            try Data(text.utf8).write(to: temporary)
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw ModelError(field: "--output", value: path, allowed: "could not be written (\(error.localizedDescription))")
        }
        if rename(temporary.path, url.path) != 0 {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw ModelError(field: "--output", value: path, allowed: "could not be written (\(reason))")
        }
    }
}

/// Plain-text formatting helpers for tables and CSV.
enum NumberFormat {
    static func csv(_ x: Double) -> String {
        x.isFinite ? "\(x)" : "nan"
    }
    static func fixed(_ x: Double, _ digits: Int) -> String {
        String(format: "%.\(digits)f", x)
    }
    static func general(_ x: Double) -> String {
        String(format: "%.6g", x)
    }
}

import ArgumentParser
import Foundation
import LimitLaws
import ViewExport

/// Writes command output to standard output or, atomically, to a file (ViewExport.AtomicFile:
/// a temporary file in the target folder, flushed and renamed); an existing file is replaced only
/// with `force`.
enum OutputFile {
    /// `option` names the option that gave `path` in messages.
    static func write(_ text: String, to path: String?, force: Bool, option: String = "--output") throws {
        guard let path, path != "-" else {
            try StandardStreams.output(text)
            return
        }
        do {
            try AtomicFile.write(text, to: path, overwrite: force)
        } catch {
            if error.reason == .exists { throw ModelError(field: option, value: path, allowed: "the file exists; pass --force to replace it") }
            throw ModelError(field: option, value: path, allowed: error.description)
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

/// `-o/--output FILE` and `--force` for commands whose only output is one text document
/// (series, sphere, kernel, activations): written atomically; an existing file is replaced only
/// with `--force`; `-` or no option means standard output.
struct OutputFileOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: "Write to this file (atomically) instead of standard output.")
    var output: String?

    @Flag(help: "Replace an existing --output file.")
    var force = false

    func write(_ text: String) throws { try OutputFile.write(text, to: output, force: force) }
}

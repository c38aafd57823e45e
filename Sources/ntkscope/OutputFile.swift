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

/// `-o/--output FILE` and `--force`, the same for every command that writes one text document
/// (density, render, sample, quadratic, series, sphere, kernel, activations): written atomically;
/// an existing file is replaced only with `--force`; `-` or no option means standard output.
/// (`train` writes a folder of files and has its own `--output`.)
struct OutputFileOptions: ParsableArguments {
    @Option(name: .shortAndLong, help: "Write to this file (atomically) instead of standard output.")
    var output: String?

    @Flag(help: "Replace an existing --output file.")
    var force = false

    /// The file, unless the output goes to standard output.
    var file: String? { output == "-" ? nil : output }

    /// Refuses an existing file without `--force` before any work is done (the write refuses it
    /// too, but only after a solve or a sampled run that can take minutes).
    func refuseExisting() throws {
        if let path = file, !force, FileManager.default.fileExists(atPath: path) {
            throw ModelError(field: "--output", value: path, allowed: "the file exists; pass --force to replace it")
        }
    }

    func write(_ text: String) throws { try OutputFile.write(text, to: output, force: force) }
}

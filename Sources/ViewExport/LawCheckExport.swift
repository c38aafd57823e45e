import ExplorerCore
import Foundation
import LimitLaws

/// Each law's solver self-check and notices, in every export format: a law whose check failed (or
/// that has failed points, or was simplified with a bound) says so in the file itself, not only on
/// the screen. JSON: `check` and `notices` per law (the fields of `ntkscope density --format json`,
/// in this file's snake_case); CSV: `#` lines; SVG: text elements of class `notice`.
extension ViewExport {
    /// The self-check as JSON: null when none ran; else `passed`, `tolerance`, the solved `mass`,
    /// `mean` and `variance` against `exact_mean` and `exact_variance`, the errors `mean_error` (in
    /// standard deviations) and `variance_error` (relative), and `failure` (what disagrees, or null).
    static func checkJSON(_ s: DisplaySpectrum) -> JSON {
        guard let c = s.law?.check else {
            // a law without the engine's check (a table): only the failure text, when there is one
            guard let failure = s.checkFailure else { return .null }
            return .object([("passed", .bool(false)), ("failure", .string(failure))])
        }
        return .object([
            ("passed", .bool(c.passed)), ("tolerance", .number(c.tolerance)), ("mass", .number(c.mass)),
            ("exact_mean", .number(c.exactMean)), ("mean", .number(c.mean)),
            ("exact_variance", .number(c.exactVariance)), ("variance", .number(c.variance)),
            ("mean_error", .number(c.meanError)), ("variance_error", .number(c.varianceError)),
            ("failure", c.passed ? .null : .string(c.failureDescription)),
        ])
    }

    /// The sentences a reader of the law's numbers must be told, each "WARNING: …" or "note: …"
    /// (as `ntkscope density --format table` prints them).
    static func noticeTexts(_ s: DisplaySpectrum) -> [String] {
        if let law = s.law { return law.notices.map { "\($0.severity == .warning ? "WARNING" : "note"): \($0.text)" } }
        return s.checkFailure.map { ["WARNING: solver self-check failed: \($0); do not trust this law"] } ?? []
    }

    /// One line per fact: the check's result ("self-check passed …" when it ran and passed), then
    /// the notices (a failed check is the first notice).
    static func checkLines(_ s: DisplaySpectrum) -> [String] {
        var lines: [String] = []
        if let c = s.law?.check, c.passed {
            lines.append("self-check passed (mass, mean and variance exact to \(number(c.tolerance)))")
        }
        return lines + noticeTexts(s)
    }

    /// `#` lines for the CSV export: "# check CK ℓ=4: …" for every law of the view.
    static func checkComments(state: ExplorerState, content: FrameContent) -> String {
        var out = ""
        for k in kernels(in: state) {
            guard let s = content.spectra[k] else { continue }
            for line in checkLines(s) { out += "# check \(k.title): \(line)\n" }
        }
        return out
    }

    /// The SVG's lines about the checks: one per law whose check failed or that has notices, marked
    /// ✗ for warnings; when every checked law passed and none has a notice, one line saying so.
    static func svgCheckLines(state: ExplorerState, content: FrameContent) -> [(text: String, warning: Bool)] {
        var lines: [(String, Bool)] = []
        var passed = 0, shown = 0
        for k in kernels(in: state) {
            guard let s = content.spectra[k] else { continue }
            shown += 1
            if s.law?.check?.passed == true { passed += 1 }
            for text in noticeTexts(s) { lines.append(("\(text.hasPrefix("WARNING") ? "✗ " : "")\(k.title): \(text)", text.hasPrefix("WARNING"))) }
        }
        if lines.isEmpty, passed > 0 {
            let which = passed == shown ? (shown == 1 ? "the law shown" : "every law shown") : "\(passed) of the \(shown) laws shown (the others have no check)"
            lines.append(("solver self-check passed for \(which): mass, mean and variance exact", false))
        }
        return lines
    }
}

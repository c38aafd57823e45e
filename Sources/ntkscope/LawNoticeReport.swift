import Foundation
import LimitLaws

/// Prints every law's warnings and notes (failed self-checks, failed points, approximations with
/// their bounds) on standard error: each command that prints or draws a limit law calls it.
enum LawNoticeReport {
    static func print(_ spectra: [LimitSpectrum]) {
        for s in spectra {
            for notice in s.notices {
                let kind = notice.severity == .warning ? "warning" : "note"
                StandardStreams.error("ntkscope: \(kind): \(s.kernel): \(notice.text)\n")
            }
        }
    }
}

import Foundation

/// A progress line on standard error ("reading spectrum.txt: 45%"), rewritten in place; only when
/// standard error is a terminal (`init` returns nil otherwise), and cleared by `finish`.
final class ProgressLine: @unchecked Sendable {
    private let label: String
    private let lock = NSLock()
    private var shown = -1

    init?(label: String) {
        guard isatty(2) == 1 else { return nil }
        self.label = label
    }

    /// `fraction` in [0, 1]; may be called from any thread.
    func show(_ fraction: Double) {
        let percent = Int((100 * min(1, max(0, fraction))).rounded(.down))
        lock.lock(); defer { lock.unlock() }
        guard percent != shown else { return }
        shown = percent
        StandardStreams.error("\r\u{1B}[Kntkscope: \(label): \(percent)%")
    }

    /// A line of text instead of a percentage ("solving law 3 of 7").
    func show(_ text: String) {
        lock.lock(); defer { lock.unlock() }
        StandardStreams.error("\r\u{1B}[Kntkscope: \(label): \(text)")
    }

    func finish() {
        lock.lock(); defer { lock.unlock() }
        StandardStreams.error("\r\u{1B}[K")
    }
}

import Dispatch
import InfiniteWidth
import NetworkSampling
import Synchronization

/// Computes frames on a background queue, latest request only (like `SolveScheduler`), publishing
/// each stage as it completes: series and sphere spectra, exact kernel curves, Gram spectra and the
/// comparison, the sampled network. A new request cancels the running one at once (the series'
/// composition loop, the kernel grid, the Gram entries and the sampler check the token), so a
/// superseded order-2000 series stops computing. The running stage's progress is kept for the view;
/// a cancellation is reported as a message. Finished frames are cached by request, so going back to
/// earlier settings (undo, `w` twice) is immediate.
public final class InfiniteWidthScheduler: Sendable {
    struct Shared {
        var pending: InfiniteWidthRequest?
        var latest: InfiniteWidthRequest?
        var running = false
        /// The request being computed and its token (cancelled when another request arrives).
        var current: InfiniteWidthRequest?
        var token: CancellationToken?
        var cache: [InfiniteWidthRequest: InfiniteWidthFrame] = [:]
        var order: [InfiniteWidthRequest] = []
        var result: InfiniteWidthFrame?
        var progress: InfiniteWidthProgress?
        var messages: [StatusMessage] = []
        /// Requests whose computation was stopped by a newer one or by `stop` (for tests and the log).
        var cancelled: [InfiniteWidthRequest] = []
        /// Why the running computation was stopped, for its message.
        var stopReason = "settings changed"
    }
    private let shared = Mutex(Shared())
    private let queue = DispatchQueue(label: "ntkscope.infinite", qos: .userInitiated)
    private let notify: @Sendable () -> Void
    public static let cacheSize = 12

    public init(notify: @escaping @Sendable () -> Void = {}) { self.notify = notify }

    /// Asks for the frame of `request`; a cached one is published at once. Any other running
    /// computation is cancelled.
    public func request(_ request: InfiniteWidthRequest) {
        let start = shared.withLock { s -> Bool in
            if s.current != request { s.stopReason = "settings changed"; s.token?.cancel() }
            if let cached = s.cache[request] { s.latest = request; s.result = cached; s.pending = nil; s.progress = nil; return false }
            // already being computed (its later stages will be published): nothing to do
            if s.latest == request && s.running && s.current == request { return false }
            s.latest = request
            s.pending = request
            if s.running { return false }
            s.running = true
            return true
        }
        if start { queue.async { self.work() } } else if shared.withLock({ $0.result != nil }) { notify() }
    }

    /// Stops the running computation and forgets the pending one (the explorer calls this when the
    /// mode is left, so the series does not keep a core busy off screen); finished frames stay
    /// cached, and asking for the same request again starts it afresh. The stop is reported as a
    /// message ("… (left the mode)").
    public func stop(reason: String = "left the mode") {
        shared.withLock { s in
            guard s.token != nil || s.pending != nil else { return }
            s.pending = nil
            s.latest = nil
            s.stopReason = reason
            s.token?.cancel()
        }
    }

    /// Publishes a frame (caching it when every stage is done); false if a newer request came.
    @discardableResult
    private func publish(_ f: InfiniteWidthFrame) -> Bool {
        let fresh = shared.withLock { s -> Bool in
            if f.finished {
                if s.cache[f.request] == nil { s.order.append(f.request) }
                s.cache[f.request] = f
                if s.order.count > Self.cacheSize { s.cache[s.order.removeFirst()] = nil }
            }
            guard s.latest == f.request else { return false }
            s.result = f
            return true
        }
        if fresh { notify() }
        return fresh
    }

    /// A control reporting `stage` progress for `r` (the event loop is woken when the percentage
    /// changes, not on every report) and stopping when `token` is cancelled.
    private func control(_ r: InfiniteWidthRequest, stage: String, token: CancellationToken) -> ComputationControl {
        ComputationControl(token: token) { [self] fraction in
            let percent = Int((max(0, min(1, fraction)) * 100).rounded(.down))
            let changed = shared.withLock { s -> Bool in
                let p = InfiniteWidthProgress(request: r, stage: stage, percent: percent)
                guard s.current == r, s.progress != p else { return false }
                s.progress = p
                return true
            }
            if changed { notify() }
        }
    }

    private func work() {
        while true {
            let job = shared.withLock { s -> (InfiniteWidthRequest, CancellationToken)? in
                guard let r = s.pending else { s.running = false; s.current = nil; s.progress = nil; return nil }
                s.pending = nil
                let token = CancellationToken()
                s.current = r
                s.token = token
                s.progress = InfiniteWidthProgress(request: r, stage: "series", percent: 0)
                return (r, token)
            }
            guard let (r, token) = job else { notify(); return }
            var stage = "series"
            do {
                let first = try InfiniteWidthCompute.series(r, control: control(r, stage: stage, token: token))
                publish(first)
                stage = "kernels"
                let second = try InfiniteWidthCompute.kernels(first, control: control(r, stage: stage, token: token))
                publish(second)
                stage = "Gram spectra"
                let third = try InfiniteWidthCompute.complete(second, control: control(r, stage: stage, token: token))
                publish(third)
                if !third.finished {
                    stage = "sampling a network"
                    control(r, stage: stage, token: token).report(0)
                    let fourth = InfiniteWidthCompute.sample(third, token: token)
                    if token.isCancelled { throw ComputationCancelled() }
                    publish(fourth)
                }
            } catch {
                cancelled(r, stage: stage)
            }
            shared.withLock { s in if s.token === token { s.token = nil } }
        }
    }

    private func cancelled(_ r: InfiniteWidthRequest, stage: String) {
        shared.withLock { s in
            let percent = s.progress.flatMap { $0.request == r && $0.stage == stage ? $0.percent : nil }
            s.cancelled.append(r)
            if s.cancelled.count > 50 { s.cancelled.removeFirst() }
            s.messages.append(StatusMessage("infinite width: stopped the \(r.workText) at \(stage)"
                                            + (percent.map { " \($0)%" } ?? "") + " (\(s.stopReason))"))
            s.progress = nil
        }
        notify()
    }

    /// The newest published frame, once.
    public func takeResult() -> InfiniteWidthFrame? {
        shared.withLock { s in defer { s.result = nil }; return s.result }
    }

    /// The stage and share done of the computation running now (nil when idle).
    public var progress: InfiniteWidthProgress? { shared.withLock { $0.progress } }

    /// Messages since the last call ("stopped the series of order 2000 …").
    public func takeMessages() -> [StatusMessage] {
        shared.withLock { s in defer { s.messages = [] }; return s.messages }
    }

    /// The requests whose computation a newer request stopped, oldest first (the last 50).
    public var cancelledRequests: [InfiniteWidthRequest] { shared.withLock { $0.cancelled } }

    public var isBusy: Bool { shared.withLock { $0.running } }
}

import Foundation

/// One background sampling run (a `BackgroundJob` of `SamplingEvent`s).
///
/// Events in order: `.started`, `.progress`/`.spectrum` interleaved, then `.finished`; the stream
/// ends after `.finished`, or throws the run's `SamplingError` (`.cancelled` when cancelled).
public final class SamplingJob: WaitableJob {
    public let request: SamplingRequest
    private let job: BackgroundJob<SamplingEvent>
    public var token: CancellationToken { job.token }
    public var events: AsyncThrowingStream<SamplingEvent, Error> { job.events }

    /// - Parameter after: a job that must have stopped before this one starts (so a stale run
    ///   and a new one never compete for the BLAS threads).
    public init(_ request: SamplingRequest, after previous: SamplingJob? = nil) {
        self.request = request
        job = BackgroundJob(name: "ntkscope.sampling", after: previous,
                            cancelled: { SamplingError.cancelled }) { token, emit in
            try NetworkSampler.run(request, token: token, emit: emit)
        }
    }

    public func cancel() { job.cancel() }

    /// Consumes the events in the calling task: `onEvent` sees every event in order; returns after
    /// `.finished`, throws the run's error. Cancelling the calling task cancels the job (and this
    /// returns once the worker has stopped, throwing `SamplingError.cancelled`).
    public func run(onEvent: (SamplingEvent) -> Void) async throws { try await job.run(onEvent: onEvent) }
    /// Waits until the worker thread has returned (after completion, failure or cancellation).
    public func wait() async { await job.wait() }
}

/// Owns at most one running job: a new request cancels the stale one.
public actor SamplingService {
    private var current: SamplingJob?
    public init() {}

    /// Starts `request`, cancelling the previous job (whose stream then ends with `.cancelled`).
    @discardableResult
    public func submit(_ request: SamplingRequest) -> SamplingJob {
        let stale = current
        stale?.cancel()
        let job = SamplingJob(request, after: stale)
        current = job
        return job
    }

    public func cancel() { current?.cancel(); current = nil }
    public var running: SamplingJob? { current }
}

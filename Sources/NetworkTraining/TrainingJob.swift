import Foundation
import NetworkSampling

/// One background training run, for an interface that must stay responsive: the work runs on its own
/// thread (`BackgroundJob`), `events` streams every `TrainingEvent` in order (apply them to a
/// `TrainingRecord` to get what to draw), and `cancel()` — or cancelling the task that consumes the
/// events — stops it within one optimiser step or one BLAS block of a snapshot. The stream then throws
/// `TrainingError.cancelled`; the epochs and snapshots already delivered stay valid.
public final class TrainingJob: WaitableJob {
    public let settings: TrainingSettings
    private let job: BackgroundJob<TrainingEvent>
    public var token: CancellationToken { job.token }
    public var events: AsyncThrowingStream<TrainingEvent, Error> { job.events }

    /// - Parameters:
    ///   - data: the samples (nil: built from `settings`, which reads no file; a data-file task brings
    ///     its `LabeledData` inside the settings).
    ///   - after: a job that must have stopped before this one starts.
    public init(_ settings: TrainingSettings, data: TrainingData? = nil, after previous: TrainingJob? = nil) {
        self.settings = settings
        job = BackgroundJob(name: "ntkscope.training", after: previous,
                            cancelled: { TrainingError.cancelled }) { token, emit in
            try Trainer.run(settings, data: data, token: token, emit: emit)
        }
    }

    public func cancel() { job.cancel() }
    /// Consumes the events in the calling task (see `BackgroundJob.run`).
    public func run(onEvent: (TrainingEvent) -> Void) async throws { try await job.run(onEvent: onEvent) }
    public func wait() async { await job.wait() }
}

/// Owns at most one training run: a new submission cancels the stale one, which stops before the new
/// one starts.
public actor TrainingService {
    private var current: TrainingJob?
    public init() {}

    @discardableResult
    public func submit(_ settings: TrainingSettings, data: TrainingData? = nil) -> TrainingJob {
        let stale = current
        stale?.cancel()
        let job = TrainingJob(settings, data: data, after: stale)
        current = job
        return job
    }

    public func cancel() { current?.cancel(); current = nil }
    public var running: TrainingJob? { current }
}

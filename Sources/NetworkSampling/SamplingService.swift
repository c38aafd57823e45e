import Foundation
import Synchronization

/// One background sampling run.
///
/// The work runs on a dedicated thread (so long BLAS calls never block the Swift concurrency pool
/// or the interface's thread), wrapped in a Swift concurrency `Task`: cancelling the task — or
/// calling `cancel()`, or dropping the event stream — sets the `CancellationToken`, which the
/// worker checks before every BLAS call.
public final class SamplingJob: Sendable {
    public let request: SamplingRequest
    public let token = CancellationToken()
    /// Events in order: `.started`, `.progress`/`.spectrum` interleaved, then `.finished`; the stream
    /// ends after `.finished`, or throws the run's `SamplingError` (`.cancelled` when cancelled).
    public let events: AsyncThrowingStream<SamplingEvent, Error>
    private let task: Task<Void, Never>

    /// - Parameter after: a job that must have stopped before this one starts (so a stale run
    ///   and a new one never compete for the BLAS threads).
    public init(_ request: SamplingRequest, after previous: SamplingJob? = nil) {
        self.request = request
        let (stream, continuation) = AsyncThrowingStream<SamplingEvent, Error>.makeStream(bufferingPolicy: .unbounded)
        events = stream
        let token = self.token
        continuation.onTermination = { reason in
            if case .cancelled = reason { token.cancel() }
        }
        task = Task.detached(priority: .utility) {
            await previous?.wait()
            await withTaskCancellationHandler {
                await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                    let thread = Thread {
                        do {
                            try NetworkSampler.run(request, token: token) { continuation.yield($0) }
                            continuation.finish()
                        } catch {
                            continuation.finish(throwing: error)
                        }
                        done.resume()
                    }
                    thread.stackSize = 8 << 20
                    thread.name = "ntkscope.sampling"
                    thread.start()
                }
            } onCancel: {
                token.cancel()
            }
        }
    }

    public func cancel() { token.cancel(); task.cancel() }

    /// Consumes the events in the calling task: `onEvent` sees every event in order; returns after
    /// `.finished`, throws the run's error. Cancelling the calling task cancels the job (and this
    /// returns once the worker has stopped, throwing `SamplingError.cancelled`).
    public func run(onEvent: (SamplingEvent) -> Void) async throws {
        try await withTaskCancellationHandler {
            do {
                for try await event in events { onEvent(event) }
            } catch {
                await wait()
                throw error
            }
            if Task.isCancelled || token.isCancelled {
                await wait()
                throw SamplingError.cancelled
            }
        } onCancel: {
            self.cancel()
        }
    }
    /// Waits until the worker thread has returned (after completion, failure or cancellation).
    public func wait() async { await task.value }
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

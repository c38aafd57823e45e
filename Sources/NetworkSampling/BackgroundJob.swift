import Foundation

/// A background job one can wait for (until its worker thread has returned).
public protocol WaitableJob: Sendable {
    func wait() async
}

/// Long BLAS work in the background: the work runs on a dedicated thread (so long BLAS calls never
/// block the Swift concurrency pool or the interface's thread), wrapped in a Swift concurrency `Task`.
/// Cancelling the task — or calling `cancel()`, or dropping the event stream — sets the
/// `CancellationToken`, which the work checks between its BLAS calls. `SamplingJob` and the trainer's
/// `TrainingJob` are this with their own events.
public final class BackgroundJob<Event: Sendable>: WaitableJob {
    public let token = CancellationToken()
    /// The work's events in order; the stream ends when the work returns, or throws its error.
    public let events: AsyncThrowingStream<Event, Error>
    private let task: Task<Void, Never>
    private let cancelled: @Sendable () -> Error

    /// - Parameters:
    ///   - name: the worker thread's name.
    ///   - after: awaited before the work starts (a stale job that must have stopped first, so two
    ///     runs never compete for the BLAS threads).
    ///   - cancelled: the error `run(onEvent:)` throws when the job was cancelled.
    ///   - work: the synchronous work; it emits events and throws when the token is cancelled.
    public init(name: String, after: (any WaitableJob)? = nil, cancelled: @escaping @Sendable () -> Error,
                work: @escaping @Sendable (CancellationToken, (Event) -> Void) throws -> Void) {
        self.cancelled = cancelled
        let (stream, continuation) = AsyncThrowingStream<Event, Error>.makeStream(bufferingPolicy: .unbounded)
        events = stream
        let token = self.token
        continuation.onTermination = { reason in
            if case .cancelled = reason { token.cancel() }
        }
        task = Task.detached(priority: .utility) {
            await after?.wait()
            await withTaskCancellationHandler {
                await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
                    let thread = Thread {
                        do {
                            try work(token) { continuation.yield($0) }
                            continuation.finish()
                        } catch {
                            continuation.finish(throwing: error)
                        }
                        done.resume()
                    }
                    thread.stackSize = 8 << 20
                    thread.name = name
                    thread.start()
                }
            } onCancel: {
                token.cancel()
            }
        }
    }

    public func cancel() { token.cancel(); task.cancel() }

    /// Consumes the events in the calling task: `onEvent` sees every event in order; returns when the
    /// work has finished, throws its error. Cancelling the calling task cancels the job (and this returns
    /// once the worker has stopped, throwing the `cancelled` error).
    public func run(onEvent: (Event) -> Void) async throws {
        try await withTaskCancellationHandler {
            do {
                for try await event in events { onEvent(event) }
            } catch {
                await wait()
                throw error
            }
            if Task.isCancelled || token.isCancelled {
                await wait()
                throw cancelled()
            }
        } onCancel: {
            self.cancel()
        }
    }

    /// Waits until the worker thread has returned (after completion, failure or cancellation).
    public func wait() async { await task.value }
}

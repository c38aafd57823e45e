import Foundation
import LimitLaws
import NetworkSampling
import NetworkTraining
import Synchronization

/// One training run as far as it got: the events applied to a `TrainingRecord` (history, initial
/// laws, snapshots, summary), whether it is still running, and how it ended.
public struct TrainingFrame: Sendable {
    /// The run's settings (`TrainingModeSettings.runKey`).
    public var key: TrainingModeSettings
    public var record: TrainingRecord
    public var running: Bool
    /// Why it stopped early (nil while running, after finishing, or when cancelled).
    public var error: String?
    public var cancelled: Bool
    public init(key: TrainingModeSettings, record: TrainingRecord = TrainingRecord(), running: Bool = true, error: String? = nil, cancelled: Bool = false) {
        self.key = key; self.record = record; self.running = running; self.error = error; self.cancelled = cancelled
    }

    /// The snapshot shown for `epoch` (nil: the latest): that epoch's once taken, else the latest
    /// one before it (the run has not reached it yet).
    public func snapshot(at epoch: Int?) -> TrainingSnapshot? {
        let snaps = record.snapshots
        guard let epoch else { return snaps.last }
        return snaps.last { $0.epoch <= epoch }
    }
}

/// Running the regime synchronously (`ntkscope render`, `explore --print`).
public enum TrainingCompute {
    /// The whole run when `s.run` is set (nil otherwise: nothing has been trained).
    public static func compute(_ s: TrainingModeSettings) -> TrainingFrame? {
        guard s.run else { return nil }
        var frame = TrainingFrame(key: s.runKey, running: false)
        do {
            let settings = try s.trainingSettings()
            var record = TrainingRecord()
            try Trainer.run(settings) { record.apply($0) }
            frame.record = record
        } catch {
            frame.error = error.description
        }
        return frame
    }
}

/// Owns the background run: `TrainingService.submit` (a new submission cancels the stale run, which
/// stops before the new one starts), every event applied to the frame's record, `cancel()` to stop.
final class TrainingRunner: Sendable {
    struct Shared {
        var frame: TrainingFrame?
        var changed = false
        var generation = 0
        var job: TrainingJob?
    }
    private let shared = Mutex(Shared())
    private let service = TrainingService()
    private let notify: @Sendable () -> Void

    init(notify: @escaping @Sendable () -> Void) { self.notify = notify }

    func start(_ key: TrainingModeSettings, settings: TrainingSettings) {
        let generation = shared.withLock { s -> Int in
            s.generation += 1
            s.job = nil
            s.frame = TrainingFrame(key: key)
            s.changed = true
            return s.generation
        }
        let service = self.service
        Task.detached(priority: .utility) { [self] in
            let job = await service.submit(settings)
            let current = shared.withLock { s -> Bool in
                guard s.generation == generation else { return false }
                s.job = job
                return true
            }
            guard current else { job.cancel(); return }
            do {
                try await job.run { event in self.apply(event, generation: generation) }
                finish(generation: generation, error: nil, cancelled: false)
            } catch TrainingError.cancelled {
                finish(generation: generation, error: nil, cancelled: true)
            } catch {
                finish(generation: generation, error: (error as? TrainingError)?.description ?? "\(error)", cancelled: false)
            }
        }
    }

    private func apply(_ event: TrainingEvent, generation: Int) {
        let fresh = shared.withLock { s -> Bool in
            guard s.generation == generation, s.frame != nil else { return false }
            s.frame!.record.apply(event)
            s.changed = true
            return true
        }
        if fresh { notify() }
    }

    private func finish(generation: Int, error: String?, cancelled: Bool) {
        let fresh = shared.withLock { s -> Bool in
            guard s.generation == generation, s.frame != nil else { return false }
            s.frame!.running = false
            s.frame!.error = error
            s.frame!.cancelled = cancelled
            s.job = nil
            s.changed = true
            return true
        }
        if fresh { notify() }
    }

    /// Cancels the run; what it delivered stays (marked cancelled).
    func stop() {
        let job = shared.withLock { s -> TrainingJob? in
            s.generation += 1
            if s.frame?.running == true { s.frame!.running = false; s.frame!.cancelled = true; s.changed = true }
            defer { s.job = nil }
            return s.job
        }
        // (a submission still in flight sees the new generation and cancels its job itself)
        job?.cancel()
    }

    /// The frame when it changed since the last call.
    func take() -> TrainingFrame? {
        shared.withLock { s in
            guard s.changed else { return nil }
            s.changed = false
            return s.frame
        }
    }
}

/// The event loop's side: starts the run when `run` is set (again when the run's settings change),
/// cancels it when `run` is cleared, and takes the frame as events arrive. Finished runs are kept by
/// settings, so `u` or going back to settings already trained shows them at once.
final class TrainingComputation: RegimeComputation {
    let runner: TrainingRunner
    var active: TrainingModeSettings?
    var frame: TrainingFrame?
    var finished: [TrainingModeSettings: TrainingFrame] = [:]

    init(notify: @escaping @Sendable () -> Void) { runner = TrainingRunner(notify: notify) }

    func update(state: ExplorerState, content: inout FrameContent) -> Bool {
        let s = state.training
        let key = s.run ? s.runKey : nil
        var changed = false
        if key != active {
            active = key
            if let key {
                if let done = finished[key] { runner.stop(); frame = done } else {
                    do {
                        // a stale run is cancelled by the service before this one starts
                        runner.start(key, settings: try s.trainingSettings())
                    } catch {
                        frame = TrainingFrame(key: key, running: false, error: error.description)
                    }
                }
            } else if frame?.running == true {
                runner.stop()
            }
            changed = true
        }
        if let f = runner.take(), f.key == active || active == nil {
            frame = f
            if f.record.isComplete {
                finished[f.key] = f
                if finished.count > 6 { finished.removeValue(forKey: finished.keys.first { $0 != f.key }!) }
            }
            changed = true
        }
        if changed || (content.training == nil && frame != nil) {
            content.training = frame
            return true
        }
        return false
    }
}

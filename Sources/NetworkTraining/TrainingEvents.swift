import Foundation
import NetworkSampling

/// What a run will do, known before the first step.
public struct TrainingPlan: Sendable {
    public let settings: TrainingSettings
    /// d₀, d₁, …, d_L.
    public let widths: [Int]
    public let n: Int
    public let testCount: Int
    public let batchSize: Int
    public let stepsPerEpoch: Int
    public let snapshotEpochs: [Int]
    /// Trainable parameters (Σ d_ℓ d_{ℓ−1} + d_L).
    public let parameterCount: Int
    public let metric: TestMetric
    /// One line: the task and the data.
    public let dataSummary: String
    /// BLAS threads of the snapshots (as `ntkscope sample`) and of the optimiser steps and evaluations.
    public let threads: Int
    public let stepThreads: Int
    /// Estimated peak memory of the training state and of a snapshot, in bytes.
    public let estimatedBytes: Int
}

/// The loss curve: one record per epoch (epoch 0 = before training).
public struct EpochRecord: Sendable, Equatable {
    public let epoch: Int
    /// Mean over the epoch's mini-batches of their losses, weighted by batch size (Keras's running "loss");
    /// NaN at epoch 0.
    public let batchLoss: Double
    /// Full-pass training MSE (1/n) Σ (f − y)² after the epoch, when evaluated (`evaluateEvery`, snapshots).
    public let trainMSE: Double?
    /// Test R² or accuracy after the epoch, when evaluated.
    public let testMetric: Double?
    /// Seconds since the run started.
    public let elapsed: Double
}

public enum TrainingPhase: String, Sendable {
    case preparing, training, evaluating, snapshot, done
}

public struct TrainingProgress: Sendable, Equatable {
    public var phase: TrainingPhase
    /// Epoch being trained, or whose snapshot is taken.
    public var epoch: Int
    /// Overall fraction of the estimated work, 0…1.
    public var fraction: Double
}

/// Where the time went.
public struct TrainingTimings: Sendable, Equatable {
    /// Forward and backward passes and optimiser updates.
    public var steps = 0.0
    /// The optimiser updates alone (part of `steps`).
    public var optimizer = 0.0
    /// Full train/test evaluation passes.
    public var evaluation = 0.0
    /// Snapshots in total, and their parts (the sampler's stage timings summed over snapshots).
    public var snapshots = 0.0
    public var kernels = StageTimings()
    /// Solving the initial limit laws.
    public var laws = 0.0
    public var total = 0.0
    public init() {}
}

public struct TrainingSummary: Sendable {
    public let plan: TrainingPlan
    public let epochsCompleted: Int
    public let finalTrainMSE: Double
    public let finalTestMetric: Double
    public let timings: TrainingTimings
    public let peakResidentBytes: Int?
}

/// Events of a run, in order: `.started`, then `.epoch`/`.progress`/`.snapshot` interleaved (the first
/// snapshot is followed by `.laws`), then `.finished`.
public enum TrainingEvent: Sendable {
    case started(TrainingPlan)
    case progress(TrainingProgress)
    case epoch(EpochRecord)
    case laws(InitialLaws)
    case snapshot(TrainingSnapshot)
    case finished(TrainingSummary)
}

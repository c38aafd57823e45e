import Foundation
import LimitLaws
import NetworkSampling

/// Labelled samples read from a user's file: one sample per row of `features`, one label per sample.
/// Binary classification: exactly two distinct label values, the smaller one becomes −1, the larger +1.
public struct LabeledData: Sendable, Equatable {
    public var features: DataMatrix
    public var labels: [Double]
    /// Where the data came from (a file name), for headers and output files.
    public var source: String

    public init(features: DataMatrix, labels: [Double], source: String) {
        self.features = features; self.labels = labels; self.source = source
    }

    /// Where the labels of a data matrix are: a column of it (1-based, negative counts from the end;
    /// removed from the features) or values read from a file, one per sample.
    public enum Labels: Sendable, Equatable {
        case column(Int)
        case values([Double], name: String)
    }

    /// The syntax of a labels specification, for messages.
    public static let labelsSyntax = "a column of the data (1-based, -1 = the last) or a file with one label per row"

    /// Splits `matrix` (read from `name`) into features and labels (`ntkscope train --data --labels`,
    /// the explorer's `:data`/`:labels`). Errors name `--labels` with the value and what is allowed.
    public static func make(_ m: DataMatrix, labels: Labels, name: String) throws(TrainingError) -> LabeledData {
        switch labels {
        case .column(let c):
            guard c != 0, abs(c) <= m.features, m.features >= 2 else {
                throw .invalidSettings(option: "--labels", value: "\(c)",
                                       allowed: "a column from 1 to \(m.features) (or -1 … -\(m.features) from the end) of \(name), which keeps at least one feature column")
            }
            let col = c > 0 ? c - 1 : m.features + c
            var features = [Double](), values = [Double]()
            features.reserveCapacity(m.samples * (m.features - 1))
            for a in 0..<m.samples {
                for f in 0..<m.features {
                    let v = m.values[a * m.features + f]
                    if f == col { values.append(v) } else { features.append(v) }
                }
            }
            return LabeledData(features: DataMatrix(samples: m.samples, features: m.features - 1, values: features),
                               labels: values, source: "\(name) (labels: column \(col + 1))")
        case .values(let values, let file):
            guard values.count == m.samples else {
                throw .invalidSettings(option: "--labels", value: file, allowed: "one label per sample of \(name): it has \(values.count) rows, the data \(m.samples)")
            }
            return LabeledData(features: m, labels: values, source: "\(name) (labels: \(file))")
        }
    }
}

/// What the network learns.
public enum TrainingTask: Sendable, Equatable {
    /// The paper's default (§4.3): y = σ(xᵀv), σ the network's activation, v a fixed direction of norm √d₀.
    case singleNeuron
    /// y = xᵀv, v of norm √d₀.
    case linearTeacher
    /// Binary classification of a user's data (labels ±1 on the squared loss), with a held-out split.
    case classification(LabeledData)

    public var name: String {
        switch self {
        case .singleNeuron: return "single-neuron"
        case .linearTeacher: return "linear"
        case .classification: return "classification"
        }
    }
}

/// The optimiser of the squared loss.
public enum OptimizerKind: Sendable, Hashable {
    /// θ ← θ − η ∇L (full-batch gradient descent; with a batch size below n, plain SGD).
    case gradientDescent
    /// Adam, Algorithm 1 of Kingma & Ba (2015): bias-corrected moments, ε added to √v̂.
    case adam(beta1: Double, beta2: Double, epsilon: Double)

    /// Keras's defaults (the paper trained with Keras): β₁ = 0.9, β₂ = 0.999, ε = 1e-7.
    public static let adamDefault = OptimizerKind.adam(beta1: 0.9, beta2: 0.999, epsilon: 1e-7)
    public var name: String { if case .adam = self { return "adam" }; return "gd" }
}

/// Which weights the optimiser moves. The network function (eq. 1), its initialisation and its kernels
/// are the same either way; only the geometry of the updates differs.
public enum Parametrization: String, Sendable, Hashable, CaseIterable {
    /// The paper's eq. (1) as written (the "NTK parametrisation"): the optimiser acts on W_ℓ and w with
    /// iid N(0, 1) entries, and the 1/√d_ℓ factors sit in the forward pass.
    case ntk
    /// The optimiser acts on W'_ℓ = W_ℓ/√d_{ℓ−1} (ℓ ≥ 2) and w' = w/√d_L, entries N(0, 1/fan-in), as a
    /// framework's dense layers without the explicit factors would (W₁ is unchanged: the inputs have unit norm).
    case standard
}

/// When to take a snapshot. Epoch 0 (the network at initialisation) and the last epoch always are.
public enum SnapshotSchedule: Sendable, Hashable {
    /// Every k epochs: 0, k, 2k, …, and the last one.
    case every(Int)
    /// About `count` epochs spaced geometrically between 1 and the last one (rounded, duplicates merged), plus 0.
    case logSpaced(Int)
    /// These epochs (plus 0 and the last one).
    case epochs([Int])

    /// The syntax of `parse`, for messages.
    public static let syntax = "every:K, log:K or a comma-separated list of epochs"

    /// Reads "every:K", "log:K" (about K log-spaced epochs) or a list "0,5,50" (`ntkscope train
    /// --snapshots`); nil when the text is none of these. Ranges are checked by `TrainingSettings.validate`.
    public static func parse(_ text: String) -> SnapshotSchedule? {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        func int(_ s: Substring) -> Int? { Int(s.trimmingCharacters(in: .whitespaces)) }
        if t.hasPrefix("every:") { return int(t.dropFirst(6)).map { .every($0) } }
        if t.hasPrefix("log:") { return int(t.dropFirst(4)).map { .logSpaced($0) } }
        let list = t.split(separator: ",", omittingEmptySubsequences: false).map(int)
        guard !list.isEmpty, list.allSatisfy({ $0 != nil }) else { return nil }
        return .epochs(list.map { $0! })
    }

    /// As `parse` reads it: "every:5", "log:12", "0,5,50".
    public var text: String {
        switch self {
        case .every(let k): return "every:\(k)"
        case .logSpaced(let c): return "log:\(c)"
        case .epochs(let list): return list.map(String.init).joined(separator: ",")
        }
    }

    /// The snapshot epochs for a run of `epochs` epochs, ascending and unique.
    public func resolve(epochs: Int) -> [Int] {
        var set: Set<Int> = [0, epochs]
        switch self {
        case .every(let k):
            if k > 0 { for e in stride(from: 0, through: epochs, by: k) { set.insert(e) } }
        case .logSpaced(let count):
            if count > 0 && epochs > 0 {
                let c = max(1, count)
                for i in 0..<c {
                    let t = c == 1 ? 1 : Double(i) / Double(c - 1)
                    set.insert(min(epochs, max(1, Int(pow(Double(epochs), t).rounded()))))
                }
            }
        case .epochs(let list):
            for e in list where e >= 0 && e <= epochs { set.insert(e) }
        }
        return set.sorted()
    }
}

/// Everything that defines a training run; a pure value (no files, no state). The defaults are the
/// small configuration for a first look (n = 400, d₀ = d_ℓ = 320, L = 3, 50 epochs of Adam); the paper's
/// Figure 3 setting is `TrainingSettings.figure3`.
public struct TrainingSettings: Sendable, Equatable {
    public var task: TrainingTask = .singleNeuron
    /// σ (normalised, as everywhere in ntkscope: E σ(ξ) = 0, E σ(ξ)² = 1).
    public var activation: Activation = try! Activation.named("arctan")
    /// Training samples n (teacher tasks; for a data file: at most this many, nil = the file's split).
    public var n: Int? = 400
    /// Held-out samples of the teacher tasks (a data file uses `testFraction`).
    public var testCount: Int = 1000
    /// Fraction of a data file's samples held out for the test metric.
    public var testFraction: Double = 0.2
    /// Principal components removed from a data file after centring (the paper's CIFAR-10 preprocessing).
    public var removePCs: Int = 0
    /// Input dimension d₀ of the teacher tasks (a data file gives its own).
    public var inputDim: Int = 320
    /// Hidden widths d₁ … d_L (sets the depth L).
    public var widths: [Int] = [320, 320, 320]
    /// Input design of the teacher tasks: uniform on the unit sphere (the paper) or iid N(0, 1/d₀).
    public var inputs: InputDesign.Kind = .sphere
    public var optimizer: OptimizerKind = .adamDefault
    public var parametrization: Parametrization = .ntk
    public var learningRate: Double = 0.01
    /// Mini-batch size; nil = the full batch (gradient descent proper). The last batch of an epoch
    /// holds the remainder (as Keras does), so an epoch is ⌈n/B⌉ steps.
    public var batchSize: Int? = 32
    public var epochs: Int = 50
    /// Seed of the weights (the sampler's streams: epoch 0 is `ntkscope sample --seed` exactly) and of
    /// the mini-batch order.
    public var seed: UInt64 = 0
    /// Seed of the inputs, the teacher and the data split; nil = `seed`.
    public var dataSeed: UInt64? = nil
    public var snapshots: SnapshotSchedule = .every(5)
    /// Eigenpairs per kernel and snapshot (the label-variance shares use them).
    public var topK: Int = 5
    /// Also the KS and W1 distances of every snapshot's spectra from the initial limit laws.
    public var compare: Bool = false
    /// Precision of the weights, the products, the optimiser state and the kernels.
    public var precision: Precision = .float32
    /// BLAS and helper-loop threads of the snapshots; nil = `BLASThreads.defaultCount`, as `ntkscope sample`
    /// (equal thread counts make epoch 0 bitwise the sampler's).
    public var threads: Int? = nil
    /// Threads of the optimiser steps and evaluation passes; nil = 1. Mini-batch products (d × d × B with
    /// B = 32) are small: a second OpenBLAS thread gains little on an idle machine and, on a busy one, its
    /// spinning waits made steps 2.5 times slower (docs/performance.md).
    public var stepThreads: Int? = nil
    /// Full train-MSE and test-metric passes every this many epochs (0 = at snapshots and the last epoch
    /// only; nil = every max(1, epochs/50) epochs, about 50 points per curve). Every epoch also records the
    /// mean of its mini-batch losses, which costs nothing. (A pass over n + test samples costs about a
    /// third of an epoch of mini-batch steps.)
    public var evaluateEvery: Int? = nil

    public init() {}

    /// The paper's Figure 3 (§4.3): n = 1000 on the sphere in d₀ = 800, three layers of width 800, no
    /// biases, arctan, y = σ(xᵀv), Adam with learning rate 0.01 and batch 32 for 300 epochs; snapshots
    /// every 30 epochs.
    public static var figure3: TrainingSettings {
        var s = TrainingSettings()
        s.n = 1000; s.inputDim = 800; s.widths = [800, 800, 800]; s.epochs = 300; s.snapshots = .every(30)
        return s
    }

    public var depth: Int { widths.count }
    public var resolvedDataSeed: UInt64 { dataSeed ?? seed }
    public var resolvedThreads: Int { max(1, threads ?? BLASThreads.defaultCount) }
    public var resolvedStepThreads: Int { max(1, stepThreads ?? 1) }
    public var resolvedEvaluateEvery: Int { evaluateEvery ?? max(1, epochs / 50) }

    /// Training samples n (`--n`).
    public static let sampleCounts = NumberBound(2...50_000)
    /// Held-out samples of the teacher tasks (`--test`).
    public static let testCounts = NumberBound(0...200_000)
    /// The input dimension d₀ and every hidden width (`--input-dim`, `--widths`, `--width`).
    public static let dimensions = NumberBound(1...20_000)
    public static let epochCounts = NumberBound(0...1_000_000)
    /// Eigenpairs per kernel and snapshot (`--top-k`).
    public static let topKs = NumberBound(0...1000)
    /// What `--eval-every` may be.
    public static let evaluateEveryAllowed = "an integer ≥ 0"

    /// Checks the values that do not need the data (the option names are the command line's).
    public func validate() throws(TrainingError) {
        func bad(_ option: String, _ value: Any, _ allowed: String) -> TrainingError {
            .invalidSettings(option: option, value: "\(value)", allowed: allowed)
        }
        guard !widths.isEmpty, widths.count <= NetworkModel.maxDepth else {
            throw bad("--widths", widths.count, "between 1 and \(NetworkModel.maxDepth) hidden layers")
        }
        func within(_ v: Int, _ bound: NumberBound) -> Bool { bound.contains(Double(v)) }
        for w in widths where !within(w, Self.dimensions) { throw bad("--widths", w, "every width \(Self.dimensions)") }
        if case .classification = task {} else {
            guard within(inputDim, Self.dimensions) else { throw bad("--input-dim", inputDim, Self.dimensions.description) }
            guard let n, within(n, Self.sampleCounts) else { throw bad("--n", n.map { "\($0)" } ?? "none", Self.sampleCounts.description) }
            guard within(testCount, Self.testCounts) else { throw bad("--test", testCount, Self.testCounts.description) }
        }
        if let n, !within(n, Self.sampleCounts) { throw bad("--n", n, Self.sampleCounts.description) }
        guard testFraction >= 0, testFraction < 1 else { throw bad("--test-fraction", testFraction, "a number in [0, 1)") }
        guard learningRate.isFinite, learningRate > 0, learningRate <= 1e3 else {
            throw bad("--lr", learningRate, "a number in (0, 1000]")
        }
        if let b = batchSize, b < 1 { throw bad("--batch-size", b, "an integer ≥ 1") }
        guard within(epochs, Self.epochCounts) else { throw bad("--epochs", epochs, Self.epochCounts.description) }
        guard within(topK, Self.topKs) else { throw bad("--top-k", topK, Self.topKs.description) }
        if let e = evaluateEvery, e < 0 { throw bad("--eval-every", e, Self.evaluateEveryAllowed) }
        if let t = threads, !within(t, NumberBounds.threads) { throw bad("--threads", t, NumberBounds.threads.description) }
        if let t = stepThreads, !within(t, NumberBounds.threads) { throw bad("--step-threads", t, NumberBounds.threads.description) }
        if case .adam(let b1, let b2, let eps) = optimizer {
            guard b1 >= 0, b1 < 1 else { throw bad("--beta1", b1, "a number in [0, 1)") }
            guard b2 >= 0, b2 < 1 else { throw bad("--beta2", b2, "a number in [0, 1)") }
            guard eps.isFinite, eps > 0, eps < 1 else { throw bad("--epsilon", eps, "a number in (0, 1)") }
        }
        switch snapshots {
        case .every(let k): if k < 1 { throw bad("--snapshots", "every:\(k)", "every:K with K ≥ 1") }
        case .logSpaced(let c): if c < 1 || c > 10_000 { throw bad("--snapshots", "log:\(c)", "log:K with K from 1 to 10000") }
        case .epochs(let list):
            for e in list where e < 0 || e > epochs {
                throw bad("--snapshots", e, "epochs between 0 and --epochs \(epochs)")
            }
        }
    }
}

/// Why a training run stopped without finishing.
public enum TrainingError: Error, CustomStringConvertible, Equatable {
    /// A setting out of range: the command-line option, the value and what is allowed.
    case invalidSettings(option: String, value: String, allowed: String)
    /// The user's data or labels cannot be used.
    case data(String)
    /// The loss became NaN or infinite.
    case diverged(epoch: Int, step: Int, loss: Double)
    /// A snapshot's kernels could not be computed.
    case sampling(SamplingError)
    case cancelled

    public var description: String {
        switch self {
        case .invalidSettings(let o, let v, let a): return "invalid value '\(v)' for \(o): must be \(a)"
        case .data(let s): return s
        case .diverged(let e, let s, let l):
            return "training diverged in epoch \(e), step \(s) (loss \(l)); try a smaller --lr"
        case .sampling(let e): return e.description
        case .cancelled: return "cancelled"
        }
    }
}

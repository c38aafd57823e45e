import Foundation
import LimitLaws
import NetworkSampling

/// How the held-out samples are scored.
public enum TestMetric: String, Sendable, Hashable {
    /// Prediction R² = 1 − Σ(f − y)² / Σ(y − ȳ)² on the test samples (ȳ their mean).
    case r2
    /// Share of test samples with sign(f) equal to the ±1 label.
    case accuracy
}

/// The samples of one run: training inputs and labels, held-out inputs and labels, and how the
/// snapshots' sampler request draws the same training inputs.
public struct TrainingData: Sendable {
    /// Training inputs, n × d₀ (one sample per row = the column-major d₀ × n layout of X₀).
    public let train: DataMatrix
    public let trainLabels: [Double]
    public let test: DataMatrix
    public let testLabels: [Double]
    public let metric: TestMetric
    /// The sampler's input design for the training inputs (`.sphere`/`.gaussian` regenerated from
    /// `inputSeed`, or `.data(train)`), so snapshot kernels use exactly these inputs.
    public let inputSpec: InputSpec
    public let inputSeed: UInt64
    /// The teacher direction v (|v| = √d₀) of the teacher tasks.
    public let teacher: [Double]?
    /// For a data file: the label values mapped to −1 and +1.
    public let classes: (negative: Double, positive: Double)?
    /// One line for headers: what the data are.
    public let summary: String

    public var n: Int { train.samples }
    public var inputDim: Int { train.features }

    /// Builds the data of `settings` (validated first). Teacher tasks draw inputs from the streams
    /// (dataSeed, inputColumn, α) and (dataSeed, testInputColumn, α), the teacher from (dataSeed, teacher, 0).
    /// A data file is split at random (stream (dataSeed, split, 0)) into train and test, then
    /// preprocessed as `DataMatrix.preprocessed` does (centred over all its samples, top PCs removed, unit norm).
    public static func make(_ settings: TrainingSettings) throws(TrainingError) -> TrainingData {
        try settings.validate()
        let seed = settings.resolvedDataSeed
        switch settings.task {
        case .singleNeuron, .linearTeacher:
            let n = settings.n ?? 400, d0 = settings.inputDim, kind = settings.inputs
            // Inputs in double (here) and in the working precision (the trainer): refuse before allocating.
            let bytes = (n + settings.testCount) * d0 * 12
            if let available = MemoryInfo.available(), Double(bytes) > 0.5 * Double(available) {
                throw .sampling(.insufficientMemory(needed: bytes, available: available,
                                                    hint: "Use a smaller --n, --test or --input-dim."))
            }
            let threads = settings.resolvedThreads
            let train = InputDesign.columns(kind, seed: seed, purpose: .inputColumn, count: n, d0: d0, threads: threads)
            let test = InputDesign.columns(kind, seed: seed, purpose: .testInputColumn, count: settings.testCount, d0: d0, threads: threads)
            let v = InputDesign.direction(seed: seed, purpose: .teacher, dimension: d0, radius: Double(d0).squareRoot())
            let act = settings.activation
            let neuron = settings.task == .singleNeuron
            func labels(_ m: DataMatrix) -> [Double] {
                (0..<m.samples).map { a in
                    var s = 0.0
                    for k in 0..<d0 { s += m.values[a * d0 + k] * v[k] }
                    return neuron ? act.value(s) : s
                }
            }
            let spec: InputSpec = kind == .sphere ? .sphere(d0: d0) : .gaussian(d0: d0)
            let teacher = neuron ? "y = σ(xᵀv)" : "y = xᵀv"
            let where_ = kind == .sphere ? "uniform on the unit sphere" : "iid N(0, 1/d₀)"
            return TrainingData(train: train, trainLabels: labels(train), test: test, testLabels: labels(test),
                                metric: .r2, inputSpec: spec, inputSeed: seed, teacher: v, classes: nil,
                                summary: "\(settings.task.name) teacher \(teacher), |v| = √d₀, inputs \(where_) in d₀ = \(d0)")
        case .classification(let data):
            return try split(data, settings: settings, seed: seed)
        }
    }

    static func split(_ data: LabeledData, settings: TrainingSettings, seed: UInt64) throws(TrainingError) -> TrainingData {
        let m = data.features
        guard data.labels.count == m.samples else {
            throw .data("\(data.source): \(m.samples) samples but \(data.labels.count) labels")
        }
        guard data.labels.allSatisfy({ $0.isFinite }) else { throw .data("\(data.source): a label is NaN or infinite") }
        let values = Set(data.labels).sorted()
        guard values.count == 2 else {
            let shown = values.prefix(5).map { "\($0)" }.joined(separator: ", ")
            throw .data("\(data.source): binary classification needs exactly two label values, found \(values.count)"
                        + (values.isEmpty ? "" : " (\(shown)\(values.count > 5 ? ", …" : ""))"))
        }
        let all = m.samples
        var testCount = Int((Double(all) * settings.testFraction).rounded())
        if settings.testFraction > 0 { testCount = max(1, testCount) }
        var trainCount = all - testCount
        if let n = settings.n {
            guard n <= trainCount else {
                throw .invalidSettings(option: "--n", value: "\(n)", allowed: "at most the \(trainCount) training samples of \(data.source) (after holding out \(testCount))")
            }
            trainCount = n
        }
        guard trainCount >= 2 else { throw .data("\(data.source): only \(trainCount) training samples after the split; need at least 2") }
        let pre: DataMatrix
        do { pre = try m.preprocessed(removePCs: settings.removePCs) } catch {
            if case .invalidRequest(let s) = error { throw .invalidSettings(option: "--remove-pcs", value: "\(settings.removePCs)", allowed: s) }
            throw .data("\(data.source): \(error.description)")
        }
        // A seeded permutation: the first testCount samples are held out, the next trainCount train.
        var order = Array(0..<all)
        var g = RandomStreams.generator(seed: seed, purpose: .split, index: 0)
        shuffle(&order, &g)
        let d = m.features
        func take(_ idx: ArraySlice<Int>) -> (DataMatrix, [Double]) {
            var v = [Double](); v.reserveCapacity(idx.count * d)
            for a in idx { v.append(contentsOf: pre.values[(a * d)..<((a + 1) * d)]) }
            let y = idx.map { data.labels[$0] == values[1] ? 1.0 : -1.0 }
            return (DataMatrix(samples: idx.count, features: d, values: v), y)
        }
        let (test, testY) = take(order[0..<testCount])
        let (train, trainY) = take(order[testCount..<(testCount + trainCount)])
        return TrainingData(train: train, trainLabels: trainY, test: test, testLabels: testY, metric: .accuracy,
                            inputSpec: .data(train), inputSeed: seed, teacher: nil, classes: (values[0], values[1]),
                            summary: "classification of \(data.source): \(values[0]) → −1, \(values[1]) → +1; "
                                + "\(trainCount) train, \(testCount) test samples, d₀ = \(d)"
                                + (settings.removePCs > 0 ? ", \(settings.removePCs) PCs removed" : ""))
    }

    /// Fisher–Yates with an unbiased-enough multiply-high draw (bias < 2⁻⁴⁰ for the sizes here);
    /// the same numbers on every platform and Swift version.
    static func shuffle(_ a: inout [Int], _ g: inout Xoshiro256StarStar) {
        guard a.count > 1 else { return }
        for i in stride(from: a.count - 1, to: 0, by: -1) {
            let j = Int(UInt64(i + 1).multipliedFullWidth(by: g.next()).high)
            a.swapAt(i, j)
        }
    }
}

extension TrainingData {
    /// Scores predictions `f` of the test samples.
    public func testScore(_ f: [Double]) -> Double { Self.score(f, labels: testLabels, metric: metric) }

    static func score(_ f: [Double], labels y: [Double], metric: TestMetric) -> Double {
        guard !y.isEmpty else { return .nan }
        switch metric {
        case .r2:
            let mean = y.reduce(0, +) / Double(y.count)
            var res = 0.0, tot = 0.0
            for i in y.indices { res += (f[i] - y[i]) * (f[i] - y[i]); tot += (y[i] - mean) * (y[i] - mean) }
            return tot > 0 ? 1 - res / tot : .nan
        case .accuracy:
            var right = 0
            for i in y.indices where (f[i] >= 0 ? 1.0 : -1.0) == y[i] { right += 1 }
            return Double(right) / Double(y.count)
        }
    }
}

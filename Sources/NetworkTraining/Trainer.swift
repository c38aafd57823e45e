import Foundation
import LimitLaws
import NetworkSampling

/// Synchronous training: runs `settings` on the calling thread and reports through `emit`. Use
/// `TrainingJob` to run it in the background.
public enum Trainer {
    /// Trains and takes the snapshots. Throws `TrainingError.cancelled` when `token` is cancelled (the
    /// events already emitted — epochs, snapshots — stay valid), `.diverged` when the loss stops being finite.
    /// - Parameter data: the samples; nil builds them from `settings` (`TrainingData.make`).
    public static func run(_ settings: TrainingSettings, data: TrainingData? = nil, token: CancellationToken = CancellationToken(),
                           emit: (TrainingEvent) -> Void) throws(TrainingError) {
        try settings.validate()
        let data: TrainingData = try { () throws(TrainingError) -> TrainingData in
            if let data { return data }
            return try TrainingData.make(settings)
        }()
        try withoutActuallyEscaping(emit) { (e) throws(TrainingError) in
            switch settings.precision {
            case .float32: try TrainingLoop<Float>(settings, data: data, token: token, emit: e).run()
            case .float64: try TrainingLoop<Double>(settings, data: data, token: token, emit: e).run()
            }
        }
    }

    /// Estimated peak bytes of a run: the weights with their gradients and optimiser state, the data
    /// in both precisions, the batch workspace, and the largest snapshot (the sampler's estimate).
    public static func estimatedPeakBytes(_ settings: TrainingSettings, data: TrainingData) -> Int {
        let s = settings.precision == .float32 ? 4.0 : 8.0
        let w = [data.inputDim] + settings.widths
        var params = Double(w.last!)
        for l in 1..<w.count { params += Double(w[l] * w[l - 1]) }
        let copies: Double = { if case .adam = settings.optimizer { return 4 }; return 2 }()
        let samples = Double(data.n + data.test.samples)
        let batch = Double(min(data.n, settings.batchSize ?? data.n))
        let work = 3 * batch * Double(w.reduce(0, +)) * s + 3 * 1024 * Double(w.max()!) * s
        let snapshot = (try? SnapshotTaker(settings: settings, data: data).request(weights: nil, epoch: 0).estimatedPeakBytes()) ?? 0
        return Int(copies * params * s + samples * Double(data.inputDim) * (8 + s) + work) + snapshot
    }
}

final class TrainingLoop<T: BLASScalar> {
    let settings: TrainingSettings
    let data: TrainingData
    let token: CancellationToken
    let emit: (TrainingEvent) -> Void
    /// Threads of the optimiser steps and evaluations (snapshots use `settings.resolvedThreads`).
    let threads: Int
    let start = Date()
    var timings = TrainingTimings()
    // progress
    var done = 0.0, total = 1.0, lastReport = -1.0
    var epochWork = 0.0, evalWork = 0.0, snapshotWork = 0.0

    init(_ settings: TrainingSettings, data: TrainingData, token: CancellationToken, emit: @escaping (TrainingEvent) -> Void) {
        self.settings = settings; self.data = data; self.token = token; self.emit = emit
        threads = settings.resolvedStepThreads
    }

    func report(_ phase: TrainingPhase, epoch: Int, extra: Double = 0, force: Bool = false) {
        let now = Date().timeIntervalSince(start)
        if force || now - lastReport >= 0.05 {
            lastReport = now
            emit(.progress(TrainingProgress(phase: phase, epoch: epoch, fraction: min(1, (done + extra) / total))))
        }
    }

    func check() throws(TrainingError) { if token.isCancelled { throw .cancelled } }

    /// d₀ × count matrix in T from a data matrix (which is already column-major d₀ × samples).
    static func matrix(_ m: DataMatrix) -> Matrix<T> {
        let x = Matrix<T>(rows: m.features, cols: max(1, m.samples))
        for k in 0..<(m.features * m.samples) { x.data[k] = T(m.values[k]) }
        return x
    }

    func run() throws(TrainingError) {
        let n = data.n, d0 = data.inputDim, E = settings.epochs
        let widths = [d0] + settings.widths
        let B = min(n, settings.batchSize ?? n)
        let steps = (n + B - 1) / B
        let snapshotEpochs = settings.snapshots.resolve(epochs: E)
        let estimate = Trainer.estimatedPeakBytes(settings, data: data)
        if let available = MemoryInfo.available(), Double(estimate) > 0.9 * Double(available) {
            throw .sampling(.insufficientMemory(needed: estimate, available: available,
                                                hint: "Use smaller --n or --widths" + (settings.precision == .float64 ? ", or float32." : ".")))
        }
        var weightCount = widths.last!
        for l in 1..<widths.count { weightCount += widths[l] * widths[l - 1] }
        let plan = TrainingPlan(settings: settings, widths: widths, n: n, testCount: data.test.samples, batchSize: B,
                                stepsPerEpoch: steps, snapshotEpochs: snapshotEpochs, parameterCount: weightCount,
                                metric: data.metric, dataSummary: data.summary, threads: settings.resolvedThreads,
                                stepThreads: threads, estimatedBytes: estimate)
        // Work model (flop-equivalents) for the progress fraction.
        let P = Double(weightCount), nd = Double(n)
        epochWork = 6 * nd * P
        evalWork = 2 * (nd + Double(data.test.samples)) * P
        var snap = 4 * nd * P
        for d in widths { snap += 2 * nd * nd * Double(d) }
        snap += Double(settings.depth + 2) * 8 * nd * nd * nd
        snapshotWork = snap
        let evaluateEvery = settings.resolvedEvaluateEvery
        let evaluations = evaluateEvery > 0 ? E / evaluateEvery : 0
        total = max(1, Double(E) * epochWork + Double(evaluations + snapshotEpochs.count + 1) * evalWork
                    + Double(snapshotEpochs.count) * snapshotWork)
        emit(.started(plan))
        report(.preparing, epoch: 0, force: true)

        let net = TrainableNetwork<T>(widths: widths, activation: settings.activation, seed: settings.seed, threads: threads)
        let xTrain = Self.matrix(data.train), xTest = Self.matrix(data.test)
        let yTrain = UnsafeMutablePointer<T>.allocate(capacity: n)
        for a in 0..<n { yTrain[a] = T(data.trainLabels[a]) }
        defer { yTrain.deallocate() }
        let params = net.parameters
        let grads = params.map { Matrix<T>(rows: $0.rows, cols: $0.cols) }
        let paramPointers = params.map(\.data), gradPointers = grads.map { UnsafePointer($0.data) }
        // Standard parametrisation: W'_ℓ = W_ℓ/√d_{ℓ−1} for ℓ ≥ 2 and w' = w/√d_L (see `Parametrization`).
        let scales = settings.parametrization == .ntk ? nil : (1...widths.count - 1).map { $0 == 1 ? 1.0 : Double(widths[$0 - 1]) } + [Double(widths.last!)]
        let optimizer = Optimizer<T>(kind: settings.optimizer, learningRate: settings.learningRate,
                                     sizes: params.map(\.count), scales: scales, threads: threads)
        let xb = Matrix<T>(rows: d0, cols: B), yb = UnsafeMutablePointer<T>.allocate(capacity: B)
        defer { yb.deallocate() }
        let taker = SnapshotTaker(settings: settings, data: data)
        var order = Array(0..<n)
        var lastMSE = Double.nan, lastMetric = Double.nan

        func evaluate(_ epoch: Int) throws(TrainingError) -> (Double, Double) {
            try check()
            report(.evaluating, epoch: epoch)
            let t0 = Date()
            let f = BLASExclusive.run(threads: threads) { net.predict(xTrain.data, count: n) }
            var mse = 0.0
            for a in 0..<n { let e = f[a] - data.trainLabels[a]; mse += e * e }
            mse /= nd
            let metric = BLASExclusive.run(threads: threads) {
                data.test.samples > 0 ? data.testScore(net.predict(xTest.data, count: data.test.samples)) : .nan
            }
            timings.evaluation += Date().timeIntervalSince(t0)
            done += evalWork
            lastMSE = mse; lastMetric = metric
            return (mse, metric)
        }

        func snapshot(_ epoch: Int, mse: Double, metric: Double) throws(TrainingError) {
            try check()
            let t0 = Date()
            let kernels = try taker.take(epoch: epoch, weights: net.weights, token: token, progress: { f in
                report(.snapshot, epoch: epoch, extra: f * snapshotWork)
            }, onLaws: { emit(.laws($0)) })
            let seconds = Date().timeIntervalSince(t0)
            timings.snapshots += seconds
            done += snapshotWork
            emit(.snapshot(TrainingSnapshot(epoch: epoch, trainMSE: mse, testMetric: metric, kernels: kernels, seconds: seconds)))
            report(.training, epoch: epoch, force: true)
        }

        let (mse0, metric0) = try evaluate(0)
        emit(.epoch(EpochRecord(epoch: 0, batchLoss: .nan, trainMSE: mse0, testMetric: metric0,
                                elapsed: Date().timeIntervalSince(start))))
        let snapshotSet = Set(snapshotEpochs)
        if snapshotSet.contains(0) { try snapshot(0, mse: mse0, metric: metric0) }

        var completed = 0
        for epoch in stride(from: 1, through: E, by: 1) {
            let t0 = Date()
            if B < n {
                var g = RandomStreams.generator(seed: settings.seed, purpose: .shuffle, index: UInt64(epoch))
                TrainingData.shuffle(&order, &g)
            }
            var lossSum = 0.0
            // BLAS for this epoch's steps is ours alone (thread count fixed: bitwise reproducible).
            try BLASExclusive.run(threads: threads) { () throws(TrainingError) in
                for s in 0..<steps {
                    try check()
                    let a0 = s * B, count = min(B, n - a0)
                    let x: UnsafePointer<T>, y: UnsafePointer<T>
                    if B == n {
                        x = UnsafePointer(xTrain.data); y = UnsafePointer(yTrain)
                    } else {
                        for j in 0..<count {
                            let a = order[a0 + j]
                            (xb.data + j * d0).update(from: xTrain.data + a * d0, count: d0)
                            yb[j] = yTrain[a]
                        }
                        x = UnsafePointer(xb.data); y = UnsafePointer(yb)
                    }
                    let loss = net.lossAndGradient(x, labels: y, count: count, into: grads)
                    guard loss.isFinite else { throw .diverged(epoch: epoch, step: s + 1, loss: loss) }
                    lossSum += loss * Double(count)
                    let u0 = Date()
                    optimizer.update(paramPointers, gradPointers)
                    timings.optimizer += Date().timeIntervalSince(u0)
                    done += epochWork * Double(count) / nd
                    report(.training, epoch: epoch)
                }
            }
            timings.steps += Date().timeIntervalSince(t0)
            completed = epoch
            let isSnapshot = snapshotSet.contains(epoch)
            var mse: Double?, metric: Double?
            if isSnapshot || (evaluateEvery > 0 && epoch % evaluateEvery == 0) || epoch == E {
                let r = try evaluate(epoch)
                mse = r.0; metric = r.1
            }
            emit(.epoch(EpochRecord(epoch: epoch, batchLoss: lossSum / nd, trainMSE: mse, testMetric: metric,
                                    elapsed: Date().timeIntervalSince(start))))
            if isSnapshot { try snapshot(epoch, mse: mse!, metric: metric!) }
        }
        timings.kernels = taker.timings
        timings.laws = taker.lawSeconds
        timings.total = Date().timeIntervalSince(start)
        report(.done, epoch: completed, force: true)
        emit(.finished(TrainingSummary(plan: plan, epochsCompleted: completed, finalTrainMSE: lastMSE, finalTestMetric: lastMetric,
                                       timings: timings, peakResidentBytes: MemoryInfo.peakResident())))
    }
}

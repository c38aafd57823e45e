import Foundation
import Testing
@testable import NetworkTraining
import NetworkSampling
import LimitLaws

/// Adam exactly as printed in Kingma & Ba (2015), Algorithm 1, written out independently.
struct AdamAlgorithm1 {
    let alpha: Double, beta1: Double, beta2: Double, epsilon: Double
    var m: [Double], v: [Double], t = 0
    init(alpha: Double, beta1: Double, beta2: Double, epsilon: Double, count: Int) {
        self.alpha = alpha; self.beta1 = beta1; self.beta2 = beta2; self.epsilon = epsilon
        m = Array(repeating: 0, count: count); v = Array(repeating: 0, count: count)
    }
    mutating func step(_ theta: inout [Double], gradient g: [Double]) {
        t += 1
        for i in theta.indices {
            m[i] = beta1 * m[i] + (1 - beta1) * g[i]
            v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i]
            let mHat = m[i] / (1 - pow(beta1, Double(t)))
            let vHat = v[i] / (1 - pow(beta2, Double(t)))
            theta[i] -= alpha * mHat / (vHat.squareRoot() + epsilon)
        }
    }
}

@Suite struct OptimizerTests {
    /// L(θ) = ½ Σ a_i (θ_i − c_i)²: exact gradient a_i (θ_i − c_i); both buffers split in two blocks.
    @Test func adamFollowsAlgorithm1OnAQuadratic() {
        let a: [Double] = [3, 0.01, 1, 250, 0.5], c: [Double] = [1, -2, 0.5, 0.001, 4]
        var theta: [Double] = [0, 0, 0, 0, 0]
        // ε large enough to matter on the small-gradient coordinate
        var reference = AdamAlgorithm1(alpha: 0.1, beta1: 0.8, beta2: 0.99, epsilon: 1e-3, count: 5)
        let opt = Optimizer<Double>(kind: .adam(beta1: 0.8, beta2: 0.99, epsilon: 1e-3), learningRate: 0.1, sizes: [2, 3], threads: 1)
        let p0 = UnsafeMutablePointer<Double>.allocate(capacity: 2), p1 = UnsafeMutablePointer<Double>.allocate(capacity: 3)
        let g0 = UnsafeMutablePointer<Double>.allocate(capacity: 2), g1 = UnsafeMutablePointer<Double>.allocate(capacity: 3)
        defer { p0.deallocate(); p1.deallocate(); g0.deallocate(); g1.deallocate() }
        for i in 0..<2 { p0[i] = theta[i] }
        for i in 0..<3 { p1[i] = theta[i + 2] }
        for _ in 0..<25 {
            let mine = (0..<2).map { p0[$0] } + (0..<3).map { p1[$0] }
            let g = (0..<5).map { a[$0] * (mine[$0] - c[$0]) }
            for i in 0..<2 { g0[i] = g[i] }
            for i in 0..<3 { g1[i] = g[i + 2] }
            opt.update([p0, p1], [UnsafePointer(g0), UnsafePointer(g1)])
            let gRef = (0..<5).map { a[$0] * (theta[$0] - c[$0]) }
            reference.step(&theta, gradient: gRef)
        }
        let mine = (0..<2).map { p0[$0] } + (0..<3).map { p1[$0] }
        for i in 0..<5 { #expect(abs(mine[i] - theta[i]) <= 1e-13 * max(1, abs(theta[i])), "coordinate \(i): \(mine[i]) vs \(theta[i])") }
        #expect(opt.step == 25)
        // the first step moves every coordinate by α·sign(g)·|g|/(|g| + ε) — not by the raw gradient
        let first = Optimizer<Double>(kind: .adam(beta1: 0.9, beta2: 0.999, epsilon: 1e-8), learningRate: 0.01, sizes: [1], threads: 1)
        let p = UnsafeMutablePointer<Double>.allocate(capacity: 1), g = UnsafeMutablePointer<Double>.allocate(capacity: 1)
        defer { p.deallocate(); g.deallocate() }
        p[0] = 5; g[0] = 1234
        first.update([p], [UnsafePointer(g)])
        #expect(abs(p[0] - (5 - 0.01 * 1234 / (1234 + 1e-8))) < 1e-15)
    }

    @Test func gradientDescentIsThetaMinusEtaG() {
        let opt = Optimizer<Double>(kind: .gradientDescent, learningRate: 0.3, sizes: [3], threads: 1)
        let p = UnsafeMutablePointer<Double>.allocate(capacity: 3), g = UnsafeMutablePointer<Double>.allocate(capacity: 3)
        defer { p.deallocate(); g.deallocate() }
        for i in 0..<3 { p[i] = Double(i); g[i] = Double(i * i) - 1 }
        opt.update([p], [UnsafePointer(g)])
        for i in 0..<3 { #expect(p[i] == Double(i) - 0.3 * (Double(i * i) - 1)) }
    }

    /// Through the whole trainer: three full-batch Adam steps on a tiny network end at the train MSE that
    /// Algorithm 1 reaches from the same start with the (finite-difference-checked) gradients.
    @Test func trainerAdamStepsMatchAlgorithm1() throws {
        var s = TrainingSettings()
        s.n = 6; s.testCount = 3; s.inputDim = 3; s.widths = [4, 2]; s.epochs = 3; s.batchSize = nil
        s.optimizer = .adam(beta1: 0.9, beta2: 0.999, epsilon: 1e-7); s.learningRate = 0.05
        s.precision = .float64; s.threads = 1; s.topK = 2; s.snapshots = .epochs([])
        s.seed = 5
        let data = try TrainingData.make(s)
        var record = TrainingRecord()
        try Trainer.run(s, data: data) { record.apply($0) }
        let trained = try #require(record.summary).finalTrainMSE

        let widths = [3, 4, 2]
        let net = TrainableNetwork<Double>(widths: widths, activation: s.activation, seed: 5, threads: 1)
        let sizes = net.parameters.map(\.count)
        var theta = net.parameters.flatMap(contents)
        var adam = AdamAlgorithm1(alpha: 0.05, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, count: theta.count)
        let x = data.train.values, y = data.trainLabels
        let grads = net.parameters.map { Matrix<Double>(rows: $0.rows, cols: $0.cols) }
        func load(_ t: [Double]) {
            var k = 0
            for (i, p) in net.parameters.enumerated() { for j in 0..<sizes[i] { p.data[j] = t[k]; k += 1 } }
        }
        for _ in 0..<3 {
            load(theta)
            _ = x.withUnsafeBufferPointer { xp in
                y.withUnsafeBufferPointer { yp in net.lossAndGradient(xp.baseAddress!, labels: yp.baseAddress!, count: 6, into: grads) }
            }
            adam.step(&theta, gradient: grads.flatMap(contents))
        }
        let ref = ReferenceLoss(activation: s.activation, widths: widths)
        var k = 0
        var layers: [[Double]] = []
        for i in 0..<(widths.count - 1) { layers.append(Array(theta[k..<(k + sizes[i])])); k += sizes[i] }
        let expected = ref.loss(layers: layers, output: Array(theta[k...]), x: x, y: y)
        #expect(abs(trained - expected) <= 1e-12 * expected, "trainer \(trained), Algorithm 1 \(expected)")
        #expect(record.history.map(\.epoch) == [0, 1, 2, 3])
        #expect(expected < record.history[0].trainMSE!)
    }
}

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
    /// L(θ) = ½ Σ a_i (θ_i − c_i)²: exact gradient a_i (θ_i − c_i). 19 coordinates in blocks of 5 and 14, so
    /// both the SIMD lanes (8 floats, 4 doubles) and the scalar tails are used.
    func quadratic<T: BLASScalar>(_: T.Type, steps: Int) -> (mine: [Double], reference: [Double]) {
        let count = 19
        let a = (0..<count).map { [3, 0.01, 1, 250, 0.5][$0 % 5] * (1 + Double($0) / 10) }
        let c = (0..<count).map { [1, -2, 0.5, 0.001, 4][$0 % 5] - Double($0) / 7 }
        var theta = [Double](repeating: 0, count: count)
        // ε large enough to matter on the small-gradient coordinates
        var reference = AdamAlgorithm1(alpha: 0.1, beta1: 0.8, beta2: 0.99, epsilon: 1e-3, count: count)
        let sizes = [5, 14]
        let opt = Optimizer<T>(kind: .adam(beta1: 0.8, beta2: 0.99, epsilon: 1e-3), learningRate: 0.1, sizes: sizes, threads: 1)
        let p = sizes.map { UnsafeMutablePointer<T>.allocate(capacity: $0) }, g = sizes.map { UnsafeMutablePointer<T>.allocate(capacity: $0) }
        defer { for x in p + g { x.deallocate() } }
        func flat(_ b: [UnsafeMutablePointer<T>]) -> [Double] { (0..<5).map { Double(b[0][$0]) } + (0..<14).map { Double(b[1][$0]) } }
        for i in 0..<5 { p[0][i] = 0 }
        for i in 0..<14 { p[1][i] = 0 }
        for _ in 0..<steps {
            let mine = flat(p)
            let grad = (0..<count).map { a[$0] * (mine[$0] - c[$0]) }
            for i in 0..<5 { g[0][i] = T(grad[i]) }
            for i in 0..<14 { g[1][i] = T(grad[i + 5]) }
            opt.update(p, g.map { UnsafePointer($0) })
            reference.step(&theta, gradient: (0..<count).map { a[$0] * (theta[$0] - c[$0]) })
        }
        #expect(opt.step == steps)
        return (flat(p), theta)
    }

    @Test func adamFollowsAlgorithm1OnAQuadratic() {
        let (mine, theta) = quadratic(Double.self, steps: 25)
        for i in theta.indices { #expect(abs(mine[i] - theta[i]) <= 1e-13 * max(1, abs(theta[i])), "coordinate \(i): \(mine[i]) vs \(theta[i])") }
        // float32: the same iterates to single-precision rounding
        let (single, reference) = quadratic(Float.self, steps: 25)
        for i in reference.indices { #expect(abs(single[i] - reference[i]) <= 1e-5 * max(1, abs(reference[i])), "float32 coordinate \(i)") }
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

    /// Through the whole trainer: three full-batch steps on a tiny network end at the train MSE that the
    /// published rule reaches from the same start with the (finite-difference-checked) gradients — for Adam
    /// and gradient descent, in the ntk parametrisation (on θ) and the standard one (on θ' = θ/√c, with
    /// c = d_{ℓ−1} for W_ℓ, ℓ ≥ 2, c = d_L for w and c = 1 for W₁, and the chain rule g' = √c g).
    @Test(arguments: [(OptimizerKind.adam(beta1: 0.9, beta2: 0.999, epsilon: 1e-7), Parametrization.ntk),
                      (.adam(beta1: 0.9, beta2: 0.999, epsilon: 1e-3), .standard),
                      (.gradientDescent, .ntk), (.gradientDescent, .standard)])
    func trainerStepsMatchThePublishedRules(kind: OptimizerKind, parametrization: Parametrization) throws {
        var s = TrainingSettings()
        s.n = 6; s.testCount = 3; s.inputDim = 3; s.widths = [4, 2]; s.epochs = 3; s.batchSize = nil
        s.optimizer = kind; s.parametrization = parametrization
        s.learningRate = kind == .gradientDescent ? (parametrization == .ntk ? 0.2 : 0.05) : 0.05
        s.precision = .float64; s.threads = 1; s.topK = 2; s.snapshots = .epochs([])
        s.seed = 5
        let data = try TrainingData.make(s)
        var record = TrainingRecord()
        try Trainer.run(s, data: data) { record.apply($0) }
        let trained = try #require(record.summary).finalTrainMSE

        let widths = [3, 4, 2]
        let net = TrainableNetwork<Double>(widths: widths, activation: s.activation, seed: 5, threads: 1)
        let sizes = net.parameters.map(\.count)
        let c: [Double] = parametrization == .ntk ? [1, 1, 1] : [1, 4, 2]
        let scale = sizes.enumerated().flatMap { i, n in Array(repeating: c[i].squareRoot(), count: n) }
        // the optimiser's variables θ' = θ/√c
        var primed = zip(net.parameters.flatMap(contents), scale).map { $0 / $1 }
        var adam = AdamAlgorithm1(alpha: 0.05, beta1: 0.9, beta2: 0.999, epsilon: kind == .gradientDescent ? 0 : (parametrization == .ntk ? 1e-7 : 1e-3),
                                  count: primed.count)
        let x = data.train.values, y = data.trainLabels
        let grads = net.parameters.map { Matrix<Double>(rows: $0.rows, cols: $0.cols) }
        func load(_ t: [Double]) {
            var k = 0
            for (i, p) in net.parameters.enumerated() { for j in 0..<sizes[i] { p.data[j] = t[k] * scale[k]; k += 1 } }
        }
        for _ in 0..<3 {
            load(primed)
            _ = x.withUnsafeBufferPointer { xp in
                y.withUnsafeBufferPointer { yp in net.lossAndGradient(xp.baseAddress!, labels: yp.baseAddress!, count: 6, into: grads) }
            }
            let gPrimed = zip(grads.flatMap(contents), scale).map { $0 * $1 }
            if kind == .gradientDescent {
                for k in primed.indices { primed[k] -= s.learningRate * gPrimed[k] }
            } else {
                adam.step(&primed, gradient: gPrimed)
            }
        }
        let theta = zip(primed, scale).map { $0 * $1 }
        let ref = ReferenceLoss(activation: s.activation, widths: widths)
        var k = 0
        var layers: [[Double]] = []
        for i in 0..<(widths.count - 1) { layers.append(Array(theta[k..<(k + sizes[i])])); k += sizes[i] }
        let expected = ref.loss(layers: layers, output: Array(theta[k...]), x: x, y: y)
        #expect(abs(trained - expected) <= 1e-12 * expected, "trainer \(trained), reference \(expected)")
        #expect(record.history.map(\.epoch) == [0, 1, 2, 3])
        #expect(expected < record.history[0].trainMSE!)
    }
}

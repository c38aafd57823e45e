import Foundation
import Testing
@testable import NetworkTraining
import NetworkSampling
import LimitLaws

/// An independent, loop-by-loop implementation of eq. (1) and its mean squared loss, reading the
/// weights from the `TrainableNetwork` layout (W_ℓᵀ column-major = W_ℓ row-major).
struct ReferenceLoss {
    let activation: Activation
    let widths: [Int]

    /// f(x_α) for every column α of x (d₀ × B, column-major).
    func outputs(layers: [[Double]], output: [Double], x: [Double], count: Int) -> [Double] {
        (0..<count).map { a in
            var prev = Array(x[(a * widths[0])..<((a + 1) * widths[0])])
            for l in 1..<widths.count {
                let dl = widths[l], dp = widths[l - 1]
                prev = (0..<dl).map { i in
                    var h = 0.0
                    for j in 0..<dp { h += layers[l - 1][j + i * dp] * prev[j] }   // W_ℓ[i, j]
                    return activation.value(h) / Double(dl).squareRoot()
                }
            }
            return zip(output, prev).reduce(0) { $0 + $1.0 * $1.1 }
        }
    }

    func loss(layers: [[Double]], output: [Double], x: [Double], y: [Double]) -> Double {
        let f = outputs(layers: layers, output: output, x: x, count: y.count)
        return zip(f, y).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } / Double(y.count)
    }

    /// Central finite differences of the loss over every parameter (layers, then the output weights).
    func finiteDifferenceGradient(layers: [[Double]], output: [Double], x: [Double], y: [Double], h: Double = 1e-6) -> [[Double]] {
        var ls = layers, w = output
        var grads: [[Double]] = []
        for l in ls.indices {
            var g = [Double](repeating: 0, count: ls[l].count)
            for p in ls[l].indices {
                let orig = ls[l][p]
                ls[l][p] = orig + h; let up = loss(layers: ls, output: w, x: x, y: y)
                ls[l][p] = orig - h; let down = loss(layers: ls, output: w, x: x, y: y)
                ls[l][p] = orig
                g[p] = (up - down) / (2 * h)
            }
            grads.append(g)
        }
        var g = [Double](repeating: 0, count: w.count)
        for p in w.indices {
            let orig = w[p]
            w[p] = orig + h; let up = loss(layers: ls, output: w, x: x, y: y)
            w[p] = orig - h; let down = loss(layers: ls, output: w, x: x, y: y)
            w[p] = orig
            g[p] = (up - down) / (2 * h)
        }
        grads.append(g)
        return grads
    }
}

func contents(_ m: Matrix<Double>) -> [Double] { (0..<m.count).map { m.data[$0] } }

func relativeError(_ a: [Double], _ b: [Double]) -> Double {
    var num = 0.0, den = 0.0
    for i in a.indices { num += (a[i] - b[i]) * (a[i] - b[i]); den += b[i] * b[i] }
    return (num / max(den, 1e-300)).squareRoot()
}

@Suite struct GradientTests {
    static let cases: [(String, [Int], Int)] = [
        ("arctan", [4, 3], 5),
        ("arctan", [4, 5, 3, 4], 6),
        ("tanh", [3, 4, 2], 4),
        ("relu", [5, 4, 6], 7),
        ("gelu", [4, 3, 3], 5),
        ("b-family:0.3", [3, 5, 4], 6),
        ("elu", [4, 4, 4], 3),
        ("linear", [3, 2, 3], 4),
    ]

    @Test(arguments: 0..<cases.count)
    func backpropagationMatchesFiniteDifferences(_ index: Int) throws {
        let (name, widths, count) = Self.cases[index]
        let act = try Activation.named(name)
        let net = TrainableNetwork<Double>(widths: widths, activation: act, seed: 17, threads: 1)
        let x = InputDesign.columns(.sphere, seed: 3, count: count, d0: widths[0]).values
        // labels of both signs and off the network's outputs
        let y = (0..<count).map { 0.7 * sin(Double($0) * 1.3) + 0.2 }
        let grads = net.parameters.map { Matrix<Double>(rows: $0.rows, cols: $0.cols) }
        let loss = x.withUnsafeBufferPointer { xp in
            y.withUnsafeBufferPointer { yp in net.lossAndGradient(xp.baseAddress!, labels: yp.baseAddress!, count: count, into: grads) }
        }
        let ref = ReferenceLoss(activation: act, widths: widths)
        let layers = net.layers.map(contents), output = contents(net.output)
        #expect(abs(loss - ref.loss(layers: layers, output: output, x: x, y: y)) <= 1e-12 * max(1, loss))
        let fd = ref.finiteDifferenceGradient(layers: layers, output: output, x: x, y: y)
        for (i, g) in grads.enumerated() {
            let err = relativeError(contents(g), fd[i])
            // central differences with h = 1e-6: truncation ~1e-12, rounding ~1e-10 relative
            #expect(err < 1e-6, "\(name) \(widths): parameter block \(i) relative error \(err)")
        }
    }

    @Test func initialWeightsAreTheSamplersStreams() throws {
        let widths = [5, 4, 3]
        let net = TrainableNetwork<Double>(widths: widths, activation: try Activation.named("tanh"), seed: 99, threads: 1)
        // Row i of W_ℓ is stream (seed, weightRow, ℓ·2³² + i); w is (seed, outputWeights, 0).
        for l in 1...2 {
            for i in 0..<widths[l] {
                var g = RandomStreams.generator(seed: 99, purpose: .weightRow, index: UInt64(l) << 32 | UInt64(i))
                for j in 0..<widths[l - 1] { #expect(net.layers[l - 1][j, i] == g.nextNormal()) }
            }
        }
        var g = RandomStreams.generator(seed: 99, purpose: .outputWeights, index: 0)
        for i in 0..<3 { #expect(net.output.data[i] == g.nextNormal()) }
    }
}

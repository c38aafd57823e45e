import Foundation
@testable import NetworkSampling
import LimitLaws

/// Marcenko–Pastur law ρ_γ (of XᵀX, X d×n iid N(0,1/d), γ = n/d), shifted by `shift`.
struct MPLaw: LimitDistribution {
    let gamma: Double
    let shift: Double
    let lo: Double, hi: Double
    private let table: [Double]   // continuous-part CDF at θ_k = π k / (m − 1)
    init(gamma: Double, shift: Double = 0) {
        self.gamma = gamma; self.shift = shift
        lo = (1 - gamma.squareRoot()) * (1 - gamma.squareRoot()); hi = (1 + gamma.squareRoot()) * (1 + gamma.squareRoot())
        // x(θ) = c − r cos θ; density(x) dx = r² sin²θ / (2πγ x(θ)) dθ (smooth in θ).
        let m = 20001, c = (lo + hi) / 2, r = (hi - lo) / 2
        var t = [Double](repeating: 0, count: m)
        let h = Double.pi / Double(m - 1)
        func f(_ th: Double) -> Double { let s = sin(th); return r * r * s * s / (2 * Double.pi * gamma * (c - r * cos(th))) }
        for k in 1..<m { t[k] = t[k - 1] + h * (f(Double(k - 1) * h) + f(Double(k) * h)) / 2 }
        table = t
    }
    var atoms: [Atom] { gamma > 1 ? [Atom(location: shift, mass: 1 - 1 / gamma)] : [] }
    var support: [ClosedRange<Double>] { [(lo + shift)...(hi + shift)] }
    func cdf(_ x0: Double) -> Double {
        let x = x0 - shift
        let atom = gamma > 1 && x >= 0 ? 1 - 1 / gamma : 0
        if x <= lo { return atom }
        if x >= hi { return 1 }
        let c = (lo + hi) / 2, r = (hi - lo) / 2
        let th = acos(max(-1, min(1, (c - x) / r)))
        let p = th / Double.pi * Double(table.count - 1)
        let k = min(table.count - 2, Int(p))
        let w = p - Double(k)
        return atom + table[k] * (1 - w) + table[k + 1] * w
    }
}

/// An independent, direct implementation of the network of eq. (1) from the same random streams.
struct ReferenceNetwork {
    let activation: Activation
    let widths: [Int]
    var weights: [[Double]]   // W_ℓ, row-major d_ℓ × d_{ℓ−1}
    var w: [[Double]]         // output weights w⁽ʲ⁾, j = 1…k
    let x0: [Double]          // d0 × n column-major
    let n: Int

    init(request: SamplingRequest) throws {
        activation = request.model.activation
        widths = try request.widths()
        n = request.n
        let seed = request.seed
        var ws: [[Double]] = [[]]
        for l in 1..<widths.count {
            var m = [Double](repeating: 0, count: widths[l] * widths[l - 1])
            for i in 0..<widths[l] {
                var g = RandomStreams.generator(seed: seed, purpose: .weightRow, index: UInt64(l) << 32 | UInt64(i))
                var row = [Double](repeating: 0, count: widths[l - 1])
                row.withUnsafeMutableBufferPointer { g.fillNormal($0) }
                for j in 0..<widths[l - 1] { m[i * widths[l - 1] + j] = row[j] }
            }
            ws.append(m)
        }
        weights = ws
        let dL = widths.last!
        w = (0..<request.outputs).map { j in
            var g = RandomStreams.generator(seed: seed, purpose: .outputWeights, index: UInt64(j))
            var wv = [Double](repeating: 0, count: dL)
            wv.withUnsafeMutableBufferPointer { g.fillNormal($0) }
            return wv
        }
        let d0 = widths[0]
        var x = [Double](repeating: 0, count: d0 * n)
        for a in 0..<n {
            var g = RandomStreams.generator(seed: seed, purpose: .inputColumn, index: UInt64(a))
            var col = [Double](repeating: 0, count: d0)
            col.withUnsafeMutableBufferPointer { g.fillNormal($0, scale: 1 / Double(d0).squareRoot()) }
            for k in 0..<d0 { x[k + a * d0] = col[k] }
        }
        x0 = x
    }

    /// Post-activations X_0 … X_L (each d_ℓ × n column-major) and outputs f^j(x_α) at α + j·n.
    func forward() -> (xs: [[Double]], f: [Double]) {
        var xs = [x0]
        for l in 1..<widths.count {
            let dl = widths[l], dp = widths[l - 1]
            var x = [Double](repeating: 0, count: dl * n)
            let prev = xs[l - 1]
            for a in 0..<n {
                for i in 0..<dl {
                    var h = 0.0
                    for j in 0..<dp { h += weights[l][i * dp + j] * prev[j + a * dp] }
                    x[i + a * dl] = activation.value(h) / Double(dl).squareRoot()
                }
            }
            xs.append(x)
        }
        let dL = widths.last!
        var f = [Double]()
        for wj in w { f += (0..<n).map { a in (0..<dL).reduce(0.0) { $0 + wj[$1] * xs.last![$1 + a * dL] } } }
        return (xs, f)
    }

    /// J_τᵀJ_τ from a central finite-difference Jacobian over every weight (step h).
    func finiteDifferenceNTK(tau: [Double], h: Double = 1e-5) -> [Double] {
        let m = n * w.count
        var k = [Double](repeating: 0, count: m * m)
        var net = self
        func accumulate(_ grad: [Double], _ t: Double) {
            for b in 0..<m { for a in 0..<m { k[a + b * m] += t * grad[a] * grad[b] } }
        }
        for l in 1..<widths.count {
            for p in 0..<weights[l].count {
                let orig = net.weights[l][p]
                net.weights[l][p] = orig + h; let fp = net.forward().f
                net.weights[l][p] = orig - h; let fm = net.forward().f
                net.weights[l][p] = orig
                accumulate((0..<m).map { (fp[$0] - fm[$0]) / (2 * h) }, tau[l - 1])
            }
        }
        for j in 0..<w.count {
            for p in 0..<w[j].count {
                let orig = net.w[j][p]
                net.w[j][p] = orig + h; let fp = net.forward().f
                net.w[j][p] = orig - h; let fm = net.forward().f
                net.w[j][p] = orig
                accumulate((0..<m).map { (fp[$0] - fm[$0]) / (2 * h) }, tau[widths.count - 1])
            }
        }
        return k
    }
}

func relativeFrobenius(_ a: [Double], _ b: [Double]) -> Double {
    var num = 0.0, den = 0.0
    for i in a.indices { num += (a[i] - b[i]) * (a[i] - b[i]); den += b[i] * b[i] }
    return (num / den).squareRoot()
}

func model(_ activation: String, gamma0: Double = 2, gammas: [Double], tau: [Double]? = nil) throws -> NetworkModel {
    NetworkModel(activation: try Activation.named(activation), input: .marcenkoPastur(gamma0: gamma0), gammas: gammas, tau: tau)
}

import Foundation
import Testing
@testable import NetworkSampling
import LimitLaws

@Suite struct NTKClosedFormTests {
    static let cases: [(String, [Double], [Double]?, Int)] = [
        ("arctan", [0.8], nil, 1),
        ("arctan", [0.8, 1.0, 0.7], nil, 1),
        ("tanh", [1.0, 0.7], nil, 1),
        ("relu", [0.8, 1.2], nil, 1),
        ("b-family:0.3", [0.9, 1.1, 0.8], nil, 1),
        ("cos", [1.0, 0.8], nil, 1),
        ("gelu", [0.9, 0.9], nil, 1),
        ("arctan", [0.8, 1.0, 0.7], [0.5, 2.0, 1.5, 0.25], 1),
        ("tanh", [1.0, 0.7], [3.0, 0.1, 1.0], 1),
        ("tanh", [1.0, 0.7], [3.0, 0.1, 1.0], 3),
        ("b-family:0.5", [0.8], [2.0, 0.5], 2),
    ]

    @Test(arguments: 0..<cases.count)
    func closedFormMatchesFiniteDifferenceJacobian(_ index: Int) throws {
        let (act, gammas, tau, outputs) = Self.cases[index]
        // n = 6 samples, d0 = 4, d_ℓ = round(6/γ_ℓ), k outputs (NTK 6k × 6k).
        var req = SamplingRequest(model: try model(act, gamma0: 1.5, gammas: gammas, tau: tau), n: 6, seed: 42,
                                  outputs: outputs)
        req.surrogate = false
        let mats = try NetworkSampler.kernelMatrices(req)
        let ref = try ReferenceNetwork(request: req)
        let fd = ref.finiteDifferenceNTK(tau: req.tau)
        let err = relativeFrobenius(try #require(mats[.ntk]), fd)
        #expect(err < 1e-6, "NTK relative error \(err) for \(act) \(gammas) tau \(String(describing: tau)) k \(outputs)")
        #expect(mats[.ntk]!.count == 36 * outputs * outputs)

        // Every CK matches the direct forward pass.
        let xs = ref.forward().xs
        for l in 0...req.depth {
            let d = ref.widths[l], n = req.n
            var g = [Double](repeating: 0, count: n * n)
            for b in 0..<n { for a in 0..<n { for i in 0..<d { g[a + b * n] += xs[l][i + a * d] * xs[l][i + b * d] } } }
            #expect(relativeFrobenius(try #require(mats[.ck(l)]), g) < 1e-12)
        }
    }

    @Test func surrogateIsTheLemma35Combination() throws {
        let req = SamplingRequest(model: try model("arctan", gammas: [0.8, 1.0], tau: [0.5, 2.0, 1.5]), n: 8, seed: 3,
                                  surrogate: true)
        let mats = try NetworkSampler.kernelMatrices(req)
        let act = req.model.activation, L = 2, n = 8, tau = req.tau
        var expected = [Double](repeating: 0, count: n * n)
        var rPlus = 0.0
        for l in 0..<L { rPlus += tau[l] * (pow(act.a, Double(L - l)) - pow(act.b * act.b, Double(L - l))) }
        for k in 0..<(n * n) {
            expected[k] = tau[L] * mats[.ck(L)]![k]
            for l in 0..<L { expected[k] += tau[l] * pow(act.b * act.b, Double(L - l)) * mats[.ck(l)]![k] }
        }
        for i in 0..<n { expected[i + i * n] += rPlus }
        #expect(relativeFrobenius(try #require(mats[.ntkSurrogate]), expected) < 1e-12)
    }
}

import Foundation
import Testing
@testable import NetworkSampling
import LimitLaws

/// The memory layouts (Grams kept or recomputed, products in column chunks, S_ℓᵀS_ℓ in tiles) change how the
/// kernels are computed, never what they are.
@Suite struct StorageLayoutTests {
    /// Every layout gives the kernel matrices of the fastest one to rounding (float64), including k > 1
    /// outputs and several column tiles (nk = 300 > 256).
    @Test(arguments: [
        ("arctan", [0.8, 1.0, 0.7], [0.5, 2.0, 1.5, 0.25], 1, 60, true),
        ("tanh", [1.0, 0.7], nil, 3, 100, false),
        ("relu", [0.5], nil, 1, 300, true),
    ] as [(String, [Double], [Double]?, Int, Int, Bool)])
    func everyLayoutGivesTheSameKernels(_ act: String, _ gammas: [Double], _ tau: [Double]?, _ outputs: Int, _ n: Int,
                                        _ surrogate: Bool) throws {
        let req = SamplingRequest(model: try model(act, gamma0: 1.5, gammas: gammas, tau: tau), n: n, seed: 9,
                                  surrogate: surrogate, outputs: outputs, flopsPerBlock: 1e6)
        let reference = try NetworkSampler.kernelMatrices(req, layout: .fastest)
        #expect(reference.count == req.kernels.count)
        for layout in StorageLayout.candidates.dropFirst() {
            let mats = try NetworkSampler.kernelMatrices(req, layout: layout)
            for (kernel, ref) in reference {
                let err = relativeFrobenius(try #require(mats[kernel]), ref)
                #expect(err < 1e-12, "\(kernel) with \(layout): relative difference \(err)")
            }
        }
    }

    /// The leanest layout's NTK against the finite-difference Jacobian J_τᵀJ_τ (the oracle of NTKClosedFormTests).
    @Test func leanestLayoutMatchesTheFiniteDifferenceJacobian() throws {
        let req = SamplingRequest(model: try model("tanh", gamma0: 1.5, gammas: [1.0, 0.7], tau: [3.0, 0.1, 1.0]), n: 6, seed: 42,
                                  outputs: 2)
        let mats = try NetworkSampler.kernelMatrices(req, layout: StorageLayout.candidates.last!)
        let fd = try ReferenceNetwork(request: req).finiteDifferenceNTK(tau: req.tau)
        #expect(relativeFrobenius(try #require(mats[.ntk]), fd) < 1e-6)
    }

    /// The plan takes the fastest layout that fits in 90 % of the memory available, and its estimate holds at
    /// least what the lean layout cannot avoid: the L stored pre-activations (d_ℓ × n each) and two n × n
    /// matrices (the NTK and one Gram).
    @Test func memoryPlanTakesTheFastestLayoutThatFits() throws {
        let req = SamplingRequest(model: .figure1, n: 20_000, precision: .float32)
        let floor = 5 * 40_000 * 20_000 * 4 + 2 * 20_000 * 20_000 * 4
        let estimates = try StorageLayout.candidates.map { try req.memoryEstimate(layout: $0).bytes }
        #expect(estimates.first! > estimates.last! && estimates.allSatisfy { $0 >= floor })
        let gib = 1 << 30
        let roomy = try req.memoryPlan(available: 200 * gib)
        #expect(roomy.layout == .fastest)
        let tight = try req.memoryPlan(available: 23 * gib)
        #expect(tight.layout != .fastest && Double(tight.estimate.bytes) <= 0.9 * Double(23 * gib))
        let tooSmall = try req.memoryPlan(available: 8 * gib)
        #expect(tooSmall.layout == StorageLayout.candidates.last! && tooSmall.estimate.bytes == estimates.last!)
        #expect(tooSmall.estimate.breakdown.contains("H_1"))
        // CK-only runs store no pre-activations: one layout.
        var ck = req
        ck.ntk = false
        #expect(try ck.memoryPlan(available: 8 * gib).layout == .fastest)
    }
}

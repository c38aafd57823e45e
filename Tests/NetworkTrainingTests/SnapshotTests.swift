import Foundation
import Testing
@testable import NetworkTraining
@testable import NetworkSampling
import LimitLaws

func smallSettings(_ configure: (inout TrainingSettings) -> Void = { _ in }) -> TrainingSettings {
    var s = TrainingSettings()
    s.n = 120; s.testCount = 60; s.inputDim = 96; s.widths = [100, 90]; s.epochs = 4; s.snapshots = .every(2)
    s.topK = 3; s.seed = 21
    configure(&s)
    return s
}

func record(_ s: TrainingSettings, token: CancellationToken = CancellationToken(),
            onEvent: (TrainingEvent) -> Void = { _ in }) throws -> TrainingRecord {
    var r = TrainingRecord()
    try Trainer.run(s, token: token) { r.apply($0); onEvent($0) }
    return r
}

@Suite struct SnapshotTests {
    /// Epoch 0 is `ntkscope sample` with the same seed and sizes: the same network, the same kernels,
    /// the same code, hence bitwise the same eigenvalues.
    @Test(arguments: [Precision.float32, .float64], [InputDesign.Kind.sphere, .gaussian])
    func epochZeroIsTheSampledNetwork(precision: Precision, inputs: InputDesign.Kind) throws {
        let s = smallSettings { $0.precision = precision; $0.inputs = inputs; $0.epochs = 0; $0.activation = try! Activation.named("tanh") }
        let r = try record(s)
        let zero = try #require(r.snapshots.first)
        #expect(zero.epoch == 0 && r.snapshots.count == 1)
        let n = 120.0
        let model = NetworkModel(activation: s.activation, input: .marcenkoPastur(gamma0: n / 96),
                                 gammas: [n / 100, n / 90])
        let spec: InputSpec = inputs == .sphere ? .sphere(d0: 96) : .gaussian(d0: 96)
        let sampled = try NetworkSampler.spectra(SamplingRequest(model: model, n: 120, seed: 21, input: spec, precision: precision))
        #expect(sampled.map(\.kernel) == zero.kernels.map(\.kernel))
        for (a, b) in zip(sampled, zero.kernels) {
            #expect(a.eigenvalues == b.eigenvalues, "\(a.kernel) differs from the sampler's")
        }
    }

    /// The top eigenpairs: the largest values of the full spectrum, and eigenvectors (A v = λ v) of the
    /// kernel the sampler hands to the eigen solver.
    @Test func topEigenpairsAreEigenpairs() throws {
        let model = NetworkModel(activation: try Activation.named("arctan"), input: .marcenkoPastur(gamma0: 1.5), gammas: [1.2])
        var req = SamplingRequest(model: model, n: 40, seed: 3, precision: .float64)
        req.topVectors = 4
        let spectra = try NetworkSampler.spectra(req)
        let mats = try matrices(req)
        for s in spectra {
            let top = try #require(s.top)
            #expect(top.values.count == 4)
            let full = s.eigenvalues.suffix(4).reversed()
            for (x, y) in zip(top.values, full) { #expect(abs(x - y) <= 1e-10 * max(1, abs(y))) }
            let a = try #require(mats[s.kernel]), n = 40
            for (lambda, v) in zip(top.values, top.vectors) {
                var res = 0.0, norm = 0.0
                for i in 0..<n {
                    var av = 0.0
                    for j in 0..<n { av += a[i + j * n] * v[j] }
                    res += (av - lambda * v[i]) * (av - lambda * v[i]); norm += v[i] * v[i]
                }
                #expect(abs(norm - 1) < 1e-12)
                #expect(res.squareRoot() <= 1e-10 * max(1, abs(lambda)), "\(s.kernel): residual \(res.squareRoot())")
                #expect(v.max(by: { abs($0) < abs($1) })! > 0)
            }
        }
    }

    /// The kernel matrices exactly as the sampler hands them to the eigen solver (its test hook).
    func matrices(_ req: SamplingRequest) throws -> [SampledKernel: [Double]] {
        try NetworkSampler.kernelMatrices(req)
    }

    /// Label shares against their definition: for a kernel whose top eigenvectors are the coordinate axes,
    /// the share of eigenvector e_i is ỹ_i² / |ỹ|² (ỹ the centred labels), and the cumulative share sums them.
    @Test func labelSharesAreProjectionsOfTheCentredLabels() throws {
        let s = smallSettings { $0.n = 5; $0.testCount = 0 }
        var data = try TrainingData.make(s)
        data = TrainingData(train: data.train, trainLabels: [3, -1, 0.5, 2, 0.5], test: data.test, testLabels: [], metric: .r2,
                            inputSpec: data.inputSpec, inputSeed: data.inputSeed, teacher: nil, classes: nil, summary: "")
        let taker = SnapshotTaker(settings: s, data: data)
        let e = (0..<3).map { i in (0..<5).map { $0 == i ? 1.0 : 0.0 } }
        let spectrum = SampledSpectrum(kernel: .ck(1), eigenvalues: [0.1, 0.2, 1, 2, 3], precision: .float64,
                                       top: TopEigenpairs(values: [3, 2, 1], vectors: e))
        let k = taker.summarise(spectrum)
        let centred = [3.0, -1, 0.5, 2, 0.5].map { $0 - 1 }
        let norm = centred.reduce(0) { $0 + $1 * $1 }
        #expect(k.top.map(\.labelShare) == (0..<3).map { centred[$0] * centred[$0] / norm })
        #expect(abs(k.top[2].cumulativeShare - (4 + 4 + 0.25) / norm) < 1e-15)
        #expect(k.edge == nil && k.outliers.isEmpty)
    }

    /// Outliers are the eigenvalues beyond the initial law's right edge; with b_σ = 0 (cos) every CK
    /// layer's law is Marcenko–Pastur(γ_ℓ), whose edge is (1 + √γ_ℓ)².
    @Test func outliersAreBeyondTheMarcenkoPasturEdge() throws {
        let s = smallSettings { $0.activation = try! Activation.named("cos"); $0.epochs = 2; $0.lr = 0.05 }
        let r = try record(s)
        let laws = try #require(r.laws)
        for (l, d) in [(1, 100.0), (2, 90.0)] {
            let edge = try #require(laws.edges[.ck(l)])
            let g = 120 / d
            #expect(abs(edge - (1 + g.squareRoot()) * (1 + g.squareRoot())) < 1e-6, "layer \(l): edge \(edge)")
        }
        for snap in r.snapshots {
            for k in snap.kernels {
                let edge = try #require(k.edge)
                #expect(k.outliers.map(\.value) == k.eigenvalues.filter { $0 > edge }.reversed())
                for o in k.outliers { #expect(o.excess == o.value - edge && o.ratio == o.value / edge) }
            }
        }
        #expect(laws.warnings.isEmpty)
    }
}

extension TrainingSettings {
    fileprivate var lr: Double { get { learningRate } set { learningRate = newValue } }
}

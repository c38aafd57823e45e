import Foundation
import LimitLaws
import PlotCanvas
@testable import ExplorerCore

/// Fixed, engine-independent laws for the golden screens: Marcenko–Pastur densities in closed form.
enum MockSpectra {
    static func marcenkoPastur(_ kernel: KernelID, gamma: Double, shift: Double = 0, points: Int = 240) -> DisplaySpectrum {
        let lo = pow(1 - gamma.squareRoot(), 2), hi = pow(1 + gamma.squareRoot(), 2)
        let x = (0..<points).map { shift + hi * 1.05 * Double($0) / Double(points - 1) }
        let d = x.map { t -> Double in
            let u = t - shift
            guard u > lo, u < hi else { return 0 }
            return ((hi - u) * (u - lo)).squareRoot() / (2 * Double.pi * gamma * u)
        }
        let atoms = gamma > 1 ? [PointMass(location: shift, mass: 1 - 1 / gamma)] : []
        return DisplaySpectrum(kernel: kernel, x: x, density: d,
                               atoms: atoms, support: [(shift + lo)...(shift + hi)], mean: 1 + shift, secondMoment: 1 + gamma + shift * (2 + shift))
    }

    static let summary = ModelSummary(activation: "arctan", b: 0.978, a: 1.112, gammas: [0.5, 0.5, 0.5, 0.5, 0.5], input: "Gaussian γ₀ = 3")

    static func content(empirical: Bool = false) -> FrameContent {
        var spectra: [KernelID: DisplaySpectrum] = [.ck(0): marcenkoPastur(.ck(0), gamma: 3)]
        for l in 1...5 { spectra[.ck(l)] = marcenkoPastur(.ck(l), gamma: 0.5 / Double(l)) }
        spectra[.ntk] = marcenkoPastur(.ntk, gamma: 0.5, shift: 1)
        var snapshot = EmpiricalSnapshot()
        if empirical {
            // deterministic "samples": evenly spread over the support of each law
            for (k, s) in spectra {
                let r = s.support[0]
                let values = (0..<400).map { r.lowerBound + (r.upperBound - r.lowerBound) * (Double($0) + 0.5) / 400 }
                snapshot.results[k] = EmpiricalKernelResult(kernel: k, eigenvalues: values, ks: 0.0123, w1: 0.0456)
            }
            snapshot.sampleSize = 1000
            snapshot.progress = EmpiricalProgress(fraction: 0.5, stage: "layer 3")
        }
        return FrameContent(summary: summary, spectra: spectra, empirical: snapshot,
                            solve: SolveStatus(lastMilliseconds: 3.2, warm: true))
    }

    static func state(view: ExplorerView = .layers) -> ExplorerState {
        var s = ExplorerState(model: .figure1, themeNames: ["dark", "light"], view: view)
        s.view = view
        return s
    }
}

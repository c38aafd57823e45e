import ExplorerCore
import Foundation
import LimitLaws
import PlotCanvas
@testable import ViewExport

/// Fixed mock laws (no engine): golden outputs depend only on the writers and the layout.
enum Fixture {
    static let model = NetworkModel(activation: try! Activation.named("tanh"), input: .marcenkoPastur(gamma0: 2),
                                    gammas: [0.5, 0.8])

    /// A semicircle-like density on [lo, hi] with 41 grid points.
    static func law(_ k: KernelID, lo: Double, hi: Double, atoms: [PointMass] = []) -> DisplaySpectrum {
        let xs = (0...40).map { lo + (hi - lo) * Double($0) / 40 }
        let mid = (lo + hi) / 2, r = (hi - lo) / 2
        let mass = 1 - atoms.map(\.mass).reduce(0, +)
        let ys = xs.map { x -> Double in
            let t = 1 - ((x - mid) / r) * ((x - mid) / r)
            return t > 0 ? mass * 2 / (Double.pi * r * r) * t.squareRoot() * r : 0
        }
        return DisplaySpectrum(kernel: k, x: xs, density: ys, atoms: atoms, support: [lo...hi], mean: mid, secondMoment: mid * mid + r * r / 4)
    }

    static func content(empirical: Bool = false) -> FrameContent {
        var spectra: [KernelID: DisplaySpectrum] = [:]
        spectra[.ck(0)] = law(.ck(0), lo: 0.5, hi: 3, atoms: [PointMass(location: 0, mass: 0.25)])
        spectra[.ck(1)] = law(.ck(1), lo: 0.25, hi: 2.5)
        spectra[.ck(2)] = law(.ck(2), lo: 0.125, hi: 3.5)
        spectra[.ntk] = law(.ntk, lo: 1, hi: 6)
        var c = FrameContent(summary: ModelSummary(model: model), spectra: spectra,
                             solve: SolveStatus(lastMilliseconds: 12.5, warm: true))
        if empirical {
            var snap = EmpiricalSnapshot(sampleSize: 200)
            for (i, k) in [KernelID.ck(0), .ck(1), .ck(2), .ntk].enumerated() {
                let s = spectra[k]!
                // deterministic "eigenvalues": quantile-like points over the support
                let ev = (0..<200).map { j in s.support[0].lowerBound + (s.support[0].upperBound - s.support[0].lowerBound) * (Double(j) + 0.5) / 200 }
                snap.results[k] = EmpiricalKernelResult(kernel: k, eigenvalues: ev, ks: 0.01 * Double(i + 1), w1: 0.02 * Double(i + 1))
            }
            c.empirical = snap
        }
        return c
    }

    static func state(view: ExplorerView = .layers) -> ExplorerState {
        ExplorerState(model: model, themeNames: ["dark", "light"], themeName: "dark", view: view)
    }

    static let theme = Theme.fallback

    /// Golden files live next to this source; `NTKSCOPE_RECORD_GOLDEN=1` rewrites them.
    static func golden(_ name: String, _ actual: String) -> (expected: String, recorded: Bool) {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden/\(name)")
        if ProcessInfo.processInfo.environment["NTKSCOPE_RECORD_GOLDEN"] == "1" {
            try! actual.write(to: url, atomically: true, encoding: .utf8)
            return (actual, true)
        }
        return ((try? String(contentsOf: url, encoding: .utf8)) ?? "<missing golden \(name)>", false)
    }
}

import Foundation
import Testing
import LimitLaws
import PlotCanvas
@testable import ExplorerCore

/// What the views print about a law far from 0: its variance (not `E λ² − mean²`, which cancels
/// against r₊ ≈ 3·10⁸) and its edges (not "6.643e+05" for both ends). Oracles: the free moment
/// recursion written out here (docs/math.md, "Self-checks") and the solved edges parsed back.
@Suite struct ViewNumbersTests {
    /// Var of the ReLU NTK law with Gaussian inputs (γ₀ = 3) and γ_ℓ = 0.5, from the recursion
    /// Var K_0 = γ₀, Var K_j = b⁴ Var K_{j−1} + γ_j, Cov(K_i, K_j) = b^{2(j−i)} Var K_i, with the NTK
    /// coefficients q_ℓ = b^{2(L−ℓ)} and b_σ = E σ'(ξ) = (1/2) / √(1/2 − 1/(2π)) for normalised ReLU.
    static func exactReluNTKVariance(depth L: Int, gamma0: Double = 3, gamma: Double = 0.5) -> Double {
        let b2 = 0.25 / (0.5 - 1 / (2 * Double.pi))
        let v = (0...L).map { exactReluCKVariance(layer: $0, gamma0: gamma0, gamma: gamma) }
        let c = (0...L).map { Foundation.pow(b2, Double(L - $0)) }
        var total = 0.0
        for i in 0...L { for j in 0...L { total += c[i] * c[j] * Foundation.pow(b2, Double(abs(j - i))) * v[min(i, j)] } }
        return total
    }

    /// Var of the ReLU CK law of layer ℓ: Var K_0 = γ₀, Var K_j = b⁴ Var K_{j−1} + γ_j.
    static func exactReluCKVariance(layer: Int, gamma0: Double = 3, gamma: Double = 0.5) -> Double {
        let b2 = 0.25 / (0.5 - 1 / (2 * Double.pi))
        var v = gamma0
        for _ in 0..<layer { v = b2 * b2 * v + gamma }
        return v
    }

    static func reluModel(depth: Int) throws -> NetworkModel {
        NetworkModel(activation: try Activation.named("relu"), input: .marcenkoPastur(gamma0: 3), gammas: Array(repeating: 0.5, count: depth))
    }

    static func solved(depth: Int) throws -> FrameContent {
        let model = try reluModel(depth: depth)
        let spectra = LimitLawEngine().solve(model, options: SolveOptions(gridPoints: 256, kernels: [.ck(depth), .ntk]))
        var map: [KernelID: DisplaySpectrum] = [:]
        for k in [KernelID.ck(depth), .ntk] { map[k] = DisplaySpectrum(try #require(spectra.spectrum(k))) }
        return FrameContent(summary: ModelSummary(model: model), spectra: map)
    }

    /// The numbers after `label` in `text`, e.g. "var 7.797" → 7.797.
    static func number(after label: String, in text: String) -> Double? {
        guard let r = text.range(of: label) else { return nil }
        let rest = text[r.upperBound...].drop { $0 == " " }
        return Double(rest.prefix { "0123456789.e+-".contains($0) })
    }

    @Test func theExactRecursionGivesTheKnownValue() {
        // the documented value (docs/math.md): 7.797 at depth 48 and 64
        #expect(abs(Self.exactReluNTKVariance(depth: 48) - 7.797187) < 1e-6)
    }

    @Test func everyViewPrintsTheVarianceNotTheCancelledDifference() throws {
        let depth = 48
        let exact = Self.exactReluNTKVariance(depth: depth)
        let content = try Self.solved(depth: depth)
        let ntk = try #require(content.spectra[.ntk])
        #expect(ntk.mean > 1e8)   // far from 0: E λ² − mean² loses every digit
        #expect(abs(ntk.variance - exact) < 1e-6 * exact)
        // the focus facts
        let facts = ScreenLayout.lawFacts(ntk, maxIntervals: 4, maxAtoms: 3).map(\.0)
        let line = try #require(facts.first { $0.contains("variance") })
        #expect(abs(try #require(Self.number(after: "variance", in: line)) - exact) < 1e-3 * exact, "\(line)")
        // the compare view's numbers and the layers panel's caption
        var state = ExplorerState(model: try Self.reluModel(depth: depth))
        state.view = .compare
        let compare = ScreenLayout.render(state: state, content: content, width: 160, height: 48).plainText()
        let varLines = compare.split(separator: "\n").filter { $0.contains("mean") && $0.contains("var") }
        #expect(varLines.count >= 2, "\(compare)")
        // A = CK ℓ=48, B = the NTK
        for (l, truth) in zip(varLines, [Self.exactReluCKVariance(layer: depth), exact]) {
            #expect(abs(try #require(Self.number(after: "var", in: String(l))) - truth) < 1e-3 * truth, "\(l)")
        }
        let panel = LinearWidthLayout.panel(kernel: .ntk, state: state, content: content, width: 60, height: 12, selected: false).plainText()
        #expect(abs(try #require(Self.number(after: "var", in: panel)) - exact) < 1e-2 * exact, "\(panel)")
    }

    @Test func edgesFarFromZeroReadDifferently() throws {
        let content = try Self.solved(depth: 32)
        let ntk = try #require(content.spectra[.ntk])
        let r = try #require(ntk.support.first)
        #expect(r.lowerBound > 6e5 && r.upperBound - r.lowerBound < 20)
        let facts = ScreenLayout.lawFacts(ntk, maxIntervals: 4, maxAtoms: 3).map(\.0)
        let line = try #require(facts.first { $0.hasPrefix("  [") })
        let parts = line.trimmingCharacters(in: CharacterSet(charactersIn: " []")).components(separatedBy: ", ")
        let lo = try #require(Double(parts[0])), hi = try #require(Double(parts[1]))
        let width = r.upperBound - r.lowerBound
        #expect(abs(lo - r.lowerBound) <= width / 100 && abs(hi - r.upperBound) <= width / 100, "\(line)")
        // the cursor read-out: neighbouring positions differ
        let range = RangeActions.visibleRange(ntk, display: DisplaySettings())
        let xs = (0...100).map { range.lowerBound + (range.upperBound - range.lowerBound) * Double($0) / 100 }
        let texts = xs.map { LinearWidthLayout.cursorReadout(ntk, x: $0, range: range, sample: nil)[0].1 }
        #expect(Set(texts).count == texts.count, "\(texts.prefix(5))")
        // the caption's hull
        let hull = try #require(LinearWidthLayout.edgesText(ntk))
        let ends = hull.trimmingCharacters(in: CharacterSet(charactersIn: "[]")).components(separatedBy: ", ")
        #expect(ends.count == 2 && ends[0] != ends[1], "\(hull)")
    }

    /// The focus facts name an approximation and, where it changed the atoms, the exact atom. Oracle:
    /// the rank formula 1 − 1/γ₀ − Σ 1/γ_ℓ = 1 − 1/3 − 40/100 for the ReLU NTK at depth 40 with γ = 100.
    @Test func theFocusFactsNameAnApproximationAndTheExactAtoms() throws {
        let model = NetworkModel(activation: try Activation.named("relu"), input: .marcenkoPastur(gamma0: 3), gammas: Array(repeating: 100, count: 40))
        let law = try #require(LimitLawEngine().solve(model, options: SolveOptions(kernels: [.ntk])).spectrum(.ntk))
        let facts = ScreenLayout.lawFacts(DisplaySpectrum(law), maxIntervals: 4, maxAtoms: 3).map(\.0)
        #expect(facts.contains { $0.hasPrefix("≈ the terms of layers") })
        let warning = try #require(facts.first { $0.hasPrefix("✗ the atoms shown") })
        let exact = try #require(Self.number(after: "the exact law's atoms are", in: warning))
        #expect(abs(exact - (1 - 1.0 / 3 - 40.0 / 100)) < 1e-9)
    }
}

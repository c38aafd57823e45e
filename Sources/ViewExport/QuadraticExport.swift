import ExplorerCore
import Foundation
import LimitLaws
import NetworkSampling
import PlotCanvas
import QuadraticScaling

/// The quadratic-scaling regime's exports (RegimeExport.swift): the three laws, φ's constants, the
/// discretisation's bounds, the self-checks and the sampled check (bulk, outliers, KS, W1).
struct QuadraticExport: RegimeExport {
    func csv(state: ExplorerState, content: FrameContent) -> String { ViewExport.quadraticCSV(state: state, content: content) }
    func jsonSections(state: ExplorerState, content: FrameContent) -> [(String, JSON)] {
        [("quadratic", ViewExport.quadraticJSON(state: state, content: content))]
    }
    func svg(state: ExplorerState, content: FrameContent, width: Int, height: Int, theme: Theme) -> String {
        ViewExport.quadraticSVG(state: state, content: content, width: width, height: height, theme: theme)
    }
    var replacesLinearLaws: Bool { true }
}

extension ViewExport {
    public static let quadraticCSVHeader = "kind,law,x,density,mass,x_right,count"

    /// The laws in csv/json order with their names: population (H), marcenko_pastur, ntk.
    static func quadraticLaws(_ law: QuadraticLawFrame) -> [(String, DisplaySpectrum)] {
        [("population", law.population), ("marcenko_pastur", law.marcenkoPastur), ("ntk", law.ntk)]
    }

    /// The sample of the frame when it belongs to the laws exported.
    static func quadraticSample(_ f: QuadraticFrame) -> QuadraticCheckResult? {
        guard let c = f.check, let law = f.law, c.key.settings == law.settings else { return nil }
        return c.result
    }

    /// `csv` in the quadratic-scaling mode: one tidy table of every law's density grid, atoms and
    /// support, and the sampled NTK (its bulk's histogram on the compared law's grid, every bulk
    /// eigenvalue and every outlier); `#` lines give the settings, constants, bounds and checks.
    public static func quadraticCSV(state: ExplorerState, content: FrameContent) -> String {
        let s = state.quadratic
        var out = "# \(toolVersion) view export (csv, quadratic scaling); the session: \(configLine(Session(state: state)))\n"
        out += "# NTK = (1/d) X X^T (Hadamard) (1/p) phi(XW/sqrt d) D^2 phi(XW/sqrt d)^T with phi = sigma', n/(dp) -> gamma1, p/d -> gamma2 (docs/quadratic.md)\n"
        out += "# gamma1 = \(number(s.gamma1)), gamma2 = \(number(s.gamma2)), activation = \(s.activation) (\(s.normalised ? "normalised" : "raw")), output_law = \(s.outputLaw)\n"
        guard let f = content.quadratic, let law = f.law else {
            return out + "# (not solved\(content.quadratic?.lawError.map { ": \($0)" } ?? ""))\n" + quadraticCSVHeader + "\n"
        }
        let c = law.constants
        out += "# constants of phi: c0 = \(number(c.c0)), c1_squared = \(number(c.c1Squared)), a2 = \(number(c.a2)), variance = \(number(c.variance))\n"
        out += "# discretisation of H: W_inf(H, H_K) <= \(number(law.populationWInfinity)); proven bounds between the solved and the exact NTK law: KS <= \(number(law.ntkKSBound)), W_inf <= \(number(law.ntkWInfinity))\n"
        let failed = law.failedChecks
        out += "# self-checks: \(law.checks.count - failed.count) passed, \(failed.count) failed\(law.solverFailures > 0 ? ", \(law.solverFailures) failed points of the NTK law" : "")"
        out += failed.map { "; FAILED \($0.name): \(number($0.value)) vs \(number($0.expected)) +- \(number($0.tolerance))" }.joined() + "\n"
        out += "# kind: density (law population = H, marcenko_pastur = MP(gamma1), ntk; x, density); atom (x, mass); support (x = left edge, x_right = right edge);\n"
        out += "# histogram (the sampled bulk on the compared law's display grid: x = bin centre, density per bulk eigenvalue, count); bulk (x = one bulk eigenvalue); outlier (x = one eigenvalue set apart)\n"
        if let r = quadraticSample(f) {
            out += "# sample: d = \(r.d), p = \(r.p), n = \(r.n), seed = \(r.seed), float32, \(f.check?.key.inputText ?? "gaussian inputs"); bulk KS = \(number(r.ks)), W1 = \(number(r.w1)) against the law of \(r.comparedWith); "
            out += "\(r.outliers.count) outliers set apart (predicted location of the d outliers of c0: \(number(r.predictedOutlierLocation)))\n"
        }
        out += quadraticCSVHeader + "\n"
        for (name, l) in quadraticLaws(law) {
            for (x, y) in zip(l.x, l.density) { out += "density,\(name),\(number(x)),\(number(y)),,,\n" }
            for a in l.atoms { out += "atom,\(name),\(number(a.location)),,\(number(a.mass)),,\n" }
            for r in l.support { out += "support,\(name),\(number(r.lowerBound)),,,\(number(r.upperBound)),\n" }
        }
        if let r = quadraticSample(f) {
            if let h = r.histogram {
                for i in 0..<h.centers.count { out += "histogram,ntk,\(number(h.centers[i])),\(number(h.density[i])),,,\(h.counts[i])\n" }
            }
            for v in r.bulk { out += "bulk,ntk,\(number(v)),,,,\n" }
            for v in r.outliers { out += "outlier,ntk,\(number(v)),,,,\n" }
        }
        return out
    }

    static func lawJSON(_ l: DisplaySpectrum) -> JSON {
        .object([("x", .numbers(l.x)), ("density", .numbers(l.density)),
                 ("atoms", .array(l.atoms.map { .object([("x", .number($0.location)), ("mass", .number($0.mass))]) })),
                 ("support", .array(l.support.map { .numbers([$0.lowerBound, $0.upperBound]) })),
                 ("mean", .number(l.mean)), ("second_moment", .number(l.secondMoment)), ("variance", .number(l.variance)),
                 ("continuous_mass", .number(l.continuousMass)),
                 ("check", checkJSON(l)), ("notices", .array(noticeTexts(l).map { .string($0) }))])
    }

    /// The `quadratic` object of the json export.
    static func quadraticJSON(state: ExplorerState, content: FrameContent) -> JSON {
        let s = state.quadratic
        var root: [(String, JSON)] = [
            ("gamma1", .number(s.gamma1)), ("gamma2", .number(s.gamma2)), ("activation", .string(s.activation)),
            ("normalised", .bool(s.normalised)), ("output_law", .string(s.outputLaw)), ("d", .int(s.d)), ("seed", .string(String(s.seed))),
            ("input", .string(s.input)),
        ]
        guard let f = content.quadratic, let law = f.law else {
            return .object(root + [("error", content.quadratic?.lawError.map { .string($0) } ?? .string("not solved"))])
        }
        let c = law.constants
        root.append(("constants", .object([("c0", .number(c.c0)), ("c1_squared", .number(c.c1Squared)), ("a2", .number(c.a2)), ("variance", .number(c.variance))])))
        root.append(("discretisation", .object([("population_w_infinity", .number(law.populationWInfinity)),
                                                ("ntk_ks_bound", .number(law.ntkKSBound)), ("ntk_w_infinity", .number(law.ntkWInfinity))])))
        root.append(("checks_passed", .bool(!law.failed)))
        root.append(("checks", .array(law.checks.map {
            .object([("name", .string($0.name)), ("value", .number($0.value)), ("expected", .number($0.expected)),
                     ("tolerance", .number($0.tolerance)), ("passed", .bool($0.passed))])
        })))
        root.append(("solver_failures", .int(law.solverFailures)))
        root.append(("laws", .object(quadraticLaws(law).map { ($0.0, lawJSON($0.1)) })))
        if let r = quadraticSample(f) {
            root.append(("sample", .object([
                ("d", .int(r.d)), ("p", .int(r.p)), ("n", .int(r.n)), ("seed", .string(String(r.seed))), ("precision", .string("float32")),
                ("input", .string(f.check?.key.input ?? "gaussian")),
                ("ks", .number(r.ks)), ("ks_location", .number(r.ksLocation)), ("w1", .number(r.w1)),
                ("ks_band_95", .number(SampleReadout.ksBand(r.bulk.count))), ("beyond_support", .int(r.beyondSupport)),
                ("compared_with", .string(r.comparedWith)), ("predicted_outlier_location", .number(r.predictedOutlierLocation)),
                ("outliers", .numbers(r.outliers)), ("bulk", .numbers(r.bulk)),
                ("histogram", r.histogram.map { h in .object([("centers", .numbers(h.centers)), ("counts", .array(h.counts.map { .int($0) })),
                                                              ("density", .numbers(h.density))]) } ?? .null),
            ])))
        } else if let e = f.check?.error {
            root.append(("sample_error", .string(e)))
        }
        return .object(root)
    }

    /// The start of a regime's svg figure: the root element, title, the session as desc and
    /// metadata, the background; returns the builder and the figure's size in pixels.
    static func regimeSVGStart(state: ExplorerState, width: Int, height: Int, theme: Theme, title: String) -> (SVGBuilder, Double, Double) {
        let W = Double(max(40, width)) * svgCell.width, H = Double(max(12, height)) * svgCell.height
        var svg = SVGBuilder(theme: theme)
        let session = Session(state: state)
        svg.line("<?xml version=\"1.0\" encoding=\"UTF-8\"?>")
        svg.line("<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"\(f(W))\" height=\"\(f(H))\" viewBox=\"0 0 \(f(W)) \(f(H))\" font-family=\"\(svgFontStack)\" font-size=\"12\">")
        svg.line("<title>\(xml(title))</title>")
        svg.line("<desc>\(xml(configLine(session)))</desc>")
        let toml = SessionFile.encode(session).replacingOccurrences(of: "]]>", with: "]]]]><![CDATA[>")
        svg.line("<metadata><![CDATA[\n\(toml)]]></metadata>")
        svg.line("<rect class=\"background\" x=\"0\" y=\"0\" width=\"\(f(W))\" height=\"\(f(H))\" fill=\"\(svg.color(theme.background, background: true))\"/>")
        return (svg, W, H)
    }

    /// A histogram as a step outline of (x, y) points.
    static func steps(_ edges: [Double], _ density: [Double]) -> [(Double, Double)] {
        var pts: [(Double, Double)] = []
        for (i, v) in density.enumerated() where i + 1 < edges.count { pts += [(edges[i], v), (edges[i + 1], v)] }
        return pts
    }

    /// Equal-width bins of `values` over `range` as step-outline points (density per `total` values).
    static func binnedSteps(_ values: [Double], range: ClosedRange<Double>, bins: Int, total: Int) -> [(Double, Double)] {
        let h = PlotHistogram.binning(values, range: range, bins: bins, role: .empirical, total: total)
        return steps(h.edges, h.densities)
    }

    /// `svg` in the quadratic-scaling mode: H, MP(γ₁) and the NTK law (with the sampled bulk as a
    /// step outline) as vector line plots, the constants, bound and sample in the title lines.
    static func quadraticSVG(state: ExplorerState, content: FrameContent, width: Int, height: Int, theme: Theme) -> String {
        var (svg, W, H) = regimeSVGStart(state: state, width: width, height: height, theme: theme,
                                         title: "ntkscope quadratic-scaling \(state.view.rawValue) view")
        let s = state.quadratic
        svg.text("ntkscope · quadratic scaling · σ = \(s.activationLabel), φ = σ′ · γ₁ = \(ModelSummary.format(s.gamma1)) · γ₂ = \(ModelSummary.format(s.gamma2)) · ν = \(s.outputLaw)",
                 x: 12, y: 20, role: .title, size: 15, weight: "bold", cls: "header")
        guard let f = content.quadratic, let law = f.law else {
            svg.text(content.quadratic?.lawError ?? "(not solved)", x: 12, y: 44, role: .warning, cls: "header")
            svg.line("</svg>")
            return svg.out
        }
        let c = law.constants
        var info = "c₀ = \(AxisTicks.significant(c.c0, 4)) · c₁² = \(AxisTicks.significant(c.c1Squared, 4)) · a² = \(AxisTicks.significant(c.a2, 4)) · NTK law: KS ≤ \(AxisTicks.significant(law.ntkKSBound, 2)) (discretisation, proven)"
        info += law.failed ? " · ✗ self-checks failed: " + law.failedChecks.map(\.name).joined(separator: "; ") : " · \(law.checks.count) self-checks passed"
        svg.text(info, x: 12, y: 38, role: law.failed ? .warning : .dim, size: 12, cls: "header")
        let sample = quadraticSample(f)
        if let r = sample {
            svg.text("sampled NTK d = \(r.d), p = \(r.p), n = \(r.n), seed \(r.seed): bulk KS \(String(format: "%.4f", r.ks)), W1 \(AxisTicks.significant(r.w1, 3)) (vs \(r.comparedWith)); \(r.outliers.count) outliers set apart",
                     x: 12, y: 54, role: .empirical, size: 12, cls: "header")
        }
        let top = 64.0
        let body = (x: 8.0, y: top, w: W - 16, h: H - top - 8)
        func series(_ p: QuadraticPanel) -> [(ColorRole, [(Double, Double)])] {
            let l = law.law(p)
            var out: [(ColorRole, [(Double, Double)])] = [(.theory, Array(zip(l.x, l.density)))]
            if p == .ntk, let r = sample, let hi = ([l.fullRange.upperBound] + r.bulk).max() {
                let readout = SampleReadout(eigenvalues: r.bulk, law: l)
                out.append((.empirical, binnedSteps(readout.continuous, range: l.fullRange.lowerBound...hi, bins: 60, total: readout.count)))
            }
            return out
        }
        func title(_ p: QuadraticPanel) -> String {
            let l = law.law(p)
            let atoms = l.visibleAtoms.map { "atom \(ScreenLayout.atomPlace($0.location)): \(ScreenLayout.percent($0.mass))" }.joined(separator: ", ")
            return QuadraticLayout.title(p, settings: s) + (atoms.isEmpty ? "" : " · " + atoms)
        }
        switch state.view {
        case .focus, .compare:
            let p: QuadraticPanel = state.view == .compare ? .ntk : s.panel
            xyPanel(&svg, rect: (body.x, body.y, body.w, body.h), title: title(p), xLabel: "λ", logX: false, logY: false, series: series(p))
        case .layers:
            let pw = body.w / 3
            for p in QuadraticPanel.allCases {
                xyPanel(&svg, rect: (body.x + Double(p.rawValue) * pw, body.y, pw - 12, body.h), title: title(p), xLabel: "λ", logX: false, logY: false, series: series(p))
            }
        case .cdf, .edges:
            svg.text("(the \(state.view.rawValue) view is a linear-width view)", x: 12, y: top + 16, role: .dim, cls: "header")
        }
        svg.line("</svg>")
        return svg.out
    }
}

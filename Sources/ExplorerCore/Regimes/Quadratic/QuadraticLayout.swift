import Foundation
import LimitLaws
import PlotCanvas
import QuadraticScaling

/// The quadratic-scaling views, pure functions of the state and `FrameContent.quadratic`:
/// layers (H, MP(γ₁) and the NTK law side by side over the constants, the solve's bound and checks,
/// and the sampled check), focus (one law large with its facts) and compare (the NTK law against the
/// sampled bulk, the outliers listed apart).
public enum QuadraticLayout {
    public static let minimumPanel = (width: 24, height: 8)

    public static func footerKeys(next: String) -> String {
        "q quit  ? help  w \(next)  ↑↓ γ₁  K/J γ₂  a/A σ  = normalised  o/O ν  n/N d  i/I X  s sampled check  ←→ law  1 2 3 view  y y-axis  m canvas  e export  u undo  : command"
    }

    static func sig(_ v: Double, _ n: Int = 4) -> String { AxisTicks.significant(v, n) }

    /// The panel's title, longest form first: each is whole (a bracket is never cut), the shortest the
    /// bare name.
    public static func titles(_ p: QuadraticPanel, settings: QuadraticModeSettings) -> [String] {
        switch p {
        case .population: return ["H = μ_ν,φ (population)", "H = μ_ν,φ", "H"]
        case .marcenkoPastur: return ["MP(γ₁ = \(ModelSummary.format(settings.gamma1)))", "MP(γ₁)", "MP"]
        case .ntk: return ["NTK law (from MP(γ₁) ⊠ H)", "NTK law (MP ⊠ H)", "NTK law"]
        }
    }

    /// The longest title form that fits in `width` cells (the shortest one otherwise).
    public static func title(_ p: QuadraticPanel, settings: QuadraticModeSettings, width: Int = .max) -> String {
        let all = titles(p, settings: settings)
        return all.first { $0.count <= width } ?? all.last!
    }

    /// The frame's laws belong to the current settings (else they are an older setting's, still drawn).
    static func isCurrent(_ law: QuadraticLawFrame, _ state: ExplorerState) -> Bool {
        (try? state.quadratic.lawSettings()) == law.settings
    }

    // MARK: header, status

    public static func header(state: ExplorerState, content: FrameContent) -> RegimeHeader {
        let s = state.quadratic
        let f = content.quadratic
        var status: String?, busy = false
        if let law = f?.law {
            if !isCurrent(law, state) { status = "solving…"; busy = true }
            else if !law.accurate { status = "accurate solve… (fast pass \(String(format: "%.0f", law.milliseconds)) ms)"; busy = true }
            else { status = "solved in \(law.milliseconds < 10 ? String(format: "%.1f", law.milliseconds) : String(format: "%.0f", law.milliseconds)) ms" }
        } else if f?.lawError == nil {
            status = "solving…"; busy = true
        }
        var warning: String?
        if let e = f?.lawError { warning = "✗ \(e)" }
        else if let law = f?.law, law.failed {
            let names = law.failedChecks.map { $0.name.components(separatedBy: " (").first ?? $0.name } + (law.solverFailures > 0 ? ["\(law.solverFailures) failed points"] : [])
            warning = "✗ self-check failed: \(names.joined(separator: ", ")) (3: details)"
        }
        var row1 = ""
        if let c = f?.law?.constants {
            row1 = "c₀ = \(sig(c.c0, 3))  c₁² = \(sig(c.c1Squared, 3))  a² = \(sig(c.a2, 3))"
        }
        let (p, n) = s.sampleShape
        row1 += (row1.isEmpty ? "" : "  │ ") + "sample d = \(s.sampleDimension), p = \(p), n = \(n), X \(s.inputLabel)"
        return RegimeHeader(model: ["│ QUADRATIC SCALING", " │ γ₁ = \(ModelSummary.format(s.gamma1)), γ₂ = \(ModelSummary.format(s.gamma2))",
                                    " │ σ = \(s.activationLabel)", " │ ν = \(s.outputLaw)", " (φ = σ′)"],
                            status: status, busy: busy, warning: warning, row1: row1)
    }

    public static func progress(state: ExplorerState, content: FrameContent) -> RegimeProgress? {
        guard state.quadratic.check else { return nil }
        guard let c = content.quadratic?.check else { return RegimeProgress(label: "sampled check", fraction: nil, detail: "waiting for the law") }
        let label = "sample d=\(c.key.request.dimension)"
        if c.error != nil { return RegimeProgress(label: label, fraction: nil, detail: "failed (M: why)") }
        if c.result != nil { return RegimeProgress(label: label, fraction: nil, detail: "done") }
        return RegimeProgress(label: label, fraction: c.progress, detail: c.stage + " (s cancels)")
    }

    // MARK: body

    public static func drawBody(_ body: inout ScreenGrid, state: ExplorerState, content: FrameContent) {
        guard let f = content.quadratic else {
            body.writeCentered("solving the quadratic-scaling laws…", x: 0, span: body.width, y: body.height / 2, role: .dim)
            return
        }
        guard let law = f.law else {
            let text = f.lawError.map { "✗ \($0)" } ?? "solving the quadratic-scaling laws…"
            for (i, line) in StatusLine.wrap(text, width: max(10, body.width - 4)).enumerated() {
                body.writeCentered(line, x: 0, span: body.width, y: body.height / 2 + i, role: f.lawError == nil ? .dim : .warning)
            }
            return
        }
        switch state.view {
        case .layers: drawLayers(&body, state: state, frame: f, law: law)
        case .focus: drawFocus(&body, state: state, frame: f, law: law)
        case .compare: drawCompare(&body, state: state, frame: f, law: law)
        case .cdf, .edges: body.writeLinearWidthOnly(state.view)
        }
    }

    /// The sampled bulk when the check has one for the settings shown.
    static func sample(_ f: QuadraticFrame, law: QuadraticLawFrame) -> QuadraticCheckResult? {
        guard let c = f.check, c.key.settings == law.settings else { return nil }
        return c.result
    }

    /// One law's density panel: the law as a line (atoms ▲), in the NTK panel the sampled bulk as a
    /// dotted step outline, a caption that says what differs.
    static func panel(_ p: QuadraticPanel, state: ExplorerState, frame f: QuadraticFrame, law: QuadraticLawFrame,
                      width: Int, height: Int, selected: Bool) -> ScreenGrid {
        var g = ScreenGrid(width: width, height: height)
        let s = law.law(p)
        let failed = p == .ntk && law.failed
        let mark = failed ? "✗ " : ""
        let title = " \(mark)\(title(p, settings: state.quadratic, width: width - 2 - mark.count)) "
        g.write(title, x: 0, y: 0, role: selected ? .highlight : (failed ? .warning : .title), attributes: selected ? [.reverse, .bold] : [.bold], maxWidth: width)
        let emp = p == .ntk ? sample(f, law: law) : nil
        if let emp {
            let corner = "KS \(String(format: "%.3f", emp.ks))"
            if corner.count + title.count + 1 <= width { g.write(corner, x: width - corner.count, y: 0, role: .empirical) }
        }
        let readout = emp.map { SampleReadout(eigenvalues: $0.bulk, law: s) }
        var range = s.fullRange
        if let top = emp?.bulk.last, top > range.upperBound { range = range.lowerBound...top }
        let plot = LinearWidthLayout.lawPlot(s, range: range, state: state, sample: readout, width: width, cursor: false)
        g.paste(plot.render(width: width, height: height - 2), x: 0, y: 1)
        var items: [(String, Int)] = []
        if let emp, let readout {
            items.append(("KS \(String(format: "%.3f", emp.ks)) (95% band \(String(format: "%.3f", readout.ksBand)))", 0))
            items.append(("\(emp.outliers.count) outliers apart", 1))
            items.append(("W1 \(sig(emp.w1, 3))", 2))
        } else {
            if let e = LinearWidthLayout.edgesText(s, width: width) { items.append((e, 0)) }
            for a in s.visibleAtoms.prefix(2) {
                items.append(("atom \(ScreenLayout.atomPlace(a.location, scale: s.fullRange.upperBound)): \(ScreenLayout.percent(a.mass))", 1))
            }
            items.append(("mean \(sig(s.mean, 3))", 2))
        }
        if p == .ntk { items.append(("solved KS ≤ \(sig(law.ntkKSBound, 2))", 1)) }
        g.write(LinearWidthLayout.caption(items, width: width), x: 0, y: height - 1, role: .dim, maxWidth: width)
        return g
    }

    /// The layers view: the three panels on top, three (or two) columns of facts below.
    static func drawLayers(_ body: inout ScreenGrid, state: ExplorerState, frame f: QuadraticFrame, law: QuadraticLawFrame) {
        var top = 0
        if sample(f, law: law) != nil {
            LinearWidthLayout.writeLegend(&body, [("━━ limit law", .theory), ("┅┅ sampled bulk (outliers apart), d = \(state.quadratic.sampleDimension), \(state.quadratic.inputLabel) X, seed \(state.quadratic.seed)", .empirical)],
                                          x: 1, y: 0, width: body.width - 2)
            top = 1
        }
        let columns = infoColumns(state: state, frame: f, law: law)
        let wide = body.width >= 150
        // rows the facts take once wrapped; the sampled check's column is the one that must fit (the
        // constants repeat the header's), the panels shrinking down to their minimum height for it
        let cw = wide ? body.width / 3 : body.width / 2
        func rows(_ lines: [(String, ColorRole)], _ width: Int) -> Int {
            lines.reduce(0) { $0 + ($1.0.count <= width ? 1 : StatusLine.wrap($1.0, width: width, hanging: 2).count) }
        }
        let needed = wide ? columns.map { rows($0, cw - 2) }.max()!
                          : max(rows(columns[2], body.width - cw - 2), min(rows(columns[1] + columns[0], cw - 2), body.height / 3 - 1))
        let room = body.height - top - minimumPanel.height - 1
        let infoRows = max(4, min(needed, max(room, body.height / 3)))
        let panelHeight = max(minimumPanel.height, body.height - top - infoRows - 1)
        let w = body.width / 3
        for p in QuadraticPanel.allCases {
            let g = panel(p, state: state, frame: f, law: law, width: w - 1, height: panelHeight, selected: p == state.quadratic.panel)
            body.paste(g, x: p.rawValue * w, y: top)
        }
        let y0 = top + panelHeight + 1
        let rows = body.height - y0
        guard rows > 0 else { return }
        if wide {
            for (i, col) in columns.enumerated() { body.writeFacts(col, x: i * cw + 1, y: y0, width: cw - 2, rows: rows) }
        } else {
            // two columns: the solve (bound, checks) and the constants share the left one (c₀, c₁², a² are
            // also in the header)
            body.writeFacts(columns[1] + columns[0], x: 1, y: y0, width: cw - 2, rows: rows)
            body.writeFacts(columns[2], x: cw + 1, y: y0, width: body.width - cw - 2, rows: rows)
        }
    }

    /// The facts below the panels: φ's constants and ν; the solve (bound, checks); the sampled check.
    static func infoColumns(state: ExplorerState, frame f: QuadraticFrame, law: QuadraticLawFrame) -> [[(String, ColorRole)]] {
        let s = state.quadratic
        let c = law.constants
        let nu = law.settings.outputLaw
        let constants: [(String, ColorRole)] = [
            ("φ = σ′, σ = \(s.activationLabel)", .title),
            ("c₀ = E φ = \(sig(c.c0))  c₁² = (E ξφ)² = \(sig(c.c1Squared))", .text),
            ("a² = Var φ − c₁² = \(sig(c.a2))  v = \(sig(c.variance))", .text),
            ("ν = \(s.outputLaw): E D² = \(sig(nu.evenMoment(1))), E D⁴ = \(sig(nu.evenMoment(2)))", .text),
            ("H: mean \(sig(law.population.mean)), E H² = \(sig(law.population.secondMoment))", .dim),
        ]
        var solve: [(String, ColorRole)] = [
            ("solve: γ₁ = \(ModelSummary.format(s.gamma1)), γ₂ = \(ModelSummary.format(s.gamma2))", .title),
            ("H discretised: W∞(H, H_K) ≤ \(sig(law.populationWInfinity, 2))", .text),
            ("NTK law: KS ≤ \(sig(law.ntkKSBound, 2)), W∞ ≤ \(sig(law.ntkWInfinity, 2)) (proven)", .text),
        ]
        let failed = law.failedChecks
        if failed.isEmpty && law.solverFailures == 0 {
            solve.append(("✓ \(law.checks.count) self-checks passed" + (law.accurate ? "" : " (fast pass)"), .text))
        } else {
            solve.append(("✗ \(failed.count) of \(law.checks.count) self-checks failed:", .warning))
            for ch in failed { solve.append(("  \(ch.name): \(sig(ch.value, 6)) vs \(sig(ch.expected, 6)) ± \(sig(ch.tolerance, 2))", .warning)) }
            if law.solverFailures > 0 { solve.append(("  \(law.solverFailures) points of the NTK law failed", .warning)) }
        }
        var check: [(String, ColorRole)] = [("sampled check (s): d = \(s.sampleDimension), seed \(s.seed)", .title)]
        let (p, n) = s.sampleShape
        let done = f.check.map { $0.result != nil && $0.key.settings == law.settings } ?? false
        if !done { check.append(("p = γ₂d = \(p), n = \(s.activeData == nil ? "γ₁dp" : "the file's rows") = \(n), float32 (i: X law)", .dim)) }
        if s.pendingInputFile != nil { check.append(("X: \(s.inputLabel) not read yet (:data FILE)", .warning)) }
        if !s.check {
            check.append(("off: s samples the NTK and compares its bulk", .dim))
        } else if let cf = f.check {
            if let e = cf.error {
                check.append(("✗ \(e)", .warning))
            } else if let r = cf.result, cf.key.settings == law.settings {
                check += checkLines(r, law: law)
            } else if cf.result != nil {
                check.append(("(for an older setting: sampling again)", .dim))
            } else {
                check.append(("\(cf.stage)… \(Int((cf.progress * 100).rounded()))% (s cancels)", .dim))
            }
        } else {
            check.append(("waiting for the law…", .dim))
        }
        return [constants, solve, check]
    }

    /// The sample's numbers: bulk KS/W1 against the law of its realised ratios, the outliers apart.
    static func checkLines(_ r: QuadraticCheckResult, law: QuadraticLawFrame) -> [(String, ColorRole)] {
        var lines: [(String, ColorRole)] = []
        let band = SampleReadout.ksBand(r.bulk.count)
        lines.append(("bulk: KS \(String(format: "%.4f", r.ks)) (95% band \(String(format: "%.3f", band))) W1 \(sig(r.w1, 3))", .empirical))
        lines.append(("  vs the law of \(r.comparedWith)", .dim))
        if r.beyondSupport > 0 { lines.append(("  \(r.beyondSupport) bulk eigenvalues beyond the law's support", .dim)) }
        lines.append((outlierSummary(r, law: law), .text))
        if !r.outliers.isEmpty {
            let shown = r.outliers.reversed().prefix(4).map { sig($0, 4) }.joined(separator: ", ")
            lines.append(("  largest \(shown)\(r.outliers.count > 4 ? ", … smallest \(sig(r.outliers[0], 4))" : "")", .text))
        }
        return lines
    }

    /// "41 outliers apart: 40 near c₀²E[D²]γ₁p = 400, 1 for c₁ ≠ 0".
    static func outlierSummary(_ r: QuadraticCheckResult, law: QuadraticLawFrame) -> String {
        guard !r.outliers.isEmpty else { return "no outliers (c₀ = c₁ = 0)" }
        var parts: [String] = []
        if law.constants.c0 != 0 { parts.append("\(r.d) near c₀²E[D²]γ₁p = \(sig(r.predictedOutlierLocation, 4))") }
        if law.constants.c1Squared != 0 { parts.append("1 for c₁ ≠ 0") }
        return "\(r.outliers.count) outliers apart: " + parts.joined(separator: ", ")
    }

    // MARK: focus

    static func drawFocus(_ body: inout ScreenGrid, state: ExplorerState, frame f: QuadraticFrame, law: QuadraticLawFrame) {
        let p = state.quadratic.panel
        let infoWidth = min(48, max(30, body.width / 3))
        let plotWidth = body.width - infoWidth - 1
        body.paste(panel(p, state: state, frame: f, law: law, width: plotWidth, height: body.height, selected: true), x: 0, y: 0)
        var lines: [(String, ColorRole)] = []
        if p == .ntk, law.failed {
            lines.append(("✗ self-check failed", .warning))
            for ch in law.failedChecks { lines.append(("  \(ch.name)", .warning)) }
        }
        lines += ScreenLayout.lawFacts(law.law(p), maxIntervals: 3, maxAtoms: 3)
        if p == .ntk {
            lines.append(("discretisation (proven)", .title))
            lines.append(("  KS ≤ \(sig(law.ntkKSBound, 2))  W∞ ≤ \(sig(law.ntkWInfinity, 2))", .text))
            if let r = sample(f, law: law) {
                lines.append(("sampled NTK, d = \(r.d), n = \(r.n), \(state.quadratic.inputLabel) X", .title))
                lines += checkLines(r, law: law).map { ("  " + $0.0.trimmingCharacters(in: .whitespaces), $0.1) }
            }
        } else if p == .population {
            lines.append(("constants", .title))
            let c = law.constants
            lines.append(("  a² = \(sig(c.a2))  c₁² = \(sig(c.c1Squared))", .text))
            lines.append(("  W∞(H, H_K) ≤ \(sig(law.populationWInfinity, 2))", .text))
            if !law.populationMethod.isEmpty { lines.append(("  \(law.populationMethod)", .dim)) }
        }
        body.writeFacts(lines, x: plotWidth + 1, y: 0, width: infoWidth, rows: body.height)
    }

    // MARK: compare

    /// The NTK law against the sampled bulk, large, and the outliers listed apart with where the
    /// theory puts them.
    static func drawCompare(_ body: inout ScreenGrid, state: ExplorerState, frame f: QuadraticFrame, law: QuadraticLawFrame) {
        let infoWidth = min(44, max(28, body.width / 3))
        let plotWidth = body.width - infoWidth - 1
        body.paste(panel(.ntk, state: state, frame: f, law: law, width: plotWidth, height: body.height, selected: false), x: 0, y: 0)
        var lines: [(String, ColorRole)] = [("theory vs sampled NTK", .title)]
        guard let r = sample(f, law: law) else {
            lines.append((state.quadratic.check ? "sampling… (progress on the status line)" : "s starts the sampled check", .dim))
            body.writeFacts(lines, x: plotWidth + 1, y: 0, width: infoWidth, rows: body.height)
            return
        }
        lines.append(("d = \(r.d), p = \(r.p), n = \(r.n), seed \(r.seed), \(state.quadratic.inputLabel) X", .text))
        let predicted = r.predictedOutlierLocation
        lines += checkLines(r, law: law).prefix(3)
        lines.append(("outliers, largest first" + (predicted > 0 ? " (predicted c₀²E[D²]γ₁p = \(sig(predicted, 4)))" : ""), .title))
        for v in r.outliers.reversed() {
            let rel = predicted > 0 ? "  \(sig(v / predicted, 3))× the predicted" : ""
            lines.append(("  \(sig(v, 4).leftPad(8))\(rel)", .text))
        }
        if r.outliers.isEmpty { lines.append(("  none", .text)) }
        body.writeFacts(lines, x: plotWidth + 1, y: 0, width: infoWidth, rows: body.height)
    }
}

import Foundation
import InfiniteWidth
import LimitLaws
import PlotCanvas

/// The views of the infinite-width mode, as pure functions of the state and the precomputed
/// `FrameContent.infinite` (called from `ScreenLayout.render`, which draws header and footer):
/// layers (1), compare (2), focus (3) and kernels (4, InfiniteWidthKernelView.swift).
public enum InfiniteWidthLayout {
    /// The smallest panel of the layers view; below `fullPanelHeight` rows a panel shows the
    /// coefficients only (the sphere spectra are in the focus view), so 80×24 holds depth 5.
    public static let minimumPanel = (width: 24, height: 8)
    static let fullPanelHeight = 13

    public static let footerKeys = "q quit  ? help  w next regime  ←→ layer  [ ] dim d  n/N points  o/O order  f/F σ_w²  p/P σ_b²  C centre  U normalise  V unit-variance  a/A σ  d/D depth  ↑↓ γ_ℓ  1-4 view  m canvas  u undo  e export  : command"

    /// Row 0 of the header in this mode: σ, L, the points (d, n, order) and where they come from,
    /// the initialisation (the linear-width b_σ, a_σ and input law do not describe these kernels).
    public static func headerModel(state: ExplorerState) -> [String] {
        let s = state.infinite
        var fields = ["│ σ = \(state.model.activation.name)", " │ L = \(state.depth)",
                      " │ d = \(s.dimension) n = \(s.points) order \(s.order)"]
        // the initialisation only when it is not Fan–Wang's (and before the input: it changes every kernel)
        if !s.initialisation.isStandard { fields.append(" │ " + s.initialisationText) }
        if let data = s.data {
            fields.append(" │ input: \(NSStringPath(data.source).lastComponent) (n/d = \(ModelSummary.format(s.gamma0)))")
        } else {
            fields.append(" │ input: uniform on S^\(s.dimension - 1) (n/d = \(ModelSummary.format(s.gamma0)))")
        }
        return fields
    }

    /// Row 0's right end: the state of this mode's own computation for the current settings (the
    /// linear-width solver's timing does not describe these kernels).
    public static func headerStatus(state: ExplorerState, content: FrameContent) -> (text: String, busy: Bool) {
        guard let f = content.infinite, f.request == InfiniteWidthRequest(state: state) else { return ("computing…", true) }
        if f.error != nil { return ("computation failed (see the panels)", false) }
        return f.finished ? ("computed", false) : ("computing…", true)
    }

    /// Row 1: the mode and what is still being computed for the current settings, with progress.
    public static func headerInfo(state: ExplorerState, content: FrameContent) -> String {
        var t = "│ INFINITE WIDTH"
        let request = InfiniteWidthRequest(state: state)
        let progress = content.infiniteProgress.flatMap { $0.request == request ? $0 : nil }
        func running(_ fallback: String) -> String {
            guard let p = progress else { return fallback }
            return p.stage == "sampling a network" ? "sampling a network…" : "\(p.stage) \(p.percent)%…"
        }
        if let f = content.infinite, f.request == request {
            if f.profile == nil && !f.complete { t += "  " + running("kernels…") }
            else if !f.complete { t += "  " + running("Gram spectra…") }
            else if !f.finished { t += "  " + running("sampling a network…") }
        } else {
            t += "  computing… " + (progress.map { "\($0.stage) \($0.percent)%" } ?? "")
        }
        return t.trimmingCharacters(in: .whitespaces)
    }

    /// Panels of the layers view: σ's Hermite decay, then one per depth ℓ = 1…L.
    public static func layersArrangement(depth: Int, width: Int, height: Int) -> (columns: Int, rows: Int)? {
        ScreenLayout.panelArrangement(count: depth + 1, width: width, height: height, minimumPanel: minimumPanel)
    }

    public static func drawBody(_ body: inout ScreenGrid, state: ExplorerState, content: FrameContent) {
        guard let frame = content.infinite else {
            let p = content.infiniteProgress.map { " (\($0.stage) \($0.percent)%)" } ?? ""
            body.writeCentered("computing the infinite-width kernels…" + p, x: 0, span: body.width, y: body.height / 2, role: .dim)
            return
        }
        switch state.view {
        case .layers: drawLayers(&body, state: state, frame: frame)
        case .focus: drawFocus(&body, state: state, frame: frame)
        case .compare: drawCompare(&body, state: state, frame: frame)
        case .cdf: InfiniteWidthKernelView.draw(&body, state: state, frame: frame)
        case .edges:
            body.writeCentered(FittedText.first(["the edges view belongs to the linear-width regime: w switches; 1 2 3 4 are this regime's views",
                                                 "edges: a linear-width view (w); here 1 2 3 4"], width: body.width),
                               x: 0, span: body.width, y: body.height / 2, role: .dim)
        }
    }

    // MARK: helpers

    static func sig(_ v: Double, _ n: Int = 3) -> String {
        v.isInfinite ? (v > 0 ? "∞" : "−∞") : AxisTicks.significant(v, n)
    }

    static func log10Series(_ values: [Double], role: ColorRole, from start: Int = 0, scale: Double = 1) -> XYSeries {
        let idx = Array(start..<max(start, values.count))
        return XYSeries(role: role, x: idx.map(Double.init), y: idx.map { values[$0] > 0 ? log10(values[$0] / scale) : -.infinity })
    }

    /// log10 λ_k against log10 k, k ≥ 1 (from log10 λ_k: λ_k below 1e-308 still has its place).
    static func sphereSeries(_ rows: [SphereRow], role: ColorRole) -> XYSeries {
        let r = rows.filter { $0.degree >= 1 }
        return XYSeries(role: role, x: r.map { log10(Double($0.degree)) }, y: r.map(\.log10Lambda))
    }

    /// The kernel the selection stands for: 0 → K_0 (input), ℓ → K_ℓ, L+1 → Θ_L.
    public static func selectedKernel(_ state: ExplorerState) -> InfiniteKernel {
        state.selection > state.depth ? .ntk(state.depth) : .ck(state.selection)
    }

    public static func name(_ k: InfiniteKernel) -> String {
        switch k {
        case .ck(0): return "K₀ (input ρ)"
        case .ck(let l): return "K" + ScreenLayout.subscriptDigits(l)
        case .ntk(let l): return "Θ" + ScreenLayout.subscriptDigits(l)
        }
    }

    static func shortName(_ k: InfiniteKernel) -> String {
        switch k {
        case .ck(let l): return "K" + ScreenLayout.subscriptDigits(l)
        case .ntk(let l): return "Θ" + ScreenLayout.subscriptDigits(l)
        }
    }

    static func coefficientPlot(_ series: [XYSeries], order: Int, mode: CanvasMode, width: Int, height: Int) -> ScreenGrid {
        var p = XYPlot(xRange: 0...Double(max(1, order)), yRange: XYPlot.yRange(series), axes: XYAxes(logX: false, logY: true), mode: mode)
        p.series = series
        return p.render(width: width, height: height)
    }

    static func spherePlot(_ series: [XYSeries], maxDegree: Int, mode: CanvasMode, width: Int, height: Int) -> ScreenGrid {
        var p = XYPlot(xRange: 0...log10(Double(max(2, maxDegree))), yRange: XYPlot.yRange(series, maxSpan: 30),
                       axes: XYAxes(logX: true, logY: true), mode: mode)
        p.series = series
        return p.render(width: width, height: height)
    }

    /// "−2.97" with the theory's exponent when it is a power: "−2.97 (theory −3)".
    static func slopeText(_ fit: SphereDecayFit?, short: Bool = false) -> String? {
        guard let fit, let s = fit.slope else { return nil }
        var t = "slope \(sig(s, 3))"
        if let e = fit.theoryExponent { t += short ? " (k^\(e))" : " (theory \(e))" }
        return t
    }

    /// The constant coefficient as a share of the trace ("c₀ 65%"), nil when it is 0.
    static func constantText(_ k: InfiniteKernelData?) -> String? {
        guard let k, k.constant > 1e-15 * max(1, k.valueAtOne) else { return nil }
        return "c₀ \(ScreenLayout.percent(k.constantShare))"
    }

    // MARK: layers

    static func drawLayers(_ body: inout ScreenGrid, state: ExplorerState, frame: InfiniteWidthFrame) {
        let L = frame.depth
        guard let arrangement = layersArrangement(depth: L, width: body.width, height: body.height) else { return }
        let w = body.width / arrangement.columns, h = body.height / arrangement.rows
        let mode = state.display.canvas
        let tw = w - 1
        for i in 0...L {
            var g = ScreenGrid(width: tw, height: h)
            let selected = i == min(state.selection, L) && (i > 0 || state.selection == 0)
            let full = h >= fullPanelHeight
            let plotHeight = full ? (h - 3) / 2 : h - 2
            if i == 0 {
                g.write(FittedText.first([" σ = \(frame.request.activation.name): Hermite μ_k² ", " σ: μ_k² "], width: tw), x: 0, y: 0,
                        role: selected ? .highlight : .title, attributes: selected ? [.reverse, .bold] : [.bold])
                let mu2 = frame.hermite.map { $0 * $0 }
                var series = [log10Series(mu2, role: .theory, from: 1)]
                if let ntk = frame.kernels[.ntk(L)] {
                    series.append(log10Series(ntk.coefficients, role: .seriesB, from: 1, scale: ntk.valueAtOne))
                }
                let order = frame.request.settings.order
                if full {
                    let lx = g.write("▬ μ_k²", x: 0, y: 1, role: .theory)
                    g.write(FittedText.first(["  ▬ Θ\(ScreenLayout.subscriptDigits(L)) c_j/Θ(1)", "  ▬ Θ c_j", ""], width: tw - lx), x: lx, y: 1, role: .seriesB)
                    g.paste(coefficientPlot(series, order: order, mode: mode, width: tw, height: h - 4), x: 0, y: 2)
                } else {
                    g.paste(coefficientPlot(series, order: order, mode: mode, width: tw, height: h - 2), x: 0, y: 1)
                }
                let note = frame.hermiteNote
                let mu = FittedText.fit([("μ₀ = \(sig(frame.mu0, 3))", 0), ("Σ_{k>\(order)} μ_k² = \(sig(frame.hermiteTail, 2))", 1)], width: tw)
                if full {
                    g.write(mu, x: 0, y: h - 2, role: .dim)
                    g.write(FittedText.fit([(note, 0), ("faster μ decay ⇒ faster Θ decay", 1)], width: tw,
                                           fallback: note.hasPrefix("μ_k exact") ? "μ_k exact" : "μ_k by quadrature"),
                            x: 0, y: h - 1, role: .dim)
                } else {
                    g.write(FittedText.fit([("μ₀ = \(sig(frame.mu0, 3))", 0), (note.hasPrefix("μ_k exact") ? "μ_k exact" : "μ_k quadrature", 1),
                                            ("Σ_{k>\(order)} μ_k² = \(sig(frame.hermiteTail, 2))", 2)], width: tw), x: 0, y: h - 1, role: .dim)
                }
            } else {
                g.write(" ℓ = \(i) ", x: 0, y: 0, role: selected ? .highlight : .title, attributes: selected ? [.reverse, .bold] : [.bold])
                var x = 7
                x += g.write("▬ K\(ScreenLayout.subscriptDigits(i))", x: x, y: 0, role: .seriesA)
                g.write(FittedText.first(["  ▬ Θ\(ScreenLayout.subscriptDigits(i))  log10 c_j vs j", "  ▬ Θ\(ScreenLayout.subscriptDigits(i))"], width: tw - x),
                        x: x, y: 0, role: .seriesB)
                let ck = frame.kernels[.ck(i)], ntk = frame.kernels[.ntk(i)]
                let coefficients = [ck.map { log10Series($0.coefficients, role: .seriesA) },
                                    ntk.map { log10Series($0.coefficients, role: .seriesB) }].compactMap { $0 }
                g.paste(coefficientPlot(coefficients, order: frame.request.settings.order, mode: mode, width: tw, height: plotHeight), x: 0, y: 1)
                if full {
                g.write(FittedText.first(["sphere S^\(frame.request.settings.dimension - 1): λ_k vs k (log-log)", "λ_k vs k (log-log)"], width: tw),
                        x: 0, y: 1 + plotHeight, role: .dim)
                let sphere = [ck.map { sphereSeries($0.sphere, role: .seriesA) }, ntk.map { sphereSeries($0.sphere, role: .seriesB) }].compactMap { $0 }
                let kmax = ck?.sphere.last?.degree ?? 2
                g.paste(spherePlot(sphere, maxDegree: kmax, mode: mode, width: tw, height: h - 3 - plotHeight), x: 0, y: 2 + plotHeight)
                }
                var parts: [(String, Int)] = [("tail Θ \(sig(ntk?.tail ?? .nan, 2))", 0)]
                if let c = constantText(ntk) { parts.append((c, 1)) }
                if let s = slopeText(ntk?.fit) { parts.append((s, 2)) }
                if let ntk, let share = lowDegreeShare(ntk.sphere, upTo: 2) { parts.append(("k≤2 \(ScreenLayout.percent(share))", 3)) }
                parts.append(("tail K \(sig(ck?.tail ?? .nan, 2))", 4))
                g.write(FittedText.fit(parts, width: tw, fallback: "tail \(sig(ntk?.tail ?? .nan, 2))"), x: 0, y: h - 1, role: .dim)
            }
            body.paste(g, x: (i % arrangement.columns) * w, y: (i / arrangement.columns) * h)
        }
    }

    /// Share of the trace Σ N(d,k) λ_k / K(1) in the degrees ≤ `upTo`.
    static func lowDegreeShare(_ rows: [SphereRow], upTo k: Int) -> Double? {
        let r = rows.filter { $0.degree <= k }
        return r.isEmpty ? nil : r.map(\.share).reduce(0, +)
    }

    // MARK: focus

    /// The series block of the focus view: K(1), tail, the constant term and its outlier, the fit.
    static func seriesLines(_ info: inout InfoColumn, _ data: InfiniteKernelData, kernel: InfiniteKernel, frame: InfiniteWidthFrame) {
        let settings = frame.request.settings
        info.add(["series of order \(settings.order) (limit \(KernelSeries.maxOrder))", "series, order \(settings.order)"], .title, priority: 0)
        info.add(["  \(shortName(kernel))(1) = \(sig(data.valueAtOne, 4))   tail \(sig(data.tail, 2))", "  \(shortName(kernel))(1) \(sig(data.valueAtOne, 4)) tail \(sig(data.tail, 2))"], priority: 0)
        if !frame.lowOrdersExact {
            info.addWrapped("  σ's Hermite series was cut in a re-expansion: every bound is the whole tail", .warning, priority: 0)
        }
        if data.constant > 1e-15 * max(1, data.valueAtOne) {
            info.add(["  c₀ = \(sig(data.constant, 3)), \(ScreenLayout.percent(data.constantShare)) of the trace", "  c₀ \(sig(data.constant, 3)) (\(ScreenLayout.percent(data.constantShare)))"], priority: 1)
            let n = Double(settings.points)
            info.add(["  → Gram outlier λ ≥ n·c₀ = \(sig(n * data.constant, 4))", "  → outlier ≥ n·c₀ = \(sig(n * data.constant, 3))"], priority: 2)
        } else {
            info.add(["  c₀ = 0 (no constant term)"], .dim, priority: 3)
        }
        if let fit = data.fit {
            let window = "k = \(fit.window.lowerBound)…\(fit.window.upperBound)"
            if let s = fit.slope {
                info.add(["  decay slope \(sig(s, 3)), \(fit.resolved.count) resolved of \(window)", "  decay slope \(sig(s, 3))"], priority: 1)
            } else {
                info.add(["  no decay fit: < 3 of \(window) resolved (raise o)", "  no fit: < 3 resolved"], .warning, priority: 1)
            }
            info.add(["  theory: " + (fit.theory ?? "not known here"), "  theory: " + (fit.theoryExponent.map { "k^\($0)" } ?? (fit.theory == nil ? "–" : "faster than any power")),
                      "  theory: " + (fit.theoryExponent.map { "k^\($0)" } ?? (fit.theory == nil ? "–" : "super-algebraic"))], .dim, priority: 2)
        }
    }

    /// The sphere-eigenvalue table: k, N(d,k) (exact while it fits), λ_k, bound, share, method
    /// (s series, q quadrature) and ✗ when the bound exceeds 1% of λ_k.
    static func sphereTable(_ rows: [SphereRow], width: Int) -> [String] {
        let nWidth = max(6, min(14, width - 26))
        return TextTable(columns: [
            .init(header: "k", cells: rows.map { String($0.degree) }, priority: 0),
            .init(header: "N(d,k)", cells: rows.map { $0.multiplicity(width: nWidth) }, priority: 2),
            .init(header: "λ_k", cells: rows.map { $0.lambda > 0 ? sig($0.lambda, 3) : "1e\(Int($0.log10Lambda.rounded()))" }, priority: 0),
            .init(header: "bound", cells: rows.map { sig($0.bound, 1) }, priority: 4),
            .init(header: "share", cells: rows.map { ScreenLayout.percent($0.share) }, priority: 3),
            .init(header: "m", cells: rows.map { ($0.method == .quadrature ? "q" : "s") + ($0.isResolved ? "" : "✗") }, priority: 1, alignLeft: true),
        ]).lines(width: width)
    }

    /// λ_min, "0" when it is a round-off zero (below the Gram's rank tolerance), "*" when it is
    /// below the truncation's eigenvalue bound (only its bound is known).
    static func lambdaMinText(_ g: GramSpectrum) -> String {
        (abs(g.lambdaMin) <= g.zeroTolerance ? "0" : sig(g.lambdaMin, 2)) + (g.lambdaMinIsTruncationLimited ? "*" : "")
    }

    /// The dataset block: effective rank, λ_max share, λ_min, numerical rank and outliers of XᵀX,
    /// K_L and Θ_L; how the Gram was built; λ_min's reliability; Theorem 4.3; the constant's outlier.
    static func datasetLines(_ info: inout InfoColumn, _ frame: InfiniteWidthFrame) {
        let settings = frame.request.settings
        let L = frame.depth
        let file = settings.data.map { NSStringPath($0.source).lastComponent }
        info.add([file.map { "data: \($0), n = \(settings.points), d = \(settings.dimension)" } ?? "dataset: n = \(settings.points) uniform on S^\(settings.dimension - 1)",
                  file.map { "data: \($0)" } ?? "dataset: n = \(settings.points) on S^\(settings.dimension - 1)", "n = \(settings.points)"], .title, priority: 0)
        guard let d = frame.dataset else {
            if let e = frame.error { info.addWrapped("  failed: \(e)", .warning, priority: 0) } else { info.add(["  computing (LAPACK)…"], .dim, priority: 0) }
            return
        }
        let grams = [("XᵀX", d.input), ("K" + ScreenLayout.subscriptDigits(L), d.ck), ("Θ" + ScreenLayout.subscriptDigits(L), d.ntk)]
        info.add(lines: TextTable(columns: [
            .init(header: "", cells: grams.map(\.0), priority: 0, alignLeft: true),
            .init(header: "r_eff", cells: grams.map { sig($0.1.effectiveRank, 4) }, priority: 0),
            .init(header: "λmax", cells: grams.map { ScreenLayout.percent($0.1.maxShare) }, priority: 1),
            .init(header: "λmin", cells: grams.map { lambdaMinText($0.1) }, priority: 2),
            .init(header: "rank", cells: grams.map { String($0.1.numericalRank) }, priority: 4),
            .init(header: "out", cells: grams.map { String($0.1.outliers) }, priority: 3),
        ]).lines(width: info.width), headerRole: .dim, priority: 1)
        info.add(["  λmax: its share of the trace; out: outliers", "  λmax: share of the trace"], .dim, priority: 6)
        let ntkSource = d.ntk.source == "closed form" ? "entries exact (closed form)" : "entries from the series ± \(sig(d.ntk.entryErrorBound, 2))"
        info.add(["  Θ Gram: " + ntkSource, "  Θ Gram: " + (d.ntk.source == "closed form" ? "exact" : "series ± \(sig(d.ntk.entryErrorBound, 2))"),
                  "  Θ: " + (d.ntk.source == "closed form" ? "exact" : "± \(sig(d.ntk.entryErrorBound, 2))")], .dim, priority: 3)
        if d.ntk.lambdaMinIsTruncationLimited || d.ck.lambdaMinIsTruncationLimited {
            info.add(["  * λmin below the truncation bound \(sig(d.ntk.eigenvalueErrorBound, 2)): raise o", "  * λmin ≤ bound: raise o"], .warning, priority: 1)
        }
        let ratio = d.ntkToInputEffectiveRank
        let holds = d.theorem43Holds
        let constant = d.ntkBoundConstant.isFinite ? sig(d.ntkBoundConstant, 3) : "∞ (c₁ = 0)"
        info.add(["  Thm 4.3: r(Θ)/r(XᵀX) = \(sig(ratio, 3)) ≤ Θ(1)/c₁ = \(constant) \(holds ? "✓" : "✗")",
                  "  r(Θ)/r(XᵀX) \(sig(ratio, 3)) ≤ \(constant) \(holds ? "✓" : "✗")"], holds ? .text : .warning, priority: 1)
        if let ntk = frame.kernels[.ntk(L)], ntk.constant > 1e-15 * max(1, ntk.valueAtOne) {
            let bound = Double(settings.points) * ntk.constant
            let ok = d.ntk.lambdaMax >= bound * (1 - 1e-9)
            info.add(["  λmax(Θ) = \(sig(d.ntk.lambdaMax, 4)) ≥ n·c₀ = \(sig(bound, 4)) \(ok ? "✓" : "✗")",
                      "  λmax \(sig(d.ntk.lambdaMax, 3)) ≥ n·c₀ \(sig(bound, 3)) \(ok ? "✓" : "✗")"], ok ? .text : .warning, priority: 2)
        }
    }

    static func drawFocus(_ body: inout ScreenGrid, state: ExplorerState, frame: InfiniteWidthFrame) {
        let kernel = selectedKernel(state)
        let infoWidth = min(52, max(34, body.width / 3))
        let plotWidth = body.width - infoWidth - 1
        let settings = frame.request.settings
        body.write(FittedText.first([" \(name(kernel))  on S^\(settings.dimension - 1) (d = \(settings.dimension)) ", " \(name(kernel)) "], width: plotWidth),
                   x: 0, y: 0, role: .highlight, attributes: [.reverse, .bold])
        guard let data = frame.kernels[kernel] else {
            body.writeCentered("computing…", x: 0, span: body.width, y: body.height / 2, role: .dim)
            return
        }
        let mode = state.display.canvas
        let h1 = (body.height - 3) * 3 / 5, h2 = body.height - 3 - h1
        let kmax = data.sphere.last?.degree ?? 0
        var lx = body.write("▬ λ_k", x: 0, y: 1, role: .theory)
        lx += body.write(FittedText.first(["   ▬ bound (series tail or quadrature error)   log-log, k = 1…\(kmax)", "   ▬ bound", ""], width: plotWidth - lx),
                         x: lx, y: 1, role: .dim)
        let bound = XYSeries(role: .dim, x: data.sphere.filter { $0.degree >= 1 }.map { log10(Double($0.degree)) },
                             y: data.sphere.filter { $0.degree >= 1 }.map { $0.bound > 0 ? log10($0.bound) : -.infinity })
        body.paste(spherePlot([bound, sphereSeries(data.sphere, role: .theory)], maxDegree: max(2, kmax),
                              mode: mode, width: plotWidth, height: h1), x: 0, y: 2)
        body.write(FittedText.first(["coefficients log10 c_j vs j (order \(settings.order))", "log10 c_j vs j"], width: plotWidth), x: 0, y: 2 + h1, role: .seriesA)
        body.paste(coefficientPlot([log10Series(data.coefficients, role: .seriesA)], order: settings.order, mode: mode,
                                   width: plotWidth, height: h2), x: 0, y: 3 + h1)

        // the info column: series facts, the sphere table (its later rows go first when room is short), the dataset block
        var info = InfoColumn(width: infoWidth)
        seriesLines(&info, data, kernel: kernel, frame: frame)
        info.add(["sphere eigenvalues on S^\(settings.dimension - 1)", "sphere eigenvalues", "λ_k"], .title, priority: 1)
        let shown = data.sphere.filter { $0.lambda > 0 || $0.log10Lambda.isFinite }
        info.add(lines: sphereTable(shown, width: infoWidth), headerRole: .dim, priority: 1) { $0 <= 2 ? 2 : 5 }
        info.add(["  m: s series, q quadrature of the exact kernel; ✗ bound > 1% of λ_k", "  m: s series, q quadrature; ✗ bound > 1%",
                  "  s series, q quad., ✗ unresolved"], .dim, priority: 4)
        if let share = lowDegreeShare(data.sphere, upTo: kmax) {
            info.add(["  shares of k = 0…\(kmax) sum to \(ScreenLayout.percent(share))", "  Σ shares \(ScreenLayout.percent(share))"], .dim, priority: 4)
        }
        datasetLines(&info, frame)
        info.draw(&body, x: plotWidth + 1, y: 1, rows: body.height - 1)
    }

    // MARK: compare

    /// A histogram as a step outline (for a second empirical series over a filled histogram).
    static func stepCurve(_ h: PlotHistogram) -> PlotCurve {
        var x: [Double] = [], y: [Double] = []
        for (i, v) in h.densities.enumerated() { x += [h.edges[i], h.edges[i + 1]]; y += [v, v] }
        return PlotCurve(role: h.role, x: x, y: y)
    }

    static func drawCompare(_ body: inout ScreenGrid, state: ExplorerState, frame: InfiniteWidthFrame) {
        let L = frame.depth
        let leftWidth = body.width * 3 / 5
        let infoWidth = body.width - leftWidth - 1
        let settings = frame.request.settings
        let tx = body.write(FittedText.first([" Θ\(ScreenLayout.subscriptDigits(L)): infinite width vs linear width ", " Θ\(ScreenLayout.subscriptDigits(L)) "], width: leftWidth),
                            x: 0, y: 0, role: .title, attributes: [.bold])
        body.write(FittedText.first([" n = \(settings.points), d = \(settings.dimension), law: γ_ℓ, input \(frame.comparison?.inputLaw ?? "")",
                                     " n = \(settings.points), d = \(settings.dimension)", ""], width: max(0, leftWidth - tx)),
                   x: tx, y: 0, role: .dim)
        var lx = body.write(FittedText.first([" ▮ infinite-width Gram", " ▮ Gram"], width: leftWidth), x: 0, y: 1, role: .seriesA)
        lx += body.write(FittedText.first(["  ▬ linear-width law", "  ▬ law", ""], width: max(0, leftWidth - lx)), x: lx, y: 1, role: .seriesB)
        guard let d = frame.dataset, let c = frame.comparison else {
            body.writeCentered(frame.error.map { "failed: \($0)" } ?? "computing the Gram spectrum and the law…", x: 0, span: leftWidth,
                               y: body.height / 2, role: frame.error == nil ? .dim : .warning)
            return
        }
        let ev = d.ntk.eigenvalues
        let law = c.law
        let sampled = frame.sample?.eigenvalues ?? []
        if !sampled.isEmpty {
            lx += body.write(FittedText.first(["  ┄ sampled network", "  ┄ sample", ""], width: max(0, leftWidth - lx)), x: lx, y: 1, role: .empirical)
        }
        var lo = min(law.fullRange.lowerBound, ev.min() ?? 0, sampled.min() ?? .infinity)
        var hi = max(law.fullRange.upperBound, ev.max() ?? 1, sampled.max() ?? -.infinity)
        if state.display.zoom > 0 { hi = lo + (hi - lo) / Double(1 << state.display.zoom) }
        if !(hi > lo) { lo = 0; hi = 1 }
        var p = DensityPlot(xRange: lo...hi, yScale: state.display.yScale, mode: state.display.canvas)
        let bins = max(10, min(120, (leftWidth - 8) * state.display.canvas.pixelsPerCell.x / 2))
        p.histograms = [PlotHistogram.binning(ev, range: lo...hi, bins: bins, role: .seriesA)]
        p.curves = [PlotCurve(role: .seriesB, x: law.x, y: law.density)]
        if !sampled.isEmpty { p.curves.append(stepCurve(PlotHistogram.binning(sampled, range: lo...hi, bins: max(5, bins / 2), role: .empirical))) }
        p.markers = law.visibleAtoms.map { PlotMarker(role: .seriesB, x: $0.location) }
        p.xTickTarget = max(2, (leftWidth - 8) / 9)
        body.paste(p.render(width: leftWidth - 1, height: body.height - 3), x: 0, y: 2)
        body.write(FittedText.first(["atoms of the law: " + ScreenLayout.atomsText(law), ScreenLayout.atomsText(law)], width: leftWidth - 1),
                   x: 0, y: body.height - 1, role: .seriesB)

        var info = InfoColumn(width: infoWidth)
        func add(_ forms: [String], _ role: ColorRole, _ priority: Int) { info.add(forms, role, priority: priority) }
        add(["same σ = \(frame.request.activation.name), L = \(L), inputs", "σ = \(frame.request.activation.name), L = \(L)"], .title, 0)
        if !settings.initialisation.isStandard {
            info.addWrapped("✗ the law is Fan–Wang's network (σ_w² = 1, no biases, σ centred): not this initialisation's", .warning, priority: 0)
        }
        add(["  KS(Gram, law) = \(String(format: "%.4f", c.ks))", "  KS \(String(format: "%.4f", c.ks))"], .text, 0)
        add(["  mean    Gram \(sig(d.ntk.mean, 4))  law \(sig(law.mean, 4))", "  mean \(sig(d.ntk.mean, 3)) | \(sig(law.mean, 3))"], .text, 2)
        add(["  E λ²    Gram \(sig(d.ntk.secondMoment, 4))  law \(sig(law.secondMoment, 4))", "  E λ² \(sig(d.ntk.secondMoment, 3)) | \(sig(law.secondMoment, 3))"], .text, 2)
        add(["γ → 0 check (every γ_ℓ × f)", "γ → 0 check"], .title, 0)
        add(["     f      KS    E λ² law", "   f     KS"], .dim, 1)
        for g in c.gammaLimit {
            add(["  \(ModelSummary.format(g.factor).leftPad(4))  \(String(format: "%.4f", g.ks))  \(sig(g.lawSecondMoment, 4).leftPad(9))",
                 "  \(ModelSummary.format(g.factor).leftPad(4))  \(String(format: "%.4f", g.ks))"], .text, 0)
        }
        let ks = c.gammaLimit.map(\.ks)
        if ks.count >= 2 {
            let falling = zip(ks, ks.dropFirst()).allSatisfy { $0.1 <= $0.0 + 1e-3 }
            if falling { add(["  ✓ KS falls as γ → 0: the law tends to the infinite-width spectrum", "  ✓ KS falls as γ → 0"], .text, 0) }
            else { add(["  ✗ KS does not fall as γ → 0", "  ✗ KS does not fall"], .warning, 0) }
        }
        add(["  floor ≈ finite-n fluctuation of XᵀX", "  floor: finite-n noise"], .dim, 4)
        if settings.points > settings.dimension {
            info.addWrapped("  n > d: XᵀX has an atom at 0 that the Gram spreads by O(1/√d); use n < d", .warning, priority: 3)
        }
        add(["sampled network, widths d_ℓ = round(n/γ_ℓ)", "sampled network"], .title, 1)
        if let sm = frame.sample {
            if let e = sm.eigenvalues {
                add(["  d_ℓ = " + sm.widths.dropFirst().map(String.init).joined(separator: ", ") + "  (float32, exact NTK)",
                     "  d_ℓ = " + sm.widths.dropFirst().map(String.init).joined(separator: ","), "  d_ℓ = n/γ_ℓ"], .dim, 3)
                add(["  KS(sample, Gram) = \(sm.ksVsGram.map { String(format: "%.4f", $0) } ?? "–")", "  KS to Gram \(sm.ksVsGram.map { String(format: "%.3f", $0) } ?? "–")"], .text, 1)
                add(["  KS(sample, law)  = \(sm.ksVsLaw.map { String(format: "%.4f", $0) } ?? "–")", "  KS to law \(sm.ksVsLaw.map { String(format: "%.3f", $0) } ?? "–")"], .text, 1)
                let m = e.reduce(0, +) / Double(max(1, e.count)), m2 = e.reduce(0) { $0 + $1 * $1 } / Double(max(1, e.count))
                add(["  mean \(sig(m, 4))  E λ² \(sig(m2, 4))", "  mean \(sig(m, 3))"], .text, 3)
            } else if let note = sm.note {
                info.addWrapped("  " + note, .warning, priority: 2)
            }
        } else {
            add(["  sampling…"], .dim, 1)
        }
        add(["Gram of Θ\(ScreenLayout.subscriptDigits(L))", "Gram"], .title, 1)
        add(["  r_eff \(sig(d.ntk.effectiveRank, 4))  (XᵀX \(sig(d.input.effectiveRank, 4)))", "  r_eff \(sig(d.ntk.effectiveRank, 3))"], .text, 2)
        add(["  λmax share \(ScreenLayout.percent(d.ntk.maxShare))  outliers \(d.ntk.outliers)", "  outliers \(d.ntk.outliers)"], .text, 2)
        let constant = d.ntkBoundConstant.isFinite ? sig(d.ntkBoundConstant, 3) : "∞"
        add(["  Thm 4.3: r(Θ)/r(XᵀX) \(sig(d.ntkToInputEffectiveRank, 3)) ≤ \(constant) \(d.theorem43Holds ? "✓" : "✗")",
             "  Thm 4.3 \(d.theorem43Holds ? "✓" : "✗")"], d.theorem43Holds ? .text : .warning, 1)
        add(["  λmin \(lambdaMinText(d.ntk))\(d.ntk.lambdaMinIsTruncationLimited ? " (≤ truncation bound)" : "") · \(d.ntk.source)",
             "  λmin \(lambdaMinText(d.ntk))"], d.ntk.lambdaMinIsTruncationLimited ? .warning : .text, 2)
        add(["linear width: γ = " + frame.request.gammas.map { ModelSummary.format($0) }.joined(separator: ","), "γ_ℓ: ↑↓"], .dim, 5)
        add(["  (↑↓ change γ_ℓ; [ ] n N change d, n)"], .dim, 6)
        info.draw(&body, x: leftWidth + 1, y: 2, rows: body.height - 2)
    }
}

extension String {
    func leftPad(_ n: Int) -> String { count >= n ? self : String(repeating: " ", count: n - count) + self }
}

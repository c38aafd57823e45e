import Foundation
import InfiniteWidth
import LimitLaws
import PlotCanvas

/// The three views of the infinite-width mode, as pure functions of the state and the precomputed
/// `FrameContent.infinite` (called from `ScreenLayout.render`, which draws header and footer).
public enum InfiniteWidthLayout {
    public static let minimumPanel = (width: 24, height: 13)

    public static let footerKeys = "q quit  ? help  w linear width  ←→ layer  [ ] dim d  n/N points  o/O order  a/A σ  b/B b_σ  d/D depth  ↑↓ γ_ℓ  1 2 3 view  m canvas  t theme  u undo  e export  : command"

    /// Header text of the mode (row 1).
    public static func headerInfo(state: ExplorerState, content: FrameContent) -> String {
        let s = state.infinite
        var t = "│ INFINITE WIDTH d = \(s.dimension) n = \(s.points) order \(s.order)"
        if let f = content.infinite {
            if f.request != InfiniteWidthRequest(state: state) { t += "  computing…" }
            else if !f.complete { t += "  Gram spectra…" }
            else if !f.finished { t += "  sampling a network…" }
        } else {
            t += "  computing…"
        }
        return t
    }

    /// Panels of the layers view: σ's Hermite decay, then one per depth ℓ = 1…L.
    public static func layersArrangement(depth: Int, width: Int, height: Int) -> (columns: Int, rows: Int)? {
        ScreenLayout.panelArrangement(count: depth + 1, width: width, height: height, minimumPanel: minimumPanel)
    }

    public static func drawBody(_ body: inout ScreenGrid, state: ExplorerState, content: FrameContent) {
        guard let frame = content.infinite else {
            body.writeCentered("computing the infinite-width kernels…", x: 0, span: body.width, y: body.height / 2, role: .dim)
            return
        }
        switch state.view {
        case .layers: drawLayers(&body, state: state, frame: frame)
        case .focus: drawFocus(&body, state: state, frame: frame)
        case .compare: drawCompare(&body, state: state, frame: frame)
        case .cdf, .edges:
            body.writeCentered("the \(state.view.rawValue) view belongs to the linear-width regime: w switches, 1 2 3 are this regime's views",
                               x: 0, span: body.width, y: body.height / 2, role: .dim)
        }
    }

    // MARK: helpers

    static func sig(_ v: Double, _ n: Int = 3) -> String { AxisTicks.significant(v, n) }

    static func log10Series(_ values: [Double], role: ColorRole, from start: Int = 0, scale: Double = 1) -> XYSeries {
        let idx = Array(start..<values.count)
        return XYSeries(role: role, x: idx.map(Double.init), y: idx.map { values[$0] > 0 ? log10(values[$0] / scale) : -.infinity })
    }

    /// log10 λ_k against log10 k, k ≥ 1.
    static func sphereSeries(_ rows: [SphereRow], role: ColorRole) -> XYSeries {
        let r = rows.filter { $0.degree >= 1 }
        return XYSeries(role: role, x: r.map { log10(Double($0.degree)) }, y: r.map { $0.lambda > 0 ? log10($0.lambda) : -.infinity })
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

    // MARK: layers

    static func drawLayers(_ body: inout ScreenGrid, state: ExplorerState, frame: InfiniteWidthFrame) {
        let L = frame.depth
        guard let arrangement = layersArrangement(depth: L, width: body.width, height: body.height) else { return }
        let w = body.width / arrangement.columns, h = body.height / arrangement.rows
        let mode = state.display.canvas
        for i in 0...L {
            var g = ScreenGrid(width: w - 1, height: h)
            let selected = i == min(state.selection, L) && (i > 0 || state.selection == 0)
            let plotHeight = (h - 3) / 2
            if i == 0 {
                g.write(" σ = \(frame.request.activation.name): Hermite μ_k² ", x: 0, y: 0, role: selected ? .highlight : .title,
                        attributes: selected ? [.reverse, .bold] : [.bold])
                let mu2 = frame.hermite.map { $0 * $0 }
                var series = [log10Series(mu2, role: .theory, from: 1)]
                g.write("▬ μ_k²", x: 0, y: 1, role: .theory)
                if let ntk = frame.kernels[.ntk(L)] {
                    series.append(log10Series(ntk.coefficients, role: .seriesB, from: 1, scale: ntk.valueAtOne))
                    g.write("  ▬ Θ\(ScreenLayout.subscriptDigits(L)) c_j/Θ(1)", x: 6, y: 1, role: .seriesB)
                }
                let order = frame.request.settings.order
                g.paste(coefficientPlot(series, order: order, mode: mode, width: w - 1, height: h - 4), x: 0, y: 2)
                let tail = max(0, 1 - mu2.prefix(order + 1).reduce(0, +))
                g.write("Σ_{k>\(order)} μ_k² = \(sig(tail, 2)) · \(frame.hermiteNote)", x: 0, y: h - 2, role: .dim, maxWidth: w - 1)
                g.write("faster μ decay ⇒ faster Θ decay", x: 0, y: h - 1, role: .dim, maxWidth: w - 1)
            } else {
                g.write(" ℓ = \(i) ", x: 0, y: 0, role: selected ? .highlight : .title, attributes: selected ? [.reverse, .bold] : [.bold])
                var x = 7
                x += g.write("▬ K\(ScreenLayout.subscriptDigits(i))", x: x, y: 0, role: .seriesA)
                g.write("  ▬ Θ\(ScreenLayout.subscriptDigits(i))  log10 c_j vs j", x: x, y: 0, role: .seriesB, maxWidth: w - 1 - x)
                let ck = frame.kernels[.ck(i)], ntk = frame.kernels[.ntk(i)]
                let coefficients = [ck.map { log10Series($0.coefficients, role: .seriesA) },
                                    ntk.map { log10Series($0.coefficients, role: .seriesB) }].compactMap { $0 }
                g.paste(coefficientPlot(coefficients, order: frame.request.settings.order, mode: mode, width: w - 1, height: plotHeight), x: 0, y: 1)
                g.write("sphere S^\(frame.request.settings.dimension - 1): λ_k vs k (log-log)", x: 0, y: 1 + plotHeight, role: .dim, maxWidth: w - 1)
                let sphere = [ck.map { sphereSeries($0.sphere, role: .seriesA) }, ntk.map { sphereSeries($0.sphere, role: .seriesB) }].compactMap { $0 }
                let kmax = ck?.sphere.last?.degree ?? 2
                g.paste(spherePlot(sphere, maxDegree: kmax, mode: mode, width: w - 1, height: h - 3 - plotHeight), x: 0, y: 2 + plotHeight)
                var caption = "tail K \(sig(ck?.tail ?? .nan, 2)) Θ \(sig(ntk?.tail ?? .nan, 2))"
                if let ntk, let share = lowDegreeShare(ntk.sphere, upTo: 2) { caption += " · Θ k≤2 \(ScreenLayout.percent(share))" }
                if let s = ntk?.slope { caption += " · slope \(sig(s, 2))" }
                g.write(caption, x: 0, y: h - 1, role: .dim, maxWidth: w - 1)
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

    static func drawFocus(_ body: inout ScreenGrid, state: ExplorerState, frame: InfiniteWidthFrame) {
        let kernel = selectedKernel(state)
        let infoWidth = min(46, max(34, body.width / 3))
        let plotWidth = body.width - infoWidth - 1
        let settings = frame.request.settings
        body.write(" \(name(kernel))  on S^\(settings.dimension - 1) (d = \(settings.dimension)) ", x: 0, y: 0, role: .highlight, attributes: [.reverse, .bold])
        guard let data = frame.kernels[kernel] else {
            body.writeCentered("computing…", x: 0, span: body.width, y: body.height / 2, role: .dim)
            return
        }
        let mode = state.display.canvas
        let h1 = (body.height - 3) * 3 / 5, h2 = body.height - 3 - h1
        body.write("▬ λ_k   ▬ truncation bound   (log-log, k = 1…\(data.sphere.last?.degree ?? 0))", x: 0, y: 1, role: .theory, maxWidth: plotWidth)
        let bound = XYSeries(role: .dim, x: data.sphere.filter { $0.degree >= 1 }.map { log10(Double($0.degree)) },
                             y: data.sphere.filter { $0.degree >= 1 }.map { $0.bound > 0 ? log10($0.bound) : -.infinity })
        body.paste(spherePlot([bound, sphereSeries(data.sphere, role: .theory)], maxDegree: data.sphere.last?.degree ?? 2,
                              mode: mode, width: plotWidth, height: h1), x: 0, y: 2)
        body.write("coefficients log10 c_j vs j (order \(settings.order))", x: 0, y: 2 + h1, role: .seriesA, maxWidth: plotWidth)
        body.paste(coefficientPlot([log10Series(data.coefficients, role: .seriesA)], order: settings.order, mode: mode,
                                   width: plotWidth, height: h2), x: 0, y: 3 + h1)

        var lines: [(String, ColorRole)] = []
        lines.append(("series", .title))
        lines.append(("  \(name(kernel))(1) = \(sig(data.valueAtOne, 4))   tail \(sig(data.tail, 2))", .text))
        if let s = data.slope { lines.append(("  λ_k slope \(sig(s, 3)) (upper half of k)", .text)) }
        lines.append(("sphere eigenvalues", .title))
        lines.append(("   k        N(d,k)        λ_k   share", .dim))
        let shown = data.sphere.filter { $0.lambda > 0 }.prefix(8)
        for r in shown {
            let k = String(r.degree).leftPad(4)
            let n = (r.multiplicity < 1e12 ? String(Int(r.multiplicity.rounded())) : sig(r.multiplicity, 4)).leftPad(13), l = sig(r.lambda, 3).leftPad(10)
            lines.append(("\(k) \(n) \(l)  \(ScreenLayout.percent(r.share))", .text))
        }
        if let share = lowDegreeShare(data.sphere, upTo: data.sphere.last?.degree ?? 0) {
            lines.append(("  Σ shares k ≤ \(data.sphere.last?.degree ?? 0): \(ScreenLayout.percent(share))", .dim))
        }
        lines.append(("dataset: n = \(settings.points) on S^\(settings.dimension - 1)", .title))
        if let d = frame.dataset {
            lines.append(("          r_eff  λmax share  outliers", .dim))
            for (label, g) in [("XᵀX", d.input), ("K" + ScreenLayout.subscriptDigits(frame.depth), d.ck), ("Θ" + ScreenLayout.subscriptDigits(frame.depth), d.ntk)] {
                lines.append(("  \(label.padding(toLength: 5, withPad: " ", startingAt: 0))\(sig(g.effectiveRank, 4).leftPad(8))  \(ScreenLayout.percent(g.maxShare).leftPad(9))  \(String(g.outliers).leftPad(8))", .text))
            }
            let ratio = d.input.effectiveRank > 0 ? d.ntk.effectiveRank / d.input.effectiveRank : 0
            lines.append(("  r(Θ)/r(XᵀX) = \(sig(ratio, 3))", .text))
            lines.append(("  entry bound Θ \(sig(d.ntk.entryErrorBound, 2))", .dim))
        } else if let e = frame.error {
            lines.append(("  failed: \(e)", .warning))
        } else {
            lines.append(("  computing (LAPACK)…", .dim))
        }
        let x0 = plotWidth + 1
        for (i, (text, role)) in lines.prefix(body.height - 1).enumerated() {
            body.write(text, x: x0, y: i + 1, role: role, attributes: role == .title ? [.bold] : [], maxWidth: infoWidth)
        }
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
        let tx = body.write(" Θ\(ScreenLayout.subscriptDigits(L)): infinite width vs linear width ", x: 0, y: 0, role: .title, attributes: [.bold])
        body.write(" n = \(settings.points), d = \(settings.dimension), law: γ_ℓ, γ₀ = n/d", x: tx, y: 0, role: .dim, maxWidth: max(0, leftWidth - tx))
        var lx = body.write(" ▮ infinite-width Gram", x: 0, y: 1, role: .seriesA, maxWidth: leftWidth)
        lx += body.write("  ▬ linear-width law", x: lx, y: 1, role: .seriesB, maxWidth: max(0, leftWidth - lx))
        guard let d = frame.dataset, let c = frame.comparison else {
            body.writeCentered(frame.error.map { "failed: \($0)" } ?? "computing the Gram spectrum and the law…", x: 0, span: leftWidth,
                               y: body.height / 2, role: frame.error == nil ? .dim : .warning)
            return
        }
        let ev = d.ntk.eigenvalues
        let law = c.law
        let sampled = frame.sample?.eigenvalues ?? []
        if !sampled.isEmpty {
            lx += body.write("  ┄ sampled network", x: lx, y: 1, role: .empirical, maxWidth: max(0, leftWidth - lx))
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
        body.write("atoms of the law: " + ScreenLayout.atomsText(law), x: 0, y: body.height - 1, role: .seriesB, maxWidth: leftWidth - 1)

        var lines: [(String, ColorRole)] = []
        lines.append(("same σ = \(frame.request.activation.name), L = \(L), inputs", .title))
        lines.append(("  KS(Gram, law) = \(String(format: "%.4f", c.ks))", .text))
        lines.append(("  mean    Gram \(sig(d.ntk.mean, 4))  law \(sig(law.mean, 4))", .text))
        lines.append(("  E λ²    Gram \(sig(d.ntk.secondMoment, 4))  law \(sig(law.secondMoment, 4))", .text))
        lines.append(("sampled network, widths d_ℓ = round(n/γ_ℓ)", .title))
        if let sm = frame.sample {
            lines.append(("  d_ℓ = " + sm.widths.dropFirst().map(String.init).joined(separator: ", ") + "  (float32, exact NTK)", .dim))
            if let e = sm.eigenvalues {
                lines.append(("  KS(sample, Gram) = \(sm.ksVsGram.map { String(format: "%.4f", $0) } ?? "–")", .text))
                lines.append(("  KS(sample, law)  = \(sm.ksVsLaw.map { String(format: "%.4f", $0) } ?? "–")", .text))
                let m = e.reduce(0, +) / Double(max(1, e.count)), m2 = e.reduce(0) { $0 + $1 * $1 } / Double(max(1, e.count))
                lines.append(("  mean \(sig(m, 4))  E λ² \(sig(m2, 4))", .text))
            } else if let note = sm.note {
                lines.append(("  " + note, .warning))
            }
        } else {
            lines.append(("  sampling…", .dim))
        }
        lines.append(("γ → 0 check (every γ_ℓ × f)", .title))
        lines.append(("     f      KS    E λ² law", .dim))
        for g in c.gammaLimit {
            lines.append(("  \(ModelSummary.format(g.factor).leftPad(4))  \(String(format: "%.4f", g.ks))  \(sig(g.lawSecondMoment, 4).leftPad(9))", .text))
        }
        let ks = c.gammaLimit.map(\.ks)
        if ks.count >= 2 {
            let falling = zip(ks, ks.dropFirst()).allSatisfy { $0.1 <= $0.0 + 1e-3 }
            lines.append((falling ? "  ✓ KS falls as γ → 0: the law tends to" : "  ✗ KS does not fall as γ → 0", falling ? .text : .warning))
            if falling { lines.append(("    the infinite-width spectrum", .text)) }
        }
        lines.append(("  floor ≈ finite-n fluctuation of XᵀX", .dim))
        if settings.points > settings.dimension {
            lines.append(("  n > d: XᵀX has an atom at 0 that the", .warning))
            lines.append(("  Gram spreads by O(1/√d); use n < d", .warning))
        }
        lines.append(("Gram of Θ\(ScreenLayout.subscriptDigits(L))", .title))
        lines.append(("  r_eff \(sig(d.ntk.effectiveRank, 4))  (XᵀX \(sig(d.input.effectiveRank, 4)))", .text))
        lines.append(("  λmax share \(ScreenLayout.percent(d.ntk.maxShare))  outliers \(d.ntk.outliers)", .text))
        lines.append(("linear width: γ = " + frame.request.gammas.map { ModelSummary.format($0) }.joined(separator: ","), .dim))
        lines.append(("  (↑↓ change γ_ℓ; [ ] n N change d, n)", .dim))
        for (i, (text, role)) in lines.prefix(body.height - 2).enumerated() {
            body.write(text, x: leftWidth + 1, y: i + 2, role: role, attributes: role == .title ? [.bold] : [], maxWidth: infoWidth)
        }
    }
}

extension String {
    func leftPad(_ n: Int) -> String { count >= n ? self : String(repeating: " ", count: n - count) + self }
}

import Foundation
import InfiniteWidth
import PlotCanvas

/// The infinite-width regime's kernel view (key 4): the exact kernels of every layer against
/// ρ = ⟨x, x′⟩ — K_ℓ (the CK / NNGP), Θ_ℓ (the NTK of depth ℓ) and K̇_ℓ (the derivative kernel
/// κ̇) — from `KernelRecursion` (closed-form dual kernels where they exist, 2-D quadrature
/// otherwise), the selected layer highlighted; beside them a table at a few ρ and the truncation of
/// the series' Θ_L against the exact kernel, which the view checks against its stated bound.
enum InfiniteWidthKernelView {
    /// The layer the view highlights: the selected one (the NTK's selection stands for ℓ = L).
    static func layer(_ state: ExplorerState, depth: Int) -> Int { min(state.selection, depth) }

    static func curves(_ values: [[Double]], rho: [Double], layers: ClosedRange<Int>, selected: Int, role: ColorRole) -> [XYSeries] {
        // the others first (dim), the selected one last so it is drawn on top
        layers.filter { $0 != selected && $0 < values.count }.map { XYSeries(role: .dim, x: rho, y: values[$0]) }
            + (values.indices.contains(selected) && layers.contains(selected) ? [XYSeries(role: role, x: rho, y: values[selected])] : [])
    }

    static func panel(_ title: String, _ series: [XYSeries], logY: Bool = false, mode: CanvasMode, width: Int, height: Int) -> ScreenGrid {
        var g = ScreenGrid(width: width, height: height)
        g.write(FittedText.first([title, String(title.prefix(while: { $0 != ":" }))], width: width), x: 0, y: 0, role: .title, attributes: [.bold])
        let y = logY ? XYPlot.yRange(series, maxSpan: 16) : XYPlot.linearRange(series)
        var p = XYPlot(xRange: -1...1, yRange: y, axes: XYAxes(logX: false, logY: logY), mode: mode)
        p.series = series
        g.paste(p.render(width: width, height: height - 1), x: 0, y: 1)
        return g
    }

    /// |series − exact| of Θ_L and the series' bound on the grid, log10 (the truncation against its bound).
    static func truncationSeries(_ c: KernelCurves) -> [XYSeries] {
        guard let exact = c.ntk.last, c.seriesNTK.count == exact.count, c.seriesBound.count == exact.count else { return [] }
        let err = exact.indices.map { i -> Double in let e = abs(c.seriesNTK[i] - exact[i]); return e > 0 ? log10(e) : -.infinity }
        let bound = c.seriesBound.map { $0 > 0 ? log10($0) : -.infinity }
        return [XYSeries(role: .dim, x: c.rho, y: bound), XYSeries(role: .seriesA, x: c.rho, y: err)]
    }

    static func draw(_ body: inout ScreenGrid, state: ExplorerState, frame: InfiniteWidthFrame) {
        let L = frame.depth
        let sub = ScreenLayout.subscriptDigits
        guard let c = frame.profile else {
            body.writeCentered("computing the exact kernels K_ℓ, Θ_ℓ, κ′ℓ on a ρ grid…", x: 0, span: body.width, y: body.height / 2, role: .dim)
            return
        }
        let l = layer(state, depth: L)
        let wide = body.width >= 150
        let infoWidth = wide ? min(60, body.width / 3) : min(52, max(34, body.width * 2 / 5))
        let plotWidth = body.width - infoWidth - 1
        let mode = state.display.canvas
        let k = panel("K_ℓ(ρ), ℓ = 0…\(L): the CK (NNGP) kernels", curves(c.ck, rho: c.rho, layers: 0...L, selected: l, role: .seriesA),
                      mode: mode, width: wide ? plotWidth / 2 - 1 : plotWidth, height: wide ? body.height / 2 : body.height / 2)
        let t = panel("Θ_ℓ(ρ), ℓ = 0…\(L): the NTK of depth ℓ", curves(c.ntk, rho: c.rho, layers: 0...L, selected: l, role: .seriesB),
                      mode: mode, width: wide ? plotWidth / 2 - 1 : plotWidth, height: wide ? body.height / 2 : body.height - body.height / 2)
        body.paste(k, x: 0, y: 0)
        if wide {
            body.paste(t, x: plotWidth / 2 + 1, y: 0)
            if L >= 1 {
                let d = panel("κ′ℓ(ρ) = E σ′(u)σ′(v), ℓ = 1…\(L): the derivative kernels",
                              curves(c.derivative, rho: c.rho, layers: 1...L, selected: max(1, l), role: .theory),
                              mode: mode, width: plotWidth / 2 - 1, height: body.height - body.height / 2)
                body.paste(d, x: 0, y: body.height / 2)
            }
            let e = panel("Θ\(sub(L)): |series − exact| (▬) and the series' bound (dim), log10", truncationSeries(c), logY: true,
                          mode: mode, width: plotWidth / 2 - 1, height: body.height - body.height / 2)
            body.paste(e, x: plotWidth / 2 + 1, y: body.height / 2)
        } else {
            body.paste(t, x: 0, y: body.height / 2)
        }

        var info = InfoColumn(width: infoWidth)
        func add(_ forms: [String], _ role: ColorRole, _ priority: Int) { info.add(forms, role, priority: priority) }
        add(["layer ℓ = \(l) highlighted (←/→ selects)", "ℓ = \(l) (←/→)"], .title, 0)
        add(["  exact: \(c.method == "closed form" ? "closed-form dual kernels" : "2-D quadrature of the recursion")", "  exact: \(c.method)"], .dim, 2)
        let rows = c.table
        let fmt = { (v: Double) -> String in v.isFinite ? InfiniteWidthLayout.sig(v, 4) : "–" }
        // rows near ρ = 1 (where truncation bites) and at 0 (the constant term) are kept longest
        let rowPriority = { (i: Int) -> Int in i < rows.count && [0, 0.99, 0.999, 1].contains(rows[i].rho) ? 2 : 4 }
        info.add(lines: TextTable(columns: [
            .init(header: "ρ", cells: rows.map { ModelSummary.format($0.rho) }, priority: 0),
            .init(header: "K\(sub(l))", cells: rows.map { fmt($0.ck[l]) }, priority: 0),
            .init(header: "Θ\(sub(l))", cells: rows.map { fmt($0.ntk[l]) }, priority: 0),
            .init(header: "κ′\(sub(max(1, l)))", cells: rows.map { L >= 1 ? fmt($0.derivative[max(1, l)]) : "–" }, priority: 1),
        ]).lines(width: infoWidth), headerRole: .dim, priority: 1, rowPriority: rowPriority)
        if let zero = rows.first(where: { $0.rho == 0 }), zero.ntk[L] > 1e-15 * max(1, rows.last?.ntk[L] ?? 1) {
            add(["  ρ = 0: the constant term c₀ = Θ\(sub(L))(0) = \(fmt(zero.ntk[L]))", "  c₀ = Θ(0) = \(fmt(zero.ntk[L]))"], .dim, 3)
        }
        add(["series Θ\(sub(L)) (order \(frame.request.settings.order)) against the exact kernel", "series Θ\(sub(L)) vs exact"], .title, 0)
        info.add(lines: TextTable(columns: [
            .init(header: "ρ", cells: rows.map { ModelSummary.format($0.rho) }, priority: 0),
            .init(header: "series", cells: rows.map { fmt($0.seriesNTK) }, priority: 1),
            .init(header: "|error|", cells: rows.map { InfiniteWidthLayout.sig(abs($0.seriesNTK - $0.ntk[L]), 2) }, priority: 0),
            .init(header: "bound", cells: rows.map { InfiniteWidthLayout.sig($0.seriesBound, 2) }, priority: 0),
        ]).lines(width: infoWidth), headerRole: .dim, priority: 1, rowPriority: rowPriority)
        // the check: the series never misses the exact kernel by more than its stated bound (plus round-off)
        var points: [(rho: Double, error: Double, bound: Double)] = []
        if let exact = c.ntk.last, exact.count == c.seriesNTK.count, c.seriesBound.count == exact.count {
            for i in exact.indices { points.append((c.rho[i], abs(c.seriesNTK[i] - exact[i]), c.seriesBound[i])) }
        }
        for r in rows { points.append((r.rho, abs(r.seriesNTK - r.ntk[L]), r.seriesBound)) }
        let tolerance = 1e-9 * max(1, rows.last?.ntk[L] ?? 1)
        let violations = points.filter { $0.error > $0.bound + tolerance }
        if let worst = c.largestSeriesError {
            add(["  largest |error| on the grid \(InfiniteWidthLayout.sig(worst.error, 2)) at ρ = \(ModelSummary.format(worst.rho))",
                 "  max |error| \(InfiniteWidthLayout.sig(worst.error, 2))"], .text, 2)
        }
        if violations.isEmpty {
            // the tolerance is the exact kernel's own accuracy (quadrature), said with the verdict
            let tol = InfiniteWidthLayout.sig(tolerance, 1)
            add(["  ✓ within the stated bound ± \(tol) at all \(points.count) ρ",
                 "  ✓ within the bound ± \(tol)", "  ✓ within the bound"], .text, 0)
        } else {
            add(["  ✗ error above the bound at \(violations.count) ρ (e.g. \(ModelSummary.format(violations[0].rho)))", "  ✗ error > bound"], .warning, 0)
        }
        if !frame.variances.isEmpty {
            add(["  q_ℓ = Σ_ℓ(1): " + frame.variances.map { InfiniteWidthLayout.sig($0, 3) }.joined(separator: ", "), "  q_ℓ: " + InfiniteWidthLayout.sig(frame.variances.last ?? .nan, 3)], .dim, 5)
        }
        info.draw(&body, x: plotWidth + 1, y: 0, rows: body.height)
    }
}

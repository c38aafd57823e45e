import Foundation
import LimitLaws
import PlotCanvas

/// The linear-width regime's five views, pure functions of the state and the frame content:
/// layers (small multiples, paged when they do not fit), compare (any number of laws overlaid, with
/// distances and a table), focus (one law and its facts), CDF (law and sample CDFs, where KS is read)
/// and edges (support edges and atoms against the layer ℓ).
///
/// Theory and sample are told apart by glyph as well as colour: the limit law is a solid line, the
/// sampled spectrum a dotted step outline (never a filled wall), and compared laws get solid,
/// dotted, dashed and sparse lines in turn, so every view reads under NO_COLOR and on 8 colours.
public enum LinearWidthLayout {
    /// Roles of the compared series A, B, C, …
    public static let seriesRoles: [ColorRole] = [.seriesA, .seriesB, .theory, .empirical, .title, .highlight]
    /// The sample's line.
    static let sampleStyle = LineStyle.dotted

    // MARK: pieces shared by the views

    /// The sampled spectrum of a law and its readout, when the empirical check is on and has it.
    static func sample(_ kernel: KernelID, state: ExplorerState, content: FrameContent) -> (result: EmpiricalKernelResult, readout: SampleReadout)? {
        guard state.empiricalOn, let r = content.empirical.results[kernel], let law = content.spectra[kernel], !r.eigenvalues.isEmpty else { return nil }
        return (r, SampleReadout(eigenvalues: r.eigenvalues, law: law))
    }

    /// The histogram bins of a sample in a plot `pixels` dots wide: about 2·m^{1/3} for the m
    /// eigenvalues in range (Rice), 8 … pixels/2.
    static func bins(_ readout: SampleReadout, range: ClosedRange<Double>, pixels: Int) -> Int {
        let inRange = readout.continuous.count - readout.outside(range).below - readout.outside(range).above
        return max(8, min(max(8, pixels / 2), Int((2 * pow(Double(max(1, inRange)), 1.0 / 3)).rounded())))
    }

    /// A law's density plot on `range`: the law as a line over the sample's step outline (the
    /// eigenvalues in the law's atoms are left out: they are compared as masses), atoms marked.
    static func lawPlot(_ s: DisplaySpectrum, range: ClosedRange<Double>, state: ExplorerState,
                        sample: SampleReadout?, role: ColorRole = .theory, style: LineStyle = .solid,
                        width: Int, cursor: Bool) -> DensityPlot {
        var p = DensityPlot(xRange: range, yScale: state.display.yScale, mode: state.display.canvas)
        applyLimits(&p, state.display)
        if let sample {
            let px = max(1, (width - 6) * state.display.canvas.pixelsPerCell.x)
            var h = PlotHistogram.binning(sample.continuous, range: range, bins: bins(sample, range: range, pixels: px),
                                          role: .empirical, total: sample.count)
            h.style = .outline(sampleStyle)
            p.histograms.append(h)
        }
        let curve = s.curve(in: range)   // re-solved on the zoom window once it arrives
        p.curves.append(PlotCurve(role: role, x: curve.x, y: curve.density, style: style))
        p.markers = s.visibleAtoms.map { PlotMarker(role: role, x: $0.location) }
        p.xTitle = "λ"
        if width >= 48 { p.yTitle = "density" }   // small panels: the legend and the view say it
        p.gridLines = state.display.gridLines
        if cursor { p.cursorX = RangeActions.cursorX(state, range: range) }
        return p
    }

    /// `:ylim` on a density axis: the top, and on a log axis the decades down to the bottom.
    static func applyLimits(_ p: inout DensityPlot, _ d: DisplaySettings) {
        guard let y = d.yLimits, y.upperBound > 0 else { return }
        p.yMax = y.upperBound
        if d.yScale == .log, y.lowerBound > 0, y.lowerBound < y.upperBound { p.logDecades = log10(y.upperBound / y.lowerBound) }
    }

    /// Items of a caption joined by " · ", the least important dropped whole until they fit.
    static func caption(_ items: [(String, Int)], width: Int) -> String {
        var kept = items.enumerated().map { (index: $0.offset, text: $0.element.0, priority: $0.element.1) }
        func length() -> Int { kept.reduce(0) { $0 + $1.text.count } + 3 * max(0, kept.count - 1) }
        while length() > width, let drop = kept.indices.filter({ kept[$0].priority > 0 }).max(by: { (kept[$0].priority, $0) < (kept[$1].priority, $1) }) {
            kept.remove(at: drop)
        }
        return kept.map(\.text).joined(separator: " · ")
    }

    /// The support's hull as "[λ₋, λ₊]" ("[λ₋, λ₊] in 2 parts" for several intervals), in the
    /// longest wording that fits `width` characters (narrow panels get "[λ₋,λ₊] 2 parts", then
    /// "[λ₋, λ₊]" without the count), so that a panel 20 cells wide still reads both ends whole.
    static func edgesText(_ s: DisplaySpectrum, width: Int = .max) -> String? {
        guard let first = s.support.first, let last = s.support.last else { return nil }
        let hull = AxisTicks.interval(first.lowerBound...last.upperBound, minimum: 3)
        let n = s.support.count
        let spaced = "[\(hull.lower), \(hull.upper)]", tight = "[\(hull.lower),\(hull.upper)]"
        // the part count goes before the edges' digits are cut (the focus view lists every part)
        let wordings = (n > 1 ? [spaced + " in \(n) parts", spaced + " \(n) parts", tight + " \(n) parts"] : []) + [spaced, tight]
        return wordings.first { $0.count <= width } ?? wordings[wordings.count - 1]
    }

    /// The cursor's read-out on a law: x, the density there, the CDF F(x) and the sample's Fₙ(x).
    /// x is right to 1/200 of the plot's range (`range`): the cursor moves by 1/100 of it, so
    /// neighbouring positions read differently even far from 0 (664300.0, 664300.1, …).
    static func cursorReadout(_ s: DisplaySpectrum, x: Double, range: ClosedRange<Double>, sample: SampleReadout?) -> [(String, String)] {
        let place = AxisTicks.resolved([x], resolution: (range.upperBound - range.lowerBound) / 200)[0]
        var out = [("x", place), ("f(x)", AxisTicks.significant(s.density(at: x), 3)),
                   ("F(x)", String(format: "%.4f", s.cdf(x)))]
        if let sample { out.append(("Fₙ(x)", String(format: "%.4f", sample.cdf(x)))) }
        return out
    }

    // MARK: layers

    /// One small-multiple panel: title (KS in the corner when there is room), plot, and a caption
    /// that says what differs between the panels (edges, atoms, variance; with a sample its KS
    /// against the 95% band and the atoms as masses; in the selected panel the cursor's read-out).
    public static func panel(kernel: KernelID, state: ExplorerState, content: FrameContent, width: Int, height: Int,
                             selected: Bool, curveRole: ColorRole = .theory, style: LineStyle = .solid) -> ScreenGrid {
        var g = ScreenGrid(width: width, height: height)
        let s = content.spectra[kernel]
        let flag = s?.checkFailure != nil ? "✗ " : ""
        let title = " \(flag)\(kernel.title)  \(ScreenLayout.gammaText(kernel, summary: content.summary)) "
        g.write(title, x: 0, y: 0, role: selected ? .highlight : (flag.isEmpty ? .title : .warning),
                attributes: selected ? [.reverse, .bold] : [.bold])
        let emp = sample(kernel, state: state, content: content)
        if let emp {
            let corner = "KS \(String(format: "%.3f", emp.result.ks)) W1 \(String(format: "%.3f", emp.result.w1))"
            if corner.count + title.count + 1 <= width { g.write(corner, x: width - corner.count, y: 0, role: .empirical) }
        }
        guard let s else {
            g.writeCentered("solving…", x: 0, span: width, y: height / 2, role: .dim)
            return g
        }
        let range = RangeActions.visibleRange(s, display: state.display)
        let p = lawPlot(s, range: range, state: state, sample: emp?.readout, role: curveRole, style: style, width: width, cursor: selected)
        g.paste(p.render(width: width, height: height - 2), x: 0, y: 1)
        var items: [(String, Int)] = []
        if selected, let x = RangeActions.cursorX(state, range: range) {
            items.append((cursorReadout(s, x: x, range: range, sample: emp?.readout).map { "\($0.0) \($0.1)" }.joined(separator: " "), 0))
        }
        if let emp {
            // KS with its band, in the longest form that fits the panel
            let ks = String(format: "%.3f", emp.result.ks), band = String(format: "%.3f", emp.readout.ksBand)
            let forms = ["KS \(ks) (95% band \(band))", "KS \(ks) band \(band)", "KS \(ks)/\(band)"]
            items.append((forms.first { $0.count <= width } ?? forms[2], 0))
            for a in emp.readout.atoms.prefix(1) {
                items.append(("atom \(ScreenLayout.atomPlace(a.location, scale: range.upperBound)): \(ScreenLayout.percent(a.lawMass)) | \(ScreenLayout.percent(a.sampleMass))", 1))
            }
            let out = emp.readout.outside(range)
            if out.below + out.above > 0 { items.append(("\(out.below + out.above) outside", 2)) }
            items.append(("W1 \(String(format: "%.3f", emp.result.w1))", 3))
        } else {
            if let e = edgesText(s, width: width) { items.append((e, 0)) }
            for a in s.visibleAtoms.prefix(2) {
                items.append(("atom \(ScreenLayout.atomPlace(a.location, scale: s.fullRange.upperBound)): \(ScreenLayout.percent(a.mass))", 1))
            }
            items.append(("var \(AxisTicks.significant(s.variance, 3))", 2))
            if kernel == .ntk || kernel == .ck(0) { items.append(("mean \(AxisTicks.significant(s.mean, 3))", 3)) }
        }
        g.write(caption(items, width: width), x: 0, y: height - 1, role: .dim, maxWidth: width)
        return g
    }

    /// The legend of the theory/sample overlay, for the views that draw a sample.
    static func sampleLegend(state: ExplorerState, content: FrameContent) -> [(String, ColorRole)] {
        let n = content.empirical.sampleSize > 0 ? content.empirical.sampleSize : state.sampleSize
        return [("\(LineStyle.solid.legend) limit law", .theory),
                ("\(sampleStyle.legend) sampled network n = \(n), seed \(state.seed) (histogram outline)", .empirical),
                ("KS vs its 95% band 1.36/√n · atoms: law | sample mass", .dim)]
    }

    /// Writes legend items left to right, dropping those that do not fit whole.
    static func writeLegend(_ g: inout ScreenGrid, _ items: [(String, ColorRole)], x: Int, y: Int, width: Int) {
        var cx = x
        for (text, role) in items {
            let gap = cx > x ? 3 : 0
            guard cx + gap + text.count <= x + width else { continue }
            cx += gap
            cx += g.write(text, x: cx, y: y, role: role)
        }
    }

    static func drawLayers(_ body: inout ScreenGrid, state: ExplorerState, content: FrameContent) {
        let laws = state.laws
        var top = 0
        if state.empiricalOn {
            writeLegend(&body, sampleLegend(state: state, content: content), x: 1, y: 0, width: body.width - 2)
            top = 1
        }
        guard let paging = ScreenLayout.layersPaging(count: laws.count, width: body.width, height: body.height - top) else { return }
        let page = min(state.selection, laws.count - 1) / paging.perPage
        let w = body.width / paging.columns, h = (body.height - top) / paging.rows
        for (j, i) in (page * paging.perPage..<min(laws.count, (page + 1) * paging.perPage)).enumerated() {
            let panel = panel(kernel: laws[i], state: state, content: content, width: w - 1, height: h, selected: i == state.selection)
            body.paste(panel, x: (j % paging.columns) * w, y: top + (j / paging.columns) * h)
        }
    }

    // MARK: focus

    /// The frame of the one-law views (focus, CDF): the title, and the plot and info widths; nil
    /// (with "solving…" drawn) while the selected law is not solved.
    static func oneLawFrame(_ body: inout ScreenGrid, state: ExplorerState, content: FrameContent, prefix: String)
        -> (kernel: KernelID, law: DisplaySpectrum, titleEnd: Int, plotWidth: Int, infoWidth: Int)? {
        let kernel = state.selectedKernel
        let infoWidth = min(40, max(26, body.width / 4))
        let title = " \(prefix)\(kernel.title)  \(ScreenLayout.gammaText(kernel, summary: content.summary)) "
        let tx = body.write(title, x: 0, y: 0, role: .highlight, attributes: [.reverse, .bold])
        guard let s = content.spectra[kernel] else {
            body.writeCentered("solving…", x: 0, span: body.width, y: body.height / 2, role: .dim)
            return nil
        }
        return (kernel, s, tx, body.width - infoWidth - 1, infoWidth)
    }

    static func drawFocus(_ body: inout ScreenGrid, state: ExplorerState, content: FrameContent) {
        guard let (kernel, s, tx, plotWidth, infoWidth) = oneLawFrame(&body, state: state, content: content, prefix: "") else { return }
        let emp = sample(kernel, state: state, content: content)
        if emp != nil {
            writeLegend(&body, Array(sampleLegend(state: state, content: content).prefix(2)), x: tx + 2, y: 0, width: plotWidth - tx - 2)
        }
        let range = RangeActions.visibleRange(s, display: state.display)
        var p = lawPlot(s, range: range, state: state, sample: emp?.readout, width: plotWidth, cursor: true)
        p.xTickTarget = max(2, plotWidth / 8)
        if state.display.yLimits == nil { p.logDecades = 5 }
        body.paste(p.render(width: plotWidth, height: body.height - 1), x: 0, y: 1)

        var lines = ScreenLayout.lawFacts(s, maxIntervals: 4, maxAtoms: 3)
        // the sample right after the support and atoms: on a short terminal the moments give way first
        if state.empiricalOn {
            var block: [(String, ColorRole)] = [("sampled network (n = \(content.empirical.sampleSize > 0 ? content.empirical.sampleSize : state.sampleSize), seed \(state.seed))", .title)]
            if let emp { block += sampleFacts(emp.result, emp.readout, range: RangeActions.visibleRange(s, display: state.display), kernel: kernel) }
            else { block.append(("  waiting…", .dim)) }
            let at = lines.firstIndex { $0.0 == "moments" } ?? lines.count
            lines.insert(contentsOf: block, at: at)
        }
        if let d = state.data, kernel == .ck(0) || state.view == .focus {
            let at = lines.firstIndex { $0.0 == "moments" } ?? lines.count
            lines.insert(contentsOf: dataFacts(d), at: at)
        }
        // the narrow part near the left edge, when there is one worth a line
        let full = s.fullRange
        let edge = full.lowerBound + AxisTicks.niceStep(span: full.upperBound - full.lowerBound, target: 100)
        let narrow = s.mass(in: full.lowerBound...edge)
        if AxisTicks.format(full.lowerBound) != AxisTicks.format(edge), narrow >= 0.001, narrow <= 0.999 {
            lines.append(("  in [\(AxisTicks.format(full.lowerBound)), \(AxisTicks.format(edge))]  \(ScreenLayout.percent(narrow))", .text))
        }
        lines.append(("view", .title))
        let ends = AxisTicks.interval(range)
        var window = "  x \(ends.lower) … \(ends.upper)"
        if state.display.xLimits != nil { window += " (:xlim)" } else if state.display.zoom > 0 { window += " (×\(1 << state.display.zoom))" }
        lines.append((window, .text))
        lines.append(("  y \(state.display.yScale.rawValue), \(state.display.canvas.rawValue)", .text))
        if let x = RangeActions.cursorX(state, range: range) {
            // the read-out first: it is what changes while the cursor moves
            var block: [(String, ColorRole)] = [("cursor", .title)]
            for (name, value) in cursorReadout(s, x: x, range: range, sample: emp?.readout) { block.append(("  \(name.padding(toLength: 6, withPad: " ", startingAt: 0)) \(value)", .highlight)) }
            lines.insert(contentsOf: block, at: s.checkFailure != nil ? 2 : 0)
        }

        if s.failures > 0 { lines.append(("\(s.failures) grid points failed", .warning)) }
        let x0 = plotWidth + 1
        var y = 1
        for (text, role) in lines {
            for part in StatusLine.wrap(text, width: infoWidth, hanging: 2) where y < body.height {
                body.write(part, x: x0, y: y, role: role, attributes: role == .title ? [.bold] : [], maxWidth: infoWidth)
                y += 1
            }
        }
    }

    /// The data matrix's fit to the theory's assumption (Definition 3.1, Assumption 3.2(c)).
    static func dataFacts(_ d: DataInput) -> [(String, ColorRole)] {
        let f = d.diagnostics
        let g = { (v: Double) in String(format: "%.3g", v) }
        let small = f.scaledEpsilon <= 0.5
        return [("data \(d.label)", .title),
                ("  n = \(f.samples), d₀ = \(f.features)", .text),
                ("  ε = \(g(f.epsilon)) (Def. 3.1: max |x_αᵀx_β|, |‖x_α‖²−1|)", .text),
                ("  ε·n^¼ = \(g(f.scaledEpsilon)) (Assumption 3.2(c): → 0)", small ? .text : .warning),
                ("  iid Gaussian of this shape: \(g(f.gaussianScaledEpsilon))", .dim),
                ("  ‖X‖ = \(g(f.operatorNorm)), Σ(‖x_α‖²−1)² = \(g(f.normDeviation))", .text),
                (small ? "  the inputs are close to orthonormal" : "  ε·n^¼ is not small: the limit laws need not fit (expect a large KS)", small ? .dim : .warning)]
    }

    /// The sample's figures: KS against its band, W1, how many eigenvalues the plot leaves out, the
    /// atoms as masses, and for the NTK Lemma 3.5's surrogate next to the exact NTK.
    static func sampleFacts(_ r: EmpiricalKernelResult, _ readout: SampleReadout, range: ClosedRange<Double>, kernel: KernelID) -> [(String, ColorRole)] {
        var lines: [(String, ColorRole)] = []
        lines.append(("  KS  \(String(format: "%.4f", r.ks))  (95% band \(String(format: "%.3f", readout.ksBand)))", .empirical))
        if let at = r.ksLocation { lines.append(("      at λ = \(AxisTicks.significant(at, 4))", .dim)) }
        lines.append(("  W1  \(String(format: "%.4f", r.w1))", .empirical))
        let out = readout.outside(range)
        let outside = out.below + out.above
        lines.append(("  \(readout.count) eigenvalues" + (outside > 0 ? ", \(outside) outside the plot (\(out.below) left, \(out.above) right)" : ""), outside > 0 ? .warning : .empirical))
        for a in readout.atoms {
            lines.append(("  atom at \(ScreenLayout.atomPlace(a.location, scale: range.upperBound)): law \(ScreenLayout.percent(a.lawMass)), sample \(ScreenLayout.percent(a.sampleMass))", .empirical))
        }
        if kernel == .ntk, let sks = r.surrogateKS {
            lines.append(("  surrogate (Lemma 3.5) KS \(String(format: "%.4f", sks))", .empirical))
            lines.append(("  the exact NTK's excess is its finite-width correction (→ 0 like 1/√d); the surrogate has none", .dim))
        }
        return lines
    }

    // MARK: CDF

    /// The selected law's CDF F with the sample's Fₙ (where KS is read: the largest vertical gap).
    static func drawCDF(_ body: inout ScreenGrid, state: ExplorerState, content: FrameContent) {
        guard let (kernel, s, tx, plotWidth, infoWidth) = oneLawFrame(&body, state: state, content: content, prefix: "F(λ): ") else { return }
        let emp = sample(kernel, state: state, content: content)
        var legend = [("\(LineStyle.solid.legend) law F", ColorRole.theory)]
        if emp != nil { legend.append(("\(sampleStyle.legend) sample Fₙ (n = \(emp!.readout.count))", .empirical)) }
        writeLegend(&body, legend, x: tx + 2, y: 0, width: plotWidth - tx - 2)
        let range = RangeActions.visibleRange(s, display: state.display)
        var p = DensityPlot(xRange: range, yScale: .linear, mode: state.display.canvas, yMax: 1)
        let xs = UniformGrid.points(range, count: 512)
        p.curves = [PlotCurve(role: .theory, x: xs, y: xs.map { s.cdf($0) })]
        if let emp { p.curves.insert(PlotCurve(role: .empirical, x: xs, y: xs.map { emp.readout.cdf($0) }, style: sampleStyle), at: 0) }
        if let at = emp?.result.ksLocation { p.markers = [PlotMarker(role: .empirical, x: at)] }
        p.xTickTarget = max(2, plotWidth / 8)
        p.xTitle = "λ"
        p.yTitle = "F"
        p.gridLines = state.display.gridLines
        p.cursorX = RangeActions.cursorX(state, range: range)
        body.paste(p.render(width: plotWidth, height: body.height - 1), x: 0, y: 1)

        var lines: [(String, ColorRole)] = [("CDF", .title)]
        let ends = AxisTicks.interval(range, minimum: 3)
        lines.append(("  F(\(ends.lower)) = \(String(format: "%.4f", s.cdf(range.lowerBound)))", .text))
        lines.append(("  F(\(ends.upper)) = \(String(format: "%.4f", s.cdf(range.upperBound)))", .text))
        if let law = s.law {
            lines.append(("quantiles of the law", .title))
            for q in [0.1, 0.25, 0.5, 0.75, 0.9] { lines.append(("  q\(Int(q * 100)) = \(AxisTicks.significant(law.quantile(q), 4))", .text)) }
        }
        if let x = RangeActions.cursorX(state, range: range) {
            lines.append(("cursor", .title))
            for (name, value) in cursorReadout(s, x: x, range: range, sample: emp?.readout) { lines.append(("  \(name.padding(toLength: 6, withPad: " ", startingAt: 0)) \(value)", .highlight)) }
        }
        if let emp {
            lines.append(("sample against the law", .title))
            lines.append(("  KS = sup |Fₙ − F| = \(String(format: "%.4f", emp.result.ks))", .empirical))
            if let at = emp.result.ksLocation { lines.append(("  at λ = \(AxisTicks.significant(at, 4)) (▲)", .empirical)) }
            lines.append(("  95% band for n iid draws: \(String(format: "%.4f", emp.readout.ksBand))", .dim))
            lines.append(("  W1 = ∫ |Fₙ − F| dλ = \(String(format: "%.4f", emp.result.w1))", .empirical))
        } else if state.empiricalOn {
            lines.append(("  sample: waiting…", .dim))
        } else {
            lines.append(("  s: compare with a sampled network", .dim))
        }
        writeLines(&body, lines, x: plotWidth + 1, width: infoWidth)
    }

    static func writeLines(_ body: inout ScreenGrid, _ lines: [(String, ColorRole)], x: Int, width: Int, from top: Int = 1) {
        var y = top
        for (text, role) in lines {
            for part in StatusLine.wrap(text, width: width, hanging: 2) where y < body.height {
                body.write(part, x: x, y: y, role: role, attributes: role == .title ? [.bold] : [], maxWidth: width)
                y += 1
            }
        }
    }

    // MARK: compare

    /// The compare overlay's x range, in λ/mean units when each law is rescaled by its mean.
    public struct OverlayRange {
        public var lowerBound: Double
        public var upperBound: Double
        public var rescale: Bool
        /// The factor from the overlay's units to a law's own: its mean when rescaled.
        public func scale(_ s: DisplaySpectrum) -> Double { rescale && s.mean.isFinite && s.mean > 0 ? s.mean : 1 }
        public var range: ClosedRange<Double> { lowerBound...max(upperBound, lowerBound.nextUp) }
    }

    public static func compareRange(_ laws: [DisplaySpectrum], display: DisplaySettings) -> OverlayRange {
        var r = OverlayRange(lowerBound: .infinity, upperBound: -.infinity, rescale: display.rescaleByMean)
        if let x = display.xLimits { r.lowerBound = x.lowerBound; r.upperBound = x.upperBound; return r }
        for s in laws {
            let v = RangeActions.visibleRange(s, display: display), k = r.scale(s)
            r.lowerBound = min(r.lowerBound, v.lowerBound / k); r.upperBound = max(r.upperBound, v.upperBound / k)
        }
        if !(r.upperBound > r.lowerBound) { r.lowerBound = 0; r.upperBound = 1 }
        return r
    }

    static func drawCompare(_ body: inout ScreenGrid, state: ExplorerState, content: FrameContent) {
        let kernels = state.compare
        let leftWidth = body.width * 3 / 5
        let rightWidth = body.width - leftWidth - 1
        var left = ScreenGrid(width: leftWidth - 1, height: body.height)
        let extra = kernels.count > 2 ? " (+\(kernels.count - 2))" : ""
        left.write(" compare: \(kernels[0].title) vs \(kernels[1].title)\(extra) ", x: 0, y: 0, role: .title, attributes: [.bold])
        // legend: one entry per law, its line style drawn, wrapped over as many rows as needed
        var legend: [(String, ColorRole)] = []
        for (i, k) in kernels.enumerated() {
            let name = i < 2 ? (i == 0 ? "A" : "B") : "\(i + 1)"
            legend.append(("\(LineStyle.series(i).legend) \(name): \(k.title) \(ScreenLayout.gammaText(k, summary: content.summary))", seriesRoles[i % seriesRoles.count]))
        }
        var ly = 1, lx = 1
        for (text, role) in legend {
            if lx > 1, lx + 3 + text.count > leftWidth - 1 { ly += 1; lx = 1 }
            if lx > 1 { lx += 3 }
            lx += left.write(text, x: lx, y: ly, role: role, maxWidth: leftWidth - 2)
        }
        let series = kernels.compactMap { content.spectra[$0] }
        let plotTop = ly + 1
        if series.count == kernels.count, plotTop + 6 < body.height {
            let overlay = compareRange(series, display: state.display)
            let range = overlay.range
            var p = DensityPlot(xRange: range, yScale: state.display.yScale, mode: state.display.canvas)
            applyLimits(&p, state.display)
            for (i, s) in series.enumerated() {
                let k = overlay.scale(s)
                let c = s.curve(in: (range.lowerBound * k)...(range.upperBound * k))
                p.curves.append(PlotCurve(role: seriesRoles[i % seriesRoles.count], x: c.x.map { $0 / k }, y: c.density.map { $0 * k },
                                          style: LineStyle.series(i)))
                p.markers += s.visibleAtoms.map { PlotMarker(role: seriesRoles[i % seriesRoles.count], x: $0.location / k) }
            }
            p.curves.reverse()   // A on top
            p.xTickTarget = max(2, (leftWidth - 8) / 9)
            p.xTitle = overlay.rescale ? "λ / mean" : "λ"
            p.yTitle = "density"
            p.gridLines = state.display.gridLines
            p.cursorX = RangeActions.cursorX(state, range: range)
            left.paste(p.render(width: leftWidth - 1, height: body.height - plotTop - 2), x: 0, y: plotTop)
            left.write("A: " + ScreenLayout.atomsText(series[0]), x: 0, y: body.height - 2, role: .seriesA, maxWidth: leftWidth - 1)
            left.write("B: " + ScreenLayout.atomsText(series[1]), x: 0, y: body.height - 1, role: .seriesB, maxWidth: leftWidth - 1)
            body.paste(left, x: 0, y: 0)
            drawCompareNumbers(&body, state: state, content: content, series: Array(zip(kernels, series)), overlay: overlay,
                               x: leftWidth, width: rightWidth)
        } else {
            left.writeCentered("solving…", x: 0, span: leftWidth - 1, y: body.height / 2, role: .dim)
            body.paste(left, x: 0, y: 0)
        }
    }

    /// The compare view's right side: KS and W1 between A and B, a table of edges, atoms, mean and
    /// variance of every compared law, and below, when there is room, A and B as panels.
    static func drawCompareNumbers(_ body: inout ScreenGrid, state: ExplorerState, content: FrameContent,
                                   series: [(KernelID, DisplaySpectrum)], overlay: OverlayRange, x: Int, width: Int) {
        let a = series[0].1, b = series[1].1
        let d = LawDistance.between(a, b, scaleA: overlay.scale(a), scaleB: overlay.scale(b))
        var lines: [(String, ColorRole)] = []
        lines.append(("A vs B" + (overlay.rescale ? " (each λ / its mean)" : ""), .title))
        lines.append(("  KS = sup |F_A − F_B| = \(String(format: "%.4f", d.ks))", .text))
        lines.append(("  W1 = ∫ |F_A − F_B| dλ = \(AxisTicks.significant(d.w1, 4))", .text))
        let sig = { (v: Double) in AxisTicks.significant(v, 4) }
        for (i, (k, s)) in series.enumerated() {
            let role = seriesRoles[i % seriesRoles.count]
            let name = i < 2 ? (i == 0 ? "A" : "B") : "\(i + 1)"
            lines.append(("\(LineStyle.series(i).legend) \(name) \(k.title)", role))
            lines.append(("  edges \(edgesText(s, width: width - 8) ?? "none")", .text))
            let atoms = s.visibleAtoms.prefix(2).map { "\(ScreenLayout.atomPlace($0.location, scale: s.fullRange.upperBound)): \(ScreenLayout.percent($0.mass))" }
            lines.append(("  atoms " + (atoms.isEmpty ? "none" : atoms.joined(separator: ", ")), .text))
            lines.append(("  mean \(sig(s.mean))  var \(sig(s.variance))", .text))
        }
        var tmp = ScreenGrid(width: width, height: body.height)
        writeLines(&tmp, lines, x: 0, width: width, from: 0)
        let used = (0..<tmp.height).last { y in tmp.row(y).contains { $0.scalar != " " } }.map { $0 + 1 } ?? 0
        body.paste(tmp, x: x, y: 0)
        // A and B as panels below, when at least 8 rows each remain
        let room = body.height - used - 1
        guard room >= 16 else { return }
        let h1 = room / 2
        body.paste(panel(kernel: series[0].0, state: state, content: content, width: width, height: h1, selected: false,
                         curveRole: .seriesA, style: LineStyle.series(0)), x: x, y: used + 1)
        body.paste(panel(kernel: series[1].0, state: state, content: content, width: width, height: room - h1, selected: false,
                         curveRole: .seriesB, style: LineStyle.series(1)), x: x, y: used + 1 + h1)
    }

    // MARK: edges

    /// Support edges (bars from λ₋ to λ₊ of each interval) and atoms (●) of every law against the
    /// layer: how the bulk moves through depth. A table of the same numbers on the right.
    static func drawEdges(_ body: inout ScreenGrid, state: ExplorerState, content: FrameContent) {
        let laws = state.laws
        let tableWidth = min(54, max(30, body.width * 2 / 5))
        let plotWidth = body.width - tableWidth - 1
        body.write(" support edges and atoms against the layer ℓ ", x: 0, y: 0, role: .title, attributes: [.bold])
        writeLegend(&body, [("┃ support", .theory), ("● atom", .highlight)], x: 47, y: 0, width: max(0, plotWidth - 47))
        let spectra = laws.map { content.spectra[$0] }
        guard spectra.allSatisfy({ $0 != nil }) else {
            body.writeCentered("solving…", x: 0, span: body.width, y: body.height / 2, role: .dim)
            return
        }
        let laws2 = spectra.map { $0! }
        body.paste(EdgesPlot(laws: laws2, selection: state.selection, logY: state.display.yScale == .log, mode: state.display.canvas)
                    .render(width: plotWidth, height: body.height - 1), x: 0, y: 1)
        var lines: [(String, ColorRole)] = []
        let sig = { (v: Double) in AxisTicks.significant(v, 3) }
        for (i, s) in laws2.enumerated() {
            let k = laws[i]
            let role: ColorRole = i == state.selection ? .highlight : .text
            lines.append(("\(k.title)  \(ScreenLayout.gammaText(k, summary: content.summary))", i == state.selection ? .highlight : .title))
            let intervals = s.support.map { "[\(sig($0.lowerBound)), \(sig($0.upperBound))]" }.joined(separator: " ∪ ")
            lines.append(("  " + (intervals.isEmpty ? "no continuous part" : intervals), role))
            let atoms = s.visibleAtoms.map { "\(ScreenLayout.atomPlace($0.location, scale: s.fullRange.upperBound)): \(ScreenLayout.percent($0.mass))" }
            if !atoms.isEmpty { lines.append(("  ● " + atoms.joined(separator: ", "), role)) }
        }
        writeLines(&body, lines, x: plotWidth + 1, width: tableWidth)
    }
}

/// The edges view's plot: one column per law (ℓ = 0 … L, then the NTK), λ up the y axis (log10
/// on a log axis, where atoms at 0 sit on the floor), support intervals as bars, atoms as dots.
struct EdgesPlot {
    var laws: [DisplaySpectrum]
    var selection: Int
    var logY: Bool
    var mode: CanvasMode

    func render(width: Int, height: Int) -> ScreenGrid {
        var grid = ScreenGrid(width: width, height: height)
        guard width >= 20, height >= 6, !laws.isEmpty else { return grid }
        let values = laws.flatMap { s in s.support.flatMap { [$0.lowerBound, $0.upperBound] } + s.visibleAtoms.map(\.location) }
        let positive = values.filter { $0 > 0 }
        var lo: Double, hi: Double
        if logY {
            hi = log10(positive.max() ?? 1).rounded(.up)
            lo = max(hi - 8, log10(positive.min() ?? 1e-3).rounded(.down))
            if hi <= lo { lo = hi - 1 }
        } else {
            hi = (values.max() ?? 1) * 1.05; lo = min(0, values.min() ?? 0)
            if hi <= lo { hi = lo + 1 }
        }
        let ascii = mode == .ascii
        let rows = height - 2
        func y(_ v: Double) -> Double { logY ? (v > 0 ? log10(v) : lo) : v }
        let ticks: [Double] = logY ? stride(from: lo, through: hi, by: max(1, ((hi - lo) / Double(max(1, rows / 3))).rounded(.up))).map { $0 }
                                   : AxisTicks.ticks(in: lo...hi, target: max(2, rows / 3))
        let labels = ticks.map { logY ? (Int($0) == 0 ? "1" : "1e\(Int($0))") : AxisTicks.format($0, step: AxisTicks.niceStep(span: hi - lo, target: max(2, rows / 3))) }
        let margin = (labels.map(\.count).max() ?? 1) + 1
        let columns = width - margin
        var canvas = DotCanvas(columns: columns, rows: rows, mode: mode)
        let py = canvas.pixelHeight, px = canvas.pixelWidth
        func row(_ v: Double) -> Int { py - 1 - Int(((min(hi, max(lo, y(v))) - lo) / (hi - lo) * Double(py - 1)).rounded()) }
        let slot = Double(px) / Double(laws.count)
        let support = canvas.addLayer(.theory), selected = canvas.addLayer(.highlight)
        var atomCells: [(Int, Int)] = []
        for (i, s) in laws.enumerated() {
            let cx = Int((Double(i) + 0.5) * slot)
            let layer = i == selection ? selected : support
            for r in s.support {
                for dx in 0..<max(1, min(3, Int(slot / 3))) { canvas.vertical(cx + dx, from: row(r.lowerBound), to: row(r.upperBound), layer: layer) }
            }
            for a in s.visibleAtoms {
                atomCells.append(((cx + 1) / mode.pixelsPerCell.x, row(a.location) / mode.pixelsPerCell.y))
            }
        }
        grid.paste(canvas.render(), x: margin, y: 0)
        for (cx, cy) in atomCells where cx < columns && cy < rows { grid[margin + cx, cy] = Cell(ascii ? "o" : "●", role: .highlight, attributes: .bold) }
        for yy in 0..<rows { grid[margin - 1, yy] = Cell(ascii ? "|" : "│", role: .axis) }
        for (t, label) in zip(ticks, labels) {
            let r = min(rows - 1, max(0, row(logY ? pow(10, t) : t) / mode.pixelsPerCell.y))
            grid[margin - 1, r] = Cell(ascii ? "+" : "┤", role: .axis)
            grid.write(label.leftPad(margin - 1), x: 0, y: r, role: .axis)
        }
        grid[margin - 1, rows] = Cell(ascii ? "+" : "└", role: .axis)
        for x in margin..<width { grid[x, rows] = Cell(ascii ? "-" : "─", role: .axis) }
        var lastEnd = -1
        for i in 0..<laws.count {
            let label = i == laws.count - 1 ? "NTK" : "\(i)"
            let col = margin + Int((Double(i) + 0.5) * slot) / mode.pixelsPerCell.x
            let start = max(margin, min(width - label.count, col - label.count / 2))
            if start > lastEnd {
                grid.write(label, x: start, y: rows + 1, role: i == selection ? .highlight : .axis)
                lastEnd = start + label.count
            }
        }
        if width - margin > 8 { grid.write("ℓ", x: width - 1, y: rows + 1, role: .axis, attributes: .dim) }
        grid.write("λ", x: margin + 1, y: 0, role: .axis, attributes: .dim)
        return grid
    }
}

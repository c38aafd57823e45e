import Foundation
import LimitLaws
import PlotCanvas

/// The whole screen as a pure function of the state and the frame content.
public enum ScreenLayout {
    /// Smallest panel of the layers view, in cells.
    public static let minimumPanel = (width: 20, height: 8)
    /// Below this the explorer only says that the terminal is too small.
    public static func minimumSize(for view: ExplorerView) -> (width: Int, height: Int) {
        switch view {
        case .layers: return (60, 16)
        case .compare: return (60, 16)
        case .focus: return (50, 14)
        }
    }

    public static func render(state: ExplorerState, content: FrameContent, width: Int, height: Int) -> ScreenGrid {
        var grid = ScreenGrid(width: width, height: height)
        guard width > 0, height > 0 else { return grid }
        let ascii = state.display.canvas == .ascii
        let minimum = minimumSize(for: state.view)
        let bodyHeight = height - 4
        let regime = state.currentRegime
        var tooSmall = width < minimum.width || height < minimum.height
        var needed = "\(minimum.width)×\(minimum.height)"
        if !tooSmall {
            let fit = regime.bodyFits(state: state, width: width, bodyHeight: bodyHeight)
            tooSmall = !fit.fits
            needed = fit.needed
        } else if state.view == .layers {
            needed = regime.bodyFits(state: state, width: 0, bodyHeight: 0).needed
        }
        if tooSmall {
            let lines = ["terminal too small for the \(state.view.rawValue) view:",
                         "\(width)×\(height), need at least \(needed)",
                         "enlarge it, press 3 (focus) or q"]
            let top = max(0, height / 2 - 1)
            for (i, line) in lines.enumerated() {
                grid.write(line, x: max(0, (width - line.count) / 2), y: top + i, role: i == 0 ? .warning : .text)
            }
            return grid
        }
        drawHeader(&grid, state: state, content: content)
        var body = ScreenGrid(width: width, height: bodyHeight)
        regime.drawBody(&body, state: state, content: content)
        grid.paste(body, x: 0, y: 2)
        drawFooter(&grid, state: state, content: content)
        if let prompt = state.exportPrompt { drawExportPrompt(&grid, prompt: prompt) }
        switch state.overlay {
        case .help: HelpOverlay.draw(&grid, page: state.helpPage, ascii: ascii)
        case .compareChooser(let cursor): drawChooser(&grid, state: state, cursor: cursor, ascii: ascii)
        case nil: break
        }
        return grid
    }

    /// The smallest terminal in which some arrangement of `n` panels fits: "100×20 for 7 panels".
    static func neededForPanels(_ n: Int, minimumPanel: (width: Int, height: Int)) -> String {
        let minimum = minimumSize(for: .layers)
        var best: (Int, Int)?
        for c in 1...max(1, n) {
            let r = (n + c - 1) / c
            let w = max(minimum.width, c * minimumPanel.width), h = max(minimum.height, r * minimumPanel.height + 4)
            if best == nil || w * h < best!.0 * best!.1 { best = (w, h) }
        }
        return "\(best!.0)×\(best!.1) for \(n) panels"
    }

    /// Columns × rows of panels for the layers view, or nil if none fits.
    public static func panelArrangement(count n: Int, width: Int, height: Int,
                                        minimumPanel: (width: Int, height: Int) = minimumPanel) -> (columns: Int, rows: Int)? {
        var best: (Int, Int)?
        var bestScore = -1.0
        for c in 1...max(1, n) {
            let r = (n + c - 1) / c
            let w = width / c, h = height / r
            guard w >= minimumPanel.width, h >= minimumPanel.height else { continue }
            let score = Double(min(w, 3 * h)) * Double(n) / Double(c * r)
            if score > bestScore { bestScore = score; best = (c, r) }
        }
        return best.map { (columns: $0.0, rows: $0.1) }
    }

    // MARK: header and footer

    static func drawHeader(_ grid: inout ScreenGrid, state: ExplorerState, content: FrameContent) {
        let s = content.summary
        let f = ModelSummary.format
        var x = grid.write(" ntkscope ", x: 0, y: 0, role: .title, attributes: [.bold])
        x += grid.write("│ σ = \(s.activation)  b_σ = \(String(format: "%.3f", s.b))  a_σ = \(String(format: "%.3f", s.a))",
                        x: x, y: 0)
        x += grid.write(" │ L = \(s.depth) │ input: \(s.input)", x: x, y: 0)
        var right: String
        if let ms = content.solve.lastMilliseconds {
            right = "solved in \(ms < 10 ? String(format: "%.1f", ms) : String(format: "%.0f", ms)) ms \(content.solve.warm ? "warm" : "cold")"
        } else {
            right = "solving…"
        }
        if content.solve.pending && content.solve.lastMilliseconds != nil { right = "solving… (last " + right + ")" }
        if content.solve.failures > 0 { right += " · \(content.solve.failures) failed points" }
        if grid.width - right.count - 1 <= x + 1 && content.solve.pending { right = "solving…" }
        if grid.width - right.count - 1 > x + 1 {
            grid.write(right, x: grid.width - right.count - 1, y: 0, role: content.solve.pending ? .warning : .dim)
        }
        // row 1: the layers with the selection highlighted
        var cx = grid.write(" layers: ", x: 0, y: 1, role: .dim)
        let g0: String
        if s.input.hasPrefix("Gaussian γ₀ = ") { g0 = "0:γ₀=" + s.input.dropFirst("Gaussian γ₀ = ".count) } else { g0 = "0:input" }
        var tokens = [(text: g0, selected: state.selection == 0)]
        for (i, g) in s.gammas.enumerated() {
            tokens.append(("\(i + 1):γ=\(f(g))", state.selection == i + 1 || (state.allLayers && state.selection > 0)))
        }
        tokens.append(("NTK", state.selection > s.depth))
        // A deep model's list may not fit: show a window around the selected layer, "…" marking cuts.
        let room = max(12, grid.width - cx - 2)
        let shown = Self.window(widths: tokens.map { $0.text.count + 1 }, around: min(state.selection, tokens.count - 1), room: room)
        if shown.lowerBound > 0 { cx += grid.write("… ", x: cx, y: 1, role: .dim) }
        for t in tokens[shown] {
            cx += grid.write(t.text, x: cx, y: 1, role: t.selected ? .highlight : .text, attributes: t.selected ? [.reverse, .bold] : [])
            cx += 1
        }
        if shown.upperBound < tokens.count - 1 { cx += grid.write("… ", x: cx, y: 1, role: .dim) }
        var info = "│ view: \(state.view.rawValue)  y: \(state.display.yScale.rawValue)"
        if state.display.zoom > 0 { info += "  zoom ×\(1 << state.display.zoom)" + (content.solve.zoomPending ? " solving…" : "") }
        if state.allLayers { info += "  [all layers]" }
        info += "  theme: \(state.themeName)"
        if let regimeInfo = state.currentRegime.headerInfo(state: state, content: content) { info = regimeInfo + "  " + info }
        grid.write(info, x: cx + 1, y: 1, role: .dim)
    }

    /// The widest run of items around `center` whose widths fit in `room` (2 more for each "…").
    static func window(widths: [Int], around center: Int, room: Int) -> ClosedRange<Int> {
        if widths.reduce(0, +) <= room { return 0...(widths.count - 1) }
        var lo = center, hi = center
        var used = widths[center] + 4
        var grew = true
        while grew {
            grew = false
            if hi + 1 < widths.count, used + widths[hi + 1] <= room { hi += 1; used += widths[hi]; grew = true }
            if lo > 0, used + widths[lo - 1] <= room { lo -= 1; used += widths[lo]; grew = true }
        }
        return lo...hi
    }

    static let footerKeys = "q quit  ? help  ←→ layer  ↑↓ γ_ℓ  a/A σ  b/B b_σ  d/D depth  i/I γ₀  1 2 3 view  c compare  s check  n/N size  y y-axis  z/Z zoom  t theme  u undo  r reset  : command"

    static func drawFooter(_ grid: inout ScreenGrid, state: ExplorerState, content: FrameContent) {
        let h = grid.height, w = grid.width
        grid.write(" " + state.currentRegime.footerKeys, x: 0, y: h - 2, role: .dim)
        grid.fill(x: 0, y: h - 1, width: w, height: 1, with: Cell(" ", role: .statusBar))
        if let line = state.commandLine {
            grid.write(":" + line + "█", x: 0, y: h - 1, role: .statusBar)
            return
        }
        // right: the empirical check
        var right = ""
        let e = content.empirical
        if let p = e.progress {
            let barWidth = 20
            let filled = Int((max(0, min(1, p.fraction)) * Double(barWidth)).rounded())
            let full: Character = state.display.canvas == .ascii ? "#" : "█", empty: Character = state.display.canvas == .ascii ? "." : "░"
            right = "check n=\(e.sampleSize) [" + String(repeating: full, count: filled)
                + String(repeating: empty, count: barWidth - filled) + "] \(Int((p.fraction * 100).rounded()))% \(p.stage)"
        } else if state.empiricalOn {
            right = e.error.map { "check failed: \($0)" } ?? (e.results.isEmpty ? "check n=\(state.sampleSize): waiting" : "check n=\(e.sampleSize): done")
        }
        var rightStart = w
        if !right.isEmpty, right.count < w - 10 {
            rightStart = w - right.count - 1
            grid.write(right, x: rightStart, y: h - 1, role: .statusBar, attributes: [.bold])
        }
        let left = state.message.map { ($0.isError ? "✗ " : "") + $0.text } ?? " press ? for help, : for commands"
        grid.write(left, x: 0, y: h - 1, role: state.message?.isError == true ? .warning : .statusBar,
                   attributes: state.message?.isError == true ? [.bold] : [], maxWidth: rightStart - 1)
    }

    // MARK: panels

    static func gammaText(_ kernel: KernelID, summary: ModelSummary) -> String {
        switch kernel {
        case .ck(0): return summary.input.hasPrefix("Gaussian") ? summary.input.replacingOccurrences(of: "Gaussian ", with: "") : "input"
        case .ck(let l) where l <= summary.depth: return "γ\(subscriptDigits(l)) = \(ModelSummary.format(summary.gammas[l - 1]))"
        case .ck: return ""
        case .ntk: return "L = \(summary.depth)"
        case .combination: return ""
        }
    }

    static func subscriptDigits(_ n: Int) -> String {
        String(String(n).map { c in Character(Unicode.Scalar(0x2080 + UInt32(c.wholeNumberValue!))!) })
    }

    static func atomsText(_ s: DisplaySpectrum) -> String {
        let atoms = s.visibleAtoms
        if atoms.isEmpty { return "no atoms · mean \(AxisTicks.significant(s.mean))" }
        return atoms.map { "atom at \(AxisTicks.significant($0.location, 2)): \(percent($0.mass))" }.joined(separator: " · ")
    }

    /// The facts block of the focus view (support, atoms, moments, continuous mass), shared by the
    /// screen and the SVG export.
    public static func lawFacts(_ s: DisplaySpectrum, maxIntervals: Int, maxAtoms: Int) -> [(String, ColorRole)] {
        let sig = { (v: Double) in AxisTicks.significant(v, 4) }
        var lines: [(String, ColorRole)] = [("support", .title)]
        if s.support.isEmpty { lines.append(("  (none)", .text)) }
        for r in s.support.prefix(maxIntervals) { lines.append(("  [\(sig(r.lowerBound)), \(sig(r.upperBound))]", .text)) }
        if s.support.count > maxIntervals { lines.append(("  … \(s.support.count - maxIntervals) more", .dim)) }
        lines.append(("atoms", .title))
        let atoms = s.visibleAtoms
        if atoms.isEmpty { lines.append(("  none", .text)) }
        for a in atoms.prefix(maxAtoms) { lines.append(("  at \(sig(a.location)): \(percent(a.mass))", .text)) }
        lines.append(("moments", .title))
        lines.append(("  mean      \(sig(s.mean))", .text))
        lines.append(("  E λ²      \(sig(s.secondMoment))", .text))
        lines.append(("  variance  \(sig(s.secondMoment - s.mean * s.mean))", .text))
        lines.append(("mass", .title))
        lines.append(("  continuous  \(percent(s.continuousMass))", .text))
        if let law = s.law, law.massDeficit > 1e-3 {
            lines.append(("  \(percent(law.massDeficit)) \(law.heldMass < 1 ? "not found" : "too much"): do not trust", .warning))
        }
        return lines
    }

    public static func percent(_ m: Double) -> String {
        m >= 0.1 ? "\(Int((m * 100).rounded()))%" : String(format: "%.1f%%", m * 100)
    }

    /// The x range of a law under the current zoom.
    public static func visibleRange(_ s: DisplaySpectrum, zoom: Int) -> ClosedRange<Double> {
        let full = s.fullRange
        let span = (full.upperBound - full.lowerBound) / Double(1 << max(0, zoom))
        return full.lowerBound...(full.lowerBound + span)
    }

    /// The compare overlay's x range: the union of the two laws' visible ranges.
    public static func compareRange(_ a: ClosedRange<Double>, _ b: ClosedRange<Double>) -> ClosedRange<Double> {
        min(a.lowerBound, b.lowerBound)...max(a.upperBound, b.upperBound)
    }

    /// A density plot of one law (theory curve over the empirical histogram, atoms marked).
    static func plot(_ s: DisplaySpectrum, range: ClosedRange<Double>, state: ExplorerState, empirical: EmpiricalKernelResult?,
                     curveRole: ColorRole = .theory, width: Int) -> DensityPlot {
        var p = DensityPlot(xRange: range, yScale: state.display.yScale, mode: state.display.canvas)
        if let e = empirical {
            let bins = max(1, (width - 6) * state.display.canvas.pixelsPerCell.x)
            p.histograms.append(PlotHistogram.binning(e.eigenvalues, range: range, bins: bins, role: .empirical))
        }
        let curve = s.curve(in: range)   // re-solved on the zoom window once it arrives
        p.curves.append(PlotCurve(role: curveRole, x: curve.x, y: curve.density))
        p.markers = s.visibleAtoms.map { PlotMarker(role: curveRole, x: $0.location) }
        return p
    }

    /// One small-multiple panel: title, plot with axes, atoms line.
    public static func panel(kernel: KernelID, state: ExplorerState, content: FrameContent, width: Int, height: Int,
                             selected: Bool, curveRole: ColorRole = .theory) -> ScreenGrid {
        var g = ScreenGrid(width: width, height: height)
        let title = " \(kernel.title)  \(gammaText(kernel, summary: content.summary)) "
        g.write(title, x: 0, y: 0, role: selected ? .highlight : .title, attributes: selected ? [.reverse, .bold] : [.bold])
        let emp = state.empiricalOn ? content.empirical.results[kernel] : nil
        if let emp {
            let corner = "KS \(String(format: "%.3f", emp.ks)) W1 \(String(format: "%.3f", emp.w1))"
            if corner.count + title.count + 1 <= width { g.write(corner, x: width - corner.count, y: 0, role: .empirical) }
        }
        guard let s = content.spectra[kernel] else {
            g.writeCentered("solving…", x: 0, span: width, y: height / 2, role: .dim)
            return g
        }
        let range = visibleRange(s, zoom: state.display.zoom)
        let p = plot(s, range: range, state: state, empirical: emp, curveRole: curveRole, width: width)
        g.paste(p.render(width: width, height: height - 2), x: 0, y: 1)
        g.write(atomsText(s), x: 0, y: height - 1, role: .dim, maxWidth: width)
        return g
    }

    static func drawLayers(_ body: inout ScreenGrid, state: ExplorerState, content: FrameContent,
                           arrangement: (columns: Int, rows: Int)) {
        let laws = state.laws
        let w = body.width / arrangement.columns, h = body.height / arrangement.rows
        for (i, kernel) in laws.enumerated() {
            let col = i % arrangement.columns, row = i / arrangement.columns
            let panel = panel(kernel: kernel, state: state, content: content, width: w - 1, height: h,
                              selected: i == state.selection)
            body.paste(panel, x: col * w, y: row * h)
        }
    }

    // MARK: compare

    static func drawCompare(_ body: inout ScreenGrid, state: ExplorerState, content: FrameContent) {
        let a = state.compare[0], b = state.compare[1]
        let leftWidth = body.width * 3 / 5
        let rightWidth = body.width - leftWidth - 1
        var left = ScreenGrid(width: leftWidth - 1, height: body.height)
        left.write(" compare: \(a.title) vs \(b.title) ", x: 0, y: 0, role: .title, attributes: [.bold])
        var lx = left.write(" ▬ A: \(a.title) \(gammaText(a, summary: content.summary))", x: 0, y: 1, role: .seriesA)
        lx += left.write("   ▬ B: \(b.title) \(gammaText(b, summary: content.summary))", x: lx, y: 1, role: .seriesB)
        if let sa = content.spectra[a], let sb = content.spectra[b] {
            let ra = visibleRange(sa, zoom: state.display.zoom), rb = visibleRange(sb, zoom: state.display.zoom)
            let range = compareRange(ra, rb)
            var p = DensityPlot(xRange: range, yScale: state.display.yScale, mode: state.display.canvas)
            let ca = sa.curve(in: range), cb = sb.curve(in: range)
            p.curves = [PlotCurve(role: .seriesA, x: ca.x, y: ca.density), PlotCurve(role: .seriesB, x: cb.x, y: cb.density)]
            p.markers = sa.visibleAtoms.map { PlotMarker(role: .seriesA, x: $0.location) }
                + sb.visibleAtoms.map { PlotMarker(role: .seriesB, x: $0.location) }
            p.xTickTarget = max(2, (leftWidth - 8) / 9)
            left.paste(p.render(width: leftWidth - 1, height: body.height - 4), x: 0, y: 2)
            left.write("A: " + atomsText(sa), x: 0, y: body.height - 2, role: .seriesA, maxWidth: leftWidth - 1)
            left.write("B: " + atomsText(sb), x: 0, y: body.height - 1, role: .seriesB, maxWidth: leftWidth - 1)
        } else {
            left.writeCentered("solving…", x: 0, span: leftWidth - 1, y: body.height / 2, role: .dim)
        }
        body.paste(left, x: 0, y: 0)
        let h1 = body.height / 2, h2 = body.height - h1
        body.paste(panel(kernel: a, state: state, content: content, width: rightWidth, height: h1, selected: false,
                         curveRole: .seriesA), x: leftWidth, y: 0)
        body.paste(panel(kernel: b, state: state, content: content, width: rightWidth, height: h2, selected: false,
                         curveRole: .seriesB), x: leftWidth, y: h1)
    }

    // MARK: focus

    static func drawFocus(_ body: inout ScreenGrid, state: ExplorerState, content: FrameContent) {
        let kernel = state.selectedKernel
        let infoWidth = min(34, max(24, body.width / 4))
        let plotWidth = body.width - infoWidth - 1
        let title = " \(kernel.title)  \(gammaText(kernel, summary: content.summary)) "
        body.write(title, x: 0, y: 0, role: .highlight, attributes: [.reverse, .bold])
        guard let s = content.spectra[kernel] else {
            body.writeCentered("solving…", x: 0, span: body.width, y: body.height / 2, role: .dim)
            return
        }
        let emp = state.empiricalOn ? content.empirical.results[kernel] : nil
        let range = visibleRange(s, zoom: state.display.zoom)
        var p = plot(s, range: range, state: state, empirical: emp, width: plotWidth)
        p.xTickTarget = max(2, plotWidth / 8)
        p.logDecades = 5
        body.paste(p.render(width: plotWidth, height: body.height - 1), x: 0, y: 1)

        var lines = lawFacts(s, maxIntervals: 4, maxAtoms: 3)
        let sig = { (v: Double) in AxisTicks.significant(v, 4) }
        let full = s.fullRange
        let narrow = AxisTicks.niceStep(span: full.upperBound - full.lowerBound, target: 100)
        let edge = full.lowerBound + narrow
        lines.append(("  in [\(AxisTicks.format(full.lowerBound)), \(AxisTicks.format(edge))]  \(percent(s.mass(in: full.lowerBound...edge)))", .text))
        lines.append(("view", .title))
        lines.append(("  x \(sig(range.lowerBound)) … \(sig(range.upperBound))" + (state.display.zoom > 0 ? " (×\(1 << state.display.zoom))" : ""), .text))
        lines.append(("  y \(state.display.yScale.rawValue), \(state.display.canvas.rawValue)", .text))
        if state.empiricalOn {
            lines.append(("empirical (n = \(content.empirical.sampleSize > 0 ? content.empirical.sampleSize : state.sampleSize))", .title))
            if let emp {
                lines.append(("  KS  \(String(format: "%.4f", emp.ks))", .empirical))
                lines.append(("  W1  \(String(format: "%.4f", emp.w1))", .empirical))
                lines.append(("  \(emp.eigenvalues.count) eigenvalues", .empirical))
            } else {
                lines.append(("  waiting…", .dim))
            }
        }
        if s.failures > 0 { lines.append(("\(s.failures) grid points failed", .warning)) }
        let x0 = plotWidth + 1
        for (i, (text, role)) in lines.prefix(body.height - 1).enumerated() {
            body.write(text, x: x0, y: i + 1, role: role, attributes: role == .title ? [.bold] : [], maxWidth: infoWidth)
        }
    }

    // MARK: overlays

    static func drawChooser(_ grid: inout ScreenGrid, state: ExplorerState, cursor: Int, ascii: Bool) {
        let laws = state.laws
        let width = 44, height = min(grid.height - 2, laws.count + 4)
        let x0 = max(0, (grid.width - width) / 2), y0 = max(0, (grid.height - height) / 2)
        grid.fill(x: x0, y: y0, width: width, height: height, with: Cell(" "))
        grid.box(x: x0, y: y0, width: width, height: height, role: .axis, ascii: ascii)
        grid.write(" compare: ↑↓ move, a/Enter → A, b → B, Esc ", x: x0 + 1, y: y0, role: .title, attributes: [.bold])
        for (i, k) in laws.enumerated() where i + 1 < height - 2 {
            let mark = (state.compare[0] == k ? "A" : " ") + (state.compare[1] == k ? "B" : " ")
            let text = " \(mark)  \(k.title)  \(gammaText(k, summary: ModelSummary(model: state.model, inputLabel: state.inputLabel)))"
            let selected = i == cursor
            grid.write(text.padding(toLength: width - 4, withPad: " ", startingAt: 0), x: x0 + 2, y: y0 + 2 + i,
                       role: selected ? .highlight : (state.compare[0] == k ? .seriesA : state.compare[1] == k ? .seriesB : .text),
                       attributes: selected ? [.reverse] : [])
        }
    }
}

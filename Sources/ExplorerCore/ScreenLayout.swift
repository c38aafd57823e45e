import Foundation
import LimitLaws
import PlotCanvas

/// The whole screen as a pure function of the state and the frame content: the header (model and
/// active modes, fitted by priority), the regime's body (Regimes/), the footer and status line, and
/// the overlays. The linear-width body is in Regimes/LinearWidth/LinearWidthLayout.swift.
public enum ScreenLayout {
    /// Smallest panel of the layers view, in cells.
    public static let minimumPanel = (width: 20, height: 8)
    /// Below this the explorer only says that the terminal is too small (keys, `?` and `:` still work).
    public static func minimumSize(for view: ExplorerView) -> (width: Int, height: Int) {
        switch view {
        case .layers, .compare, .edges: return (60, 16)
        case .focus, .cdf: return (50, 14)
        }
    }

    public static func render(state: ExplorerState, content: FrameContent, width: Int, height: Int) -> ScreenGrid {
        var grid = ScreenGrid(width: width, height: height)
        guard width > 0, height > 0 else { return grid }
        let ascii = state.display.canvas == .ascii
        let regime = state.currentRegime
        let minimum = minimumSize(for: state.view)
        let bodyHeight = height - 4
        var tooSmall = width < minimum.width || height < minimum.height
        var needed = "\(minimum.width)×\(minimum.height)"
        if !tooSmall {
            let fit = regime.bodyFits(state: state, width: width, bodyHeight: bodyHeight)
            tooSmall = !fit.fits
            needed = fit.needed
        }
        if tooSmall {
            let lines = ["terminal too small for the \(state.view.rawValue) view:",
                         "\(width)×\(height), need at least \(needed)",
                         "enlarge it, press 3 (focus) or q"]
            let top = max(0, min(height - 2, height / 2 - 1) - 1)
            for (i, line) in lines.enumerated() where top + i < height - 1 {
                grid.write(line, x: max(0, (width - line.count) / 2), y: top + i, role: i == 0 ? .warning : .text, maxWidth: width)
            }
            // the status line stays: messages, the command line, and how to get help
            drawStatusLine(&grid, state: state, content: content)
            drawOverlays(&grid, state: state, ascii: ascii)
            return grid
        }
        drawHeader(&grid, state: state, content: content)
        var body = ScreenGrid(width: width, height: bodyHeight)
        regime.drawBody(&body, state: state, content: content)
        grid.paste(body, x: 0, y: 2)
        grid.write(" " + regime.footerKeys, x: 0, y: height - 2, role: .dim)
        drawStatusLine(&grid, state: state, content: content)
        if let prompt = state.exportPrompt { drawExportPrompt(&grid, prompt: prompt) }
        drawOverlays(&grid, state: state, ascii: ascii)
        return grid
    }

    static func drawOverlays(_ grid: inout ScreenGrid, state: ExplorerState, ascii: Bool) {
        switch state.overlay {
        case .help: HelpOverlay.draw(&grid, page: state.helpPage, ascii: ascii, regime: state.regime)
        case .compareChooser(let cursor) where grid.width >= 20 && grid.height >= 6: drawChooser(&grid, state: state, cursor: cursor, ascii: ascii)
        case .messageLog where grid.width >= 14 && grid.height >= 4: drawMessageLog(&grid, state: state, ascii: ascii)
        default: break
        }
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

    /// The layers view's pages: every panel on one page when they fit, else as many per page as the
    /// smallest panel allows (the page shown is the selected panel's; PgUp/PgDn move it).
    public static func layersPaging(count n: Int, width: Int, height: Int) -> (columns: Int, rows: Int, perPage: Int)? {
        if let a = panelArrangement(count: n, width: width, height: height) { return (a.columns, a.rows, n) }
        let c = width / minimumPanel.width, r = height / minimumPanel.height
        guard c >= 1, r >= 1 else { return nil }
        let perPage = c * r
        // the same arrangement rule on one page's worth of panels
        let a = panelArrangement(count: perPage, width: width, height: height) ?? (c, r)
        return (a.columns, a.rows, perPage)
    }

    // MARK: header

    /// One field of a header row: shown whole or not at all; `priority` 0 is dropped last.
    struct HeaderField {
        var text: String
        var priority: Int
        var role: ColorRole = .text
        var attributes: CellAttributes = []
    }

    /// The fields that fit in `width`, dropping the least important one (highest priority number,
    /// the rightmost among equals) until the rest fit; a value is never cut.
    static func fit(_ fields: [HeaderField], width: Int) -> [HeaderField] {
        var kept = fields
        while kept.reduce(0, { $0 + $1.text.count }) > width,
              let drop = kept.indices.filter({ kept[$0].priority > 0 }).max(by: { (kept[$0].priority, $0) < (kept[$1].priority, $1) }) {
            kept.remove(at: drop)
        }
        return kept
    }

    /// Row 0's right end for the linear-width laws: the solver's last timing ("solved in 8.1 ms
    /// warm", "recalled (…)"), "solving…" while a newer model is solved, and failed points; each long
    /// form with a short one that `fit` keeps when the long one does not fit.
    static func solverStatus(_ solve: SolveStatus) -> [HeaderField] {
        var fields: [HeaderField] = []
        var status: String
        if let ms = solve.lastMilliseconds {
            status = "solved in \(ms < 10 ? String(format: "%.1f", ms) : String(format: "%.0f", ms)) ms \(solve.warm ? "warm" : "cold")"
            if solve.recalled && !solve.pending { status = "recalled (" + status + ")" }
        } else {
            status = "solving…"
        }
        if solve.pending && solve.lastMilliseconds != nil { status = "solving… (last " + status + ")" }
        if solve.failures > 0 { status += " · \(solve.failures) failed points" }
        fields.append(HeaderField(text: status + " ", priority: 2, role: solve.pending ? .warning : .dim))
        if solve.pending {   // the short form rather than nothing
            fields.append(HeaderField(text: "solving… ", priority: 1, role: .warning))
        } else if solve.recalled {
            fields.append(HeaderField(text: "recalled ", priority: 1, role: .dim))
        }
        return fields
    }

    static func drawHeader(_ grid: inout ScreenGrid, state: ExplorerState, content: FrameContent) {
        if let h = state.currentRegime.header(state: state, content: content) {
            drawRegimeHeader(&grid, h, state: state, content: content)
            return
        }
        let s = content.summary
        let f = ModelSummary.format
        // row 0: the model; on the right the solve status and any failed self-check (never dropped)
        var left = [HeaderField(text: " ntkscope ", priority: 0, role: .title, attributes: [.bold]),
                     HeaderField(text: "│ σ = \(s.activation)", priority: 0),
                     HeaderField(text: "  b_σ = \(String(format: "%.3f", s.b))", priority: 3),
                     HeaderField(text: "  a_σ = \(String(format: "%.3f", s.a))", priority: 4),
                     HeaderField(text: " │ L = \(s.depth)", priority: 0),
                     HeaderField(text: " │ input: \(s.input)", priority: 1)]
        let regimeModel = state.currentRegime.headerModel(state: state, content: content)
        if let regimeModel {
            left = [left[0]] + regimeModel.enumerated().map { HeaderField(text: $0.element, priority: $0.offset < 2 ? 0 : $0.offset - 1) }
        }
        var right: [HeaderField] = []
        let failed = content.spectra.values.filter { $0.checkFailure != nil }.map(\.kernel)
        if !failed.isEmpty, state.regime == .linearWidth {
            let names = state.laws.filter(failed.contains).map(\.title)
            right.append(HeaderField(text: "✗ solver check failed: \(names.joined(separator: ", ")) (3: details) ", priority: 0, role: .warning, attributes: [.bold]))
        }
        if let own = state.currentRegime.headerStatus(state: state, content: content) {
            right.append(HeaderField(text: own.text + " ", priority: 1, role: own.busy ? .warning : .dim))
        } else {
            right += solverStatus(content.solve)
        }
        var kept = fit(left + right, width: grid.width)
        // "solving… (last …)" and the short "solving…" are alternatives, as are "recalled (…)" and
        // "recalled": keep the longer that fits
        if kept.contains(where: { $0.text.hasPrefix("solving… (last") }) { kept.removeAll { $0.text == "solving… " } }
        if kept.contains(where: { $0.text.hasPrefix("recalled (") }) { kept.removeAll { $0.text == "recalled " } }
        left = kept.filter { f in !right.contains { $0.text == f.text } }
        right = kept.filter { f in right.contains { $0.text == f.text } }
        var x = 0
        for field in left { x += grid.write(field.text, x: x, y: 0, role: field.role, attributes: field.attributes) }
        var rx = grid.width - right.reduce(0) { $0 + $1.text.count }
        if rx > x + 1 {
            for field in right { rx += grid.write(field.text, x: rx, y: 0, role: field.role, attributes: field.attributes) }
        }

        // row 1: the active modes and view on the right, fitted first; the layer list takes the rest
        var info: [HeaderField] = []
        if let regimeInfo = state.currentRegime.headerInfo(state: state, content: content) {
            info.append(HeaderField(text: regimeInfo + " ", priority: 0, role: .dim))
        }
        info.append(HeaderField(text: "│ view: \(state.currentRegime.viewTitle(state.view))", priority: 0, role: .dim))
        if state.view == .layers, let p = layersPage(state: state, width: grid.width, bodyHeight: grid.height - 4), p.count > 1 {
            info.append(HeaderField(text: "  page \(p.page + 1)/\(p.count)", priority: 0, role: .highlight))
        }
        info.append(HeaderField(text: "  y: \(state.display.yScale.rawValue)", priority: 3, role: .dim))
        for mode in activeModes(state: state, content: content) { info.append(HeaderField(text: "  " + mode, priority: 1, role: .highlight)) }
        if state.allLayers { info.append(HeaderField(text: "  [all layers]", priority: 0, role: .highlight)) }
        info.append(HeaderField(text: "  theme: \(state.themeName)", priority: 5, role: .dim))
        let layerRoom = max(16, min(grid.width / 3, 12 + 7 * (s.depth + 2)))
        info = fit(info, width: max(0, grid.width - layerRoom - 2))
        let infoWidth = info.reduce(0) { $0 + $1.text.count }
        var cx = grid.write(" layers: ", x: 0, y: 1, role: .dim)
        let g0: String
        if s.input.hasPrefix("Gaussian γ₀ = "), regimeModel == nil { g0 = "0:γ₀=" + s.input.dropFirst("Gaussian γ₀ = ".count) } else { g0 = "0:input" }
        var tokens = [(text: g0, selected: state.selection == 0)]
        for (i, g) in s.gammas.enumerated() {
            tokens.append(("\(i + 1):γ=\(f(g))", state.selection == i + 1 || (state.allLayers && state.selection > 0)))
        }
        tokens.append(("NTK", state.selection > s.depth))
        // A deep model's list may not fit: a window around the selected layer, "…" marking cuts.
        let room = max(12, grid.width - cx - 2 - infoWidth)
        let shown = Self.window(widths: tokens.map { $0.text.count + 1 }, around: min(state.selection, tokens.count - 1), room: room)
        if shown.lowerBound > 0 { cx += grid.write("… ", x: cx, y: 1, role: .dim) }
        for t in tokens[shown] {
            cx += grid.write(t.text, x: cx, y: 1, role: t.selected ? .highlight : .text, attributes: t.selected ? [.reverse, .bold] : [])
            cx += 1
        }
        if shown.upperBound < tokens.count - 1 { cx += grid.write("… ", x: cx, y: 1, role: .dim) }
        cx += 1
        for field in info { cx += grid.write(field.text, x: cx, y: 1, role: field.role, attributes: field.attributes) }
    }

    /// A regime's own header (`RegimeHeader`): its model fields on row 0 with the status and any
    /// failed self-check on the right, its `row1` text before the view and modes on row 1.
    static func drawRegimeHeader(_ grid: inout ScreenGrid, _ h: RegimeHeader, state: ExplorerState, content: FrameContent) {
        var left = [HeaderField(text: " ntkscope ", priority: 0, role: .title, attributes: [.bold])]
        for (i, text) in h.model.enumerated() { left.append(HeaderField(text: text, priority: i == 0 ? 0 : 1 + i)) }
        var right: [HeaderField] = []
        if let w = h.warning { right.append(HeaderField(text: w + " ", priority: 0, role: .warning, attributes: [.bold])) }
        if let st = h.status { right.append(HeaderField(text: st + " ", priority: 1, role: h.busy ? .warning : .dim)) }
        let kept = fit(left + right, width: grid.width)
        let keptLeft = kept.filter { f in !right.contains { $0.text == f.text } }
        let keptRight = kept.filter { f in right.contains { $0.text == f.text } }
        var x = 0
        for field in keptLeft { x += grid.write(field.text, x: x, y: 0, role: field.role, attributes: field.attributes) }
        var rx = grid.width - keptRight.reduce(0) { $0 + $1.text.count }
        if rx > x + 1 { for field in keptRight { rx += grid.write(field.text, x: rx, y: 0, role: field.role, attributes: field.attributes) } }
        var info: [HeaderField] = []
        if let regimeInfo = state.currentRegime.headerInfo(state: state, content: content) {
            info.append(HeaderField(text: regimeInfo + " ", priority: 0, role: .dim))
        }
        info.append(HeaderField(text: "│ view: \(state.view.rawValue)", priority: 0, role: .dim))
        info.append(HeaderField(text: "  y: \(state.display.yScale.rawValue)", priority: 3, role: .dim))
        info.append(HeaderField(text: "  theme: \(state.themeName)", priority: 5, role: .dim))
        info = fit(info, width: max(0, grid.width - min(grid.width / 2, h.row1.count + 2)))
        let infoWidth = info.reduce(0) { $0 + $1.text.count }
        // row 1's text keeps whole segments (split at " · " and " │ "), the last ones going first
        var row1 = ""
        for part in h.row1.replacingOccurrences(of: " │ ", with: " · │ ").components(separatedBy: " · ") {
            let candidate = row1.isEmpty ? part : row1 + (part.hasPrefix("│") ? " " : " · ") + part
            if candidate.count + 1 > grid.width - infoWidth - 1 { break }
            row1 = candidate
        }
        var cx = grid.write(" " + row1, x: 0, y: 1, role: .text, maxWidth: max(0, grid.width - infoWidth - 1))
        cx += 1
        for field in info { cx += grid.write(field.text, x: cx, y: 1, role: field.role, attributes: field.attributes) }
    }

    /// "training [████░░░░] 40% epoch 20/50" (or the label and detail alone without a fraction).
    static func progressText(_ p: RegimeProgress, ascii: Bool) -> String {
        guard let f = p.fraction else { return ([p.label, p.detail].filter { !$0.isEmpty }).joined(separator: " ") }
        let barWidth = 20
        let filled = Int((max(0, min(1, f)) * Double(barWidth)).rounded())
        let full: Character = ascii ? "#" : "█", empty: Character = ascii ? "." : "░"
        return p.label + " [" + String(repeating: full, count: filled) + String(repeating: empty, count: barWidth - filled)
            + "] \(Int((f * 100).rounded()))%" + (p.detail.isEmpty ? "" : " " + p.detail)
    }

    /// The display modes that change what the plots show, for the header: zoom, pan, limits, cursor,
    /// grid, rescaling, the empirical check.
    static func activeModes(state: ExplorerState, content: FrameContent) -> [String] {
        var modes: [String] = []
        let d = state.display
        if let r = d.xLimits {
            modes.append("x ∈ [\(ModelSummary.format(r.lowerBound)), \(ModelSummary.format(r.upperBound))]" + (content.solve.zoomPending ? " solving…" : ""))
        } else if d.zoom > 0 {
            var z = "zoom ×\(1 << d.zoom)"
            if d.pan > 0 { z += " from \(Int((d.pan * 100).rounded()))%" }
            modes.append(z + (content.solve.zoomPending ? " solving…" : ""))
        }
        if let y = d.yLimits { modes.append("y ≤ \(AxisTicks.significant(y.upperBound, 3))") }
        if state.cursor != nil { modes.append("cursor") }
        if d.gridLines { modes.append("grid") }
        if d.rescaleByMean && state.view == .compare { modes.append("λ/mean") }
        if state.empiricalOn { modes.append("check n=\(state.sampleSize)") }
        return modes
    }

    /// The page of the layers view shown, and how many there are (nil if no panel fits).
    static func layersPage(state: ExplorerState, width: Int, bodyHeight: Int) -> (page: Int, count: Int, perPage: Int)? {
        guard state.regime == .linearWidth else { return nil }
        let n = state.laws.count
        let legend = state.empiricalOn ? 1 : 0
        guard let p = layersPaging(count: n, width: width, height: bodyHeight - legend) else { return nil }
        return (min(state.selection, n - 1) / p.perPage, (n + p.perPage - 1) / p.perPage, p.perPage)
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

    // MARK: footer and status line

    static let footerKeys = "q quit  ? help  ←→ layer  ↑↓ γ_ℓ  a/A σ  b/B b_σ  d/D depth  i/I γ₀  1-5 view  c compare  s check  n/N size  y y-axis  z/Z zoom  H/L pan  x cursor  E edge  t theme  M log  u undo  : command"

    static func drawStatusLine(_ grid: inout ScreenGrid, state: ExplorerState, content: FrameContent) {
        let h = grid.height, w = grid.width
        grid.fill(x: 0, y: h - 1, width: w, height: 1, with: Cell(" ", role: .statusBar))
        if let line = state.commandLine {
            drawCommandLine(&grid, line: line, cursor: state.commandEditor.cursor, y: h - 1)
            return
        }
        // right: the empirical check
        var right = ""
        let e = content.empirical
        if let rp = state.currentRegime.progress(state: state, content: content) {
            right = progressText(rp, ascii: state.display.canvas == .ascii)
        } else if let p = e.progress {
            let barWidth = 20
            let filled = Int((max(0, min(1, p.fraction)) * Double(barWidth)).rounded())
            let full: Character = state.display.canvas == .ascii ? "#" : "█", empty: Character = state.display.canvas == .ascii ? "." : "░"
            right = "check n=\(e.sampleSize) [" + String(repeating: full, count: filled)
                + String(repeating: empty, count: barWidth - filled) + "] \(Int((p.fraction * 100).rounded()))% \(p.stage)"
        } else if state.empiricalOn {
            right = e.error != nil ? "check failed (M: why)" : (e.results.isEmpty ? "check n=\(state.sampleSize): waiting" : "check n=\(e.sampleSize): done")
        }
        var rightStart = w
        if !right.isEmpty, right.count < w - 10 {
            rightStart = w - right.count - 1
            grid.write(right, x: rightStart, y: h - 1, role: .statusBar, attributes: [.bold])
        }
        var text: String
        var isError = false
        if let m = state.message {
            text = (m.isError ? "✗ " : "") + m.text
            isError = m.isError
        } else if state.empiricalOn, let error = e.error {
            text = "✗ check failed: " + error
            isError = true
        } else {
            text = rightStart - 1 >= 34 ? " press ? for help, : for commands" : " ? help  : command"
        }
        text = StatusLine.fit(text, width: rightStart - 1)
        grid.write(text, x: 0, y: h - 1, role: isError ? .warning : .statusBar, attributes: isError ? [.bold] : [], maxWidth: rightStart - 1)
    }

    /// ":" and the text, scrolled so the cursor stays visible; the cursor cell in reverse video.
    static func drawCommandLine(_ grid: inout ScreenGrid, line: String, cursor: Int, y: Int) {
        let chars = Array(line)
        let c = min(max(0, cursor), chars.count)
        let room = max(1, grid.width - 2)
        let start = max(0, c - room + 1)
        var x = grid.write(":", x: 0, y: y, role: .statusBar)
        for i in start..<chars.count where x < grid.width { grid[x, y] = Cell(chars[i], role: .statusBar, attributes: i == c ? [.reverse] : []); x += 1 }
        if c == chars.count, x < grid.width { grid[x, y] = Cell("█", role: .statusBar) }
    }

    // MARK: shared text helpers

    static func gammaText(_ kernel: KernelID, summary: ModelSummary) -> String {
        switch kernel {
        case .ck(0): return summary.input.hasPrefix("Gaussian") ? summary.input.replacingOccurrences(of: "Gaussian ", with: "") : "input"
        case .ck(let l) where l <= summary.depth: return "γ\(subscriptDigits(l)) = \(ModelSummary.format(summary.gammas[l - 1]))"
        case .ck: return ""
        case .ntk: return "L = \(summary.depth)"
        case .combination: return ""
        }
    }

    public static func subscriptDigits(_ n: Int) -> String {
        String(String(n).map { c in Character(Unicode.Scalar(0x2080 + UInt32(c.wholeNumberValue!))!) })
    }

    /// Where an atom is, for text: a location within 1e−9 of 0 (relative to `scale`) is "0" (the
    /// solver's 1e−14 is an atom at 0).
    public static func atomPlace(_ x: Double, scale: Double = 1) -> String {
        abs(x) <= 1e-9 * max(1, abs(scale)) ? "0" : AxisTicks.significant(x, 3)
    }

    /// "atom at 0: 67% · atom at 2.5: 1.2%", or "no atoms · mean 1".
    static func atomsText(_ s: DisplaySpectrum) -> String {
        let atoms = s.visibleAtoms
        if atoms.isEmpty { return "no atoms · mean \(AxisTicks.significant(s.mean))" }
        let scale = s.fullRange.upperBound
        return atoms.map { "atom at \(atomPlace($0.location, scale: scale)): \(percent($0.mass))" }.joined(separator: " · ")
    }

    /// The facts block of the focus view (support, atoms, moments, continuous mass, the solver's
    /// self-check), shared by the screen and the SVG export.
    public static func lawFacts(_ s: DisplaySpectrum, maxIntervals: Int, maxAtoms: Int) -> [(String, ColorRole)] {
        let sig = { (v: Double) in AxisTicks.significant(v, 4) }
        var lines: [(String, ColorRole)] = []
        if let failure = s.checkFailure {
            lines.append(("✗ solver check failed", .warning))
            lines.append(("  \(failure)", .warning))
        }
        // An approximation's bound, and a warning when it changed the atoms (the exact ones named).
        for n in s.law?.approximationNotices ?? [] {
            lines.append((n.severity == .warning ? "✗ \(n.text)" : "≈ \(n.text)", n.severity == .warning ? .warning : .dim))
        }
        lines.append(("support", .title))
        if s.support.isEmpty { lines.append(("  (none)", .text)) }
        for r in s.support.prefix(maxIntervals) {
            let edges = AxisTicks.interval(r)   // each end right to 1/100 of the width; ends that differ read differently
            lines.append(("  [\(edges.lower), \(edges.upper)]", .text))
        }
        if s.support.count > maxIntervals { lines.append(("  … \(s.support.count - maxIntervals) more", .dim)) }
        lines.append(("atoms", .title))
        let atoms = s.visibleAtoms
        if atoms.isEmpty { lines.append(("  none", .text)) }
        let scale = s.fullRange.upperBound
        // labels that tell close atoms apart; one the solver puts at 1e−14 is an atom at 0
        let places = AxisTicks.distinct(atoms.prefix(maxAtoms).map(\.location))
        for (a, place) in zip(atoms.prefix(maxAtoms), places) {
            lines.append(("  at \(atomPlace(a.location, scale: scale) == "0" ? "0" : place): \(percent(a.mass))", .text))
        }
        lines.append(("moments", .title))
        lines.append(("  mean      \(sig(s.mean))", .text))
        lines.append(("  E λ²      \(sig(s.secondMoment))", .text))
        lines.append(("  variance  \(sig(s.variance))", .text))
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

    /// The x range of a law under the current zoom (anchored at the left).
    public static func visibleRange(_ s: DisplaySpectrum, zoom: Int) -> ClosedRange<Double> {
        RangeActions.visibleRange(s, display: DisplaySettings(zoom: zoom))
    }

    /// The x range of a law under the display settings (zoom, pan, `:xlim`).
    public static func visibleRange(_ s: DisplaySpectrum, display: DisplaySettings) -> ClosedRange<Double> {
        RangeActions.visibleRange(s, display: display)
    }

    /// The compare overlay's x range: the union of the laws' visible ranges.
    public static func compareRange(_ a: ClosedRange<Double>, _ b: ClosedRange<Double>) -> ClosedRange<Double> {
        min(a.lowerBound, b.lowerBound)...max(a.upperBound, b.upperBound)
    }

    // MARK: overlays

    static func drawChooser(_ grid: inout ScreenGrid, state: ExplorerState, cursor: Int, ascii: Bool) {
        let laws = state.laws
        let width = min(grid.width, 50), height = min(grid.height - 2, laws.count + 4)
        let x0 = max(0, (grid.width - width) / 2), y0 = max(0, (grid.height - height) / 2)
        grid.fill(x: x0, y: y0, width: width, height: height, with: Cell(" "))
        grid.box(x: x0, y: y0, width: width, height: height, role: .axis, ascii: ascii)
        grid.write(" compare: ↑↓ move, a/Enter A, b B, space more, Esc ", x: x0 + 1, y: y0, role: .title, attributes: [.bold], maxWidth: width - 2)
        let summary = ModelSummary(model: state.model, inputLabel: state.inputLabel)
        let visible = max(1, height - 3)
        let first = max(0, min(cursor - visible / 2, laws.count - visible))
        for (row, i) in (first..<min(laws.count, first + visible)).enumerated() {
            let k = laws[i]
            let index = state.compare.firstIndex(of: k)
            let mark = index.map { $0 == 0 ? "A " : $0 == 1 ? "B " : "+\(min(9, $0 - 1))" } ?? "  "
            let text = " \(mark)  \(k.title)  \(gammaText(k, summary: summary))"
            let role: ColorRole = index.map { LinearWidthLayout.seriesRoles[$0 % LinearWidthLayout.seriesRoles.count] } ?? .text
            grid.write(text.padding(toLength: width - 4, withPad: " ", startingAt: 0), x: x0 + 2, y: y0 + 2 + row,
                       role: i == cursor ? .highlight : role, attributes: i == cursor ? [.reverse] : [], maxWidth: width - 4)
        }
    }

    /// `M`: the last messages in full, newest last, wrapped to the box.
    static func drawMessageLog(_ grid: inout ScreenGrid, state: ExplorerState, ascii: Bool) {
        let width = max(10, min(grid.width - 2, 110)), height = max(3, grid.height - 2)
        let x0 = max(0, (grid.width - width) / 2), y0 = max(0, (grid.height - height) / 2)
        grid.fill(x: x0, y: y0, width: width, height: height, with: Cell(" "))
        grid.box(x: x0, y: y0, width: width, height: height, role: .axis, ascii: ascii)
        grid.write(" messages (newest last; any key closes) ", x: x0 + 1, y: y0, role: .title, attributes: [.bold], maxWidth: width - 2)
        var lines: [(String, ColorRole)] = []
        for m in state.messageLog {
            for (i, part) in StatusLine.wrap((m.isError ? "✗ " : "· ") + m.text, width: width - 4).enumerated() {
                lines.append(((i == 0 ? "" : "  ") + part, m.isError ? .warning : .text))
            }
        }
        if lines.isEmpty { lines = [("(no messages yet)", .dim)] }
        let rows = height - 2
        for (i, (text, role)) in lines.suffix(rows).enumerated() {
            grid.write(text, x: x0 + 2, y: y0 + 1 + i, role: role, maxWidth: width - 4)
        }
    }
}

/// Fitting the status line's message into its width without losing what matters: a long path is
/// shortened to its file name first (a folder's name may hold spaces), then long file names give way in their middle (keeping their
/// extension), and only then the middle of the text, so the start (what failed) and the end (file,
/// line, reason) stay; the whole message is in the log (`M`).
public enum StatusLine {
    static let quotes = CharacterSet(charactersIn: "'\",:;()")

    public static func fit(_ text: String, width: Int) -> String {
        guard width > 0 else { return "" }
        if text.count <= width { return text }
        // paths to their last component (a path with spaces: the words with a "/" that follow one)
        var words: [String] = []
        for word in text.split(separator: " ", omittingEmptySubsequences: false).map(String.init) {
            if word.contains("/"), let last = words.last, last.contains("/") { words[words.count - 1] += " " + word } else { words.append(word) }
        }
        for i in words.indices where words[i].contains("/") && words[i].count > 16 {
            let trimmed = words[i].trimmingCharacters(in: quotes)
            let last = (trimmed as NSString).lastPathComponent
            if !last.isEmpty, last != trimmed { words[i] = words[i].replacingOccurrences(of: trimmed, with: "…/" + last) }
        }
        var t = words.joined(separator: " ")
        if t.count <= width { return t }
        elideFileNames(&words, by: t.count - width)
        t = words.joined(separator: " ")
        let hint = " (M)"
        if t.count <= width { return t }
        guard width > 12 else { return String(t.prefix(width)) }
        let room = width - hint.count - 1
        let head = room * 2 / 5, tail = room - head
        t = String(t.prefix(head)) + "…" + String(t.suffix(tail))
        return t + hint
    }

    /// Shortens the words that name a file ("…/weights-of-run-12.bin", "'data.csv'") by `excess`
    /// characters in all, longest first, each in its middle down to `minimum` characters with its
    /// extension kept: "…/weights…12.bin".
    static func elideFileNames(_ words: inout [String], by excess: Int, minimum: Int = 12) {
        var excess = excess
        let names = words.indices.filter { isFileName(words[$0].trimmingCharacters(in: quotes)) }
        for i in names.sorted(by: { words[$0].count > words[$1].count }) where excess > 0 {
            let name = words[i].trimmingCharacters(in: quotes)
            let cut = min(excess + 1, name.count - minimum)   // characters removed; a "…" comes in
            guard cut > 1 else { continue }
            let kept = name.count - cut
            let extensionLength = name.count - (name.lastIndex(of: ".").map { name.distance(from: name.startIndex, to: $0) } ?? 0)
            let tail = min(kept - 1, max(kept / 2, extensionLength + 1))
            words[i] = words[i].replacingOccurrences(of: name, with: String(name.prefix(kept - tail)) + "…" + String(name.suffix(tail)))
            excess -= cut - 1
        }
    }

    /// A file name or path: a name with a letter, then an extension of 1 to 5 letters or digits
    /// (with a letter), so numbers such as 1.5e3 are not taken for one.
    static func isFileName(_ word: String) -> Bool {
        guard let dot = word.lastIndex(of: "."), dot > word.startIndex else { return false }
        let stem = word[..<dot], ext = word[word.index(after: dot)...]
        return (1...5).contains(ext.count) && ext.allSatisfy { $0.isLetter || $0.isNumber } && ext.contains(where: \.isLetter)
            && stem.contains(where: \.isLetter)
    }

    /// Words wrapped to lines of at most `width` characters (long words cut); the text's leading
    /// spaces indent its first line.
    public static func wrap(_ text: String, width: Int, hanging: Int = 0) -> [String] {
        guard width > 0 else { return [] }
        let indent = String(text.prefix { $0 == " " })
        var lines: [String] = []
        var line = indent.count < width ? indent : ""
        var start = line
        for word in text.split(separator: " ") {
            var w = Substring(word)
            while !w.isEmpty {
                if line.isEmpty || line == start {
                    let room = width - line.count
                    if w.count <= room { line += w; w = "" } else { lines.append(line + w.prefix(room)); line = start; w = w.dropFirst(room) }
                } else if line.count + 1 + w.count <= width {
                    line += " " + w; w = ""
                } else {
                    lines.append(line)
                    start = indent.count + hanging < width / 2 ? String(repeating: " ", count: indent.count + hanging) : ""
                    line = start
                }
            }
        }
        if !line.isEmpty, line != start || lines.isEmpty { lines.append(line) }
        return lines
    }
}

import ExplorerCore
import Foundation
import LimitLaws
import PlotCanvas

/// `svg`: a vector figure of the view's panels, drawn again from the data (not a picture of braille):
/// each density a smooth path on real axes with tick labels, titles, legends, atoms as marked
/// points, the empirical histogram as bars, in the theme's colours, with a font stack found everywhere.
/// Elements carry classes (`panel`, `density`, `histogram`, `atom`, `title`, `legend`, `tick-label`)
/// so tests and people editing the file can find them; the session is embedded in `<metadata>`.
extension ViewExport {
    /// One terminal cell is this many SVG pixels, so the figure has the screen's proportions.
    public static let svgCell = (width: 8.0, height: 16.0)
    public static let svgFontStack = "'DejaVu Sans', 'Liberation Sans', Arial, Helvetica, sans-serif"

    public static func svg(state: ExplorerState, content: FrameContent, width: Int, height: Int, theme: Theme) -> String {
        if let regime = regimeExport(state) { return regime.svg(state: state, content: content, width: width, height: height, theme: theme) }
        let W = Double(max(40, width)) * svgCell.width, H = Double(max(12, height)) * svgCell.height
        var svg = SVGBuilder(theme: theme)
        let session = Session(state: state)
        let summary = content.summary
        svg.line("<?xml version=\"1.0\" encoding=\"UTF-8\"?>")
        svg.line("<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"\(f(W))\" height=\"\(f(H))\" viewBox=\"0 0 \(f(W)) \(f(H))\" font-family=\"\(svgFontStack)\" font-size=\"12\">")
        svg.line("<title>ntkscope \(xml(state.view.rawValue)) view</title>")
        svg.line("<desc>\(xml(configLine(session)))</desc>")
        let toml = SessionFile.encode(session).replacingOccurrences(of: "]]>", with: "]]]]><![CDATA[>")
        svg.line("<metadata><![CDATA[\n\(toml)]]></metadata>")
        svg.line("<rect class=\"background\" x=\"0\" y=\"0\" width=\"\(f(W))\" height=\"\(f(H))\" fill=\"\(svg.color(theme.background, background: true))\"/>")

        // header: the model and the view settings
        let header = "ntkscope · σ = \(summary.activation) · b_σ = \(String(format: "%.3f", summary.b)) · a_σ = \(String(format: "%.3f", summary.a)) · L = \(summary.depth) · input: \(summary.input)"
        svg.text(header, x: 12, y: 20, role: .title, size: 15, weight: "bold", cls: "header")
        var info = "view: \(state.view.rawValue) · y: \(state.display.yScale.rawValue)"
        if state.display.zoom > 0 { info += " · zoom ×\(1 << state.display.zoom)" }
        if state.empiricalOn { info += " · sampled network: n = \(state.sampleSize), seed \(state.seed)" }
        info += " · theme: \(state.themeName)"
        svg.text(info, x: 12, y: 38, role: .dim, size: 12, cls: "header")
        // every law's self-check and notices, in the figure itself (at most 4 lines, then a count)
        let checks = svgCheckLines(state: state, content: content)
        for (i, c) in checks.prefix(4).enumerated() {
            svg.text(c.text, x: 12, y: 54 + 16 * Double(i), role: c.warning ? .warning : .dim, size: 12, cls: "notice")
        }
        if checks.count > 4 { svg.text("… \(checks.count - 4) more", x: 12, y: 54 + 16 * 4, role: .warning, size: 12, cls: "notice") }
        let top = 48 + 16 * Double(min(checks.count, 5))
        let body = Rect(x: 8, y: top, width: W - 16, height: H - top - 8)
        switch state.view {
        case .layers:
            let n = state.laws.count
            let arrangement = ScreenLayout.panelArrangement(count: n, width: width, height: height - 4)
                ?? (columns: Int(Double(n).squareRoot().rounded(.up)), rows: (n + Int(Double(n).squareRoot().rounded(.up)) - 1) / Int(Double(n).squareRoot().rounded(.up)))
            let pw = body.width / Double(arrangement.columns), ph = body.height / Double(arrangement.rows)
            for (i, k) in state.laws.enumerated() {
                let r = Rect(x: body.x + Double(i % arrangement.columns) * pw, y: body.y + Double(i / arrangement.columns) * ph,
                             width: pw - 8, height: ph - 8)
                lawPanel(&svg, kernel: k, rect: r, state: state, content: content, role: .theory, selected: i == state.selection)
            }
        case .compare:
            let a = state.compare[0], b = state.compare[1]
            let leftWidth = body.width * 3 / 5
            comparePanel(&svg, kernels: state.compare, rect: Rect(x: body.x, y: body.y, width: leftWidth - 8, height: body.height),
                         state: state, content: content)
            let h1 = body.height / 2
            lawPanel(&svg, kernel: a, rect: Rect(x: body.x + leftWidth, y: body.y, width: body.width - leftWidth, height: h1 - 8),
                     state: state, content: content, role: .seriesA, selected: false)
            lawPanel(&svg, kernel: b, rect: Rect(x: body.x + leftWidth, y: body.y + h1, width: body.width - leftWidth, height: body.height - h1 - 8),
                     state: state, content: content, role: .seriesB, selected: false)
        case .focus:
            let k = state.selectedKernel
            let infoWidth = min(300, max(200, body.width / 4))
            lawPanel(&svg, kernel: k, rect: Rect(x: body.x, y: body.y, width: body.width - infoWidth - 8, height: body.height),
                     state: state, content: content, role: .theory, selected: true, logDecades: 5)
            focusInfo(&svg, kernel: k, rect: Rect(x: body.x + body.width - infoWidth, y: body.y, width: infoWidth, height: body.height),
                      state: state, content: content)
        case .cdf:
            let k = state.selectedKernel
            if let s = content.spectra[k], let range = xRange(of: k, state: state, content: content) {
                let xs = (0..<512).map { range.lowerBound + (range.upperBound - range.lowerBound) * Double($0) / 511 }
                var series: [(ColorRole, [(Double, Double)])] = [(.theory, xs.map { ($0, s.cdf($0)) })]
                var title = "\(panelTitle(k, summary: summary)): the law's CDF F"
                if let e = empirical(of: k, state: state, content: content) {
                    let r = SampleReadout(eigenvalues: e.eigenvalues, law: s)
                    series.append((.empirical, xs.map { ($0, r.cdf($0)) }))
                    title += " and the sample's Fₙ (n = \(r.count)); KS = \(String(format: "%.4f", e.ks)) (95% band \(String(format: "%.3f", r.ksBand)))"
                }
                xyPanel(&svg, rect: (body.x, body.y, body.width, body.height), title: title, xLabel: "λ", logX: false, logY: false, series: series)
            }
        case .edges:
            var series: [(ColorRole, [(Double, Double)])] = []
            for (i, k) in state.laws.enumerated() {
                guard let s = content.spectra[k] else { continue }
                for r in s.support { series.append((.theory, [(Double(i), r.lowerBound), (Double(i), r.upperBound)])) }
                for a in s.visibleAtoms { series.append((.highlight, [(Double(i) - 0.15, a.location), (Double(i) + 0.15, a.location)])) }
            }
            xyPanel(&svg, rect: (body.x, body.y, body.width, body.height),
                    title: "support intervals (bars) and atoms (ticks) against the layer ℓ = 0…\(state.depth); NTK at ℓ = \(state.depth + 1)",
                    xLabel: "ℓ", logX: false, logY: false, series: series)
        }
        svg.line("</svg>")
        return svg.out
    }

    // MARK: panels

    struct Rect { var x, y, width, height: Double }

    struct Series {
        var kernel: KernelID
        var spectrum: DisplaySpectrum
        var role: ColorRole
        var label: String
        /// The law is drawn in units of this (its mean when the compare view rescales).
        var scale: Double = 1
        /// Its line style, as on screen (dashes in the SVG).
        var style: LineStyle = .solid
    }

    /// stroke-dasharray of a line style.
    static func dashes(_ style: LineStyle) -> String {
        switch style {
        case .solid: return ""
        case .dotted: return " stroke-dasharray=\"1.5 3\""
        case .dashed: return " stroke-dasharray=\"7 4\""
        case .sparse: return " stroke-dasharray=\"1.5 7\""
        }
    }

    static func panelTitle(_ k: KernelID, summary: ModelSummary) -> String {
        let detail: String
        switch k {
        case .ck(0): detail = summary.input.replacingOccurrences(of: "Gaussian ", with: "")
        case .ck(let l) where l >= 1 && l <= summary.depth: detail = "γ\(subscriptDigits(l)) = \(ModelSummary.format(summary.gammas[l - 1]))"
        case .ntk: detail = "L = \(summary.depth)"
        default: detail = ""
        }
        return detail.isEmpty ? k.title : "\(k.title)   \(detail)"
    }

    static func subscriptDigits(_ n: Int) -> String {
        String(String(n).map { c in Character(Unicode.Scalar(0x2080 + UInt32(c.wholeNumberValue!))!) })
    }

    static func lawPanel(_ svg: inout SVGBuilder, kernel: KernelID, rect: Rect, state: ExplorerState, content: FrameContent,
                         role: ColorRole, selected: Bool, logDecades: Double = 4) {
        svg.line("<g class=\"panel\" data-kernel=\"\(SessionFile.kernelName(kernel))\">")
        if selected && state.view == .layers {
            svg.line("<rect class=\"selection\" x=\"\(f(rect.x - 3))\" y=\"\(f(rect.y - 3))\" width=\"\(f(rect.width + 6))\" height=\"\(f(rect.height + 6))\" fill=\"none\" stroke=\"\(svg.color(role: .highlight))\" stroke-width=\"1.5\" rx=\"4\"/>")
        }
        var title = panelTitle(kernel, summary: content.summary)
        let emp = empirical(of: kernel, state: state, content: content)
        if let emp { title += "   KS \(String(format: "%.3f", emp.ks))  W1 \(String(format: "%.3f", emp.w1))" }
        svg.text(title, x: rect.x + 4, y: rect.y + 14, role: selected ? .highlight : .title, size: 13, weight: "bold", cls: "title")
        guard let s = content.spectra[kernel], let range = xRange(of: kernel, state: state, content: content) else {
            svg.text("not solved", x: rect.x + rect.width / 2, y: rect.y + rect.height / 2, role: .dim, anchor: "middle", cls: "note")
            svg.line("</g>")
            return
        }
        let plotRect = Rect(x: rect.x, y: rect.y + 22, width: rect.width, height: rect.height - 40)
        var hist: (edges: [Double], counts: [Int], density: [Double])?
        if let emp { hist = histogram(emp, range: range, law: s) }
        plot(&svg, rect: plotRect, range: range, series: [Series(kernel: kernel, spectrum: s, role: role, label: "limit law")],
             histogram: hist, histogramLabel: "sampled, n = \(state.sampleSize)", state: state, logDecades: logDecades)
        svg.text(atomsLine(s), x: rect.x + 4, y: rect.y + rect.height - 2, role: .dim, size: 11, cls: "atoms")
        svg.line("</g>")
    }

    static func comparePanel(_ svg: inout SVGBuilder, kernels: [KernelID], rect: Rect, state: ExplorerState, content: FrameContent) {
        let a = kernels[0], b = kernels[1]
        svg.line("<g class=\"panel\" data-kernel=\"compare\">")
        let spectra = kernels.compactMap { content.spectra[$0] }
        guard spectra.count == kernels.count, spectra.count >= 2 else {
            svg.text("compare: \(a.title) vs \(b.title)", x: rect.x + 4, y: rect.y + 14, role: .title, size: 13, weight: "bold", cls: "title")
            svg.text("not solved", x: rect.x + rect.width / 2, y: rect.y + rect.height / 2, role: .dim, anchor: "middle", cls: "note")
            svg.line("</g>")
            return
        }
        let sa = spectra[0], sb = spectra[1]
        let overlay = LinearWidthLayout.compareRange(spectra, display: state.display)
        let d = LawDistance.between(sa, sb, scaleA: overlay.scale(sa), scaleB: overlay.scale(sb))
        svg.text("compare: \(a.title) vs \(b.title)\(overlay.rescale ? " (λ / mean)" : "") · KS(A, B) = \(String(format: "%.4f", d.ks)) · W1(A, B) = \(AxisTicks.significant(d.w1, 4))",
                 x: rect.x + 4, y: rect.y + 14, role: .title, size: 13, weight: "bold", cls: "title")
        let summary = content.summary
        let series = zip(kernels, spectra).enumerated().map { i, ks in
            Series(kernel: ks.0, spectrum: ks.1, role: LinearWidthLayout.seriesRoles[i % LinearWidthLayout.seriesRoles.count],
                   label: (i == 0 ? "A: " : i == 1 ? "B: " : "\(i + 1): ") + panelTitle(ks.0, summary: summary),
                   scale: overlay.scale(ks.1), style: LineStyle.series(i))
        }
        plot(&svg, rect: Rect(x: rect.x, y: rect.y + 22, width: rect.width, height: rect.height - 56), range: overlay.range,
             series: series, histogram: nil, histogramLabel: "", state: state, logDecades: 4)
        svg.text("A: " + atomsLine(sa), x: rect.x + 4, y: rect.y + rect.height - 18, role: .seriesA, size: 11, cls: "atoms")
        svg.text("B: " + atomsLine(sb), x: rect.x + 4, y: rect.y + rect.height - 2, role: .seriesB, size: 11, cls: "atoms")
        svg.line("</g>")
    }

    static func atomsLine(_ s: DisplaySpectrum) -> String {
        let atoms = s.visibleAtoms
        if atoms.isEmpty { return "no atoms · mean \(AxisTicks.significant(s.mean))" }
        return atoms.map { "atom at \(AxisTicks.significant($0.location, 2)): \(ScreenLayout.percent($0.mass))" }.joined(separator: " · ")
    }

    static func focusInfo(_ svg: inout SVGBuilder, kernel: KernelID, rect: Rect, state: ExplorerState, content: FrameContent) {
        guard let s = content.spectra[kernel] else { return }
        var lines = ScreenLayout.lawFacts(s, maxIntervals: 6, maxAtoms: 4)
        if let e = empirical(of: kernel, state: state, content: content) {
            lines.append(("empirical (n = \(state.sampleSize), seed \(state.seed))", .title))
            lines.append(("  KS  \(String(format: "%.4f", e.ks))", .empirical))
            lines.append(("  W1  \(String(format: "%.4f", e.w1))", .empirical))
            lines.append(("  \(e.eigenvalues.count) eigenvalues", .empirical))
        }
        svg.line("<g class=\"info\">")
        for (i, (text, role)) in lines.enumerated() where Double(i + 1) * 18 < rect.height {
            svg.text(text, x: rect.x + 4, y: rect.y + 36 + Double(i) * 18, role: role, size: 12,
                     weight: role == .title ? "bold" : nil, cls: "info", preserveSpace: true)
        }
        svg.line("</g>")
    }

    // MARK: one plot with axes

    static func plot(_ svg: inout SVGBuilder, rect: Rect, range: ClosedRange<Double>, series: [Series],
                     histogram: (edges: [Double], counts: [Int], density: [Double])?, histogramLabel: String,
                     state: ExplorerState, logDecades: Double) {
        let left = rect.x + 58, right = rect.x + rect.width - 10
        let top = rect.y + 4, bottom = rect.y + rect.height - 22
        guard right - left > 20, bottom - top > 20, range.upperBound > range.lowerBound else { return }
        let yScale = state.display.yScale
        // y maximum: the largest column average (narrow peaks keep their mass), as on screen
        // (the grid's own peak counts too, up to 20× that, so narrow bumps are not cut; edge singularities are)
        var yMax = 0.0
        // each law's curve on this range: its zoom window's re-solve when there is one (as on screen)
        let curves = series.map { s -> (x: [Double], density: [Double]) in
            let c = s.spectrum.curve(in: (range.lowerBound * s.scale)...(range.upperBound * s.scale))
            return s.scale == 1 ? c : (c.x.map { $0 / s.scale }, c.density.map { $0 * s.scale })
        }
        for (s, c) in zip(series, curves) {
            let avg = DensityPlot.columnAverages(PlotCurve(role: s.role, x: c.x, y: c.density), range: range,
                                                 count: max(1, Int(right - left)))
            let averaged = avg.filter(\.isFinite).max() ?? 0
            let peak = zip(c.x, c.density).filter { range.contains($0.0) && $0.1.isFinite }.map(\.1).max() ?? 0
            yMax = max(yMax, averaged, min(peak, 20 * averaged))
        }
        if let h = histogram { yMax = max(yMax, h.density.max() ?? 0) }
        yMax = yMax > 0 ? yMax * 1.05 : 1
        let yMin = yMax * pow(10, -logDecades)
        func fy(_ v: Double) -> Double? {
            guard v.isFinite else { return nil }
            let frac: Double
            switch yScale {
            case .linear: frac = v / yMax
            case .sqrt: frac = v > 0 ? (v / yMax).squareRoot() : 0
            case .log:
                guard v > 0 else { return nil }
                frac = (log10(v / yMax) + logDecades) / logDecades
            }
            return bottom - max(-0.05, min(2, frac)) * (bottom - top)
        }
        func fx(_ x: Double) -> Double { left + (x - range.lowerBound) / (range.upperBound - range.lowerBound) * (right - left) }

        let clip = svg.nextID("clip")
        svg.line("<clipPath id=\"\(clip)\"><rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(right - left))\" height=\"\(f(bottom - top))\"/></clipPath>")

        // histogram bars
        if let h = histogram {
            var d = ""
            for i in 0..<h.density.count {
                guard let yTop = fy(h.density[i]) else { continue }
                let x0 = fx(h.edges[i]), x1 = fx(h.edges[i + 1])
                let base = yScale == .log ? bottom : (fy(0) ?? bottom)
                guard base - yTop > 0.01 else { continue }
                d += "M\(f(x0)) \(f(base))V\(f(yTop))H\(f(x1))V\(f(base))Z"
            }
            svg.line("<path class=\"histogram\" clip-path=\"url(#\(clip))\" d=\"\(d.isEmpty ? "M0 0" : d)\" fill=\"\(svg.color(role: .empirical))\" fill-opacity=\"0.55\" stroke=\"\(svg.color(role: .empirical))\" stroke-width=\"0.5\"/>")
        }

        // densities: the law's grid, one sub-path per run of drawable points
        for (s, c) in zip(series, curves) {
            var d = ""
            var penDown = false
            let xs = c.x, ys = c.density
            for i in xs.indices {
                // keep one point beyond each end of the range so the curve reaches the frame
                let inside = range.contains(xs[i]) || (i + 1 < xs.count && xs[i] < range.lowerBound && xs[i + 1] >= range.lowerBound)
                    || (i > 0 && xs[i] > range.upperBound && xs[i - 1] <= range.upperBound)
                guard inside, let y = fy(ys[i]) else { penDown = false; continue }
                d += (penDown ? "L" : "M") + "\(f(fx(xs[i]))) \(f(y))"
                penDown = true
            }
            svg.line("<path class=\"density\" data-kernel=\"\(SessionFile.kernelName(s.kernel))\" clip-path=\"url(#\(clip))\" d=\"\(d.isEmpty ? "M0 0" : d)\" fill=\"none\" stroke=\"\(svg.color(role: s.role))\" stroke-width=\"1.6\" stroke-linejoin=\"round\" stroke-linecap=\"round\"\(dashes(s.style))/>")
        }

        // axes, ticks, labels
        let axis = svg.color(role: .axis)
        svg.line("<path class=\"axis\" d=\"M\(f(left)) \(f(top))V\(f(bottom))H\(f(right))\" fill=\"none\" stroke=\"\(axis)\" stroke-width=\"1\"/>")
        // the tick model of the terminal plots (PlotCanvas.AxisTicks): exact labels, decades on log axes
        let xAxis = AxisTicks.linear(range, target: max(3, Int((right - left) / 70)), maxLabelWidth: 12,
                                     axisLength: (right - left) / 6.5)
        var tickPath = ""
        for t in xAxis.ticks {
            let x = fx(t.value)
            tickPath += "M\(f(x)) \(f(bottom))v4"
            svg.text(t.label, x: x, y: bottom + 16, role: .axis, size: 11, anchor: "middle", cls: "tick-label")
        }
        let yAxis: AxisLabelling
        switch yScale {
        case .log: yAxis = AxisTicks.decades(yMin...yMax, maxTicks: max(2, Int((bottom - top) / 18)))
        case .linear, .sqrt: yAxis = AxisTicks.linear(0...yMax, target: 5, allowOffset: false)
        }
        for t in yAxis.ticks {
            guard let y = fy(t.value) ?? (t.value == 0 ? bottom : nil), y >= top - 0.5, y <= bottom + 0.5 else { continue }
            tickPath += "M\(f(left)) \(f(y))h-4"
            svg.text(t.label, x: left - 7, y: y + 4, role: .axis, size: 11, anchor: "end", cls: "tick-label")
        }
        svg.line("<path class=\"ticks\" d=\"\(tickPath.isEmpty ? "M0 0" : tickPath)\" fill=\"none\" stroke=\"\(axis)\" stroke-width=\"1\"/>")
        // with an offset the tick labels read λ − offset ("λ − 664200")
        let xTitle = xAxis.annotation.isEmpty ? "λ"
            : "λ " + (xAxis.offset > 0 ? "− " : "+ ") + xAxis.annotation.dropFirst()
        svg.text(xTitle, x: right, y: bottom - 5, role: .axis, size: 11, anchor: "end", cls: "axis-label")
        svg.text(yScale == .linear ? "density" : "density (\(yScale.rawValue))", x: rect.x + 2, y: top - 0, role: .axis, size: 10, cls: "axis-label")

        // atoms: marked points on the x axis, with their mass
        for s in series {
            for a in s.spectrum.visibleAtoms where range.contains(a.location / s.scale) {
                let x = fx(a.location / s.scale)
                svg.line("<path class=\"atom-stem\" d=\"M\(f(x)) \(f(bottom))V\(f(top + 16))\" stroke=\"\(svg.color(role: s.role))\" stroke-width=\"1\" stroke-dasharray=\"3 3\" fill=\"none\"/>")
                svg.line("<circle class=\"atom\" cx=\"\(f(x))\" cy=\"\(f(bottom))\" r=\"4.5\" fill=\"\(svg.color(role: s.role))\" stroke=\"\(svg.color(svg.theme.background, background: true))\" stroke-width=\"1\"><title>atom at \(AxisTicks.significant(a.location, 4)), mass \(ScreenLayout.percent(a.mass))</title></circle>")
                svg.text(ScreenLayout.percent(a.mass), x: x + 5, y: top + 14, role: s.role, size: 10, cls: "atom-label")
            }
        }

        // legend (top right)
        var entries: [(String, ColorRole, Bool)] = series.map { ($0.label, $0.role, false) }
        if histogram != nil { entries.append((histogramLabel, .empirical, true)) }
        svg.line("<g class=\"legend\">")
        for (i, (label, role, isBar)) in entries.enumerated() {
            let y = top + 12 + Double(i) * 15
            let x = right - 8 - Double(label.count) * 6.2 - 24
            if isBar {
                svg.line("<rect x=\"\(f(x))\" y=\"\(f(y - 8))\" width=\"18\" height=\"9\" fill=\"\(svg.color(role: role))\" fill-opacity=\"0.55\"/>")
            } else {
                svg.line("<path d=\"M\(f(x)) \(f(y - 4))h18\" stroke=\"\(svg.color(role: role))\" stroke-width=\"2\"/>")
            }
            svg.text(label, x: x + 24, y: y, role: role, size: 11, cls: "legend-label")
        }
        svg.line("</g>")
    }

    // MARK: helpers

    /// Two decimals, no trailing zeros.
    static func f(_ v: Double) -> String {
        var s = String(format: "%.2f", v)
        while s.hasSuffix("0") { s.removeLast() }
        if s.hasSuffix(".") { s.removeLast() }
        return s == "-0" ? "0" : s
    }

    static func xml(_ s: String) -> String {
        var out = ""
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default:
                // characters not allowed in XML 1.0
                if c.value < 0x20 && c != "\n" && c != "\t" && c != "\r" { continue }
                out.unicodeScalars.append(c)
            }
        }
        return out
    }
}

/// Accumulates SVG lines; maps theme roles to colours.
struct SVGBuilder {
    let theme: Theme
    var out = ""
    var ids = 0

    mutating func line(_ s: String) { out += s + "\n" }

    mutating func nextID(_ prefix: String) -> String { ids += 1; return "\(prefix)\(ids)" }

    func color(_ c: ThemeColor, background: Bool = false) -> String {
        guard let (r, g, b) = c.rgbValue else { return background ? "#ffffff" : "#000000" }
        return String(format: "#%02x%02x%02x", r, g, b)
    }

    /// The foreground colour of a role (status-line roles use their foreground too).
    func color(role: ColorRole) -> String {
        if theme.monochrome {
            // monochrome themes: the text colour, against the background
            return color(theme.text)
        }
        return color(theme.colors(for: role).fg)
    }

    mutating func text(_ s: String, x: Double, y: Double, role: ColorRole, size: Double = 12, weight: String? = nil,
                       anchor: String? = nil, cls: String, preserveSpace: Bool = false) {
        var attrs = "class=\"\(cls)\" x=\"\(ViewExport.f(x))\" y=\"\(ViewExport.f(y))\" fill=\"\(color(role: role))\""
        if size != 12 { attrs += " font-size=\"\(ViewExport.f(size))\"" }
        if let weight { attrs += " font-weight=\"\(weight)\"" }
        if let anchor { attrs += " text-anchor=\"\(anchor)\"" }
        if preserveSpace { attrs += " xml:space=\"preserve\"" }
        line("<text \(attrs)>\(ViewExport.xml(s))</text>")
    }
}

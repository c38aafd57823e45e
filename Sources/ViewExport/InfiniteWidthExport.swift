import ExplorerCore
import Foundation
import InfiniteWidth
import LimitLaws
import PlotCanvas

/// The infinite-width regime's exports (RegimeExport.swift).
struct InfiniteWidthExport: RegimeExport {
    func csv(state: ExplorerState, content: FrameContent) -> String { ViewExport.infiniteCSV(state: state, content: content) }
    func jsonSections(state: ExplorerState, content: FrameContent) -> [(String, JSON)] {
        [("infinite_width", ViewExport.infiniteJSON(state: state, content: content))]
    }
    func svg(state: ExplorerState, content: FrameContent, width: Int, height: Int, theme: Theme) -> String {
        ViewExport.infiniteSVG(state: state, content: content, width: width, height: height, theme: theme)
    }
}

/// csv and json of the infinite-width regime: the data behind its plots (series coefficients, sphere
/// eigenvalues with multiplicities, dataset Gram eigenvalues and the linear-width comparison).
extension ViewExport {
    public static let infiniteCSVHeader = "kind,kernel,layer,index,value,multiplicity,bound"

    static func kernelColumns(_ k: InfiniteKernel) -> (String, Int) {
        switch k {
        case .ck(let l): return ("ck", l)
        case .ntk(let l): return ("ntk", l)
        }
    }

    /// Kernels in a fixed order: K_0 … K_L, Θ_1 … Θ_L.
    static func orderedKernels(_ f: InfiniteWidthFrame) -> [InfiniteKernel] {
        let L = f.depth
        return ((0...L).map { InfiniteKernel.ck($0) } + (L >= 1 ? (1...L).map { InfiniteKernel.ntk($0) } : [])).filter { f.kernels[$0] != nil }
    }

    /// `csv` in the infinite-width mode, one tidy table: `hermite` rows (index k, μ_k), `coefficient`
    /// rows (index j, c_j), `sphere` rows (index k, λ_k, N(d,k), truncation bound), `gram` rows
    /// (kernel input/ck/ntk, index i, eigenvalue i, largest first) and, in the compare view, `law`
    /// rows (index = grid point, value = x, multiplicity = density) and `gamma_limit` rows (value = KS, index = factor).
    public static func infiniteCSV(state: ExplorerState, content: FrameContent) -> String {
        let session = Session(state: state)
        var out = "# \(toolVersion) view export (csv, infinite width); the session: \(configLine(session))\n"
        out += "# kind: hermite (index k, value mu_k); coefficient (index j, value c_j of the series); sphere (index k, value lambda_k, multiplicity N(d,k), bound);\n"
        out += "# gram (index i, value = i-th eigenvalue of the Gram on the dataset, largest first); law (compare view: value x, multiplicity = density); gamma_limit (index = factor on every gamma, value = KS); sampled (compare view: i-th eigenvalue of a sampled network's NTK, largest first)\n"
        guard let f = content.infinite else { return out + "# (not computed)\n" + infiniteCSVHeader + "\n" }
        let s = f.request.settings
        out += "# d = \(s.dimension), n = \(s.points), order = \(s.order), seed = \(f.request.seed); \(f.hermiteNote)\n"
        for k in orderedKernels(f) {
            let data = f.kernels[k]!
            let (name, layer) = kernelColumns(k)
            out += "# \(name) \(layer): value at 1 = \(number(data.valueAtOne)), tail = \(number(data.tail))\(data.slope.map { ", sphere slope = \(number($0))" } ?? "")\n"
        }
        if let d = f.dataset {
            for (name, g) in [("input", d.input), ("ck", d.ck), ("ntk", d.ntk)] {
                out += "# gram \(name): trace = \(number(g.trace)), effective rank = \(number(g.effectiveRank)), max share = \(number(g.maxShare)), outliers = \(g.outliers), entry bound = \(number(g.entryErrorBound))\n"
            }
        }
        if let c = f.comparison { out += "# linear-width NTK law (input Marcenko-Pastur n/d, model gammas): KS to the Gram = \(number(c.ks))\n" }
        if let sm = f.sample {
            out += "# sampled network (widths " + sm.widths.map(String.init).joined(separator: ", ") + ", float32, exact NTK): "
            out += sm.eigenvalues == nil ? (sm.note ?? "no spectrum") + "\n"
                : "KS to the Gram = \(sm.ksVsGram.map(number) ?? ""), KS to the law = \(sm.ksVsLaw.map(number) ?? "")\n"
        }
        out += infiniteCSVHeader + "\n"
        for (k, mu) in f.hermite.enumerated() { out += "hermite,sigma,0,\(k),\(number(mu)),,\n" }
        let kernels: [InfiniteKernel]
        switch state.view {
        case .focus, .cdf: kernels = [InfiniteWidthLayout.selectedKernel(state)]
        case .compare: kernels = [.ntk(f.depth)]
        case .layers, .edges: kernels = orderedKernels(f)
        }
        for k in kernels {
            guard let data = f.kernels[k] else { continue }
            let (name, layer) = kernelColumns(k)
            for (j, c) in data.coefficients.enumerated() { out += "coefficient,\(name),\(layer),\(j),\(number(c)),,\n" }
            for r in data.sphere { out += "sphere,\(name),\(layer),\(r.degree),\(number(r.lambda)),\(number(r.multiplicity)),\(number(r.bound))\n" }
        }
        if let d = f.dataset, state.view != .layers {
            for (name, g) in [("input", d.input), ("ck", d.ck), ("ntk", d.ntk)] {
                let layer = name == "input" ? 0 : f.depth
                for (i, e) in g.eigenvalues.enumerated() { out += "gram,\(name),\(layer),\(i),\(number(e)),,\n" }
            }
        }
        if state.view == .compare, let c = f.comparison {
            for (i, (x, y)) in zip(c.law.x, c.law.density).enumerated() { out += "law,ntk,\(f.depth),\(i),\(number(x)),\(number(y)),\n" }
            for g in c.gammaLimit { out += "gamma_limit,ntk,\(f.depth),\(number(g.factor)),\(number(g.ks)),,\n" }
        }
        if state.view == .compare, let e = f.sample?.eigenvalues {
            for (i, v) in e.reversed().enumerated() { out += "sampled,ntk,\(f.depth),\(i),\(number(v)),,\n" }
        }
        return out
    }

    static func gramJSON(_ g: GramSpectrum) -> JSON {
        .object([("eigenvalues", .numbers(g.eigenvalues)), ("trace", .number(g.trace)), ("effective_rank", .number(g.effectiveRank)),
                 ("max_share", .number(g.maxShare)), ("outliers", .int(g.outliers)), ("entry_error_bound", .number(g.entryErrorBound))])
    }

    /// The `infinite_width` object of the json export.
    static func infiniteJSON(state: ExplorerState, content: FrameContent) -> JSON {
        guard let f = content.infinite else { return .null }
        let s = f.request.settings
        var root: [(String, JSON)] = [
            ("dimension", .int(s.dimension)), ("points", .int(s.points)), ("order", .int(s.order)),
            ("seed", .string(String(f.request.seed))), ("complete", .bool(f.complete)),
            ("hermite", .object([("mu", .numbers(f.hermite)), ("note", .string(f.hermiteNote))])),
        ]
        root.append(("kernels", .array(orderedKernels(f).map { k in
            let d = f.kernels[k]!
            let (name, layer) = kernelColumns(k)
            return .object([
                ("kernel", .string(name)), ("layer", .int(layer)), ("value_at_one", .number(d.valueAtOne)), ("tail", .number(d.tail)),
                ("coefficients", .numbers(d.coefficients)),
                ("sphere", .object([("degree", .array(d.sphere.map { .int($0.degree) })), ("multiplicity", .numbers(d.sphere.map(\.multiplicity))),
                                    ("lambda", .numbers(d.sphere.map(\.lambda))), ("bound", .numbers(d.sphere.map(\.bound))),
                                    ("trace_share", .numbers(d.sphere.map(\.share)))])),
                ("sphere_slope", d.slope.map { .number($0) } ?? .null),
            ])
        })))
        if let d = f.dataset {
            root.append(("gram", .object([("input", gramJSON(d.input)), ("ck", gramJSON(d.ck)), ("ntk", gramJSON(d.ntk))])))
        }
        if let c = f.comparison {
            root.append(("comparison", .object([
                ("kernel", .string("ntk")), ("ks", .number(c.ks)),
                ("law", .object([("x", .numbers(c.law.x)), ("density", .numbers(c.law.density)),
                                 ("atoms", .array(c.law.atoms.map { .object([("x", .number($0.location)), ("mass", .number($0.mass))]) })),
                                 ("mean", .number(c.law.mean)), ("second_moment", .number(c.law.secondMoment))])),
                ("gamma_limit", .array(c.gammaLimit.map { .object([("factor", .number($0.factor)), ("ks", .number($0.ks)),
                                                                   ("law_second_moment", .number($0.lawSecondMoment))]) })),
            ])))
        }
        if let sm = f.sample {
            root.append(("sample", .object([
                ("kernel", .string("ntk")), ("widths", .array(sm.widths.map { .int($0) })), ("precision", .string("float32")),
                ("eigenvalues", sm.eigenvalues.map { .numbers(Array($0.reversed())) } ?? .null),
                ("ks_to_gram", sm.ksVsGram.map { .number($0) } ?? .null), ("ks_to_law", sm.ksVsLaw.map { .number($0) } ?? .null),
                ("note", sm.note.map { .string($0) } ?? .null),
            ])))
        }
        if let e = f.error { root.append(("error", .string(e))) }
        return .object(root)
    }
}

// MARK: SVG

extension ViewExport {
    /// `svg` in the infinite-width mode: simple vector line plots of the view (log10 axes are
    /// labelled in decades), the session embedded as in the linear-width figure.
    static func infiniteSVG(state: ExplorerState, content: FrameContent, width: Int, height: Int, theme: Theme) -> String {
        let W = Double(max(40, width)) * svgCell.width, H = Double(max(12, height)) * svgCell.height
        var svg = SVGBuilder(theme: theme)
        let session = Session(state: state)
        svg.line("<?xml version=\"1.0\" encoding=\"UTF-8\"?>")
        svg.line("<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"\(f(W))\" height=\"\(f(H))\" viewBox=\"0 0 \(f(W)) \(f(H))\" font-family=\"\(svgFontStack)\" font-size=\"12\">")
        svg.line("<title>ntkscope infinite-width \(xml(state.view.rawValue)) view</title>")
        svg.line("<desc>\(xml(configLine(session)))</desc>")
        let toml = SessionFile.encode(session).replacingOccurrences(of: "]]>", with: "]]]]><![CDATA[>")
        svg.line("<metadata><![CDATA[\n\(toml)]]></metadata>")
        svg.line("<rect class=\"background\" x=\"0\" y=\"0\" width=\"\(f(W))\" height=\"\(f(H))\" fill=\"\(svg.color(theme.background, background: true))\"/>")
        let s = state.infinite
        svg.text("ntkscope · infinite width · σ = \(state.model.activation.name) · L = \(state.depth) · d = \(s.dimension) · n = \(s.points) · order \(s.order)",
                 x: 12, y: 20, role: .title, size: 15, weight: "bold", cls: "header")
        guard let frame = content.infinite else {
            svg.text("(not computed)", x: 12, y: 44, role: .dim, cls: "header")
            svg.line("</svg>")
            return svg.out
        }
        let body = (x: 8.0, y: 40.0, w: W - 16, h: H - 48)
        func logs(_ v: [Double], scale: Double = 1) -> [(Double, Double)] {
            v.enumerated().compactMap { $0.element > 0 ? (Double($0.offset), log10($0.element / scale)) : nil }
        }
        func sphere(_ rows: [SphereRow]) -> [(Double, Double)] {
            rows.compactMap { $0.degree >= 1 && $0.lambda > 0 ? (log10(Double($0.degree)), log10($0.lambda)) : nil }
        }
        let L = frame.depth
        switch state.view {
        case .cdf, .edges:
            svg.text("(the \(state.view.rawValue) view is a linear-width view)", x: 12, y: 44, role: .dim, cls: "header")
        case .layers:
            let n = L + 1
            let cols = Int(Double(n).squareRoot().rounded(.up)), rows = (n + cols - 1) / cols
            let pw = body.w / Double(cols), ph = body.h / Double(rows)
            for i in 0...L {
                let r = (x: body.x + Double(i % cols) * pw, y: body.y + Double(i / cols) * ph, w: pw - 12, h: ph - 12)
                if i == 0 {
                    var series = [(ColorRole.theory, logs(frame.hermite.map { $0 * $0 }).filter { $0.0 >= 1 })]
                    if let t = frame.kernels[.ntk(L)] { series.append((.seriesB, logs(t.coefficients, scale: t.valueAtOne).filter { $0.0 >= 1 })) }
                    xyPanel(&svg, rect: r, title: "σ = \(frame.request.activation.name): μ_k² and Θ_\(L) c_j/Θ_\(L)(1)", xLabel: "k", logX: false, series: series)
                } else {
                    let series = [(ColorRole.seriesA, logs(frame.kernels[.ck(i)]?.coefficients ?? [])),
                                  (ColorRole.seriesB, logs(frame.kernels[.ntk(i)]?.coefficients ?? []))]
                    xyPanel(&svg, rect: (r.x, r.y, r.w, r.h * 0.5 - 6), title: "ℓ = \(i): log10 c_j of K_\(i) and Θ_\(i)", xLabel: "j", logX: false, series: series)
                    let sph = [(ColorRole.seriesA, sphere(frame.kernels[.ck(i)]?.sphere ?? [])),
                               (ColorRole.seriesB, sphere(frame.kernels[.ntk(i)]?.sphere ?? []))]
                    xyPanel(&svg, rect: (r.x, r.y + r.h * 0.5 + 6, r.w, r.h * 0.5 - 6), title: "sphere S^\(s.dimension - 1): λ_k vs k", xLabel: "k", logX: true, series: sph)
                }
            }
        case .focus:
            let k = InfiniteWidthLayout.selectedKernel(state)
            let data = frame.kernels[k]
            let name = InfiniteWidthLayout.name(k)
            xyPanel(&svg, rect: (body.x, body.y, body.w, body.h * 0.55 - 8), title: "\(name): sphere eigenvalues λ_k (log-log)", xLabel: "k", logX: true,
                    series: [(.theory, sphere(data?.sphere ?? []))])
            xyPanel(&svg, rect: (body.x, body.y + body.h * 0.55 + 8, body.w, body.h * 0.45 - 8), title: "\(name): coefficients log10 c_j", xLabel: "j", logX: false,
                    series: [(.seriesA, logs(data?.coefficients ?? []))])
        case .compare:
            guard let d = frame.dataset, let c = frame.comparison else { break }
            let ev = d.ntk.eigenvalues
            let sampled = frame.sample?.eigenvalues ?? []
            let lo = min(c.law.fullRange.lowerBound, ev.min() ?? 0, sampled.min() ?? .infinity)
            let hi = max(c.law.fullRange.upperBound, ev.max() ?? 1, sampled.max() ?? -.infinity)
            func steps(_ values: [Double], bins: Int) -> [(Double, Double)] {
                let w = (hi - lo) / Double(bins)
                var counts = Array(repeating: 0.0, count: bins)
                for e in values where w > 0 { counts[min(bins - 1, max(0, Int((e - lo) / w)))] += 1 }
                var hist: [(Double, Double)] = []
                for (i, n) in counts.enumerated() {
                    let y = w > 0 ? n / (Double(max(1, values.count)) * w) : 0
                    hist += [(lo + Double(i) * w, y), (lo + Double(i + 1) * w, y)]
                }
                return hist
            }
            let hist = steps(ev, bins: 60)
            var series: [(ColorRole, [(Double, Double)])] = [(.seriesA, hist), (.seriesB, Array(zip(c.law.x, c.law.density)))]
            var sampleTitle = ""
            if !sampled.isEmpty, let sm = frame.sample {
                series.append((.empirical, steps(sampled, bins: 30)))
                sampleTitle = "; sampled network (empirical colour): KS to Gram \(sm.ksVsGram.map { String(format: "%.4f", $0) } ?? "–"), to law \(sm.ksVsLaw.map { String(format: "%.4f", $0) } ?? "–")"
            }
            xyPanel(&svg, rect: (body.x, body.y, body.w, body.h), title: "Θ_\(L): infinite-width Gram (histogram) vs linear-width law (curve); KS = \(String(format: "%.4f", c.ks)); γ → 0: "
                        + c.gammaLimit.map { "×\(ModelSummary.format($0.factor)) KS \(String(format: "%.3f", $0.ks))" }.joined(separator: ", ") + sampleTitle,
                    xLabel: "eigenvalue", logX: false, logY: false, series: series)
        }
        svg.line("</svg>")
        return svg.out
    }

    /// One panel: frame, title, polylines; y in log10 units (labelled as decades) unless `logY` is false.
    static func xyPanel(_ svg: inout SVGBuilder, rect r: (Double, Double, Double, Double), title: String, xLabel: String, logX: Bool,
                        logY: Bool = true, series: [(ColorRole, [(Double, Double)])]) {
        let (x0, y0, w, h) = r
        svg.text(title, x: x0 + 4, y: y0 + 14, role: .title, weight: "bold", cls: "title")
        // below the plot: a row of x ticks, then the axis label on its own row (never over a tick)
        let left = x0 + 52, right = x0 + w - 8, top = y0 + 24, bottom = y0 + h - 32
        guard right > left + 10, bottom > top + 10 else { return }
        let pts = series.flatMap(\.1).filter { $0.0.isFinite && $0.1.isFinite }
        guard let xmin = pts.map(\.0).min(), let xmax = pts.map(\.0).max(), var ymin = pts.map(\.1).min(), var ymax = pts.map(\.1).max() else { return }
        if logY { ymax = ymax.rounded(.up); ymin = max(ymin.rounded(.down), ymax - 18) } else { ymin = min(0, ymin) }
        if ymax <= ymin { ymax = ymin + 1 }
        let xhi = xmax > xmin ? xmax : xmin + 1
        func fx(_ v: Double) -> Double { left + (v - xmin) / (xhi - xmin) * (right - left) }
        func fy(_ v: Double) -> Double { bottom - (min(ymax, max(ymin, v)) - ymin) / (ymax - ymin) * (bottom - top) }
        let axis = svg.color(role: .axis)
        svg.line("<path class=\"axis\" d=\"M\(f(left)) \(f(top))V\(f(bottom))H\(f(right))\" stroke=\"\(axis)\" fill=\"none\" stroke-width=\"1\"/>")
        for v in [ymin, (ymin + ymax) / 2, ymax] {
            let label = logY ? "1e\(Int(v.rounded()))" : AxisTicks.significant(v, 3)
            svg.text(label, x: left - 4, y: fy(v) + 4, role: .axis, size: 10, anchor: "end", cls: "tick-label")
        }
        for (v, anchor) in [(xmin, "start"), ((xmin + xhi) / 2, "middle"), (xhi, "end")] {
            let label = logX ? AxisTicks.significant(pow(10, v), 3) : AxisTicks.significant(v, 3)
            svg.text(label, x: fx(v), y: bottom + 14, role: .axis, size: 10, anchor: anchor, cls: "tick-label")
        }
        svg.text(xLabel, x: (left + right) / 2, y: bottom + 27, role: .dim, size: 10, anchor: "middle", cls: "axis-label")
        for (role, p) in series {
            let d = p.filter { $0.0.isFinite && $0.1.isFinite && $0.1 >= ymin }.map { "\(f(fx($0.0))),\(f(fy($0.1)))" }
            guard !d.isEmpty else { continue }
            svg.line("<polyline class=\"line\" points=\"\(d.joined(separator: " "))\" fill=\"none\" stroke=\"\(svg.color(role: role))\" stroke-width=\"1.5\" stroke-linejoin=\"round\"/>")
        }
    }
}

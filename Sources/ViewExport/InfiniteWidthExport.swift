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
/// eigenvalues with exact multiplicities, exact kernel curves, dataset Gram eigenvalues and the
/// linear-width comparison).
extension ViewExport {
    public static let infiniteCSVHeader = "kind,kernel,layer,index,value,multiplicity,bound,log10_multiplicity,method,resolved"

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

    /// Θ(1)/c₁ as a number, or nil when c₁ = 0 (no bound: no sentinel value in the data).
    static func finite(_ x: Double) -> Double? { x.isFinite ? x : nil }

    /// `csv` in the infinite-width mode, one tidy table: `hermite` rows (index k, μ_k), `coefficient`
    /// rows (index j, c_j), `sphere` rows (index k, λ_k, N(d,k) as an exact integer, bound, log10 N,
    /// method, resolved), `gram` rows (kernel input/ck/ntk, index i, eigenvalue i, largest first); in the
    /// kernel view `rho` rows (index i, ρ_i) and `kernel` rows (kernel ck/ntk/ck_derivative/ntk_series,
    /// layer ℓ, index i, the kernel at ρ_i; ntk_series rows carry the bound); in the compare view `law`
    /// rows (index = grid point, value = x, multiplicity = density), `gamma_limit` rows (value = KS,
    /// index = factor) and `sampled` rows.
    public static func infiniteCSV(state: ExplorerState, content: FrameContent) -> String {
        let session = Session(state: state)
        var out = "# \(toolVersion) view export (csv, infinite width); the session: \(configLine(session))\n"
        out += "# kind: hermite (index k, value mu_k); coefficient (index j, value c_j of the series); sphere (index k, value lambda_k, multiplicity N(d,k) exactly, bound, log10_multiplicity, method series|quadrature, resolved = bound <= 1% of lambda_k);\n"
        out += "# gram (index i, value = i-th eigenvalue of the Gram on the dataset, largest first); rho and kernel (kernel view: index i, rho_i; kernel ck|ntk|ck_derivative|ntk_series at rho_i, exact except ntk_series, whose bound column bounds its error); law (compare view: value x, multiplicity = density); gamma_limit (index = factor on every gamma, value = KS); sampled (compare view: i-th eigenvalue of a sampled network's NTK, largest first)\n"
        guard let f = content.infinite else { return out + "# (not computed)\n" + infiniteCSVHeader + "\n" }
        let s = f.request.settings
        out += "# d = \(s.dimension), n = \(s.points), order = \(s.order) (limit \(KernelSeries.maxOrder)), seed = \(f.request.seed), points: \(s.data?.source ?? "uniform on the sphere"); \(f.hermiteNote)\n"
        out += "# initialisation: \(s.initialisation.summary); pre-activation variances \(f.variances.map(number).joined(separator: ";"))\(f.lowOrdersExact ? "" : "; note: sigma's Hermite series was cut in a re-expansion, every bound is the whole tail")\n"
        out += "# mu_0 = \(number(f.mu0)); sum of mu_k^2 above the order = \(number(f.hermiteTail))\n"
        for k in orderedKernels(f) {
            let data = f.kernels[k]!
            let (name, layer) = kernelColumns(k)
            var line = "# \(name) \(layer): value at 1 = \(number(data.valueAtOne)), tail = \(number(data.tail)), constant c_0 = \(number(data.constant)) (share \(number(data.constantShare)))"
            if let fit = data.fit {
                line += ", sphere decay fit over k = \(fit.window.lowerBound)..\(fit.window.upperBound): " + (fit.slope.map { "slope \(number($0)) on \(fit.resolved.count) resolved degrees" } ?? "none (fewer than 3 resolved degrees)")
                line += ", theory \(fit.theory ?? "not known")"
            }
            out += line + "\n"
        }
        if let d = f.dataset {
            for (name, g) in [("input", d.input), ("ck", d.ck), ("ntk", d.ntk)] {
                out += "# gram \(name): trace = \(number(g.trace)), effective rank = \(number(g.effectiveRank)), max share = \(number(g.maxShare)), lambda_min = \(number(g.lambdaMin))\(g.lambdaMinIsTruncationLimited ? " (below the truncation bound)" : ""), numerical rank = \(g.numericalRank), outliers = \(g.outliers), entries: \(g.source), entry bound = \(number(g.entryErrorBound))\n"
            }
            out += "# theorem 4.3: r(ntk)/r(input) = \(number(d.ntkToInputEffectiveRank)) <= ntk(1)/c_1 = \(finite(d.ntkBoundConstant).map(number) ?? "none (c_1 = 0)"): \(d.theorem43Holds ? "holds" : "FAILS")\n"
        }
        if let c = f.comparison { out += "# linear-width NTK law (input \(c.inputLaw), model gammas): KS to the Gram = \(number(c.ks))\(s.initialisation.isStandard ? "" : "; the law is Fan-Wang's network, not this initialisation")\n" }
        if let sm = f.sample {
            out += "# sampled network (widths " + sm.widths.map(String.init).joined(separator: ", ") + ", float32, exact NTK): "
            out += sm.eigenvalues == nil ? (sm.note ?? "no spectrum") + "\n"
                : "KS to the Gram = \(sm.ksVsGram.map(number) ?? ""), KS to the law = \(sm.ksVsLaw.map(number) ?? "")\n"
        }
        out += infiniteCSVHeader + "\n"
        for (k, mu) in f.hermite.enumerated() { out += "hermite,sigma,0,\(k),\(number(k == 0 ? f.mu0 : mu)),,,,,\n" }
        let kernels: [InfiniteKernel]
        switch state.view {
        case .focus: kernels = [InfiniteWidthLayout.selectedKernel(state)]
        case .compare: kernels = [.ntk(f.depth)]
        case .layers, .edges, .cdf: kernels = orderedKernels(f)
        }
        for k in kernels {
            guard let data = f.kernels[k] else { continue }
            let (name, layer) = kernelColumns(k)
            for (j, c) in data.coefficients.enumerated() { out += "coefficient,\(name),\(layer),\(j),\(number(c)),,,,,\n" }
            for r in data.sphere {
                out += "sphere,\(name),\(layer),\(r.degree),\(number(r.lambda)),\(r.multiplicityText),\(number(r.bound)),\(number(r.log10Multiplicity)),\(r.method.rawValue),\(r.isResolved)\n"
            }
        }
        if state.view == .cdf, let p = f.profile {
            for (i, r) in p.rho.enumerated() { out += "rho,,,\(i),\(number(r)),,,,,\n" }
            for (l, row) in p.ck.enumerated() { for (i, v) in row.enumerated() { out += "kernel,ck,\(l),\(i),\(number(v)),,,,\(p.method),\n" } }
            for (l, row) in p.derivative.enumerated() where l >= 1 { for (i, v) in row.enumerated() { out += "kernel,ck_derivative,\(l),\(i),\(number(v)),,,,\(p.method),\n" } }
            for (l, row) in p.ntk.enumerated() { for (i, v) in row.enumerated() { out += "kernel,ntk,\(l),\(i),\(number(v)),,,,\(p.method),\n" } }
            for (i, v) in p.seriesNTK.enumerated() {
                out += "kernel,ntk_series,\(f.depth),\(i),\(number(v)),,\(i < p.seriesBound.count ? number(p.seriesBound[i]) : ""),,series,\n"
            }
        }
        if let d = f.dataset, state.view == .focus || state.view == .compare {
            for (name, g) in [("input", d.input), ("ck", d.ck), ("ntk", d.ntk)] {
                let layer = name == "input" ? 0 : f.depth
                for (i, e) in g.eigenvalues.enumerated() { out += "gram,\(name),\(layer),\(i),\(number(e)),,,,\(g.source),\n" }
            }
        }
        if state.view == .compare, let c = f.comparison {
            for (i, (x, y)) in zip(c.law.x, c.law.density).enumerated() { out += "law,ntk,\(f.depth),\(i),\(number(x)),\(number(y)),,,,\n" }
            for g in c.gammaLimit { out += "gamma_limit,ntk,\(f.depth),\(number(g.factor)),\(number(g.ks)),,,,,\n" }
        }
        if state.view == .compare, let e = f.sample?.eigenvalues {
            for (i, v) in e.reversed().enumerated() { out += "sampled,ntk,\(f.depth),\(i),\(number(v)),,,,,\n" }
        }
        return out
    }

    static func gramJSON(_ g: GramSpectrum) -> JSON {
        .object([("eigenvalues", .numbers(g.eigenvalues)), ("trace", .number(g.trace)), ("effective_rank", .number(g.effectiveRank)),
                 ("max_share", .number(g.maxShare)), ("lambda_min", .number(g.lambdaMin)),
                 ("lambda_min_truncation_limited", .bool(g.lambdaMinIsTruncationLimited)), ("numerical_rank", .int(g.numericalRank)),
                 ("outliers", .int(g.outliers)), ("source", .string(g.source)), ("entry_error_bound", .number(g.entryErrorBound)),
                 ("eigenvalue_error_bound", .number(g.eigenvalueErrorBound))])
    }

    /// The `infinite_width` object of the json export.
    static func infiniteJSON(state: ExplorerState, content: FrameContent) -> JSON {
        guard let f = content.infinite else { return .null }
        let s = f.request.settings
        let i = s.initialisation
        var root: [(String, JSON)] = [
            ("dimension", .int(s.dimension)), ("points", .int(s.points)), ("order", .int(s.order)), ("max_order", .int(KernelSeries.maxOrder)),
            ("seed", .string(String(f.request.seed))), ("data", s.data.map { .string($0.source) } ?? .null), ("complete", .bool(f.complete)),
            ("initialisation", .object([("weight_variance", .number(i.weightVariance)), ("bias_variance", .number(i.biasVariance)),
                                        ("centre", .bool(i.centre)), ("normalise", .bool(i.normalise)), ("variances", .numbers(f.variances)),
                                        ("low_orders_exact", .bool(f.lowOrdersExact))])),
            ("hermite", .object([("mu", .numbers([f.mu0] + f.hermite.dropFirst())), ("tail_above_order", .number(f.hermiteTail)),
                                 ("note", .string(f.hermiteNote))])),
        ]
        root.append(("kernels", .array(orderedKernels(f).map { k in
            let d = f.kernels[k]!
            let (name, layer) = kernelColumns(k)
            return .object([
                ("kernel", .string(name)), ("layer", .int(layer)), ("value_at_one", .number(d.valueAtOne)), ("tail", .number(d.tail)),
                ("constant_term", .object([("value", .number(d.constant)), ("share", .number(d.constantShare))])),
                ("coefficients", .numbers(d.coefficients)),
                // N(d, k) exceeds 2⁵³ (and JSON numbers' precision) already at moderate d, k: exact decimal strings
                ("sphere", .object([("degree", .array(d.sphere.map { .int($0.degree) })),
                                    ("multiplicity", .array(d.sphere.map { .string($0.multiplicityText) })),
                                    ("log10_multiplicity", .numbers(d.sphere.map(\.log10Multiplicity))),
                                    ("lambda", .numbers(d.sphere.map(\.lambda))),
                                    ("log10_lambda", .numbers(d.sphere.map(\.log10Lambda))),
                                    ("bound", .numbers(d.sphere.map(\.bound))),
                                    ("trace_share", .numbers(d.sphere.map(\.share))),
                                    ("method", .array(d.sphere.map { .string($0.method.rawValue) })),
                                    ("resolved", .array(d.sphere.map { .bool($0.isResolved) }))])),
                ("decay_fit", d.fit.map { fit in .object([
                    ("slope", fit.slope.map { .number($0) } ?? .null),
                    ("window", .array([.int(fit.window.lowerBound), .int(fit.window.upperBound)])),
                    ("degrees", .array(fit.resolved.map { .int($0) })), ("unresolved", .array(fit.unresolved.map { .int($0) })),
                    ("theory", fit.theory.map { .string($0) } ?? .null)]) } ?? .null),
                ("sphere_slope", d.slope.map { .number($0) } ?? .null),
            ])
        })))
        if let p = f.profile {
            root.append(("kernel_profile", .object([
                ("method", .string(p.method)), ("rho", .numbers(p.rho)),
                ("ck", .array(p.ck.map { .numbers($0) })),
                ("ck_derivative", .array(p.derivative.map { .numbers($0) })),
                ("ntk", .array(p.ntk.map { .numbers($0) })),
                ("ntk_series", .numbers(p.seriesNTK)), ("ntk_series_bound", .numbers(p.seriesBound)),
            ])))
        }
        if let d = f.dataset {
            root.append(("gram", .object([("input", gramJSON(d.input)), ("ck", gramJSON(d.ck)), ("ntk", gramJSON(d.ntk)),
                                          ("theorem_4_3", .object([("effective_rank_ratio", .number(d.ntkToInputEffectiveRank)),
                                                                   ("bound_constant", finite(d.ntkBoundConstant).map { .number($0) } ?? .null),
                                                                   ("holds", .bool(d.theorem43Holds))]))])))
        }
        if let c = f.comparison {
            root.append(("comparison", .object([
                ("kernel", .string("ntk")), ("input_law", .string(c.inputLaw)), ("same_network", .bool(s.initialisation.isStandard)),
                ("ks", .number(c.ks)),
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
    /// `svg` in the infinite-width mode: vector line plots of the view (log10 axes are labelled in
    /// decades), the session embedded as in the linear-width figure.
    static func infiniteSVG(state: ExplorerState, content: FrameContent, width: Int, height: Int, theme: Theme) -> String {
        let W = Double(max(40, width)) * svgCell.width, H = Double(max(12, height)) * svgCell.height
        var svg = SVGBuilder(theme: theme)
        let session = Session(state: state)
        svg.line("<?xml version=\"1.0\" encoding=\"UTF-8\"?>")
        svg.line("<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"\(f(W))\" height=\"\(f(H))\" viewBox=\"0 0 \(f(W)) \(f(H))\" font-family=\"\(svgFontStack)\" font-size=\"12\">")
        svg.line("<title>ntkscope infinite-width \(xml(state.currentRegime.viewTitle(state.view))) view</title>")
        svg.line("<desc>\(xml(configLine(session)))</desc>")
        let toml = SessionFile.encode(session).replacingOccurrences(of: "]]>", with: "]]]]><![CDATA[>")
        svg.line("<metadata><![CDATA[\n\(toml)]]></metadata>")
        svg.line("<rect class=\"background\" x=\"0\" y=\"0\" width=\"\(f(W))\" height=\"\(f(H))\" fill=\"\(svg.color(theme.background, background: true))\"/>")
        let s = state.infinite
        svg.text("ntkscope · infinite width · σ = \(state.model.activation.name) · L = \(state.depth) · \(s.inputDescription) · d = \(s.dimension) · n = \(s.points) · order \(s.order) · \(s.initialisationText)",
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
            rows.compactMap { $0.degree >= 1 && $0.log10Lambda.isFinite ? (log10(Double($0.degree)), $0.log10Lambda) : nil }
        }
        let L = frame.depth
        switch state.view {
        case .edges:
            svg.text("(the edges view is a linear-width view)", x: 12, y: 44, role: .dim, cls: "header")
        case .cdf:
            guard let p = frame.profile else { svg.text("(the exact kernels are not computed)", x: 12, y: 44, role: .dim, cls: "header"); break }
            let l = min(state.selection, L)
            func curves(_ values: [[Double]], from: Int, role: ColorRole) -> [(ColorRole, [(Double, Double)])] {
                values.indices.filter { $0 >= from && $0 != l }.map { (ColorRole.dim, Array(zip(p.rho, values[$0]))) }
                    + (values.indices.contains(l) && l >= from ? [(role, Array(zip(p.rho, values[l])))] : [])
            }
            let pw = body.w / 2, ph = body.h / 2
            xyPanel(&svg, rect: (body.x, body.y, pw - 8, ph - 8), title: "K_ℓ(ρ), ℓ = 0…\(L) (ℓ = \(l) highlighted), \(p.method)", xLabel: "ρ",
                    logX: false, logY: false, series: curves(p.ck, from: 0, role: .seriesA))
            xyPanel(&svg, rect: (body.x + pw, body.y, pw - 8, ph - 8), title: "Θ_ℓ(ρ), ℓ = 0…\(L)", xLabel: "ρ",
                    logX: false, logY: false, series: curves(p.ntk, from: 0, role: .seriesB))
            if L >= 1 {
                xyPanel(&svg, rect: (body.x, body.y + ph, pw - 8, ph - 8), title: "K̇_ℓ(ρ), ℓ = 1…\(L): derivative kernels", xLabel: "ρ",
                        logX: false, logY: false, series: curves(p.derivative, from: 1, role: .theory))
            }
            if let exact = p.ntk.last, p.seriesNTK.count == exact.count, p.seriesBound.count == exact.count {
                let err = exact.indices.compactMap { i -> (Double, Double)? in
                    let e = abs(p.seriesNTK[i] - exact[i]); return e > 0 ? (p.rho[i], log10(e)) : nil
                }
                let bound = p.rho.indices.compactMap { i -> (Double, Double)? in p.seriesBound[i] > 0 ? (p.rho[i], log10(p.seriesBound[i])) : nil }
                xyPanel(&svg, rect: (body.x + pw, body.y + ph, pw - 8, ph - 8),
                        title: "Θ_\(L): |series − exact| (order \(s.order)) and its bound (dim)", xLabel: "ρ", logX: false,
                        series: [(.dim, bound), (.seriesA, err)])
            }
        case .layers:
            let n = L + 1
            let cols = Int(Double(n).squareRoot().rounded(.up)), rows = (n + cols - 1) / cols
            let pw = body.w / Double(cols), ph = body.h / Double(rows)
            for i in 0...L {
                let r = (x: body.x + Double(i % cols) * pw, y: body.y + Double(i / cols) * ph, w: pw - 12, h: ph - 12)
                if i == 0 {
                    var series = [(ColorRole.theory, logs(frame.hermite.map { $0 * $0 }).filter { $0.0 >= 1 })]
                    if let t = frame.kernels[.ntk(L)] { series.append((.seriesB, logs(t.coefficients, scale: t.valueAtOne).filter { $0.0 >= 1 })) }
                    xyPanel(&svg, rect: r, title: "σ = \(frame.request.activation.name): μ_k² and Θ_\(L) c_j/Θ_\(L)(1); μ₀ = \(AxisTicks.significant(frame.mu0, 3))",
                            xLabel: "k", logX: false, series: series)
                } else {
                    let series = [(ColorRole.seriesA, logs(frame.kernels[.ck(i)]?.coefficients ?? [])),
                                  (ColorRole.seriesB, logs(frame.kernels[.ntk(i)]?.coefficients ?? []))]
                    let c0 = frame.kernels[.ntk(i)].map { $0.constant > 0 ? "; c₀ \(ScreenLayout.percent($0.constantShare)) of Θ_\(i)(1)" : "" } ?? ""
                    xyPanel(&svg, rect: (r.x, r.y, r.w, r.h * 0.5 - 6), title: "ℓ = \(i): log10 c_j of K_\(i) and Θ_\(i)" + c0, xLabel: "j", logX: false, series: series)
                    let sph = [(ColorRole.seriesA, sphere(frame.kernels[.ck(i)]?.sphere ?? [])),
                               (ColorRole.seriesB, sphere(frame.kernels[.ntk(i)]?.sphere ?? []))]
                    let fit = frame.kernels[.ntk(i)]?.fit
                    let fitText = fit?.slope.map { "; Θ slope \(AxisTicks.significant($0, 3))" + (fit?.theory.map { " (theory \($0))" } ?? "") } ?? ""
                    xyPanel(&svg, rect: (r.x, r.y + r.h * 0.5 + 6, r.w, r.h * 0.5 - 6), title: "sphere S^\(s.dimension - 1): λ_k vs k" + fitText,
                            xLabel: "k", logX: true, series: sph)
                }
            }
        case .focus:
            let k = InfiniteWidthLayout.selectedKernel(state)
            let data = frame.kernels[k]
            let name = InfiniteWidthLayout.name(k)
            let bound = (data?.sphere ?? []).compactMap { $0.degree >= 1 && $0.bound > 0 ? (log10(Double($0.degree)), log10($0.bound)) : nil }
            let fit = data?.fit
            let fitText = fit?.slope.map { "; slope \(AxisTicks.significant($0, 3)) over \(fit!.resolved.count) resolved degrees" + (fit?.theory.map { ", theory \($0)" } ?? "") } ?? ""
            xyPanel(&svg, rect: (body.x, body.y, body.w, body.h * 0.55 - 8), title: "\(name): sphere eigenvalues λ_k and their bound (dim), log-log" + fitText,
                    xLabel: "k", logX: true, series: [(.dim, bound), (.theory, sphere(data?.sphere ?? []))])
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
            xyPanel(&svg, rect: (body.x, body.y, body.w, body.h), title: "Θ_\(L): infinite-width Gram (histogram) vs linear-width law (curve, input \(c.inputLaw)); KS = \(String(format: "%.4f", c.ks)); γ → 0: "
                        + c.gammaLimit.map { "×\(ModelSummary.format($0.factor)) KS \(String(format: "%.3f", $0.ks))" }.joined(separator: ", ") + sampleTitle,
                    xLabel: "eigenvalue", logX: false, logY: false, series: series)
        }
        svg.line("</svg>")
        return svg.out
    }

    /// One panel: frame, title, polylines; y in log10 units (labelled as decades) unless `logY` is
    /// false; x in log10 units when `logX`. Ticks come from the shared tick model (`XYPlot.labelling`:
    /// `AxisTicks.linear` and `AxisTicks.decades`), as on the screen.
    static func xyPanel(_ svg: inout SVGBuilder, rect r: (Double, Double, Double, Double), title: String, xLabel: String, logX: Bool,
                        logY: Bool = true, series: [(ColorRole, [(Double, Double)])]) {
        let (x0, y0, w, h) = r
        svg.text(title, x: x0 + 4, y: y0 + 14, role: .title, weight: "bold", cls: "title")
        // below the plot: a row of x ticks, then the axis label on its own row (never over a tick)
        let left = x0 + 52, right = x0 + w - 8, top = y0 + 24, bottom = y0 + h - 32
        guard right > left + 10, bottom > top + 10 else { return }
        let pts = series.flatMap(\.1).filter { $0.0.isFinite && $0.1.isFinite }
        guard let xmin = pts.map(\.0).min(), let xmax = pts.map(\.0).max(), var ymin = pts.map(\.1).min(), var ymax = pts.map(\.1).max() else { return }
        if logY { ymax = ymax.rounded(.up); ymin = max(ymin.rounded(.down), ymax - 18) } else {
            let pad = 0.05 * max(1e-12, ymax - ymin)
            ymin = ymin > 0 && ymin < 0.5 * ymax ? 0 : ymin - pad; ymax += pad
        }
        if ymax <= ymin { ymax = ymin + 1 }
        let xhi = xmax > xmin ? xmax : xmin + 1
        func fx(_ v: Double) -> Double { left + (v - xmin) / (xhi - xmin) * (right - left) }
        func fy(_ v: Double) -> Double { bottom - (min(ymax, max(ymin, v)) - ymin) / (ymax - ymin) * (bottom - top) }
        let axis = svg.color(role: .axis)
        svg.line("<path class=\"axis\" d=\"M\(f(left)) \(f(top))V\(f(bottom))H\(f(right))\" stroke=\"\(axis)\" fill=\"none\" stroke-width=\"1\"/>")
        // about one y tick per 40 px and one x tick per 80 px, as the terminal's one per two rows / eight columns
        let yTicks = XYPlot.labelling(ymin...ymax, log: logY, target: max(2, Int((bottom - top) / 40)), axisLength: nil)
        for t in yTicks.ticks where t.value >= ymin && t.value <= ymax {
            svg.line("<path class=\"tick\" d=\"M\(f(left - 4)) \(f(fy(t.value)))H\(f(left))\" stroke=\"\(axis)\" stroke-width=\"1\"/>")
            svg.text(t.label, x: left - 6, y: fy(t.value) + 4, role: .axis, size: 10, anchor: "end", cls: "tick-label")
        }
        if !yTicks.annotation.isEmpty { svg.text(yTicks.annotation, x: left + 4, y: top - 2, role: .axis, size: 10, cls: "tick-label") }
        let xTicks = XYPlot.labelling(xmin...xhi, log: logX, target: max(2, Int((right - left) / 80)), axisLength: Int((right - left) / svgCell.width))
        for t in xTicks.ticks where t.value >= xmin && t.value <= xhi {
            svg.line("<path class=\"tick\" d=\"M\(f(fx(t.value))) \(f(bottom))V\(f(bottom + 4))\" stroke=\"\(axis)\" stroke-width=\"1\"/>")
            // a label at either end of the axis is anchored inside the plot's width
            let x = fx(t.value)
            let anchor = x - left < 20 ? "start" : right - x < 20 ? "end" : "middle"
            svg.text(t.label, x: x, y: bottom + 14, role: .axis, size: 10, anchor: anchor, cls: "tick-label")
        }
        svg.text(xLabel + (xTicks.annotation.isEmpty ? "" : " " + xTicks.annotation), x: (left + right) / 2, y: bottom + 27, role: .dim, size: 10, anchor: "middle", cls: "axis-label")
        for (role, p) in series {
            let d = p.filter { $0.0.isFinite && $0.1.isFinite && $0.1 >= ymin }.map { "\(f(fx($0.0))),\(f(fy($0.1)))" }
            guard !d.isEmpty else { continue }
            svg.line("<polyline class=\"line\" points=\"\(d.joined(separator: " "))\" fill=\"none\" stroke=\"\(svg.color(role: role))\" stroke-width=\"1.5\" stroke-linejoin=\"round\"/>")
        }
    }
}

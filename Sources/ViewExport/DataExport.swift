import ExplorerCore
import Foundation
import LimitLaws
import PlotCanvas

extension ViewExport {
    // MARK: CSV

    /// Column header of the CSV export (one tidy table; empty fields where a column does not apply).
    public static let csvHeader = "kind,kernel,layer,x,density,mass,x_right,count"

    /// `csv`: every curve, atom and histogram of the view, and the sampled eigenvalues, in one table:
    /// `density` rows (x, density of the limit law on its visible range), `atom` rows (x, mass),
    /// `histogram` rows (x = left edge, x_right, count, density) and `eigenvalue` rows (x).
    /// `#` lines describe the configuration.
    public static func csv(state: ExplorerState, content: FrameContent) -> String {
        if let regime = regimeExport(state) { return regime.csv(state: state, content: content) }
        let session = Session(state: state)
        var out = "# \(toolVersion) view export (csv); the session: \(configLine(session))\n"
        out += "# kind: density = limit law (x, density) on the visible x range; atom = point mass (x, mass);\n"
        out += "# histogram = sampled eigenvalues outside the atoms binned (x = left edge, x_right, count, density per all n); eigenvalue = one sampled eigenvalue (x)\n"
        if state.view == .cdf { out += "# cdf = the law's CDF F(x) (x, mass = F(x)); ecdf = the sample's empirical CDF at the same x (x, mass)\n" }
        if state.view == .edges { out += "# support = one interval of the law's support (x = left edge, x_right = right edge)\n" }
        out += checkComments(state: state, content: content)
        let depth = state.depth
        for k in kernels(in: state) {
            if let e = empirical(of: k, state: state, content: content) {
                let (name, layer) = kernelColumns(k, depth: depth)
                out += "# empirical \(name) \(layer): n = \(state.sampleSize), seed = \(state.seed), \(e.eigenvalues.count) eigenvalues, KS = \(number(e.ks)) (95% band for n iid draws \(number(SampleReadout.ksBand(e.eigenvalues.count)))), W1 = \(number(e.w1))"
                if let sks = e.surrogateKS { out += ", Lemma 3.5 surrogate KS = \(number(sks))" }
                if let law = content.spectra[k] {
                    for a in SampleReadout(eigenvalues: e.eigenvalues, law: law).atoms {
                        out += ", atom at \(number(a.location)): law mass \(number(a.lawMass)), sample share \(number(a.sampleMass))"
                    }
                }
                out += "\n"
            }
        }
        out += csvHeader + "\n"
        for k in kernels(in: state) {
            guard let s = content.spectra[k], let range = xRange(of: k, state: state, content: content) else { continue }
            let (name, layer) = kernelColumns(k, depth: depth)
            let prefix = "\(name),\(layer),"
            if state.view == .edges {
                for r in s.support { out += "support," + prefix + "\(number(r.lowerBound)),,,\(number(r.upperBound)),\n" }
            } else if state.view == .cdf {
                let e = empirical(of: k, state: state, content: content).map { SampleReadout(eigenvalues: $0.eigenvalues, law: s) }
                for i in 0..<512 {
                    let x = range.lowerBound + (range.upperBound - range.lowerBound) * Double(i) / 511
                    out += "cdf," + prefix + "\(number(x)),,\(number(s.cdf(x))),,\n"
                    if let e { out += "ecdf," + prefix + "\(number(x)),,\(number(e.cdf(x))),,\n" }
                }
            } else {
                let curve = s.curve(in: range)   // the zoom window's re-solve when there is one
                for (x, y) in zip(curve.x, curve.density) where range.contains(x) {
                    out += "density," + prefix + "\(number(x)),\(number(y)),,,\n"
                }
            }
            for a in s.visibleAtoms where range.contains(a.location) {
                out += "atom," + prefix + "\(number(a.location)),,\(number(a.mass)),,\n"
            }
            if let e = empirical(of: k, state: state, content: content) {
                let h = histogram(e, range: range, law: s)
                for i in 0..<h.counts.count {
                    out += "histogram," + prefix + "\(number(h.edges[i])),\(number(h.density[i])),,\(number(h.edges[i + 1])),\(h.counts[i])\n"
                }
                for v in e.eigenvalues { out += "eigenvalue," + prefix + "\(number(v)),,,,\n" }
            }
        }
        return out
    }

    /// One line of `key=value` for comments: the model and the view.
    static func configLine(_ s: Session) -> String {
        let (spec, b) = SessionFile.activationSpec(s.model.activation)
        var parts = ["activation=\(spec)"]
        if let b { parts.append("b_sigma=\(number(b))") }
        switch s.model.input {
        case .marcenkoPastur(let g0): parts.append("input=gaussian gamma0=\(number(g0))")
        case .orthonormal: parts.append("input=orthonormal")
        case .discrete(let e): parts.append("input=eigenvalues(\(e.count)\(s.inputLabel.map { " from " + $0 } ?? ""))")
        }
        parts.append("gammas=" + s.model.gammas.map(number).joined(separator: ","))
        if let tau = s.model.tau { parts.append("tau=" + tau.map(number).joined(separator: ",")) }
        parts.append("view=\(s.view.rawValue) selected=\(SessionFile.kernelName(s.selected)) compare=\(s.compare.map(SessionFile.kernelName).joined(separator: ","))")
        parts.append("zoom=\(s.display.zoom) y_scale=\(s.display.yScale.rawValue) canvas=\(s.display.canvas.rawValue) theme=\(s.theme)")
        if s.display.pan > 0 { parts.append("pan=\(number(s.display.pan))") }
        if let x = s.display.xLimits { parts.append("x_limits=\(number(x.lowerBound)),\(number(x.upperBound))") }
        if let y = s.display.yLimits { parts.append("y_limits=\(number(y.lowerBound)),\(number(y.upperBound))") }
        if s.display.rescaleByMean { parts.append("rescale_by_mean=true") }
        parts.append(s.empiricalOn ? "empirical=on n=\(s.sampleSize) seed=\(s.seed)" : "empirical=off")
        if let words = regimeConfigWords(s) { parts.append(words) }
        return parts.joined(separator: " ")
    }

    // MARK: JSON

    /// `json`: the configuration (the session file's keys) and the data of the view: each law's
    /// x/density grid on its visible range, atoms, support and moments; with the empirical overlay on,
    /// each sampled spectrum's eigenvalues, histogram, KS and W1. Non-finite numbers are `null`.
    public static func json(state: ExplorerState, content: FrameContent, width: Int, height: Int, theme: Theme) -> String {
        let session = Session(state: state)
        let depth = state.depth
        var laws: [JSON] = []
        var sampled: [JSON] = []
        for k in kernels(in: state) {
            let (name, layer) = kernelColumns(k, depth: depth)
            guard let s = content.spectra[k], let range = xRange(of: k, state: state, content: content) else { continue }
            let curve = s.curve(in: range)
            let points = zip(curve.x, curve.density).filter { range.contains($0.0) }
            laws.append(.object([
                ("kernel", .string(name)), ("layer", .int(layer)), ("title", .string(k.title)),
                ("x_range", .numbers([range.lowerBound, range.upperBound])),
                ("x", .numbers(points.map(\.0))), ("density", .numbers(points.map(\.1))),
                ("atoms", .array(s.visibleAtoms.map { .object([("x", .number($0.location)), ("mass", .number($0.mass))]) })),
                ("support", .array(s.support.map { .numbers([$0.lowerBound, $0.upperBound]) })),
                ("mean", .number(s.mean)), ("second_moment", .number(s.secondMoment)),
                ("variance", .number(s.variance)),
                ("continuous_mass", .number(s.continuousMass)),
                ("check", checkJSON(s)), ("notices", .array(noticeTexts(s).map { .string($0) })),
            ]))
            if let e = empirical(of: k, state: state, content: content) {
                let h = histogram(e, range: range, law: s)
                let readout = SampleReadout(eigenvalues: e.eigenvalues, law: s)
                sampled.append(.object([
                    ("kernel", .string(name)), ("layer", .int(layer)),
                    ("ks", .number(e.ks)), ("w1", .number(e.w1)), ("ks_band_95", .number(readout.ksBand)),
                    ("ks_location", e.ksLocation.map { .number($0) } ?? .null),
                    ("surrogate_ks", e.surrogateKS.map { .number($0) } ?? .null), ("surrogate_w1", e.surrogateW1.map { .number($0) } ?? .null),
                    ("atoms", .array(readout.atoms.map { .object([("x", .number($0.location)), ("law_mass", .number($0.lawMass)),
                                                                  ("sample_share", .number($0.sampleMass))]) })),
                    ("histogram", .object([("edges", .numbers(h.edges)), ("counts", .array(h.counts.map { .int($0) })),
                                           ("density", .numbers(h.density))])),
                    ("eigenvalues", .numbers(e.eigenvalues)),
                ]))
            }
        }
        if regimeExport(state)?.replacesLinearLaws == true { laws = []; sampled = [] }
        var root: [(String, JSON)] = [
            ("tool", .string(toolVersion)),
            ("schema", .int(SessionFile.schema)),
            ("config", configJSON(session)),
            ("screen", .object([("width", .int(width)), ("height", .int(height)), ("theme", .string(theme.name))])),
            ("laws", .array(laws)),
        ]
        if let regime = regimeExport(state) { root += regime.jsonSections(state: state, content: content) }
        if state.view == .compare, state.regime == .linearWidth {
            let series = state.compare.compactMap { content.spectra[$0] }
            if series.count == state.compare.count, series.count >= 2 {
                let overlay = LinearWidthLayout.compareRange(series, display: state.display)
                let d = LawDistance.between(series[0], series[1], scaleA: overlay.scale(series[0]), scaleB: overlay.scale(series[1]))
                root.append(("compare", .object([("a", .string(SessionFile.kernelName(state.compare[0]))), ("b", .string(SessionFile.kernelName(state.compare[1]))),
                                                 ("rescaled_by_mean", .bool(overlay.rescale)), ("ks", .number(d.ks)), ("w1", .number(d.w1))])))
            }
        }
        if state.empiricalOn, regimeExport(state)?.replacesLinearLaws != true {
            root.append(("empirical", .object([("n", .int(state.sampleSize)), ("seed", .string(String(state.seed))),
                                               ("kernels", .array(sampled))])))
        }
        return JSON.object(root).serialized() + "\n"
    }

    /// The session's keys as JSON (same names and tables as the TOML session file).
    static func configJSON(_ s: Session) -> JSON {
        let (spec, b) = SessionFile.activationSpec(s.model.activation)
        var model: [(String, JSON)] = [("activation", .string(spec))]
        if let b { model.append(("b_sigma", .number(b))) }
        switch s.model.input {
        case .marcenkoPastur(let g0): model += [("input", .string("gaussian")), ("gamma0", .number(g0))]
        case .orthonormal: model.append(("input", .string("orthonormal")))
        case .discrete(let e):
            if let list = e.eigenvalueList() {
                model += [("input", .string("eigenvalues")), ("input_eigenvalues", .numbers(list))]
            } else {
                model += [("input", .string("eigenvalues")), ("input_eigenvalues", .numbers(e.values)), ("input_weights", .numbers(e.weights))]
            }
        }
        if let label = s.inputLabel { model.append(("input_label", .string(label))) }
        model.append(("gammas", .numbers(s.model.gammas)))
        if let tau = s.model.tau { model.append(("tau", .numbers(tau))) }
        return .object([
            ("model", .object(model)),
            ("view", .object([
                ("view", .string(s.view.rawValue)), ("selected", .string(SessionFile.kernelName(s.selected))),
                ("compare", .array(s.compare.map { .string(SessionFile.kernelName($0)) })),
                ("y_scale", .string(s.display.yScale.rawValue)), ("zoom", .int(s.display.zoom)),
                ("canvas", .string(s.display.canvas.rawValue)), ("theme", .string(s.theme)), ("all_layers", .bool(s.allLayers)),
                ("pan", .number(s.display.pan)),
                ("x_limits", s.display.xLimits.map { .numbers([$0.lowerBound, $0.upperBound]) } ?? .null),
                ("y_limits", s.display.yLimits.map { .numbers([$0.lowerBound, $0.upperBound]) } ?? .null),
                ("grid", .bool(s.display.gridLines)), ("rescale_by_mean", .bool(s.display.rescaleByMean)),
            ])),
            ("empirical", .object([("enabled", .bool(s.empiricalOn)), ("n", .int(s.sampleSize)), ("seed", .string(String(s.seed)))])),
        ] + regimeConfigJSON(s))
    }
}

/// A small ordered JSON value with deterministic output: shortest round-trip numbers, `null` for
/// non-finite ones, arrays of numbers on one line.
enum JSON {
    case string(String), number(Double), int(Int), bool(Bool), null
    case numbers([Double])
    case array([JSON])
    case object([(String, JSON)])
    /// A JSON document written by another writer (e.g. `TrainingRecord.jsonDocument()`), inserted as is.
    case raw(String)

    func serialized(indent: Int = 0) -> String {
        let pad = String(repeating: "  ", count: indent), inner = String(repeating: "  ", count: indent + 1)
        switch self {
        case .string(let s): return quotedString(s)
        case .number(let x): return JSON.format(x)
        case .int(let i): return String(i)
        case .bool(let b): return b ? "true" : "false"
        case .null: return "null"
        case .raw(let text): return text.trimmingCharacters(in: .whitespacesAndNewlines)
        case .numbers(let xs): return "[" + xs.map(JSON.format).joined(separator: ", ") + "]"
        case .array(let items):
            if items.isEmpty { return "[]" }
            return "[\n" + items.map { inner + $0.serialized(indent: indent + 1) }.joined(separator: ",\n") + "\n" + pad + "]"
        case .object(let pairs):
            if pairs.isEmpty { return "{}" }
            return "{\n" + pairs.map { inner + quotedString($0.0) + ": " + $0.1.serialized(indent: indent + 1) }.joined(separator: ",\n")
                + "\n" + pad + "}"
        }
    }

    static func format(_ x: Double) -> String {
        x.isFinite ? "\(x)" : "null"
    }
}

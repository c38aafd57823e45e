import ExplorerCore
import Foundation
import InfiniteWidth
import InputFiles
import LimitLaws
import PlotCanvas
import TOMLKit

/// Everything a session file holds: the model, the view, selections, zoom, theme, the empirical
/// settings and the seed. `Session(state:)` then `makeState` is the identity on these fields.
public struct Session: Sendable, Equatable {
    public var model: NetworkModel
    public var inputLabel: String?
    public var view: ExplorerView
    public var selected: KernelID
    public var compare: [KernelID]
    public var display: DisplaySettings
    public var theme: String
    public var allLayers: Bool
    public var empiricalOn: Bool
    public var sampleSize: Int
    public var seed: UInt64
    /// A data matrix whose Gram spectrum is the input law (table [data]; the file is read again on load).
    public var data: DataInput?
    /// A data file named by the session's [infinite] table (`data = "…"`), to be read by the caller
    /// (`InfiniteWidthData.load`) into `infinite.data`.
    public var infiniteDataPath: String?
    /// The regime shown and every regime's settings (one table per regime, e.g. [infinite]).
    public var regime: RegimeID = .linearWidth
    public var regimeSettings = RegimeSettingsStore()

    public init(state: ExplorerState) {
        model = state.model; inputLabel = state.inputLabel; view = state.view; selected = state.selectedKernel
        compare = state.compare; display = state.display; theme = state.themeName; allLayers = state.allLayers
        empiricalOn = state.empiricalOn; sampleSize = state.sampleSize; seed = state.seed
        regime = state.regime; regimeSettings = state.regimeSettings; data = state.data
        infiniteDataPath = state.infinite.data?.source
    }

    public init(model: NetworkModel, inputLabel: String? = nil) {
        self.init(state: ExplorerState(model: model, inputLabel: inputLabel))
    }

    /// The explorer state of this session; `themeNames` are the themes `t` cycles through.
    public func makeState(themeNames: [String] = []) -> ExplorerState {
        var names = themeNames
        if !names.contains(theme) { names.append(theme) }
        var s = ExplorerState(model: model, inputLabel: inputLabel, themeNames: names, themeName: theme,
                              display: display, view: view)
        s.selection = selected == .ntk ? model.depth + 1 : selected.layerNumber(depth: model.depth)
        s.compare = compare
        s.allLayers = allLayers
        s.empiricalOn = empiricalOn
        s.sampleSize = sampleSize
        s.seed = seed
        s.regime = regime
        s.regimeSettings = regimeSettings
        s.data = data
        return s
    }
}

/// A problem in a session file, naming the key, or the line when the file is not TOML at all.
public struct SessionError: Error, CustomStringConvertible, Equatable, Sendable {
    public var key: String
    public var value: String
    public var reason: String
    /// The line (from 1) of a file that is not TOML (not text, or a syntax error); nil for a key's error.
    public var line: Int?
    public init(key: String, value: String, reason: String, line: Int? = nil) {
        self.key = key; self.value = value; self.reason = reason; self.line = line
    }
    public var description: String {
        if let line { return "line \(line): '\(value)': \(reason)" }
        return value.isEmpty ? "key '\(key)': \(reason)" : "key '\(key)' = \(value): \(reason)"
    }

    /// A file that is not TOML, at `line`: `value` is what is there (the line, or "binary data").
    static func notTOML(line: Int, value: String, _ reason: String) -> SessionError {
        SessionError(key: "(line \(line))", value: value, reason: reason, line: line)
    }
}

/// What a session (or hand-written config) file says; nil = the key is absent. Command-line options
/// are merged over this, then defaults fill the rest (`resolve`).
public struct SessionConfig: Sendable, Equatable {
    public struct Model: Sendable, Equatable {
        public var activation: String?
        public var bSigma: Double?
        /// "gaussian", "orthonormal", "eigenvalues" (with `inputEigenvalues`) or "file" (with `inputFile`).
        public var input: String?
        public var gamma0: Double?
        public var inputEigenvalues: [Double]?
        /// Weights of `inputEigenvalues` (absent: equal weights).
        public var inputWeights: [Double]?
        public var inputFile: String?
        public var inputLabel: String?
        public var gammas: [Double]?
        public var depth: Int?
        public var gamma: Double?
        public var tau: [Double]?
        public var outputs: Int?
        public init() {}
    }
    public var model = Model()
    public var view: ExplorerView?
    public var selected: String?
    public var compare: [String]?
    public var yScale: YScale?
    public var zoom: Int?
    public var canvas: CanvasMode?
    public var theme: String?
    public var allLayers: Bool?
    public var pan: Double?
    public var xLimits: ClosedRange<Double>?
    public var yLimits: ClosedRange<Double>?
    public var gridLines: Bool?
    public var rescaleByMean: Bool?
    public var empiricalOn: Bool?
    public var sampleSize: Int?
    public var seed: UInt64?
    /// [data]: a data matrix file and the principal components removed from it.
    public var dataFile: String?
    public var dataPCs: Int?
    /// The regime whose table says `enabled = true` (`.linearWidth` when a table says false and none true).
    public var regime: RegimeID?
    /// The keys of each regime's table (already checked against the regime's `SessionValueKind`s).
    public var regimeValues: [RegimeID: [String: SessionValue]] = [:]
    public init() {}

    /// Applies the view keys (selections, zoom, theme, empirical settings) to a session whose model is
    /// already resolved; selections are checked against its depth. With `clampToDepth` (the command
    /// line changed the depth) a CK layer past the depth becomes the last layer, as in the explorer.
    public func applyView(to session: inout Session, clampToDepth: Bool = false) throws(SessionError) {
        if let v = view { session.view = v }
        if let y = yScale { session.display.yScale = y }
        if let z = zoom { session.display.zoom = z }
        if let c = canvas { session.display.canvas = c }
        if let t = theme { session.theme = t }
        if let a = allLayers { session.allLayers = a }
        if let p = pan { session.display.pan = p }
        if let x = xLimits { session.display.xLimits = x }
        if let y = yLimits { session.display.yLimits = y }
        if let g = gridLines { session.display.gridLines = g }
        if let r = rescaleByMean { session.display.rescaleByMean = r }
        if let e = empiricalOn { session.empiricalOn = e }
        if let n = sampleSize { session.sampleSize = n }
        if let s = seed { session.seed = s }
        if let r = regime { session.regime = r }
        if let path = dataFile {
            switch DataInput.loadResult(path: path, removePCs: dataPCs ?? 0) {
            case .success(let d): session.useData(d)
            case .failure(let e): throw SessionError(key: "data.file", value: "\"\(path)\"", reason: e.description)
            }
        }
        for (id, values) in regimeValues {
            guard let section = Regimes.regime(id).session else { continue }
            for key in section.keys { if let v = values[key.name] { key.set(&session.regimeSettings, v) } }
        }
        if case .string(let path)? = regimeValues[.infiniteWidth]?["data"] { session.infiniteDataPath = path }
        let depth = session.model.depth
        let parseDepth = clampToDepth ? NetworkModel.maxDepth : depth
        func clamp(_ k: KernelID) -> KernelID { if case .ck(let l) = k, l > depth { return .ck(depth) } else { return k } }
        let allowed = "input, ck1…ck\(depth) or ntk (the model has depth \(depth))"
        if let sel = selected {
            guard let k = KernelID.parse(sel, depth: parseDepth).map(clamp) else { throw SessionError(key: "view.selected", value: "\"\(sel)\"", reason: "must be \(allowed)") }
            session.selected = k
        }
        if let cmp = compare {
            let ks = cmp.compactMap { KernelID.parse($0, depth: parseDepth) }.map(clamp)
            guard cmp.count >= 2, ks.count == cmp.count else {
                throw SessionError(key: "view.compare", value: "[" + cmp.map { "\"\($0)\"" }.joined(separator: ", ") + "]",
                                   reason: "must be two or more laws, each \(allowed)")
            }
            session.compare = ks
        }
    }
}

/// The session file codec: `encode` writes TOML with `schema = 1`, `decode` reads it back (or any
/// hand-written subset) and rejects unknown keys and bad values with an error naming the key.
public enum SessionFile {
    public static let schema = 1

    static let modelKeys = ["activation", "b_sigma", "input", "gamma0", "input_eigenvalues", "input_weights", "input_file", "input_label",
                            "gammas", "depth", "gamma", "tau", "outputs"]
    static let viewKeys = ["view", "selected", "compare", "y_scale", "zoom", "canvas", "theme", "all_layers", "pan", "x_limits",
                           "y_limits", "grid", "rescale_by_mean"]
    static let empiricalKeys = ["enabled", "n", "seed"]

    /// "ck3", "ntk", "input".
    public static func kernelName(_ k: KernelID) -> String {
        switch k {
        case .ck(0): return "input"
        case .ck(let l): return "ck\(l)"
        case .ntk: return "ntk"
        case .combination: return "combination"
        }
    }


    /// TOML float with Swift's shortest round-trip digits ("3.0", "0.1", "1e-05", "nan", "inf").
    static func tomlDouble(_ x: Double) -> String {
        if x.isNaN { return "nan" }
        if x.isInfinite { return x > 0 ? "inf" : "-inf" }
        return "\(x)"
    }

    static func tomlArray(_ xs: [Double], perLine: Int = 8) -> String {
        if xs.count <= perLine { return "[" + xs.map(tomlDouble).joined(separator: ", ") + "]" }
        var lines: [String] = []
        var i = 0
        while i < xs.count {
            lines.append("  " + xs[i..<min(xs.count, i + perLine)].map(tomlDouble).joined(separator: ", ") + ",")
            i += perLine
        }
        return "[\n" + lines.joined(separator: "\n") + "\n]"
    }

    /// The activation as a spec that `Activation.named` turns back into the same activation.
    static func activationSpec(_ a: Activation) -> (spec: String, bSigma: Double?) {
        switch a.shape {
        case .bFamily(let b): return ("b-family", b)
        case .leakyRelu(let s) where a.name.contains(":"): return ("leaky-relu:\(s)", nil)
        case .elu(let alpha) where a.name.contains(":"): return ("elu:\(alpha)", nil)
        default: return (a.name, nil)
        }
    }

    public static func encode(_ s: Session) -> String {
        var t = """
            # ntkscope session file. `ntkscope --config FILE` reopens this view; every subcommand reads
            # the [model] table, and command-line options take precedence over the keys here.
            schema = \(schema)

            [model]

            """
        let (spec, b) = activationSpec(s.model.activation)
        t += "activation = \(quotedString(spec))\n"
        if let b { t += "b_sigma = \(tomlDouble(b))\n" }
        switch s.model.input {
        case .marcenkoPastur(let g0):
            t += "input = \"gaussian\"\ngamma0 = \(tomlDouble(g0))\n"
        case .orthonormal:
            t += "input = \"orthonormal\"\n"
        case .discrete(let e):
            t += "input = \"eigenvalues\"\n"
            if let label = s.inputLabel { t += "input_label = \(quotedString(label))\n" }
            if let list = e.eigenvalueList() {
                t += "input_eigenvalues = \(tomlArray(list))\n"
            } else {
                t += "input_eigenvalues = \(tomlArray(e.values))\ninput_weights = \(tomlArray(e.weights))\n"
            }
        }
        if case .discrete = s.model.input {} else if let label = s.inputLabel { t += "input_label = \(quotedString(label))\n" }
        t += "gammas = \(tomlArray(s.model.gammas))\n"
        if let tau = s.model.tau { t += "tau = \(tomlArray(tau))\n" }
        t += """

            [view]
            view = \(quotedString(s.view.rawValue))
            selected = \(quotedString(kernelName(s.selected)))
            compare = [\(s.compare.map { quotedString(kernelName($0)) }.joined(separator: ", "))]
            y_scale = \(quotedString(s.display.yScale.rawValue))
            zoom = \(s.display.zoom)
            canvas = \(quotedString(s.display.canvas.rawValue))
            theme = \(quotedString(s.theme))
            all_layers = \(s.allLayers)
            pan = \(tomlDouble(s.display.pan))
            grid = \(s.display.gridLines)
            rescale_by_mean = \(s.display.rescaleByMean)
            \(s.display.xLimits.map { "x_limits = [\(tomlDouble($0.lowerBound)), \(tomlDouble($0.upperBound))]\n" } ?? "")\(s.display.yLimits.map { "y_limits = [\(tomlDouble($0.lowerBound)), \(tomlDouble($0.upperBound))]\n" } ?? "")
            [empirical]
            enabled = \(s.empiricalOn)
            n = \(s.sampleSize)
            seed = \(s.seed)

            """
        if let d = s.data {
            t += "\n# the input law above is the Gram spectrum of this data matrix; the sampled check runs on it\n"
            t += "[data]\nfile = \(quotedString(d.path))\nremove_pcs = \(d.removedPCs)\n"
        }
        for r in Regimes.all {
            guard let section = r.session else { continue }
            t += "\n[\(section.table)]\nenabled = \(s.regime == r.id)\n"
            for key in section.keys where key.isWritten(s.regimeSettings) { t += "\(key.name) = \(tomlValue(key.get(s.regimeSettings)))\n" }
        }
        return t
    }

    // MARK: decoding

    /// Parses the bytes of a session/config file: UTF-8 text (else the line of the first byte that
    /// is not, as "binary data"), then `decode(_:)`.
    public static func decode(bytes: Data) throws(SessionError) -> SessionConfig {
        var line = 1, iterator = bytes.makeIterator(), utf8 = UTF8()
        while true {
            switch utf8.decode(&iterator) {
            case .scalarValue(let c): if c == "\n" { line += 1 }
            case .emptyInput: return try decode(String(decoding: bytes, as: UTF8.self))
            case .error: throw .notTOML(line: line, value: "binary data", "not UTF-8 text, so not TOML")
            }
        }
    }

    /// Parses a session/config file. Errors name the key, or the line when the text is not TOML
    /// (a syntax error, quoting the line; a NUL byte, which the TOML parser would take for the end).
    public static func decode(_ text: String) throws(SessionError) -> SessionConfig {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        if let k = lines.firstIndex(where: { $0.contains("\0") }) {
            throw .notTOML(line: k + 1, value: "binary data", "a NUL byte, so not TOML text")
        }
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let e as TOMLParseError {
            let line = e.source.begin.line
            let quoted = line >= 1 && line <= lines.count ? String(lines[line - 1]).trimmingCharacters(in: .whitespacesAndNewlines) : ""
            throw .notTOML(line: line, value: quoted.isEmpty ? "(empty line)" : escapingControlCharacters(Excerpt.of(quoted)),
                           "not valid TOML (\(e.description.prefix(1).lowercased() + e.description.dropFirst()))")
        } catch {
            throw SessionError(key: "(file)", value: "", reason: "not valid TOML: \(error)")
        }
        var c = SessionConfig()
        for key in table.keys {
            switch key {
            case "schema":
                guard let v = table[key]?.int else { throw SessionError(key: key, value: show(table[key]), reason: "must be the integer \(schema)") }
                guard v == schema else { throw SessionError(key: key, value: "\(v)", reason: "this ntkscope reads schema \(schema) only") }
            case "model": try decodeModel(try subtable(table, key), into: &c)
            case "view": try decodeView(try subtable(table, key), into: &c)
            case "empirical": try decodeEmpirical(try subtable(table, key), into: &c)
            case "data":
                let t = try subtable(table, key)
                let r = Reader(table: t, section: "data")
                try r.checkKeys(["file", "remove_pcs"])
                guard t.contains(key: "file") else { throw SessionError(key: "data.file", value: "", reason: "missing ([data] names a .npy or .csv file)") }
                c.dataFile = try r.string("file")
                if t.contains(key: "remove_pcs") { c.dataPCs = try r.int("remove_pcs", 0...10_000) }
            default:
                guard let regime = Regimes.all.first(where: { $0.session?.table == key }) else {
                    let tables = ["model", "view", "empirical", "data"] + Regimes.all.compactMap { $0.session?.table }
                    throw SessionError(key: key, value: "", reason: "unknown key (known: schema, \(tables.map { "[\($0)]" }.joined(separator: ", ")))")
                }
                try decodeRegime(try subtable(table, key), regime: regime, into: &c)
            }
        }
        return c
    }

    static func show(_ v: TOMLValueConvertible?) -> String {
        guard let v else { return "" }
        if let s = v.string { return "\"\(s)\"" }
        return "\(v.tomlValue)".trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func subtable(_ t: TOMLTable, _ key: String) throws(SessionError) -> TOMLTable {
        guard let sub = t[key]?.table else { throw SessionError(key: key, value: show(t[key]), reason: "must be a table ([\(key)])") }
        return sub
    }

    struct Reader {
        let table: TOMLTable
        let section: String
        func name(_ k: String) -> String { "\(section).\(k)" }
        func fail(_ k: String, _ reason: String) -> SessionError { SessionError(key: name(k), value: show(table[k]), reason: reason) }
        func string(_ k: String) throws(SessionError) -> String {
            guard let s = table[k]?.string else { throw fail(k, "must be a string") }
            return s
        }
        func double(_ k: String) throws(SessionError) -> Double {
            if let d = table[k]?.double { return d }
            if let i = table[k]?.int { return Double(i) }
            throw fail(k, "must be a number")
        }
        func bounded(_ k: String, _ bound: NumberBound) throws(SessionError) -> Double {
            let d = try double(k)
            guard bound.contains(d) else { throw fail(k, bound.allowed) }
            return d
        }
        func int(_ k: String, _ range: ClosedRange<Int>) throws(SessionError) -> Int {
            guard let i = table[k]?.int else { throw fail(k, "must be an integer from \(range.lowerBound) to \(range.upperBound)") }
            guard range.contains(i) else { throw fail(k, "must be an integer from \(range.lowerBound) to \(range.upperBound)") }
            return i
        }
        func bool(_ k: String) throws(SessionError) -> Bool {
            guard let b = table[k]?.bool else { throw fail(k, "must be true or false") }
            return b
        }
        func doubles(_ k: String) throws(SessionError) -> [Double] {
            guard let a = table[k]?.array else { throw fail(k, "must be an array of numbers") }
            var out: [Double] = []
            for v in a {
                if let d = v.double { out.append(d) } else if let i = v.int { out.append(Double(i)) } else { throw fail(k, "must be an array of numbers") }
            }
            return out
        }
        func strings(_ k: String) throws(SessionError) -> [String] {
            guard let a = table[k]?.array else { throw fail(k, "must be an array of strings") }
            var out: [String] = []
            for v in a { guard let s = v.string else { throw fail(k, "must be an array of strings") }; out.append(s) }
            return out
        }
        func oneOf<T>(_ k: String, _ values: [String], _ make: (String) -> T?) throws(SessionError) -> T {
            let s = try string(k)
            guard let v = make(s.lowercased()) else { throw fail(k, "must be one of \(values.joined(separator: ", "))") }
            return v
        }
        func checkKeys(_ known: [String]) throws(SessionError) {
            for k in table.keys where !known.contains(k) {
                throw SessionError(key: name(k), value: "", reason: "unknown key (known in [\(section)]: \(known.joined(separator: ", ")))")
            }
        }
    }

    static func decodeModel(_ t: TOMLTable, into c: inout SessionConfig) throws(SessionError) {
        let r = Reader(table: t, section: "model")
        try r.checkKeys(modelKeys)
        var m = SessionConfig.Model()
        if t.contains(key: "activation") {
            let spec = try r.string("activation")
            // validated here so the error names the key
            if spec.lowercased() != "b-family" || !t.contains(key: "b_sigma") {
                do { _ = try Activation.named(spec) } catch { throw r.fail("activation", error.allowed) }
            }
            m.activation = spec
        }
        if t.contains(key: "b_sigma") {
            let b = try r.double("b_sigma")
            guard b.isFinite, abs(b) <= 1 else { throw r.fail("b_sigma", "must be a number in [-1, 1]") }
            m.bSigma = b
        }
        if t.contains(key: "input") {
            m.input = try r.oneOf("input", ["gaussian", "orthonormal", "eigenvalues", "file"]) { ["gaussian", "orthonormal", "eigenvalues", "file"].contains($0) ? $0 : nil }
        }
        if t.contains(key: "gamma0") { m.gamma0 = try r.bounded("gamma0", NumberBounds.gamma) }
        if t.contains(key: "input_eigenvalues") {
            let e = try r.doubles("input_eigenvalues")
            guard !e.isEmpty, e.allSatisfy({ $0.isFinite && $0 >= 0 }) else { throw r.fail("input_eigenvalues", "must be a non-empty array of finite numbers >= 0") }
            m.inputEigenvalues = e
        }
        if t.contains(key: "input_weights") {
            let w = try r.doubles("input_weights")
            guard let e = m.inputEigenvalues, w.count == e.count else {
                throw r.fail("input_weights", "needs input_eigenvalues with as many values (\(m.inputEigenvalues?.count ?? 0))")
            }
            guard w.allSatisfy({ $0.isFinite && $0 > 0 }) else { throw r.fail("input_weights", "every weight must be a finite number > 0") }
            m.inputWeights = w
        }
        if t.contains(key: "input_file") { m.inputFile = try r.string("input_file") }
        if t.contains(key: "input_label") { m.inputLabel = try r.string("input_label") }
        switch m.input {
        case "eigenvalues"? where m.inputEigenvalues == nil:
            throw SessionError(key: "model.input_eigenvalues", value: "", reason: "missing (input = \"eigenvalues\" needs it)")
        case "file"? where m.inputFile == nil:
            throw SessionError(key: "model.input_file", value: "", reason: "missing (input = \"file\" needs it)")
        default: break
        }
        if t.contains(key: "gammas") {
            let g = try r.doubles("gammas")
            guard !g.isEmpty, g.count <= NetworkModel.maxDepth else { throw r.fail("gammas", "must hold 1 to \(NetworkModel.maxDepth) values γ_1,…,γ_L") }
            guard g.allSatisfy(NumberBounds.gamma.contains) else { throw r.fail("gammas", "every γ " + NumberBounds.gamma.allowed) }
            m.gammas = g
        }
        if t.contains(key: "depth") {
            m.depth = try r.int("depth", NumberBounds.depth.integers)
            if let g = m.gammas, g.count != m.depth {
                throw r.fail("depth", "must equal the number of gammas (\(g.count)), or be left out: gammas sets the depth")
            }
        }
        if t.contains(key: "gamma") { m.gamma = try r.bounded("gamma", NumberBounds.gamma) }
        if t.contains(key: "tau") {
            let tau = try r.doubles("tau")
            guard tau.allSatisfy(NumberBounds.tau.contains) else { throw r.fail("tau", "every τ " + NumberBounds.tau.allowed) }
            m.tau = tau
        }
        if t.contains(key: "outputs") { m.outputs = try r.int("outputs", NumberBounds.outputs.integers) }
        c.model = m
    }

    static func decodeView(_ t: TOMLTable, into c: inout SessionConfig) throws(SessionError) {
        let r = Reader(table: t, section: "view")
        try r.checkKeys(viewKeys)
        if t.contains(key: "view") { c.view = try r.oneOf("view", ExplorerView.allCases.map(\.rawValue)) { ExplorerView(rawValue: $0) } }
        if t.contains(key: "selected") { c.selected = try r.string("selected") }
        if t.contains(key: "compare") { c.compare = try r.strings("compare") }
        if t.contains(key: "y_scale") { c.yScale = try r.oneOf("y_scale", YScale.allCases.map(\.rawValue)) { YScale(rawValue: $0 == "lin" ? "linear" : $0) } }
        if t.contains(key: "zoom") { c.zoom = try r.int("zoom", 0...ExplorerReducer.maxZoom) }
        if t.contains(key: "canvas") { c.canvas = try r.oneOf("canvas", CanvasMode.allCases.map(\.rawValue)) { CanvasMode(rawValue: $0) } }
        if t.contains(key: "theme") {
            let name = try r.string("theme")
            guard !name.isEmpty else { throw r.fail("theme", "must name a theme") }
            c.theme = name
        }
        if t.contains(key: "all_layers") { c.allLayers = try r.bool("all_layers") }
        if t.contains(key: "pan") {
            let p = try r.double("pan")
            guard p.isFinite, (0...1).contains(p) else { throw r.fail("pan", "must be a number from 0 to 1 (where the zoomed window starts)") }
            c.pan = p
        }
        for key in ["x_limits", "y_limits"] where t.contains(key: key) {
            let v = try r.doubles(key)
            guard v.count == 2 else { throw r.fail(key, "must be two numbers [low, high]") }
            do { _ = try NumberBounds.window(v[0], v[1], fields: (key, key)) } catch { throw r.fail(key, "must be [low, high] with low < high, each \(NumberBounds.plotLimit)") }
            if key == "x_limits" { c.xLimits = v[0]...v[1] } else {
                guard v[1] > 0, v[0] >= 0 else { throw r.fail(key, "must be [bottom, top] with 0 ≤ bottom < top") }
                c.yLimits = v[0]...v[1]
            }
        }
        if t.contains(key: "grid") { c.gridLines = try r.bool("grid") }
        if t.contains(key: "rescale_by_mean") { c.rescaleByMean = try r.bool("rescale_by_mean") }
    }

    static func decodeEmpirical(_ t: TOMLTable, into c: inout SessionConfig) throws(SessionError) {
        let r = Reader(table: t, section: "empirical")
        try r.checkKeys(empiricalKeys)
        if t.contains(key: "enabled") { c.empiricalOn = try r.bool("enabled") }
        if t.contains(key: "n") { c.sampleSize = try r.int("n", ExplorerReducer.sampleSizes) }
        if t.contains(key: "seed") {
            // TOML integers are signed 64-bit: seeds are 0…2^63−1 in a file
            guard let s = t["seed"]?.int, s >= 0 else { throw r.fail("seed", "must be an integer >= 0") }
            c.seed = UInt64(s)
        }
    }

    /// A regime's table: `enabled` and the regime's keys, each checked against its kind.
    static func decodeRegime(_ t: TOMLTable, regime: any ExplorerRegime, into c: inout SessionConfig) throws(SessionError) {
        guard let section = regime.session else { return }
        let r = Reader(table: t, section: section.table)
        try r.checkKeys(["enabled"] + section.keys.map(\.name))
        if t.contains(key: "enabled") {
            if try r.bool("enabled") {
                if let other = c.regime, other != .linearWidth, other != regime.id {
                    throw r.fail("enabled", "only one regime can be enabled ([\(Regimes.regime(other).session?.table ?? other.rawValue)] is)")
                }
                c.regime = regime.id
            } else if c.regime == nil {
                c.regime = .linearWidth
            }
        }
        var values: [String: SessionValue] = [:]
        for key in section.keys where t.contains(key: key.name) {
            let raw: SessionValue?
            switch key.kind {
            case .int: raw = t[key.name]?.int.map { .int($0) }
            case .double: raw = t[key.name]?.double.map { .double($0) } ?? t[key.name]?.int.map { .int($0) }
            case .string: raw = t[key.name]?.string.map { .string($0) }
            case .bool: raw = t[key.name]?.bool.map { .bool($0) }
            }
            guard let raw, let v = key.kind.check(raw) else { throw r.fail(key.name, key.kind.allowed) }
            values[key.name] = v
        }
        c.regimeValues[regime.id] = values
    }

    /// A session value as TOML.
    static func tomlValue(_ v: SessionValue) -> String {
        switch v {
        case .int(let i): return String(i)
        case .double(let d): return tomlDouble(d)
        case .string(let s): return quotedString(s)
        case .bool(let b): return b ? "true" : "false"
        }
    }

    /// The model of a config without command-line options (for files written by `encode`): the
    /// input law from the file's keys, defaults for the rest (arctan, γ₀ = 3, five layers of γ = 0.5).
    /// `input = "file"` reads `input_file` relative to the current folder.
    public static func resolveModel(_ m: SessionConfig.Model) throws(SessionError) -> (model: NetworkModel, inputLabel: String?) {
        let activation: Activation
        do {
            if let b = m.bSigma { activation = try Activation.bFamily(b) }
            else { activation = try Activation.named(m.activation ?? "arctan") }
        } catch {
            throw SessionError(key: m.bSigma != nil ? "model.b_sigma" : "model.activation", value: error.value, reason: error.allowed)
        }
        var label = m.inputLabel
        let input: InputLaw
        switch m.input ?? (m.inputEigenvalues != nil ? "eigenvalues" : m.inputFile != nil ? "file" : "gaussian") {
        case "orthonormal": input = .orthonormal
        case "eigenvalues":
            if let w = m.inputWeights { input = .discrete(DiscreteLaw(values: m.inputEigenvalues ?? [], weights: w)) }
            else { input = .discrete(eigenvalues: m.inputEigenvalues ?? []) }
        case "file":
            let path = m.inputFile ?? ""
            do {
                input = .discrete(try EigenvalueFile.load(path: path, field: "model.input_file").law)
            } catch {
                throw SessionError(key: "model.input_file", value: "\"\(path)\"", reason: error.description)
            }
            if label == nil { label = (path as NSString).lastPathComponent }
        default: input = .marcenkoPastur(gamma0: m.gamma0 ?? 3)
        }
        let gammas = m.gammas ?? Array(repeating: m.gamma ?? 0.5, count: m.depth ?? 5)
        let model = NetworkModel(activation: activation, input: input, gammas: gammas, tau: m.tau)
        do { try model.validate() } catch {
            let key = error.field == "tau" ? "model.tau" : error.field == "gamma0" ? "model.gamma0" : "model.gammas"
            throw SessionError(key: key, value: error.value, reason: error.allowed)
        }
        return (model, label)
    }

    /// A whole session from a file's config (defaults for absent keys).
    public static func session(from c: SessionConfig) throws(SessionError) -> Session {
        let (model, label) = try resolveModel(c.model)
        var s = Session(model: model, inputLabel: label)
        try c.applyView(to: &s)
        return s
    }
}

extension Session {
    /// A data matrix as the input: its Gram spectrum is the input law, and the check samples on it.
    public mutating func useData(_ d: DataInput) {
        model.input = .discrete(eigenvalues: d.gramEigenvalues)
        inputLabel = d.label
        data = d
    }
}

extension Session {
    /// The infinite-width regime's settings.
    public var infinite: InfiniteWidthSettings {
        get { regimeSettings.get(.infiniteWidth, default: InfiniteWidthSettings()) }
        set { regimeSettings.set(.infiniteWidth, newValue) }
    }
}

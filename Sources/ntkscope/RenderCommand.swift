import ArgumentParser
import ExplorerCore
import Foundation
import InfiniteWidth
import LimitLaws
import NetworkSampling
import PlotCanvas
import ViewExport

/// `ntkscope render`: the explorer's view written without a terminal, through the same writers as
/// the explorer's `e` export (`ViewExport.export`), so the outputs for one state are identical.
struct RenderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "render",
        abstract: "Write an explorer view as txt, ansi, svg, csv, json or a toml session file, without a terminal.",
        discussion: """
            The output for a given state is identical to the explorer's export (key e) of that state.
            Examples:
              ntkscope render --depth 3 --view focus --select ntk --format svg --output ntk.svg
              ntkscope render --config session.toml --format csv > view.csv
              ntkscope render --empirical --n 1000 --seed 7 --format json --output check.json
            See docs/export.md.
            """)

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var dataOptions: DataOptions
    @OptionGroup var viewOptions: ViewOptions

    @Option(help: ArgumentHelp("Terminal size the view is laid out for (columns x rows).", valueName: "COLSxROWS"))
    var size: String = "160x48"

    @Option(help: "Output format: txt, ansi, svg, csv, json or toml. (default: from the --output extension, else txt)")
    var format: String?

    @OptionGroup var outputFile: OutputFileOptions

    func validate() throws {
        _ = try parsedSize()
        _ = try resolvedFormat()
    }

    func parsedSize() throws -> (width: Int, height: Int) {
        let parts = size.lowercased().split(separator: "x").map { Int($0) }
        let columns = ExploreCommand.widthBound, rows = ExploreCommand.heightBound
        guard parts.count == 2, let w = parts[0], let h = parts[1], columns.contains(Double(w)), rows.contains(Double(h)) else {
            throw ModelError(field: "--size", value: size, allowed: "must be COLSxROWS with \(columns.integers.lowerBound)…\(columns.integers.upperBound) columns and \(rows.integers.lowerBound)…\(rows.integers.upperBound) rows, e.g. 160x48")
        }
        return (w, h)
    }

    func resolvedFormat() throws -> ExportFormat {
        if let format {
            guard let f = ExportFormat(rawValue: format.lowercased()) ?? (format.lowercased() == "ans" ? .ansi : nil) else {
                throw ModelError(field: "--format", value: format, allowed: "must be one of \(ExportFormat.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return f
        }
        if let output = outputFile.file, let f = ExportFormat.from(path: output) { return f }
        return .txt
    }

    func run() throws {
        let (width, height) = try parsedSize()
        let format = try resolvedFormat()
        try outputFile.refuseExisting()
        let built = try modelOptions.build()
        for n in built.notices { StandardStreams.error("ntkscope: \(n)\n") }
        var session = try viewOptions.overrides.session(model: built.model, modelOptions: modelOptions)
        try dataOptions.apply(to: &session, modelOptions: modelOptions)
        let catalog = ThemeCatalog()
        let theme: Theme
        do { theme = try catalog.loadThrowing(session.theme) } catch {
            throw ModelError(field: "--theme", value: session.theme, allowed: error.description)
        }
        let state = session.makeState(themeNames: catalog.names())
        let content = try ViewRendering.content(state: state, progress: isatty(2) == 1)
        let text = ViewExport.export(format, state: state, content: content, width: width, height: height, theme: theme)
        try outputFile.write(text)
    }
}

/// The view options shared by `render` (and read from a session file by every command).
struct ViewOptions: ParsableArguments {
    static let zoomBound = NumberBound(0...ExplorerReducer.maxZoom)
    static let sampleSizeBound = NumberBound(ExplorerReducer.sampleSizes)

    @Option(help: "View: layers, compare or focus.")
    var view: String?

    @Option(help: "Selected law (focus view): input, ck1…ckL or ntk.")
    var select: String?

    @Option(help: ArgumentHelp("The two laws of the compare view, e.g. ck5,ntk.", valueName: "A,B"))
    var compare: String?

    @Option(name: .customLong("y-scale"), help: "y axis: log, linear or sqrt.")
    var yScale: String?

    @Option(help: "Zoom 0…\(ExplorerReducer.maxZoom): the x range is divided by 2^zoom, anchored at the left.", transform: CommandLineValues.integer(Self.zoomBound))
    var zoom: Int?

    @Option(help: "Plot canvas: braille, block or ascii.")
    var canvas: String?

    @Option(help: "Theme name or path to a .toml theme.")
    var theme: String?

    @Flag(help: "Include a sampled network (the explorer's empirical check): histograms, KS and W1.")
    var empirical = false

    @Option(help: "Sample size n of the sampled network (\(ExplorerReducer.sampleSizes.lowerBound)…\(ExplorerReducer.sampleSizes.upperBound)).", transform: CommandLineValues.integer(Self.sampleSizeBound))
    var n: Int?

    @Option(help: "Seed of the sampled network (and of the infinite-width mode's points).", transform: CommandLineValues.seed)
    var seed: UInt64?

    @Option(help: "Mode: linear (the linear-width limit laws), infinite (infinite-width kernels), quadratic (two layers, n ~ d·p) or training (spectra over training); key w cycles them.")
    var mode: String?

    @OptionGroup var infinite: InfiniteWidthViewOptions

    @OptionGroup var regimes: RegimeViewOptions


    var overrides: ViewOverrides {
        ViewOverrides(view: view, select: select, compare: compare, yScale: yScale, zoom: zoom, canvas: canvas,
                      theme: theme, empirical: empirical, n: n, seed: seed, mode: mode,
                      regimeOptions: infinite.regimeOptions + regimes.options,
                      initialisation: infinite.initialisation)
    }
}

/// View options given on the command line (nil = not given), merged over a config file's keys.
struct ViewOverrides {
    var view: String?
    var select: String?
    var compare: String?
    var yScale: String?
    var zoom: Int?
    var canvas: String?
    var theme: String?
    var empirical = false
    var n: Int?
    var seed: UInt64?
    var mode: String?
    /// A regime's settings given as options: the option, the regime, its session key and the value (nil: not given).
    var regimeOptions: [(option: String, regime: RegimeID, key: String, value: SessionValue?)] = []
    var initialisation: InitialisationOptions?

    /// The session: the merged model, the config file's view keys, then these options over them.
    func session(model: NetworkModel, modelOptions: ModelOptions) throws -> Session {
        var s = Session(model: model, inputLabel: modelOptions.inputLabel)
        if let config = try modelOptions.loadConfig() {
            do { try config.applyView(to: &s, clampToDepth: true) } catch { throw ModelOptions.configError(error, path: modelOptions.config ?? "") }
        }
        if let view {
            // "kernels" is the infinite-width regime's fourth view (the linear width's cdf)
            guard let v = ExplorerView(rawValue: view.lowercased()) ?? (view.lowercased() == "kernels" ? .cdf : nil) else {
                throw ModelError(field: "--view", value: view, allowed: "must be layers, compare, focus, cdf, edges or kernels (infinite width)")
            }
            s.view = v
        }
        let depth = model.depth
        let laws = "input, ck1…ck\(depth) or ntk"
        if let select {
            guard let k = KernelID.parse(select, depth: depth) else { throw ModelError(field: "--select", value: select, allowed: "must be \(laws)") }
            s.selected = k
        }
        if let compare {
            let parts = compare.split(separator: ",").map { KernelID.parse(String($0).trimmingCharacters(in: .whitespaces), depth: depth) }
            guard parts.count == 2, let a = parts[0], let b = parts[1] else {
                throw ModelError(field: "--compare", value: compare, allowed: "must be two laws A,B, each \(laws)")
            }
            s.compare = [a, b]
        }
        if let yScale {
            guard let y = YScale(rawValue: yScale.lowercased() == "lin" ? "linear" : yScale.lowercased()) else {
                throw ModelError(field: "--y-scale", value: yScale, allowed: "must be log, linear or sqrt")
            }
            s.display.yScale = y
        }
        if let zoom {
            try ViewOptions.zoomBound.check(Double(zoom), field: "--zoom")
            s.display.zoom = zoom
        }
        if let canvas {
            guard let c = CanvasMode(rawValue: canvas.lowercased()) else { throw ModelError(field: "--canvas", value: canvas, allowed: "must be braille, block or ascii") }
            s.display.canvas = c
        }
        if let theme { s.theme = theme }
        if empirical { s.empiricalOn = true }
        if let n {
            try ViewOptions.sampleSizeBound.check(Double(n), field: "--n")
            s.sampleSize = n
        }
        if let seed { s.seed = seed }
        if let mode {
            guard let m = RegimeID(rawValue: mode.lowercased()) else {
                let names = RegimeID.allCases.map(\.rawValue)
                throw ModelError(field: "--mode", value: mode, allowed: "must be \(names.dropLast().joined(separator: ", ")) or \(names.last!)")
            }
            s.regime = m
        }
        for o in regimeOptions {
            guard let value = o.value, let key = Regimes.regime(o.regime).session?.keys.first(where: { $0.name == o.key }) else { continue }
            guard let checked = key.kind.check(value) else { throw ModelError(field: o.option, value: ViewExport.word(value), allowed: key.kind.allowed) }
            key.set(&s.regimeSettings, checked)
        }
        if let i = initialisation, i.isGiven { s.infinite.initialisation = try i.initialisation(over: s.infinite.initialisation) }
        // a config file's [infinite] data (the command line's --data: DataOptions)
        if let path = s.infiniteDataPath {
            let d = try InfiniteWidthData.load(path: path)
            StandardStreams.error("ntkscope: data \(d.notice)\n")
            s.infinite.data = d
            s.infinite.dimension = d.points.dimension
            s.infinite.points = d.points.count
        }
        try s.readRegimeFiles()
        // a model changed on the command line may make the file's selections point past the depth
        s.compare = s.compare.map { if case .ck(let l) = $0, l > depth { return .ck(depth) } else { return $0 } }
        if case .ck(let l) = s.selected, l > depth { s.selected = .ck(depth) }
        return s
    }
}

/// `--data FILE [--remove-pcs K]` (explore and render): a data matrix as the input, as `:data` does.
struct DataOptions: ParsableArguments {
    @Option(help: ArgumentHelp("A data matrix (.npy or .csv, one sample per row): the input law is its Gram spectrum after the paper's preprocessing (centre, remove PCs, unit norm), and the sampled check (s, --empirical) runs on it; in the infinite-width mode it replaces the uniform points of the Gram block.", valueName: "FILE"))
    var data: String?

    @Option(name: .customLong("remove-pcs"), help: "With --data: remove the top K principal components first (the paper removes 10 from CIFAR-10).", transform: CommandLineValues.integer(CommandLineValues.removePCsAllowed))
    var removePCs: Int?

    func apply(to session: inout Session, modelOptions: ModelOptions) throws {
        guard let path = data else {
            if removePCs != nil { throw ModelError(field: "--remove-pcs", value: "\(removePCs!)", allowed: "needs --data FILE") }
            return
        }
        if modelOptions.gamma0 != nil || modelOptions.inputSpectrum != nil || modelOptions.orthonormalInput {
            throw ModelError(field: "--data", value: path, allowed: "is an input law: leave out --gamma0, --input-spectrum and --orthonormal-input")
        }
        let k = removePCs ?? 0
        guard k >= 0 else { throw ModelError(field: "--remove-pcs", value: "\(k)", allowed: CommandLineValues.removePCsAllowed) }
        switch DataInput.loadResult(path: path, removePCs: k) {
        case .success(let d): session.useData(d)
        // a file's error names --data and the file already; the others (too few samples, too large) do not
        case .failure(let e): throw e.description.contains("--data") ? e : ModelError(field: "--data", value: path, allowed: e.description)
        }
        // the infinite-width regime's Gram block uses the same data (samples scaled to unit norm)
        let d = try InfiniteWidthData.load(path: path)
        StandardStreams.error("ntkscope: --data (infinite width) \(d.notice)\n")
        session.infinite.data = d
        session.infiniteDataPath = path
        session.infinite.dimension = d.points.dimension
        session.infinite.points = d.points.count
    }
}

/// Solving and sampling for a rendered view, the way the explorer does it.
enum ViewRendering {
    /// Everything a view of `state` draws, computed as the explorer does: the laws on its grid with
    /// the view's zoom windows re-solved, the regime's own computation, and the sampled network when
    /// the check is on. `render`, `explore --print` and the explorer's `e` so draw the same frame.
    static func content(state: ExplorerState, progress: Bool) throws -> FrameContent {
        var content = solve(state.model, inputLabel: state.inputLabel, zoomedFor: state)
        if state.regime == .infiniteWidth, progress, let line = ProgressLine(label: "infinite width, order \(state.infinite.order), depth \(state.depth) (Ctrl-C cancels)") {
            // the same computation as computeNow, with its stages on a progress line
            content.infinite = InfiniteWidthCompute.compute(InfiniteWidthRequest(state: state)) { stage, fraction in
                line.show("\(stage) \(Int((100 * fraction).rounded(.down)))%")
            }
            line.finish()
        } else {
            state.currentRegime.computeNow(state: state, content: &content)
        }
        if state.empiricalOn {
            content.empirical = try sample(state: state, content: content, progress: progress)
        }
        return content
    }

    /// The limit laws on the explorer's grid (`SolveScheduler.explorerGridPoints`, as the explorer);
    /// with a zoomed `state`, each plot range of its view re-solved as the explorer does (ZoomPlan).
    static func solve(_ model: NetworkModel, inputLabel: String?, zoomedFor state: ExplorerState? = nil) -> FrameContent {
        let t0 = DispatchTime.now().uptimeNanoseconds
        let spectra = SolveScheduler.engineSolve(gridPoints: SolveScheduler.explorerGridPoints)(model, nil, true, nil)
        let ms = Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6
        LawNoticeReport.print(spectra.spectra)
        var map = DisplaySpectrum.byKernel(spectra)
        if let state { map = ZoomPlan.resolved(state: state, spectra: map, cache: spectra.cache) }
        return FrameContent(summary: ModelSummary(model: model, inputLabel: inputLabel), spectra: map,
                            solve: SolveStatus(lastMilliseconds: ms, warm: false, failures: spectra.failures))
    }

    /// One sampled network of width n = `state.sampleSize` with `state.seed`, every law of the model,
    /// compared with the limit laws (KS, W1); a progress line on stderr when it is a terminal.
    static func sample(state: ExplorerState, content: FrameContent, progress: Bool) throws -> EmpiricalSnapshot {
        var request = SamplingRequest(model: state.model, n: state.sampleSize, seed: state.seed, kernels: state.laws,
                                      surrogate: state.laws.contains(.ntk))
        if let data = state.data { request.input = .data(data.matrix); request.n = data.matrix.samples }
        var spectra: [SampledSpectrum] = []
        var lastDraw = Date.distantPast
        do {
            try NetworkSampler.run(request) { event in
                switch event {
                case .spectrum(let s): spectra.append(s)
                case .progress(let p) where progress:
                    let now = Date()
                    if now.timeIntervalSince(lastDraw) > 0.1 || p.stage == .done {
                        lastDraw = now
                        let layer = p.layer.map { " layer \($0)" } ?? ""
                        let line = String(format: "\r\u{1B}[Ksampling n=%d: %@%@ %5.1f%%", state.sampleSize, p.stage.rawValue, layer, 100 * p.fraction)
                        StandardStreams.error(line)
                    }
                default: break
                }
            }
        } catch {
            if progress { StandardStreams.error("\r\u{1B}[K") }
            throw ModelError(field: "--empirical", value: "n = \(state.sampleSize)", allowed: "sampling failed: \(error)")
        }
        if progress { StandardStreams.error("\r\u{1B}[K") }
        // as the explorer's check: against the laws of the realised widths (and, for data, of the sampled input Gram)
        let realised = try? LimitComparison.limitModel(for: request, inputGramEigenvalues: spectra.first { $0.kernel == .ck(0) }?.eigenvalues)
        let limits = SolveScheduler.engineSolve(gridPoints: SolveScheduler.explorerGridPoints)(realised ?? state.model, nil, true, nil)
        var results: [KernelID: EmpiricalKernelResult] = [:]
        let comparisons = LimitComparison.compare(spectra, limits: limits)
        let surrogate = comparisons.first { $0.kernel == .ntkSurrogate }?.comparison
        for s in spectra where s.kernel != .ntkSurrogate {
            let k = s.kernel.limitKernel
            guard state.laws.contains(k) else { continue }
            let c = comparisons.first { $0.kernel == s.kernel }?.comparison
            let sur = k == .ntk ? surrogate : nil
            results[k] = EmpiricalKernelResult(kernel: k, eigenvalues: s.eigenvalues, ks: c?.ks ?? .nan, w1: c?.w1 ?? .nan,
                                               ksLocation: c?.ksLocation, surrogateKS: sur?.ks, surrogateW1: sur?.w1)
        }
        return EmpiricalSnapshot(results: results, progress: nil, sampleSize: state.sampleSize)
    }
}

import Foundation
import LimitLaws
import PlotCanvas

/// Side effects the reducer asks the shell to perform (I/O only; everything else is state).
public enum ExplorerEffect: Sendable, Hashable {
    /// End the explorer with this exit status: 0 for `q` and `:q`, 130 (128 + SIGINT) for Ctrl-C.
    case quit(status: Int32)
    /// Read an input law from a file and send back `.setInput` or `.status(…, isError: true)`.
    case loadInputFile(String)
    /// Read a data matrix (.npy or .csv), remove `pcs` principal components, and use the Gram of its
    /// samples as the input law and the matrix itself in the sampled check (`.setData`).
    case loadDataFile(String, pcs: Int)
    /// List the files whose path starts with this word; answer with `.commandEdit(.completions(…))`.
    case completePath(String)
    /// Open the export prompt: answer with `.exportPrompt(.open(defaultPath:))` (the shell knows the date).
    case prepareExport
    /// Write the view to `path`; if it exists and `overwrite` is false, answer `.exportPrompt(.fileExists(path))`.
    case writeExport(path: String, format: ExportFormat, overwrite: Bool)
    /// Read a file for a regime (e.g. the quadratic regime's `:nu file:PATH`) and answer with
    /// `.regime(AnyRegimeAction(regime, RegimeFileRead(…)))`; `purpose` is handed back in it.
    case readRegimeFile(regime: RegimeID, path: String, purpose: String = "")
}

/// The pure state machine: (state, action) → (state, effects).
/// The shell compares the model before and after to decide whether to solve again.
public enum ExplorerReducer {
    public static let gammaStep = 1.25
    public static let gammaLimits = 1e-3...1e3
    public static let sampleSizes = 100...16000
    public static let maxZoom = 12
    /// Exit status after Ctrl-C: 128 + SIGINT, as if the shell had seen the signal.
    public static let interruptStatus: Int32 = 130

    /// `content` is what is on screen: the actions that depend on the solved laws (`E` frames an edge
    /// of the selected law) need it; without it they say so.
    public static func reduce(_ state: inout ExplorerState, _ action: ExplorerAction, content: FrameContent? = nil) -> [ExplorerEffect] {
        let before = state.undoable
        let messageBefore = state.message
        var effects: [ExplorerEffect] = []
        defer { logMessage(&state, before: messageBefore) }
        switch action {
        case .status, .commandInput, .commandEdit, .showMessageLog, .moveCursor, .pointAt: break
        default: state.message = nil
        }
        switch action {
        case .quit:
            state.shouldQuit = true
            effects.append(.quit(status: 0))
        case .interrupt:
            state.shouldQuit = true
            effects.append(.quit(status: ExplorerReducer.interruptStatus))
        case .toggleHelp:
            state.overlay = state.overlay == .help ? nil : .help
            state.helpPage = 0
        case .helpPage(let page):
            state.helpPage = max(0, page)
        case .closeOverlay:
            state.overlay = nil
            state.commandLine = nil
            state.commandEditor.historyIndex = nil
        case .selectPrevious:
            state.selection = max(0, state.selection - 1)
        case .selectNext:
            state.selection = min(state.depth + 1, state.selection + 1)
        case .gammaUp, .gammaDown:
            let up = action == .gammaUp
            if state.allLayers || state.selectedKernel == .ntk {
                scaleAllGammas(&state, up: up)
            } else if state.selection == 0 {
                scaleGamma0(&state, up: up)
            } else {
                let i = state.selection - 1
                setModel(&state) { $0.gammas[i] = clampGamma(stepped($0.gammas[i], up: up)) }
            }
        case .gammaAllUp: scaleAllGammas(&state, up: true)
        case .gammaAllDown: scaleAllGammas(&state, up: false)
        case .toggleAllLayers:
            state.allLayers.toggle()
            state.message = StatusMessage(state.allLayers ? "all-layers mode: ↑/↓ change every γ_ℓ (G to leave)"
                                                          : "↑/↓ change the selected layer's γ_ℓ")
        case .nextActivation, .previousActivation:
            let names = Activation.cycle
            let current = names.firstIndex(of: state.model.activation.name)
            let step = action == .nextActivation ? 1 : names.count - 1
            let next = current.map { names[($0 + step) % names.count] } ?? names[0]
            setActivation(&state, name: next)
        case .bDown, .bUp:
            let b = (state.model.activation.b * 20).rounded() / 20 + (action == .bUp ? 0.05 : -0.05)
            setB(&state, min(1, max(0, (b * 100).rounded() / 100)))
        case .depthDown:
            if state.depth <= 1 { state.message = StatusMessage("depth is already 1", isError: true) }
            else { setModel(&state) { $0.gammas.removeLast() } }
        case .depthUp:
            if state.depth >= NetworkModel.maxDepth { state.message = StatusMessage("depth is limited to \(NetworkModel.maxDepth)", isError: true) }
            else { setModel(&state) { $0.gammas.append($0.gammas.last ?? 0.5) } }
        case .gamma0Down: scaleGamma0(&state, up: false)
        case .gamma0Up: scaleGamma0(&state, up: true)
        case .showView(let v):
            state.view = v
        case .panLeft, .panRight:
            guard state.display.xLimits == nil else {
                pan(limits: &state, by: action == .panLeft ? -0.25 : 0.25)
                break
            }
            guard state.display.zoom > 0 else {
                state.message = StatusMessage("the whole range is shown: zoom in (z) or set :xlim to pan", isError: true)
                break
            }
            let width = 1 / Double(1 << state.display.zoom)
            state.display.pan = min(state.display.maxPan, max(0, state.display.pan + (action == .panLeft ? -0.25 : 0.25) * width))
        case .resetRange:
            state.display.zoom = 0; state.display.pan = 0; state.display.xLimits = nil; state.display.yLimits = nil
            state.edgeIndex = nil
            state.message = StatusMessage("full range")
        case .toggleCursor:
            state.cursor = state.cursor == nil ? 0.5 : nil
        case .moveCursor(let steps):
            state.cursor = min(1, max(0, (state.cursor ?? 0.5) + Double(steps) / 100))
        case .pointAt(let selection, let cursor):
            if let selection { state.selection = min(max(0, selection), state.depth + 1) }
            if let cursor { state.cursor = min(1, max(0, cursor)) }
        case .frameEdge:
            RangeActions.frameEdge(&state, content: content)
        case .toggleGrid:
            state.display.gridLines.toggle()
        case .toggleRescale:
            state.display.rescaleByMean.toggle()
            state.message = StatusMessage(state.display.rescaleByMean ? "compare: each law divided by its mean (λ / E λ)" : "compare: laws on their own scale")
        case .showMessageLog:
            state.overlay = state.overlay == .messageLog ? nil : .messageLog
        case .pageUp, .pageDown:
            guard state.view == .layers, let size = state.screenSize,
                  let p = ScreenLayout.layersPage(state: state, width: size.width, bodyHeight: size.height - 4), p.count > 1 else {
                state.message = StatusMessage("every panel is on one page", isError: false)
                break
            }
            let page = min(p.count - 1, max(0, p.page + (action == .pageDown ? 1 : -1)))
            state.selection = min(state.depth + 1, page * p.perPage)
            state.message = StatusMessage("page \(page + 1)/\(p.count) of the layers (PgUp/PgDn, ←/→ follow the selection)")
        case .chooserToggle:
            if case .compareChooser(let c) = state.overlay {
                let k = state.laws[min(c, state.laws.count - 1)]
                if let i = state.compare.firstIndex(of: k), i >= 2 { state.compare.remove(at: i) }
                else if !state.compare.contains(k) { state.compare.append(k) }
                state.view = .compare
            }
        case .themeFailed(let name, let message):
            state.failedThemes.insert(name)
            if state.themeName == name {
                state.themeName = state.themeNames.first { !state.failedThemes.contains($0) } ?? "dark"
            }
            state.message = StatusMessage(message + " — using \(state.themeName)", isError: true)
        case .openCompareChooser:
            let cursor = state.laws.firstIndex(of: state.compare[0]) ?? 0
            state.overlay = .compareChooser(cursor: cursor)
        case .chooserUp, .chooserDown:
            if case .compareChooser(let c) = state.overlay {
                let n = state.laws.count
                state.overlay = .compareChooser(cursor: (c + (action == .chooserDown ? 1 : n - 1)) % n)
            }
        case .chooserSetA, .chooserSetB:
            if case .compareChooser(let c) = state.overlay {
                state.compare[action == .chooserSetA ? 0 : 1] = state.laws[min(c, state.laws.count - 1)]
                state.view = .compare
            }
        case .toggleEmpirical:
            state.empiricalOn.toggle()
            state.message = StatusMessage(state.empiricalOn ? "empirical check started (n = \(state.sampleSize))"
                                                            : "empirical check stopped")
        case .sampleSizeDown, .sampleSizeUp:
            let n = action == .sampleSizeUp ? state.sampleSize * 2 : state.sampleSize / 2
            state.sampleSize = min(sampleSizes.upperBound, max(sampleSizes.lowerBound, n))
            state.message = StatusMessage("sample size n = \(state.sampleSize)")
        case .cycleYScale:
            state.display.yScale = state.display.yScale.next
        case .zoomIn, .zoomOut:
            RangeActions.zoom(&state, in: action == .zoomIn)
        case .cycleCanvas:
            state.display.canvas = state.display.canvas.next
        case .nextTheme:
            let names = state.themeNames
            let i = names.firstIndex(of: state.themeName) ?? -1
            // skip themes that failed to load
            let next = (1...names.count).map { names[(i + $0) % names.count] }.first { !state.failedThemes.contains($0) }
            state.themeName = next ?? state.themeName
            state.message = StatusMessage("theme: \(state.themeName)")
        case .export:
            effects.append(.prepareExport)
        case .exportPrompt(let a):
            effects += ExportPromptReducer.reduce(&state, a)
            if case .declineThen(let next?) = a { effects += reduce(&state, next, content: content) }
        case .undo:
            if let last = state.undoStack.popLast() {
                state.undoable = last
                state.selection = min(state.selection, state.depth + 1)
                state.message = StatusMessage("undone")
            } else {
                state.message = StatusMessage("nothing to undo", isError: true)
            }
            return effects   // do not push the undo itself
        case .reset:
            state.undoable = state.initial
            state.allLayers = false
            state.message = StatusMessage("reset to the starting configuration (u undoes)")
        case .openCommandLine:
            state.commandLine = ""
            state.commandEditor.cursor = 0
            state.commandEditor.historyIndex = nil
            state.overlay = nil
        case .commandInput(let c):
            effects += edit(&state, .insert(c))
        case .commandBackspace:
            if state.commandLine?.isEmpty == true { state.commandLine = nil } else { effects += edit(&state, .backspace) }
        case .commandEdit(let e):
            effects += edit(&state, e)
        case .commandSubmit:
            let line = state.commandLine ?? ""
            state.commandLine = nil
            state.commandEditor.commit(line)
            effects += ExplorerCommand.run(line, state: &state)
        case .setInput(let law, let label):
            setModel(&state) { $0.input = law }
            state.inputLabel = label
            state.message = StatusMessage("input law from \(label)")
        case .setData(let data):
            setModel(&state) { $0.input = .discrete(eigenvalues: data.gramEigenvalues) }
            if state.model.input == .discrete(eigenvalues: data.gramEigenvalues) {
                state.data = data
                state.inputLabel = data.label
                let f = data.diagnostics
                state.message = StatusMessage("input law from \(data.label) (n = \(f.samples), d₀ = \(f.features)): ε·n^¼ = \(String(format: "%.3g", f.scaledEpsilon))"
                    + (f.scaledEpsilon > 0.5 ? " is not small: expect the laws to miss (3: details)" : " (3: details)"))
            }
        case .status(let text, let isError):
            state.message = StatusMessage(text, isError: isError)
        case .nextRegime:
            Regimes.enter(Regimes.next(after: state.regime), state: &state)
        case .regime(let a):
            if let file = a.value as? RegimeFileRead { Regimes.regime(a.regime).fileRead(file, state: &state) }
            else { Regimes.regime(a.regime).reduce(a, state: &state, content: content) }
        }
        if state.undoable != before {
            state.undoStack.append(before)
            if state.undoStack.count > 200 { state.undoStack.removeFirst() }
        }
        return effects
    }

    /// Applies a command-line edit; a Tab on a file name asks the shell for the folder's entries.
    static func edit(_ state: inout ExplorerState, _ e: CommandLineEditor.Edit) -> [ExplorerEffect] {
        guard var line = state.commandLine else { return [] }
        let pathWord = state.commandEditor.apply(e, to: &line, message: &state.message)
        state.commandLine = line
        return pathWord.map { [.completePath($0)] } ?? []
    }

    /// Pans `:xlim` by a fraction of its width.
    static func pan(limits state: inout ExplorerState, by fraction: Double) {
        guard let r = state.display.xLimits else { return }
        let d = (r.upperBound - r.lowerBound) * fraction
        state.display.xLimits = (r.lowerBound + d)...(r.upperBound + d)
    }

    /// Keeps the last messages for `M` (a new message, or the same text again, is logged once).
    static func logMessage(_ state: inout ExplorerState, before: StatusMessage?) {
        guard let m = state.message, m != before else { return }
        state.messageLog.append(m)
        if state.messageLog.count > 200 { state.messageLog.removeFirst(state.messageLog.count - 200) }
    }

    static func clampGamma(_ g: Double) -> Double {
        min(gammaLimits.upperBound, max(gammaLimits.lowerBound, g))
    }

    /// Applies `change` to a copy of the model and keeps it only if it validates.
    static func setModel(_ state: inout ExplorerState, _ change: (inout NetworkModel) -> Void) {
        var m = state.model
        change(&m)
        do {
            try m.validate()
            state.model = m
            // a data matrix is the input only while its Gram spectrum is the input law
            if let d = state.data, m.input != .discrete(eigenvalues: d.gramEigenvalues) { state.data = nil }
            state.selection = min(state.selection, m.depth + 1)
            state.compare = state.compare.map { k in
                if case .ck(let l) = k, l > m.depth { return .ck(m.depth) } else { return k }
            }
        } catch {
            state.message = StatusMessage(error.description, isError: true)
        }
    }

    /// x one γ step up (× 1.25) or down (÷ 1.25), to 12 significant digits, so that a step and
    /// its opposite give x back exactly (× 0.8 then × 1.25 took γ₀ = 3 to 3.0000000000000004, a
    /// model the explorer had not seen).
    static func stepped(_ x: Double, up: Bool) -> Double {
        let y = up ? x * gammaStep : x / gammaStep
        guard y.isFinite, y != 0 else { return y }
        return Double(String(format: "%.12g", y)) ?? y
    }

    static func scaleAllGammas(_ state: inout ExplorerState, up: Bool) {
        setModel(&state) { $0.gammas = $0.gammas.map { clampGamma(stepped($0, up: up)) } }
    }

    static func scaleGamma0(_ state: inout ExplorerState, up: Bool) {
        guard case .marcenkoPastur(let g0) = state.model.input else {
            state.message = StatusMessage("the input law is not Gaussian; :gamma0 V switches to Gaussian inputs", isError: true)
            return
        }
        setModel(&state) { $0.input = .marcenkoPastur(gamma0: clampGamma(stepped(g0, up: up))) }
    }

    static func setActivation(_ state: inout ExplorerState, name: String) {
        do {
            let a = try Activation.named(name)
            setModel(&state) { $0.activation = a }
        } catch {
            state.message = StatusMessage(error.description, isError: true)
        }
    }

    static func setB(_ state: inout ExplorerState, _ b: Double) {
        do {
            let a = try Activation.bFamily(b)
            setModel(&state) { $0.activation = a }
        } catch {
            state.message = StatusMessage(error.description, isError: true)
        }
    }
}

/// The `:` command line: exact values, errors go to the status line.
public enum ExplorerCommand {
    /// Runs one line. An error names the command it came from (":gamma: layer 9 out of range…").
    public static func run(_ line: String, state: inout ExplorerState) -> [ExplorerEffect] {
        let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard let name = words.first?.lowercased() else { return [] }
        let before = state.message
        let effects = execute(name, Array(words.dropFirst()), state: &state)
        if let m = state.message, m.isError, m != before { state.message = StatusMessage(naming(m.text, command: name), isError: true) }
        return effects
    }

    /// An error of `:command` with the command in front, unless the text names it already.
    public static func naming(_ error: String, command: String) -> String {
        error.contains(":\(command)") ? error : ":\(command): " + error
    }

    /// The closest command names to a mistyped one (same first letter or within two edits).
    static func suggestions(for name: String) -> [String] {
        func distance(_ a: [Character], _ b: [Character]) -> Int {
            var row = Array(0...b.count)
            for i in 1...max(1, a.count) where !a.isEmpty {
                var previous = row[0]; row[0] = i
                for j in 1...max(1, b.count) where !b.isEmpty {
                    let current = row[j]
                    row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
                    previous = current
                }
            }
            return row[b.count]
        }
        let a = Array(name)
        return CommandLineEditor.commandNames.filter { distance(a, Array($0)) <= 2 || (name.count >= 2 && $0.hasPrefix(name)) }
    }

    static func execute(_ name: String, _ args: [String], state: inout ExplorerState) -> [ExplorerEffect] {
        func fail(_ text: String) -> [ExplorerEffect] {
            state.message = StatusMessage(text, isError: true)
            return []
        }
        /// The value of `text` within `bound` (the command line's bound of the same value), else nil
        /// with the refusal on the status line: the value, what is allowed and `usage`.
        func bounded(_ text: String, _ bound: NumberBound, field: String) -> Double? {
            do { return try bound.check(Double(text) ?? .nan, field: field, text: text) } catch {
                state.message = StatusMessage(error.description, isError: true)
                return nil
            }
        }
        for regime in Regimes.all {
            if let effects = regime.command(name, args, state: &state) { return effects }
        }
        switch name {
        case "q", "quit", "exit":
            state.shouldQuit = true
            return [.quit(status: 0)]
        case "help", "h":
            state.overlay = .help
            state.helpPage = 0
        case "gamma":
            guard args.count == 2, let l = Int(args[0]) else { return fail("usage: :gamma ℓ VALUE (e.g. :gamma 3 0.25)") }
            guard let v = bounded(args[1], NumberBounds.gamma, field: "γ_\(l)") else { return [] }
            if l == 0 {
                ExplorerReducer.setModel(&state) { $0.input = .marcenkoPastur(gamma0: v) }
                state.inputLabel = nil
            } else if l >= 1 && l <= state.depth {
                ExplorerReducer.setModel(&state) { $0.gammas[l - 1] = v }
            } else {
                return fail("layer \(l) out of range: ℓ must be 0…\(state.depth)")
            }
        case "gammas":
            // items separated by commas (an empty one is an error, as on the command line) or spaces
            let text = args.joined(separator: " ")
            let parts = text.split(separator: ",", omittingEmptySubsequences: false).flatMap { piece -> [String] in
                let t = piece.trimmingCharacters(in: .whitespaces)
                return t.isEmpty ? [""] : t.split(separator: " ").map(String.init)
            }
            guard !text.trimmingCharacters(in: .whitespaces).isEmpty else { return fail("usage: :gammas 0.5,0.5,2 (one γ_ℓ per layer)") }
            var values: [Double] = []
            for p in parts {
                guard let v = bounded(p, NumberBounds.gamma, field: "γ_\(values.count + 1)") else { return [] }
                values.append(v)
            }
            guard NumberBounds.depth.contains(Double(values.count)) else {
                return fail("invalid number of γ_ℓ \(values.count): the depth \(NumberBounds.depth.allowed)")
            }
            ExplorerReducer.setModel(&state) { $0.gammas = values }
        case "sigma", "activation":
            guard args.count == 1 else { return fail("usage: :sigma NAME (\(Activation.builtinNames.joined(separator: ", ")), b-family:0.3)") }
            ExplorerReducer.setActivation(&state, name: args[0])
        case "b":
            guard args.count == 1 else { return fail("usage: :b VALUE (−1 ≤ b_σ ≤ 1; the keys b/B step within 0…1)") }
            guard let v = bounded(args[0], NumberBounds.bSigma, field: "b_σ") else { return [] }
            ExplorerReducer.setB(&state, v)
        case "depth", "l":
            guard args.count == 1 else { return fail("usage: :depth L") }
            guard let depth = bounded(args[0], NumberBounds.depth, field: "the depth") else { return [] }
            let d = Int(depth)
            ExplorerReducer.setModel(&state) { m in
                let last = m.gammas.last ?? 0.5
                m.gammas = Array(m.gammas.prefix(d)) + Array(repeating: last, count: max(0, d - m.gammas.count))
            }
        case "gamma0":
            guard args.count == 1 else { return fail("usage: :gamma0 VALUE (\(NumberBounds.gamma.description))") }
            guard let v = bounded(args[0], NumberBounds.gamma, field: "γ₀") else { return [] }
            ExplorerReducer.setModel(&state) { $0.input = .marcenkoPastur(gamma0: v) }
            state.inputLabel = nil
        case "input":
            guard args.count >= 1 else { return fail("usage: :input FILE") }
            return [.loadInputFile(CommandLineEditor.expandHome(args.joined(separator: " ")))]
        case "data":
            var words = args, pcs = 0
            if words.count >= 3, words[words.count - 2].lowercased() == "pcs" {
                guard let k = Int(words[words.count - 1]), k >= 0 else { return fail("invalid number of PCs '\(words[words.count - 1])': must be an integer ≥ 0") }
                pcs = k
                words.removeLast(2)
            }
            guard !words.isEmpty else { return fail("usage: :data FILE [pcs K] (a .npy or .csv matrix, one sample per row)") }
            return [.loadDataFile(CommandLineEditor.expandHome(words.joined(separator: " ")), pcs: pcs)]
        case "n":
            guard args.count == 1, let n = Int(args[0]), ExplorerReducer.sampleSizes.contains(n) else {
                return fail("usage: :n N (\(ExplorerReducer.sampleSizes.lowerBound)…\(ExplorerReducer.sampleSizes.upperBound))")
            }
            state.sampleSize = n
        case "compare":
            let laws = args.flatMap { $0.split(separator: ",") }.map { KernelID.parse(String($0), depth: state.depth) }
            guard laws.count >= 2, laws.allSatisfy({ $0 != nil }) else {
                return fail("usage: :compare A B [C …] with each in input, ck1…ck\(state.depth), ntk (A and B are measured; more are overlaid)")
            }
            var unique: [KernelID] = []
            for k in laws.compactMap({ $0 }) where !unique.contains(k) { unique.append(k) }
            guard unique.count >= 2 else { return fail("compare needs two different laws") }
            state.compare = unique
            state.view = .compare
        case "view":
            guard args.count == 1, let v = ExplorerView(rawValue: args[0].lowercased()) else {
                return fail("usage: :view \(ExplorerView.allCases.map(\.rawValue).joined(separator: "|"))")
            }
            state.view = v
        case "theme":
            guard args.count == 1 else { return fail("usage: :theme NAME (\(state.themeNames.joined(separator: ", ")))") }
            guard state.themeNames.contains(args[0]) else { return fail("unknown theme '\(args[0])': \(state.themeNames.joined(separator: ", "))") }
            state.themeName = args[0]
        case "yscale", "y":
            guard args.count == 1, let s = YScale(rawValue: args[0].lowercased() == "lin" ? "linear" : args[0].lowercased()) else {
                return fail("usage: :yscale log|linear|sqrt")
            }
            state.display.yScale = s
        case "canvas":
            guard args.count == 1, let c = CanvasMode(rawValue: args[0].lowercased()) else { return fail("usage: :canvas braille|block|ascii") }
            state.display.canvas = c
        case "zoom":
            guard args.count == 1, let z = Int(args[0]), (0...ExplorerReducer.maxZoom).contains(z) else {
                return fail("usage: :zoom K (0…\(ExplorerReducer.maxZoom), x range ÷ 2^K)")
            }
            state.display.zoom = z
        case "export":
            return ExportPromptReducer.command(args.map { CommandLineEditor.expandHome($0) }, state: &state)
        case "xlim", "ylim":
            let isX = name == "xlim"
            // `off` (or `auto`) only: a number, 0 included, is an end of the range and is checked as one
            if args.count == 1, ["off", "auto"].contains(args[0].lowercased()) {
                if isX { state.display.xLimits = nil } else { state.display.yLimits = nil }
                state.message = StatusMessage(isX ? "x range: automatic (zoom and pan)" : "y range: automatic")
                break
            }
            if isX {
                guard args.count == 2 else { return fail("usage: :xlim A B with A < B (or :xlim off)") }
                guard let a = bounded(args[0], NumberBounds.plotLimit, field: "the left end A"), let b = bounded(args[1], NumberBounds.plotLimit, field: "the right end B") else { return [] }
                do { state.display.xLimits = try NumberBounds.window(a, b, fields: ("A", "B")) } catch { return fail(error.description) }
                state.edgeIndex = nil
            } else {
                var values: [Double] = []
                for (k, text) in args.prefix(2).enumerated() {
                    guard let v = bounded(text, NumberBounds.plotLimit, field: args.count == 2 && k == 0 ? "the bottom" : "the top") else { return [] }
                    values.append(v)
                }
                guard (1...2).contains(values.count), values.count == args.count, let top = values.last else {
                    return fail("usage: :ylim TOP or :ylim BOTTOM TOP with 0 ≤ BOTTOM < TOP (the bottom is used on a log axis; or :ylim off)")
                }
                guard top > 0 else {
                    return fail(":ylim: invalid value '\(args[args.count - 1])' for the top: must be above 0 (automatic: :ylim off)")
                }
                if values.count == 2, !(values[0] >= 0 && values[0] < top) {
                    return fail("invalid value '\(args[0])' for the bottom: must be ≥ 0 and below the top \(args[1])")
                }
                state.display.yLimits = (values.count == 2 ? values[0] : 0)...top
                if values.count == 2, values[0] == 0, state.display.yScale == .log {
                    state.message = StatusMessage("y ≤ \(AxisTicks.significant(top, 3)); a log axis needs a bottom > 0: it keeps its decades")
                }
            }
        case "grid", "rescale":
            let on: Bool
            switch args.first?.lowercased() {
            case nil: on = !(name == "grid" ? state.display.gridLines : state.display.rescaleByMean)
            case "on"?, "true"?, "1"?: on = true
            case "off"?, "false"?, "0"?: on = false
            default: return fail("usage: :\(name) [on|off]")
            }
            if name == "grid" { state.display.gridLines = on } else { state.display.rescaleByMean = on }
        case "mode", "regime":
            let names = RegimeID.allCases.map(\.rawValue).joined(separator: "|")
            guard args.count == 1, let r = RegimeID(rawValue: args[0].lowercased()) else { return fail("usage: :mode \(names)") }
            Regimes.enter(r, state: &state)
        default:
            let close = suggestions(for: name)
            return fail("unknown command ':\(name)'" + (close.isEmpty ? "" : " (did you mean " + close.prefix(3).map { ":" + $0 }.joined(separator: ", ") + "?)") + " — :help lists the commands")
        }
        return []
    }
}

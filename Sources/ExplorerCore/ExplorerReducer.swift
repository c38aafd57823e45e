import Foundation
import LimitLaws
import PlotCanvas

/// Side effects the reducer asks the shell to perform (I/O only; everything else is state).
public enum ExplorerEffect: Sendable, Hashable {
    /// End the explorer with this exit status: 0 for `q` and `:q`, 130 (128 + SIGINT) for Ctrl-C.
    case quit(status: Int32)
    /// Read an input law from a file and send back `.setInput` or `.status(…, isError: true)`.
    case loadInputFile(String)
    /// Open the export prompt: answer with `.exportPrompt(.open(defaultPath:))` (the shell knows the date).
    case prepareExport
    /// Write the view to `path`; if it exists and `overwrite` is false, answer `.exportPrompt(.fileExists(path))`.
    case writeExport(path: String, format: ExportFormat, overwrite: Bool)
}

/// The pure state machine: (state, action) → (state, effects).
/// The shell compares the model before and after to decide whether to solve again.
public enum ExplorerReducer {
    public static let gammaStep = 1.25
    public static let gammaLimits = 1e-3...1e3
    /// Deepest model the keys and `:depth` reach (the engine goes to 64; the layers view pages through panels).
    public static let maxDepth = 32
    public static let sampleSizes = 100...16000
    public static let maxZoom = 12
    /// Exit status after Ctrl-C: 128 + SIGINT, as if the shell had seen the signal.
    public static let interruptStatus: Int32 = 130

    public static func reduce(_ state: inout ExplorerState, _ action: ExplorerAction) -> [ExplorerEffect] {
        let before = state.undoable
        var effects: [ExplorerEffect] = []
        if case .status = action {} else if case .commandInput = action {} else { state.message = nil }
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
        case .selectPrevious:
            state.selection = max(0, state.selection - 1)
        case .selectNext:
            state.selection = min(state.depth + 1, state.selection + 1)
        case .gammaUp, .gammaDown:
            let factor = action == .gammaUp ? gammaStep : 1 / gammaStep
            if state.allLayers || state.selectedKernel == .ntk {
                scaleAllGammas(&state, factor)
            } else if state.selection == 0 {
                scaleGamma0(&state, factor)
            } else {
                let i = state.selection - 1
                setModel(&state) { $0.gammas[i] = clampGamma($0.gammas[i] * factor) }
            }
        case .gammaAllUp: scaleAllGammas(&state, gammaStep)
        case .gammaAllDown: scaleAllGammas(&state, 1 / gammaStep)
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
            if state.depth >= maxDepth { state.message = StatusMessage("depth is limited to \(maxDepth)", isError: true) }
            else { setModel(&state) { $0.gammas.append($0.gammas.last ?? 0.5) } }
        case .gamma0Down: scaleGamma0(&state, 1 / gammaStep)
        case .gamma0Up: scaleGamma0(&state, gammaStep)
        case .showView(let v):
            state.view = v
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
        case .zoomIn:
            state.display.zoom = min(maxZoom, state.display.zoom + 1)
        case .zoomOut:
            state.display.zoom = max(0, state.display.zoom - 1)
        case .cycleCanvas:
            state.display.canvas = state.display.canvas.next
        case .nextTheme:
            let names = state.themeNames
            let i = names.firstIndex(of: state.themeName) ?? -1
            state.themeName = names[(i + 1) % names.count]
            state.message = StatusMessage("theme: \(state.themeName)")
        case .export:
            effects.append(.prepareExport)
        case .exportPrompt(let a):
            effects += ExportPromptReducer.reduce(&state, a)
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
            state.overlay = nil
        case .commandInput(let c):
            state.commandLine = (state.commandLine ?? "") + String(c)
        case .commandBackspace:
            if let line = state.commandLine {
                state.commandLine = line.isEmpty ? nil : String(line.dropLast())
            }
        case .commandSubmit:
            let line = state.commandLine ?? ""
            state.commandLine = nil
            effects += ExplorerCommand.run(line, state: &state)
        case .setInput(let law, let label):
            setModel(&state) { $0.input = law }
            state.inputLabel = label
            state.message = StatusMessage("input law from \(label)")
        case .status(let text, let isError):
            state.message = StatusMessage(text, isError: isError)
        case .nextRegime:
            Regimes.enter(Regimes.next(after: state.regime), state: &state)
        case .regime(let a):
            Regimes.regime(a.regime).reduce(a, state: &state)
        }
        if state.undoable != before {
            state.undoStack.append(before)
            if state.undoStack.count > 200 { state.undoStack.removeFirst() }
        }
        return effects
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
            state.selection = min(state.selection, m.depth + 1)
            state.compare = state.compare.map { k in
                if case .ck(let l) = k, l > m.depth { return .ck(m.depth) } else { return k }
            }
        } catch {
            state.message = StatusMessage(error.description, isError: true)
        }
    }

    static func scaleAllGammas(_ state: inout ExplorerState, _ factor: Double) {
        setModel(&state) { $0.gammas = $0.gammas.map { clampGamma($0 * factor) } }
    }

    static func scaleGamma0(_ state: inout ExplorerState, _ factor: Double) {
        guard case .marcenkoPastur(let g0) = state.model.input else {
            state.message = StatusMessage("the input law is not Gaussian; :gamma0 V switches to Gaussian inputs", isError: true)
            return
        }
        setModel(&state) { $0.input = .marcenkoPastur(gamma0: clampGamma(g0 * factor)) }
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
    public static func run(_ line: String, state: inout ExplorerState) -> [ExplorerEffect] {
        let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard let name = words.first?.lowercased() else { return [] }
        let args = Array(words.dropFirst())
        func fail(_ text: String) -> [ExplorerEffect] {
            state.message = StatusMessage(text, isError: true)
            return []
        }
        func number(_ s: String) -> Double? {
            guard let v = Double(s), v.isFinite else { return nil }
            return v
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
            guard args.count == 2, let l = Int(args[0]), let v = number(args[1]) else { return fail("usage: :gamma ℓ VALUE (e.g. :gamma 3 0.25)") }
            guard v > 0 else { return fail("invalid value '\(args[1])' for γ_\(l): must be > 0") }
            if l == 0 {
                ExplorerReducer.setModel(&state) { $0.input = .marcenkoPastur(gamma0: v) }
                state.inputLabel = nil
            } else if l >= 1 && l <= state.depth {
                ExplorerReducer.setModel(&state) { $0.gammas[l - 1] = v }
            } else {
                return fail("layer \(l) out of range: ℓ must be 0…\(state.depth)")
            }
        case "gammas":
            let parts = args.joined(separator: ",").split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
            let values = parts.compactMap(number)
            guard !parts.isEmpty, values.count == parts.count else { return fail("usage: :gammas 0.5,0.5,2 (one γ_ℓ per layer)") }
            guard values.allSatisfy({ $0 > 0 }) else { return fail("every γ_ℓ must be > 0") }
            guard values.count <= ExplorerReducer.maxDepth else { return fail("depth is limited to \(ExplorerReducer.maxDepth)") }
            ExplorerReducer.setModel(&state) { $0.gammas = values }
        case "sigma", "activation":
            guard args.count == 1 else { return fail("usage: :sigma NAME (\(Activation.builtinNames.joined(separator: ", ")), b-family:0.3)") }
            ExplorerReducer.setActivation(&state, name: args[0])
        case "b":
            guard args.count == 1, let v = number(args[0]) else { return fail("usage: :b VALUE (|b| ≤ 1)") }
            ExplorerReducer.setB(&state, v)
        case "depth", "l":
            guard args.count == 1, let d = Int(args[0]) else { return fail("usage: :depth L") }
            guard d >= 1, d <= ExplorerReducer.maxDepth else { return fail("invalid depth \(d): must be 1…\(ExplorerReducer.maxDepth)") }
            ExplorerReducer.setModel(&state) { m in
                let last = m.gammas.last ?? 0.5
                m.gammas = Array(m.gammas.prefix(d)) + Array(repeating: last, count: max(0, d - m.gammas.count))
            }
        case "gamma0":
            guard args.count == 1, let v = number(args[0]), v > 0 else { return fail("usage: :gamma0 VALUE (> 0)") }
            ExplorerReducer.setModel(&state) { $0.input = .marcenkoPastur(gamma0: v) }
            state.inputLabel = nil
        case "input":
            guard args.count >= 1 else { return fail("usage: :input FILE") }
            return [.loadInputFile(args.joined(separator: " "))]
        case "n":
            guard args.count == 1, let n = Int(args[0]), ExplorerReducer.sampleSizes.contains(n) else {
                return fail("usage: :n N (\(ExplorerReducer.sampleSizes.lowerBound)…\(ExplorerReducer.sampleSizes.upperBound))")
            }
            state.sampleSize = n
        case "compare":
            guard args.count == 2, let a = KernelID.parse(args[0], depth: state.depth),
                  let b = KernelID.parse(args[1], depth: state.depth) else {
                return fail("usage: :compare A B with A, B in input, ck1…ck\(state.depth), ntk")
            }
            state.compare = [a, b]
            state.view = .compare
        case "view":
            guard args.count == 1, let v = ExplorerView(rawValue: args[0].lowercased()) else { return fail("usage: :view layers|compare|focus") }
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
            return ExportPromptReducer.command(args, state: &state)
        case "mode", "regime":
            let names = RegimeID.allCases.map(\.rawValue).joined(separator: "|")
            guard args.count == 1, let r = RegimeID(rawValue: args[0].lowercased()) else { return fail("usage: :mode \(names)") }
            Regimes.enter(r, state: &state)
        default:
            return fail("unknown command ':\(name)' (:help lists the commands)")
        }
        return []
    }
}

import Foundation
import InputFiles
import LimitLaws
import NetworkSampling
import PlotCanvas
import QuadraticScaling

// The quadratic-scaling regime (docs/quadratic.md): the two-layer NTK when n ~ d·p, its limit law
// μ_NTK = γ₁⁻¹(MP(γ₁) ⊠ H) + (1 − γ₁⁻¹)δ₀ with H = μ_{ν,φ}, and a sampled NTK against it. Three
// panels (H, the Marcenko–Pastur factor, the NTK law); keys for γ₁, γ₂, σ (φ = σ′) and ν; the sampled
// check in the background with its bulk/outlier split.

extension RegimeID {
    public static let quadratic = RegimeID(unchecked: "quadratic")
}

/// The three laws of the regime, in panel order.
public enum QuadraticPanel: Int, Sendable, Hashable, CaseIterable {
    case population, marcenkoPastur, ntk

    /// The session file's name: "population", "marcenko-pastur", "ntk".
    public var name: String {
        switch self {
        case .population: return "population"
        case .marcenkoPastur: return "marcenko-pastur"
        case .ntk: return "ntk"
        }
    }

    public init?(name: String) {
        guard let p = QuadraticPanel.allCases.first(where: { $0.name == name.lowercased() }) else { return nil }
        self = p
    }
}

/// The settings of the quadratic-scaling mode (part of the undo history and of session files).
public struct QuadraticModeSettings: RegimeSettings {
    /// γ₁ = lim n/(dp).
    public var gamma1: Double
    /// γ₂ = lim p/d.
    public var gamma2: Double
    /// σ, whose derivative φ = σ′ enters (`DerivativeActivation.names`).
    public var activation: String
    /// The table's normalised σ (φ scaled by the normalisation's factor s, H and the law by s²).
    public var normalised: Bool
    /// ν, the law of the output weights D, as `--output-law` writes it (`OutputWeightLaw.syntax`).
    public var outputLaw: String
    /// The law of a `file:PATH` ν, once the shell read the file (nil for the other laws).
    public var fileLaw: OutputWeightLaw?
    /// Input dimension d of the sampled check: p = round(γ₂ d), n = round(γ₁ d p).
    public var d: Int
    /// The law of the sampled check's inputs X, as `ntkscope quadratic sample --input` writes it:
    /// "gaussian", "rademacher" or "data:PATH" (then d = the file's columns, n = its rows).
    public var input: String = "gaussian"
    /// The last data file read for the inputs (kept when `i` cycles to another law, so it can come back).
    public var inputData: RegimeDataFile?
    /// Seed of the sampled network.
    public var seed: UInt64
    /// The sampled check is on (`s`): it runs for the current settings, in the background.
    public var check: Bool
    /// The law the focus view shows.
    public var panel: QuadraticPanel

    public init(gamma1: Double = 0.5, gamma2: Double = 1, activation: String = "relu", normalised: Bool = false,
                outputLaw: String = "rademacher", fileLaw: OutputWeightLaw? = nil, d: Int = 40, seed: UInt64 = 1,
                check: Bool = false, panel: QuadraticPanel = .ntk) {
        self.gamma1 = gamma1; self.gamma2 = gamma2; self.activation = activation; self.normalised = normalised
        self.outputLaw = outputLaw; self.fileLaw = fileLaw; self.d = d; self.seed = seed; self.check = check; self.panel = panel
    }

    /// `n`/`N` step d through these; other values (from `:d` or a session file) step to the next one.
    public static let dimensionLadder = [8, 10, 12, 16, 20, 24, 30, 40, 50, 60, 80, 100, 120, 160, 200]
    public static let dimensions = 2...20_000
    /// `o`/`O` cycle ν through these (and the file's law once one was read).
    public static let outputLawPresets = ["rademacher", "two-point:0.5,1.5,0.5", "uniform:-1,1"]
    /// `i`/`I` cycle the inputs through these (and the data file once one was read).
    public static let inputPresets = ["gaussian", "rademacher"]
    /// `a`/`A` cycle σ through these (the table's and φ = x; a constant φ is refused, so linear is skipped).
    public static var activationCycle: [String] { Activation.cycle + ["quadratic"] }

    /// The limit law's parameters; throws (naming the setting) when they cannot be solved.
    public func lawSettings() throws(ModelError) -> QuadraticSettings {
        let phi = try DerivativeActivation.named(activation, normalised: normalised)
        let law: OutputWeightLaw
        switch try OutputWeightLaw.parse(outputLaw) {
        case .law(let l): law = l
        case .file(let path):
            guard let f = fileLaw else {
                throw ModelError(field: "output-law", value: outputLaw, allowed: "the file \(path) has not been read (:nu file:PATH reads it)")
            }
            law = f
        }
        let s = QuadraticSettings(gamma1: gamma1, gamma2: gamma2, activation: phi, outputLaw: law)
        try s.validate()
        return s
    }

    /// The sampled check's parameters (nil when the law's settings are not valid or a data file is
    /// still to be read).
    public var checkKey: QuadraticCheckKey? {
        guard let s = try? lawSettings(), input == "gaussian" || input == "rademacher" || activeData != nil else { return nil }
        return QuadraticCheckKey(settings: s, d: d, seed: seed, input: input, data: activeData)
    }

    /// The path of a "data:PATH" input.
    public var inputPath: String? { input.hasPrefix("data:") ? String(input.dropFirst(5)) : nil }

    /// The matrix the sampled check uses: the file read for a "data:PATH" input (nil for the others,
    /// or while the file is still to be read).
    public var activeData: RegimeDataFile? {
        guard let path = inputPath, let data = inputData, data.path == path else { return nil }
        return data
    }

    /// "gaussian", "rademacher", "digits.csv".
    public var inputLabel: String { inputPath.map { ($0 as NSString).lastPathComponent } ?? input }

    /// Whether `text` names an input law: gaussian, rademacher or data:PATH.
    public static func isInput(_ text: String) -> Bool {
        ["gaussian", "rademacher"].contains(text) || (text.hasPrefix("data:") && text.count > 5)
    }

    /// "relu" or "relu (normalised)".
    public var activationLabel: String { normalised ? "\(activation) (normalised)" : activation }

    /// The sampled check's input dimension: d, or a data file's column count.
    public var sampleDimension: Int { activeData.map { $0.matrix.features } ?? d }

    /// p = round(γ₂ d) and n = round(γ₁ d p) of the sampled check (as `QuadraticSamplingRequest`; a
    /// data file's n is its row count).
    public var sampleShape: (p: Int, n: Int) {
        let dim = sampleDimension
        let p = max(1, Int((gamma2 * Double(dim)).rounded()))
        if let m = activeData?.matrix { return (p, m.samples) }
        return (p, max(1, Int((gamma1 * Double(dim) * Double(p)).rounded())))
    }

    /// The path of a `file:PATH` ν whose values are still to be read (a session file names it).
    public var pendingFile: String? {
        guard fileLaw == nil, case .file(let path)? = try? OutputWeightLaw.parse(outputLaw) else { return nil }
        return path
    }

    /// The path of a "data:PATH" input whose matrix is still to be read.
    public var pendingInputFile: String? { activeData == nil ? inputPath : nil }
}

/// What the regime's keys ask for.
public enum QuadraticAction: RegimeAction {
    case gamma1(up: Bool), gamma2(up: Bool)
    case activation(next: Bool), toggleNormalised
    case outputLaw(next: Bool)
    case input(next: Bool)
    case dimension(up: Bool)
    case toggleCheck
    case panel(next: Bool)
}

extension ExplorerAction {
    /// An action of the quadratic-scaling regime.
    public static func quadratic(_ a: QuadraticAction) -> ExplorerAction { .regime(AnyRegimeAction(.quadratic, a)) }
}

extension ExplorerState {
    /// The quadratic-scaling regime's settings.
    public var quadratic: QuadraticModeSettings {
        get { regimeSettings.get(.quadratic, default: QuadraticModeSettings()) }
        set { regimeSettings.set(.quadratic, newValue) }
    }
}

extension FrameContent {
    /// The quadratic-scaling regime's data (QuadraticContent.swift); nil until computed.
    public var quadratic: QuadraticFrame? {
        get { regimeContent(.quadratic) }
        set { regimeFrames[.quadratic] = newValue }
    }
}

/// The regime's key bindings, active only while it is shown. Keys that play the role they play in
/// the linear-width regime keep their letter: ↑/↓ and K/J change the ratios (γ₁, γ₂), a/A σ, n/N the
/// sample's size (here through d), s the sampled check, ←/→ the selection (here the panel).
public enum QuadraticKeys {
    static let group = "Quadratic scaling (w)"
    public static let bindings: [KeyBinding] = [
        KeyBinding(keys: [.up, .character("k")], label: "↑ ↓  k j", action: .quadratic(.gamma1(up: true)),
                   help: "γ₁ = n/(dp) ×/÷ 1.25", group: group),
        KeyBinding(keys: [.down, .character("j")], label: "", action: .quadratic(.gamma1(up: false)), help: "", group: group),
        KeyBinding(keys: [.shiftUp, .character("K")], label: "Shift-↑ ↓  K J", action: .quadratic(.gamma2(up: true)),
                   help: "γ₂ = p/d ×/÷ 1.25", group: group),
        KeyBinding(keys: [.shiftDown, .character("J")], label: "", action: .quadratic(.gamma2(up: false)), help: "", group: group),
        KeyBinding(keys: [.character("a")], label: "a / A", action: .quadratic(.activation(next: true)),
                   help: "next / previous σ (φ = σ′)", group: group),
        KeyBinding(keys: [.character("A")], label: "", action: .quadratic(.activation(next: false)), help: "", group: group),
        KeyBinding(keys: [.character("=")], label: "=", action: .quadratic(.toggleNormalised),
                   help: "σ raw ↔ normalised (scales φ by s)", group: group),
        KeyBinding(keys: [.character("o")], label: "o / O", action: .quadratic(.outputLaw(next: true)),
                   help: "next / previous law ν of D", group: group),
        KeyBinding(keys: [.character("O")], label: "", action: .quadratic(.outputLaw(next: false)), help: "", group: group),
        KeyBinding(keys: [.character("i")], label: "i / I", action: .quadratic(.input(next: true)),
                   help: "sample's X: gaussian, rademacher, data file", group: group),
        KeyBinding(keys: [.character("I")], label: "", action: .quadratic(.input(next: false)), help: "", group: group),
        KeyBinding(keys: [.character("n")], label: "n / N", action: .quadratic(.dimension(up: false)),
                   help: "sample's d down / up (n = γ₁dp)", group: group),
        KeyBinding(keys: [.character("N")], label: "", action: .quadratic(.dimension(up: true)), help: "", group: group),
        KeyBinding(keys: [.character("s")], label: "s", action: .quadratic(.toggleCheck),
                   help: "sampled check start / cancel", group: group),
        KeyBinding(keys: [.left, .character("h")], label: "← →  h l", action: .quadratic(.panel(next: false)),
                   help: "select H, MP or the NTK law", group: group),
        KeyBinding(keys: [.right, .character("l")], label: "", action: .quadratic(.panel(next: true)), help: "", group: group),
    ]
}

/// The quadratic-scaling regime: keys above, views in QuadraticLayout.swift, computations in
/// QuadraticContent.swift, session table `[quadratic]`.
public struct QuadraticRegime: ExplorerRegime {
    public init() {}
    public var id: RegimeID { .quadratic }
    public var title: String { "quadratic scaling" }
    public var defaultSettings: AnyRegimeSettings? { AnyRegimeSettings(QuadraticModeSettings()) }
    public var helpGroup: String { QuadraticKeys.group }
    public var bindings: [KeyBinding] { QuadraticKeys.bindings }

    public var commands: [(String, String)] {
        [(":gamma1 V / :gamma2 V", "quadratic scaling: γ₁ = n/(dp), γ₂ = p/d"),
         (":nu LAW", "quadratic scaling: ν, the law of D (\(OutputWeightLaw.syntax))"),
         (":d D", "quadratic scaling: the sampled check's d; :sigma NAME [normalised] while shown"),
         (":input X / :data FILE", "quadratic scaling (shown): the sample's X, gaussian, rademacher or data:FILE")]
    }

    public func reduce(_ action: AnyRegimeAction, state: inout ExplorerState) {
        guard let a = action.value as? QuadraticAction else { return }
        var s = state.quadratic
        switch a {
        case .gamma1(let up): s.gamma1 = Self.step(s.gamma1, up: up)
        case .gamma2(let up): s.gamma2 = Self.step(s.gamma2, up: up)
        case .toggleNormalised: s.normalised.toggle()
        case .activation(let next):
            let names = QuadraticModeSettings.activationCycle
            let i = names.firstIndex(of: s.activation) ?? (next ? names.count - 1 : 0)
            // the next name whose φ is not constant (linear is refused by the law)
            for k in 1...names.count {
                var t = s
                t.activation = names[(i + (next ? k : names.count - k)) % names.count]
                if (try? t.lawSettings()) != nil { s = t; break }
            }
        case .outputLaw(let next):
            var laws = QuadraticModeSettings.outputLawPresets
            if let f = s.fileLaw, case .discrete(_, let label) = f { laws.append("file:\(label)") }
            let i = laws.firstIndex(of: s.outputLaw) ?? (next ? laws.count - 1 : 0)
            s.outputLaw = laws[(i + (next ? 1 : laws.count - 1)) % laws.count]
        case .input(let next):
            var inputs = QuadraticModeSettings.inputPresets
            if let data = s.inputData { inputs.append("data:\(data.path)") }
            let i = inputs.firstIndex(of: s.input) ?? 0
            s.input = inputs[(i + (next ? 1 : inputs.count - 1)) % inputs.count]
        case .dimension(let up):
            let ladder = QuadraticModeSettings.dimensionLadder
            s.d = up ? (ladder.first { $0 > s.d } ?? s.d) : (ladder.last { $0 < s.d } ?? s.d)
        case .toggleCheck:
            s.check.toggle()
        case .panel(let next):
            let all = QuadraticPanel.allCases
            s.panel = all[min(all.count - 1, max(0, s.panel.rawValue + (next ? 1 : -1)))]
        }
        apply(s, to: &state, action: a)
    }

    /// Takes `s` if its law can be solved, with a status line that says what changed.
    func apply(_ s: QuadraticModeSettings, to state: inout ExplorerState, action: QuadraticAction? = nil) {
        let law: QuadraticSettings
        do { law = try s.lawSettings() } catch {
            state.message = StatusMessage(error.description, isError: true)
            return
        }
        if s == state.quadratic, let action, action != .toggleCheck, !(action == .input(next: true) || action == .input(next: false)) {
            state.message = StatusMessage("limit reached: γ in \(ModelSummary.format(QuadraticSettings.gammaRange.lowerBound))…\(ModelSummary.format(QuadraticSettings.gammaRange.upperBound)), d in \(QuadraticModeSettings.dimensionLadder.first!)…\(QuadraticModeSettings.dimensionLadder.last!)", isError: true)
            return
        }
        let wasChecking = state.quadratic.check
        state.quadratic = s
        if action == .toggleCheck {
            let (p, n) = s.sampleShape
            state.message = StatusMessage(s.check ? "sampled check started: d = \(s.d), p = \(p), n = \(n), seed \(s.seed) (s cancels)"
                                                  : (wasChecking ? "sampled check cancelled" : "sampled check off"))
        } else {
            let a = law.activation
            state.message = StatusMessage("γ₁ = \(ModelSummary.format(s.gamma1))  γ₂ = \(ModelSummary.format(s.gamma2))  σ = \(s.activationLabel): c₀ = \(AxisTicks.significant(a.c0, 3)), c₁² = \(AxisTicks.significant(a.c1Squared, 3)), a² = \(AxisTicks.significant(a.a2, 3))  ν = \(s.outputLaw)  X \(s.inputLabel), d = \(s.sampleDimension)")
        }
    }

    static func step(_ g: Double, up: Bool) -> Double {
        let r = QuadraticSettings.gammaRange
        return min(r.upperBound, max(r.lowerBound, up ? g * 1.25 : g / 1.25))
    }

    /// `:gamma1 V`, `:gamma2 V`, `:nu LAW` (a `file:PATH` is read by the shell), `:d D`, and, while
    /// the regime is shown, `:sigma NAME [normalised|raw]`.
    public func command(_ name: String, _ args: [String], state: inout ExplorerState) -> [ExplorerEffect]? {
        func fail(_ text: String) -> [ExplorerEffect] { state.message = StatusMessage(text, isError: true); return [] }
        var s = state.quadratic
        switch name {
        case "gamma1", "gamma2":
            let r = QuadraticSettings.gammaRange
            guard args.count == 1, let v = Double(args[0]), v.isFinite, r.contains(v) else {
                return fail("usage: :\(name) V with \(ModelSummary.format(r.lowerBound)) ≤ V ≤ \(ModelSummary.format(r.upperBound))")
            }
            if name == "gamma1" { s.gamma1 = v } else { s.gamma2 = v }
        case "nu":
            guard !args.isEmpty else { return fail("usage: :nu LAW with LAW one of \(OutputWeightLaw.syntax)") }
            let spec = args.joined(separator: " ")
            do {
                switch try OutputWeightLaw.parse(spec) {
                case .law: s.outputLaw = spec.trimmingCharacters(in: .whitespaces); s.fileLaw = nil
                case .file(let path): return [.readRegimeFile(regime: .quadratic, path: CommandLineEditor.expandHome(path))]
                }
            } catch {
                return fail(error.description)
            }
        case "d":
            let r = QuadraticModeSettings.dimensions
            guard args.count == 1, let d = Int(args[0]), r.contains(d) else { return fail("usage: :d D (the sampled check's input dimension, \(r.lowerBound)…\(r.upperBound))") }
            s.d = d
        case "input", "data":
            guard state.regime == .quadratic else { return nil }
            let usage = "usage: :input gaussian|rademacher|data:FILE or :data FILE (the sampled check's X; .csv or .npy, one sample per row)"
            guard !args.isEmpty else { return fail(usage) }
            var spec = args.joined(separator: " ")
            if name == "data" {
                guard !(args.count >= 3 && args[args.count - 2].lowercased() == "pcs") else {
                    return fail(":data: pcs K is not offered here: the sampled check centres the features and scales each sample to norm √d (docs/quadratic.md)")
                }
                spec = "data:" + spec
            }
            if spec.lowercased() == "gaussian" || spec.lowercased() == "rademacher" {
                s.input = spec.lowercased()
            } else if spec.hasPrefix("data:"), spec.count > 5 {
                return [.readRegimeFile(regime: .quadratic, path: CommandLineEditor.expandHome(String(spec.dropFirst(5))), purpose: "input")]
            } else {
                return fail(usage)
            }
        case "sigma", "activation":
            guard state.regime == .quadratic else { return nil }
            guard (1...2).contains(args.count), args.count == 1 || ["normalised", "normalized", "raw"].contains(args[1].lowercased()) else {
                return fail("usage: :sigma NAME [normalised|raw] with NAME one of \(DerivativeActivation.names.joined(separator: ", "))")
            }
            s.activation = args[0]
            if args.count == 2 { s.normalised = args[1].lowercased() != "raw" }
            if let phi = try? DerivativeActivation.named(s.activation, normalised: s.normalised) { s.activation = phi.name }
        default:
            return nil
        }
        apply(s, to: &state)
        return []
    }

    /// The shell read `:nu file:PATH` (its numbers are ν's atoms, equal weights) or `:data FILE`
    /// (purpose "input": the sampled check's X).
    public func fileRead(_ file: RegimeFileRead, state: inout ExplorerState) {
        if file.purpose == "input" {
            guard let data = file.contents else {
                state.message = StatusMessage(ExplorerCommand.naming(file.error ?? "cannot read \(file.path)", command: "data"), isError: true)
                return
            }
            do {
                let values = try RegimeDataFile.parse(data, path: file.path)
                let m = values.matrix
                guard m.samples >= 2, (2...QuadraticModeSettings.dimensions.upperBound).contains(m.features), m.samples <= QuadraticSamplingRequest.maxSamples else {
                    state.message = StatusMessage(":data: \(file.path): \(m.samples) samples × \(m.features) features; the sampled check needs 2…\(QuadraticSamplingRequest.maxSamples) samples and 2…\(QuadraticModeSettings.dimensions.upperBound) features", isError: true)
                    return
                }
                var s = state.quadratic
                s.input = "data:\(file.path)"
                s.inputData = values
                apply(s, to: &state)
                if state.message?.isError != true {
                    let (p, n) = s.sampleShape
                    state.message = StatusMessage("X from \(file.path): n = \(n) samples, d = \(m.features) features, p = \(p) (features centred, samples scaled to norm √d)")
                }
            } catch {
                state.message = StatusMessage(error.naming(option: ":data").description, isError: true)
            }
            return
        }
        guard let data = file.contents else {
            state.message = StatusMessage(":nu: \(file.error ?? "cannot read \(file.path)")", isError: true)
            return
        }
        guard let text = String(data: data, encoding: .utf8) else {
            state.message = StatusMessage(":nu: \(file.path) is not UTF-8 text", isError: true)
            return
        }
        do {
            let law = try OutputWeightLaw.fromText(text, label: file.path)
            var s = state.quadratic
            s.outputLaw = "file:\(file.path)"
            s.fileLaw = law
            apply(s, to: &state)
            if case .discrete(let values, _) = law, state.message?.isError != true {
                state.message = StatusMessage("ν from \(file.path): \(values.count) values, E D² = \(AxisTicks.significant(law.evenMoment(1), 4))")
            }
        } catch {
            state.message = StatusMessage(":nu: \(error.description)", isError: true)
        }
    }

    public func enterMessage(state: ExplorerState) -> StatusMessage {
        let s = state.quadratic
        return StatusMessage("quadratic scaling: γ₁ = \(ModelSummary.format(s.gamma1)), γ₂ = \(ModelSummary.format(s.gamma2)), σ = \(s.activationLabel), ν = \(s.outputLaw) (↑↓ γ₁, K J γ₂, a σ, o ν, s sampled check; w \(Regimes.next(after: id).title))")
    }

    public var footerKeys: String { QuadraticLayout.footerKeys(next: Regimes.next(after: id).title) }

    public func header(state: ExplorerState, content: FrameContent) -> RegimeHeader? {
        QuadraticLayout.header(state: state, content: content)
    }

    public func progress(state: ExplorerState, content: FrameContent) -> RegimeProgress? {
        QuadraticLayout.progress(state: state, content: content)
    }

    public func bodyFits(state: ExplorerState, width: Int, bodyHeight: Int) -> (fits: Bool, needed: String) {
        guard state.view == .layers else { return (true, "") }
        let fits = width >= 3 * QuadraticLayout.minimumPanel.width && bodyHeight >= QuadraticLayout.minimumPanel.height + 4
        return (fits, "\(3 * QuadraticLayout.minimumPanel.width)×\(QuadraticLayout.minimumPanel.height + 8) for the three panels")
    }

    public func drawBody(_ body: inout ScreenGrid, state: ExplorerState, content: FrameContent) {
        QuadraticLayout.drawBody(&body, state: state, content: content)
    }

    public var session: RegimeSessionSection? {
        typealias S = QuadraticModeSettings
        @Sendable func settings(_ store: RegimeSettingsStore) -> S { store.get(.quadratic, default: S()) }
        @Sendable func update(_ store: inout RegimeSettingsStore, _ change: (inout S) -> Void) {
            var s = settings(store); change(&s); store.set(.quadratic, s)
        }
        func double(_ name: String, _ path: WritableKeyPath<S, Double> & Sendable) -> RegimeSessionKey {
            RegimeSessionKey(name, .double(QuadraticSettings.gammaRange), get: { .double(settings($0)[keyPath: path]) },
                             set: { store, v in if case .double(let d) = v { update(&store) { $0[keyPath: path] = d } } })
        }
        func bool(_ name: String, _ path: WritableKeyPath<S, Bool> & Sendable) -> RegimeSessionKey {
            RegimeSessionKey(name, .bool, get: { .bool(settings($0)[keyPath: path]) },
                             set: { store, v in if case .bool(let b) = v { update(&store) { $0[keyPath: path] = b } } })
        }
        return RegimeSessionSection(table: "quadratic", keys: [
            double("gamma1", \.gamma1),
            double("gamma2", \.gamma2),
            RegimeSessionKey("activation", .string(allowed: "one of \(DerivativeActivation.names.joined(separator: ", ")) (leaky-relu:S, elu:A, b-family:B)",
                                                   accepts: { (try? DerivativeActivation.named($0)) != nil && $0.lowercased() != "linear" }),
                             get: { .string(settings($0).activation) },
                             set: { store, v in if case .string(let a) = v { update(&store) { $0.activation = a } } }),
            bool("normalised", \.normalised),
            // a file's values are read again by the caller (`pendingFile`)
            RegimeSessionKey("output_law", .string(allowed: OutputWeightLaw.syntax, accepts: { (try? OutputWeightLaw.parse($0)) != nil }),
                             get: { .string(settings($0).outputLaw) },
                             set: { store, v in
                                 if case .string(let l) = v {
                                     update(&store) { s in if s.outputLaw != l { s.outputLaw = l; s.fileLaw = nil } }
                                 }
                             }),
            RegimeSessionKey("d", .int(S.dimensions), get: { .int(settings($0).d) },
                             set: { store, v in if case .int(let d) = v { update(&store) { $0.d = d } } }),
            // a data file's matrix is read again by the caller (`pendingInputFile`)
            RegimeSessionKey("input", .string(allowed: "gaussian, rademacher or data:PATH", accepts: { S.isInput($0) }),
                             get: { .string(settings($0).input) },
                             set: { store, v in
                                 if case .string(let x) = v { update(&store) { s in s.input = x } }
                             }),
            RegimeSessionKey("seed", .int(0...Int.max), get: { .int(Int(clamping: settings($0).seed)) },
                             set: { store, v in if case .int(let i) = v, i >= 0 { update(&store) { $0.seed = UInt64(i) } } }),
            bool("check", \.check),
            RegimeSessionKey("panel", .string(allowed: QuadraticPanel.allCases.map(\.name).joined(separator: ", "), accepts: { QuadraticPanel(name: $0) != nil }),
                             get: { .string(settings($0).panel.name) },
                             set: { store, v in if case .string(let p) = v, let panel = QuadraticPanel(name: p) { update(&store) { $0.panel = panel } } }),
        ])
    }

    public func makeComputation(notify: @escaping @Sendable () -> Void) -> RegimeComputation? {
        QuadraticComputation(notify: notify)
    }

    public func computeNow(state: ExplorerState, content: inout FrameContent) {
        content.quadratic = QuadraticCompute.compute(state.quadratic)
    }
}

/// Reading a `file:PATH` ν for the callers that load a session (the explorer's shell reads
/// `:nu file:PATH` through `ExplorerEffect.readRegimeFile`).
public enum QuadraticOutputLawFile {
    /// The law of the numbers in the file at `path` (errors name the file and line).
    public static func load(path: String) throws(ModelError) -> OutputWeightLaw {
        let data = try FileBytes.read(path: path, field: "quadratic.output_law")
        guard let text = String(data: data, encoding: .utf8) else {
            throw ModelError(field: "quadratic.output_law", value: path, allowed: "must be UTF-8 text")
        }
        return try OutputWeightLaw.fromText(text, label: path)
    }
}

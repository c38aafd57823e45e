import LimitLaws

import InfiniteWidth
import PlotCanvas

// The infinite-width regime: the infinite-width kernels of module InfiniteWidth (power series, exact
// kernels, sphere spectra, dataset Gram spectra). The views keep their keys (1 2 3, ←/→ select a
// layer; 4 is this regime's kernel view); its own keys change the sphere dimension d (`[ ]`), the
// dataset size n (`n N`), the series order (`o O`) and the initialisation (`f F` σ_w², `p P` σ_b²,
// `C` centring, `U` normalisation, `V` the power-series paper's unit-variance initialisation).

/// The settings of the infinite-width mode (part of the undo history and of session files).
public struct InfiniteWidthSettings: RegimeSettings {
    /// Sphere dimension d: the inputs are uniform on S^{d−1} (with `data`, the data's d).
    public var dimension: Int
    /// Dataset size n (points uniform on the sphere) of the Gram spectra (with `data`, the data's n).
    public var points: Int
    /// Truncation order N of the power series.
    public var order: Int
    /// Weight and bias variances, centring and normalisation of σ (module InfiniteWidth).
    public var initialisation: Initialisation
    /// A user's data set for the Gram block (replaces the uniform points; d and n are its own).
    public var data: InfiniteWidthData?

    public init(dimension: Int = 400, points: Int = 200, order: Int = 200, initialisation: Initialisation = .standard,
                data: InfiniteWidthData? = nil) {
        self.dimension = dimension; self.points = points; self.order = order
        self.initialisation = initialisation; self.data = data
    }

    /// `[` / `]` step through these; other values (from `:dim` or a session file) snap to the next one.
    public static let dimensionLadder = [2, 3, 4, 5, 6, 8, 10, 12, 16, 20, 25, 32, 40, 50, 64, 80, 100, 128, 160, 200,
                                         256, 320, 400, 500, 640, 800, 1000, 1280, 1600, 2000]
    /// `f` / `F` step σ_w² through these (0.64 + 0.36 and 0.5 + 0.5 are unit-variance pairs).
    public static let weightVarianceLadder = [0.001, 0.01, 0.1, 0.25, 0.5, 0.64, 0.75, 0.9, 1, 1.25, 1.5, 2, 3, 4, 10, 100]
    /// `p` / `P` step σ_b² through these.
    public static let biasVarianceLadder = [0, 0.01, 0.05, 0.1, 0.25, 0.36, 0.5, 0.75, 1, 2, 4, 10, 100]
    /// The uniform points' dimension and count (a data file's d and n may exceed them: they are the data's).
    public static let dimensions = 2...2000
    public static let pointCounts = 20...2400
    public static let orders = 10...KernelSeries.maxOrder   // the one order limit

    /// n/d: the γ₀ of the Marcenko–Pastur law of the input Gram XᵀX on these points.
    public var gamma0: Double { Double(points) / Double(dimension) }

    /// The power-series paper's unit-variance initialisation (Murray et al. 2023, Assumption 2):
    /// σ_w² + σ_b² = 1, σ normalised and not centred.
    public static func unitVariance(weightVariance: Double = 0.5) -> Initialisation {
        Initialisation(weightVariance: weightVariance, biasVariance: 1 - weightVariance, centre: false, normalise: true)
    }

    /// The settings with every value in its range: the order clamped; with a data set, d and n are
    /// the data's (whatever their size: at most `InputPoints.maxPoints` samples), else clamped.
    public func validated() -> InfiniteWidthSettings {
        var s = self
        s.order = min(Self.orders.upperBound, max(Self.orders.lowerBound, order))
        if let data {
            s.dimension = data.points.dimension
            s.points = data.points.count
        } else {
            s.dimension = min(Self.dimensions.upperBound, max(Self.dimensions.lowerBound, dimension))
            s.points = min(Self.pointCounts.upperBound, max(Self.pointCounts.lowerBound, points))
        }
        s.initialisation.weightVariance = min(Initialisation.weightVariances.upperBound,
                                              max(Initialisation.weightVariances.lowerBound, initialisation.weightVariance))
        s.initialisation.biasVariance = min(Initialisation.biasVariances.upperBound,
                                            max(Initialisation.biasVariances.lowerBound, initialisation.biasVariance))
        return s
    }

    /// "200 uniform points on S^399" or the data file's name.
    public var inputDescription: String {
        if let data { return NSStringPath(data.source).lastComponent }
        return "\(points) uniform points on S^\(dimension - 1)"
    }

    /// "σ_w² = 0.5 σ_b² = 0.5 uncentred" (normalisation named only when off).
    public var initialisationText: String {
        let i = initialisation
        return "σ_w² = \(ModelSummary.format(i.weightVariance)) σ_b² = \(ModelSummary.format(i.biasVariance)) "
            + (i.centre ? "centred" : "uncentred") + (i.normalise ? "" : " unnormalised")
    }
}

/// A path's last component ("digits.csv" for "data/digits.csv"), for short labels.
struct NSStringPath {
    let path: String
    init(_ p: String) { path = p }
    var lastComponent: String { path.split(separator: "/").last.map(String.init) ?? path }
}

/// What the regime's keys ask for.
public enum InfiniteWidthAction: RegimeAction {
    case dimensionDown, dimensionUp
    case pointsDown, pointsUp
    case orderDown, orderUp
    case weightVarianceDown, weightVarianceUp
    case biasVarianceDown, biasVarianceUp
    case toggleCentre, toggleNormalise
    /// The power-series paper's unit-variance initialisation ↔ the standard one.
    case toggleUnitVariance
    /// From the shell: a data file read for the Gram block (`:data FILE`, `--data`), or why it failed.
    case setData(InfiniteWidthData)
    case dataFailed(path: String, reason: String)
}

extension ExplorerAction {
    /// An action of the infinite-width regime.
    public static func infiniteWidth(_ a: InfiniteWidthAction) -> ExplorerAction { .regime(AnyRegimeAction(.infiniteWidth, a)) }
}

extension ExplorerState {
    /// The infinite-width regime's settings.
    public var infinite: InfiniteWidthSettings {
        get { regimeSettings.get(.infiniteWidth, default: InfiniteWidthSettings()) }
        set { regimeSettings.set(.infiniteWidth, newValue) }
    }
}

/// The infinite-width regime: keys `[ ]` (sphere dimension d), `n N` (dataset size, in place of the
/// linear-width sample size), `o O` (series order), `f F` `p P` `C` `U` `V` (initialisation), `4`
/// (kernel view); views in InfiniteWidthLayout.swift and InfiniteWidthKernelView.swift; computations
/// in InfiniteWidthContent.swift and InfiniteWidthScheduler.swift; session table `[infinite]`.
public struct InfiniteWidthRegime: ExplorerRegime {
    public init() {}
    public var id: RegimeID { .infiniteWidth }
    public var title: String { "infinite width" }
    public var defaultSettings: AnyRegimeSettings? { AnyRegimeSettings(InfiniteWidthSettings()) }
    public var helpGroup: String { InfiniteWidthKeys.group }

    public var bindings: [KeyBinding] { InfiniteWidthKeys.bindings }

    public var commands: [(String, String)] {
        [(":dim D / :points N / :order N", "infinite width: sphere dimension, dataset size, series order (10…\(KernelSeries.maxOrder))"),
         (":wvar V / :bvar V", "infinite width: σ_w² (\(Initialisation.weightVariances.lowerBound)…100), σ_b² (0…100)"),
         (":centre on|off / :normalise on|off", "infinite width: centring and normalisation of σ"),
         (":init standard|paper [σ_w²]", "infinite width: Fan–Wang's or the unit-variance initialisation"),
         (":data FILE / :data off", "infinite width: the Gram block on a data file (rows, unit norm) / uniform points"),
         (":view kernels", "infinite width: K_ℓ, Θ_ℓ, κ′ℓ against ρ (key 4)")]
    }

    public func viewTitle(_ view: ExplorerView) -> String { view == .cdf ? "kernels" : view.rawValue }

    static func step(_ value: Double, ladder: [Double], up: Bool, range: ClosedRange<Double>) -> Double {
        if up { return ladder.first { $0 > value * (1 + 1e-12) } ?? range.upperBound }
        return ladder.last { $0 < value * (1 - 1e-12) } ?? range.lowerBound
    }

    public func reduce(_ action: AnyRegimeAction, state: inout ExplorerState) {
        guard let a = action.value as? InfiniteWidthAction else { return }
        var s = state.infinite
        let dataNote = "d and n are the data's (\(s.inputDescription)); :data off for uniform points"
        switch a {
        case .dimensionDown, .dimensionUp:
            guard s.data == nil else { state.message = StatusMessage(dataNote, isError: true); return }
            let ladder = InfiniteWidthSettings.dimensionLadder
            if a == .dimensionUp {
                s.dimension = ladder.first { $0 > s.dimension } ?? InfiniteWidthSettings.dimensions.upperBound
            } else {
                s.dimension = ladder.last { $0 < s.dimension } ?? InfiniteWidthSettings.dimensions.lowerBound
            }
        case .pointsDown, .pointsUp:
            guard s.data == nil else { state.message = StatusMessage(dataNote, isError: true); return }
            s.points = a == .pointsUp ? s.points * 2 : s.points / 2
        case .orderDown: s.order /= 2
        case .orderUp: s.order *= 2
        case .weightVarianceDown, .weightVarianceUp:
            s.initialisation.weightVariance = Self.step(s.initialisation.weightVariance, ladder: InfiniteWidthSettings.weightVarianceLadder,
                                                        up: a == .weightVarianceUp, range: Initialisation.weightVariances)
        case .biasVarianceDown, .biasVarianceUp:
            s.initialisation.biasVariance = Self.step(s.initialisation.biasVariance, ladder: InfiniteWidthSettings.biasVarianceLadder,
                                                      up: a == .biasVarianceUp, range: Initialisation.biasVariances)
        case .toggleCentre: s.initialisation.centre.toggle()
        case .toggleNormalise: s.initialisation.normalise.toggle()
        case .toggleUnitVariance:
            s.initialisation = s.initialisation.isStandard ? InfiniteWidthSettings.unitVariance() : .standard
        case .setData(let d):
            s.data = d
            s = s.validated()
            state.infinite = s
            state.message = StatusMessage("infinite width: Gram block on \(d.notice)")
            return
        case .dataFailed(_, let reason):
            state.message = StatusMessage(ExplorerCommand.naming(reason, command: "data"), isError: true)
            return
        }
        s = s.validated()
        if s == state.infinite {
            state.message = StatusMessage("limit reached: d \(InfiniteWidthSettings.dimensions), n \(InfiniteWidthSettings.pointCounts), order \(InfiniteWidthSettings.orders), σ_w² \(Initialisation.weightVariances), σ_b² \(Initialisation.biasVariances)", isError: true)
        } else {
            state.infinite = s
            state.message = StatusMessage(Self.settingsText(s))
        }
    }

    static func settingsText(_ s: InfiniteWidthSettings) -> String {
        "d = \(s.dimension)  n = \(s.points)  (n/d = \(ModelSummary.format(s.gamma0)))  order \(s.order)  \(s.initialisationText)"
    }

    /// `:dim D`, `:points N`, `:order N`, `:wvar V`, `:bvar V`, `:centre`, `:normalise`, `:init`,
    /// `:data off` and `:view kernels` (the last two only while the regime is shown; `:data FILE`
    /// is the shared command, whose file the shell also reads for this regime).
    public func command(_ name: String, _ args: [String], state: inout ExplorerState) -> [ExplorerEffect]? {
        // an error starts with the command and names the rejected value: ":wvar: invalid value '0'; usage: …"
        func fail(_ text: String) -> [ExplorerEffect] {
            let value = args.isEmpty ? "" : "invalid value '\(args.joined(separator: " "))'; "
            state.message = StatusMessage(":\(name): \(value)\(text)", isError: true)
            return []
        }
        func apply(_ change: (inout InfiniteWidthSettings) -> Void) -> [ExplorerEffect] {
            var s = state.infinite
            change(&s)
            state.infinite = s.validated()
            state.message = StatusMessage(Self.settingsText(state.infinite))
            return []
        }
        func int(_ range: ClosedRange<Int>, usage: String, needsNoData: Bool = false, _ change: @escaping (inout InfiniteWidthSettings, Int) -> Void) -> [ExplorerEffect] {
            guard args.count == 1, let v = Int(args[0]), range.contains(v) else {
                return fail("usage: \(usage) (\(range.lowerBound)…\(range.upperBound))")
            }
            if needsNoData, let d = state.infinite.data {
                return fail("d and n are the data's (\(NSStringPath(d.source).lastComponent)): :data off for uniform points")
            }
            return apply { change(&$0, v) }
        }
        func double(_ range: ClosedRange<Double>, usage: String, _ change: @escaping (inout InfiniteWidthSettings, Double) -> Void) -> [ExplorerEffect] {
            guard args.count == 1, let v = Double(args[0]), v.isFinite, range.contains(v) else {
                return fail("usage: \(usage) (a number from \(ModelSummary.format(range.lowerBound)) to \(ModelSummary.format(range.upperBound)))")
            }
            return apply { change(&$0, v) }
        }
        func onOff(_ current: Bool, usage: String, _ change: @escaping (inout InfiniteWidthSettings, Bool) -> Void) -> [ExplorerEffect] {
            let on: Bool
            switch args.first?.lowercased() {
            case nil: on = !current
            case "on"?, "true"?, "yes"?, "1"?: on = true
            case "off"?, "false"?, "no"?, "0"?: on = false
            default: return fail("usage: \(usage) [on|off]")
            }
            guard args.count <= 1 else { return fail("usage: \(usage) [on|off]") }
            return apply { change(&$0, on) }
        }
        switch name {
        case "dim": return int(InfiniteWidthSettings.dimensions, usage: ":dim D", needsNoData: true) { $0.dimension = $1 }
        case "points": return int(InfiniteWidthSettings.pointCounts, usage: ":points N", needsNoData: true) { $0.points = $1 }
        case "order": return int(InfiniteWidthSettings.orders, usage: ":order N") { $0.order = $1 }
        case "wvar", "weight-variance", "sw2":
            return double(Initialisation.weightVariances, usage: ":wvar σ_w²") { $0.initialisation.weightVariance = $1 }
        case "bvar", "bias-variance", "sb2":
            return double(Initialisation.biasVariances, usage: ":bvar σ_b²") { $0.initialisation.biasVariance = $1 }
        case "centre", "center":
            return onOff(state.infinite.initialisation.centre, usage: ":centre") { $0.initialisation.centre = $1 }
        case "normalise", "normalize":
            return onOff(state.infinite.initialisation.normalise, usage: ":normalise") { $0.initialisation.normalise = $1 }
        case "init":
            switch args.first?.lowercased() {
            case "standard"? where args.count == 1: return apply { $0.initialisation = .standard }
            case "paper"?, "unit-variance"?:
                var w = 0.5
                if args.count == 2 {
                    guard let v = Double(args[1]), v.isFinite, v >= Initialisation.weightVariances.lowerBound, v <= 1 else {
                        return fail("usage: :init paper [σ_w²] with \(Initialisation.weightVariances.lowerBound) ≤ σ_w² ≤ 1 (σ_b² = 1 − σ_w²)")
                    }
                    w = v
                } else if args.count > 2 { return fail("usage: :init standard | :init paper [σ_w²]") }
                return apply { $0.initialisation = InfiniteWidthSettings.unitVariance(weightVariance: w) }
            default: return fail("usage: :init standard | :init paper [σ_w²] (σ_w² + σ_b² = 1, σ uncentred)")
            }
        case "data" where state.regime == .infiniteWidth && args.count == 1 && args[0].lowercased() == "off":
            guard state.infinite.data != nil else { return fail("no data file: the Gram block is on uniform points") }
            return apply { $0.data = nil }
        case "view" where state.regime == .infiniteWidth && args.count == 1 && ["kernels", "kernel"].contains(args[0].lowercased()):
            state.view = .cdf
            return []
        default: return nil
        }
    }

    public func enterMessage(state: ExplorerState) -> StatusMessage {
        let s = state.infinite
        return StatusMessage("infinite width: \(s.inputDescription), order \(s.order), \(s.initialisationText) ([ ] d, n N points, o O order, f F σ_w², p P σ_b², C U V σ; w \(Regimes.next(after: id).title))")
    }

    public var footerKeys: String { InfiniteWidthLayout.footerKeys }

    public func headerInfo(state: ExplorerState, content: FrameContent) -> String? {
        InfiniteWidthLayout.headerInfo(state: state, content: content)
    }

    public func headerModel(state: ExplorerState, content: FrameContent) -> [String]? {
        InfiniteWidthLayout.headerModel(state: state)
    }

    public func headerStatus(state: ExplorerState, content: FrameContent) -> (text: String, busy: Bool)? {
        InfiniteWidthLayout.headerStatus(state: state, content: content)
    }

    public func bodyFits(state: ExplorerState, width: Int, bodyHeight: Int) -> (fits: Bool, needed: String) {
        guard state.view == .layers else { return (true, "") }
        let fits = InfiniteWidthLayout.layersArrangement(depth: state.depth, width: width, height: bodyHeight) != nil
        return (fits, ScreenLayout.neededForPanels(state.depth + 1, minimumPanel: InfiniteWidthLayout.minimumPanel))
    }

    public func drawBody(_ body: inout ScreenGrid, state: ExplorerState, content: FrameContent) {
        InfiniteWidthLayout.drawBody(&body, state: state, content: content)
    }

    public var session: RegimeSessionSection? {
        typealias S = InfiniteWidthSettings
        @Sendable func settings(_ store: RegimeSettingsStore) -> S { store.get(.infiniteWidth, default: S()) }
        @Sendable func update(_ store: inout RegimeSettingsStore, _ change: (inout S) -> Void) {
            var s = settings(store); change(&s); store.set(.infiniteWidth, s)
        }
        let noData: @Sendable (RegimeSettingsStore) -> Bool = { settings($0).data == nil }
        func int(_ name: String, _ range: ClosedRange<Int>, _ path: WritableKeyPath<S, Int> & Sendable,
                 isWritten: @escaping @Sendable (RegimeSettingsStore) -> Bool = { _ in true }) -> RegimeSessionKey {
            RegimeSessionKey(name, .int(range), get: { .int(settings($0)[keyPath: path]) },
                             set: { store, v in if case .int(let i) = v { update(&store) { $0[keyPath: path] = i } } }, isWritten: isWritten)
        }
        func double(_ name: String, _ range: ClosedRange<Double>, _ path: WritableKeyPath<S, Double> & Sendable) -> RegimeSessionKey {
            RegimeSessionKey(name, .double(range), get: { .double(settings($0)[keyPath: path]) },
                             set: { store, v in if case .double(let d) = v { update(&store) { $0[keyPath: path] = d } } })
        }
        func bool(_ name: String, _ path: WritableKeyPath<S, Bool> & Sendable) -> RegimeSessionKey {
            RegimeSessionKey(name, .bool, get: { .bool(settings($0)[keyPath: path]) },
                             set: { store, v in if case .bool(let b) = v { update(&store) { $0[keyPath: path] = b } } })
        }
        return RegimeSessionSection(table: "infinite", keys: [
            // with a data file, d and n are the data's (read again from the file by the caller: Session.infiniteDataPath)
            RegimeSessionKey("data", .string(allowed: "a path to a data file", accepts: { !$0.isEmpty }),
                             get: { .string(settings($0).data?.source ?? "") }, set: { _, _ in }, isWritten: { settings($0).data != nil }),
            int("dimension", S.dimensions, \.dimension, isWritten: noData),
            int("points", S.pointCounts, \.points, isWritten: noData),
            int("order", S.orders, \.order),
            double("weight_variance", Initialisation.weightVariances, \.initialisation.weightVariance),
            double("bias_variance", Initialisation.biasVariances, \.initialisation.biasVariance),
            bool("centre", \.initialisation.centre),
            bool("normalise", \.initialisation.normalise),
        ])
    }

    public func makeComputation(notify: @escaping @Sendable () -> Void) -> RegimeComputation? {
        InfiniteWidthComputation(notify: notify)
    }

    public func computeNow(state: ExplorerState, content: inout FrameContent) {
        content.infinite = InfiniteWidthCompute.compute(InfiniteWidthRequest(state: state))
    }

    /// The shell's side of `:data FILE` (and of the explorer's `--data`) for this regime: reads the
    /// file's rows, scales each to unit norm, and answers with the action that uses it (or says why not).
    public static func loadData(path: String) -> ExplorerAction {
        do {
            return .infiniteWidth(.setData(try InfiniteWidthData.load(path: path, option: ":data")))
        } catch {
            return .infiniteWidth(.dataFailed(path: NSStringPath(path).lastComponent, reason: error.description))
        }
    }
}

/// The regime's key bindings, active only while it is shown, where they take precedence over the
/// linear-width meaning of the same key (`n`/`N` = sample size there, `4` = the CDF view there:
/// both play the same role here — the data's size, the fourth view).
public enum InfiniteWidthKeys {
    static let group = "Infinite width (w)"
    public static let bindings: [KeyBinding] = [
        KeyBinding(keys: [.character("[")], label: "[ / ]", action: .infiniteWidth(.dimensionDown),
                   help: "sphere dimension d down / up", group: group),
        KeyBinding(keys: [.character("]")], label: "", action: .infiniteWidth(.dimensionUp), help: "", group: group),
        KeyBinding(keys: [.character("n")], label: "n / N", action: .infiniteWidth(.pointsDown),
                   help: "dataset size n ÷2 / ×2 (points on S^{d−1})", group: group),
        KeyBinding(keys: [.character("N")], label: "", action: .infiniteWidth(.pointsUp), help: "", group: group),
        KeyBinding(keys: [.character("o")], label: "o / O", action: .infiniteWidth(.orderDown),
                   help: "series order N ÷2 / ×2 (10…\(KernelSeries.maxOrder))", group: group),
        KeyBinding(keys: [.character("O")], label: "", action: .infiniteWidth(.orderUp), help: "", group: group),
        KeyBinding(keys: [.character("f")], label: "f / F", action: .infiniteWidth(.weightVarianceDown),
                   help: "weight variance σ_w² down / up", group: group),
        KeyBinding(keys: [.character("F")], label: "", action: .infiniteWidth(.weightVarianceUp), help: "", group: group),
        KeyBinding(keys: [.character("p")], label: "p / P", action: .infiniteWidth(.biasVarianceDown),
                   help: "bias variance σ_b² down / up", group: group),
        KeyBinding(keys: [.character("P")], label: "", action: .infiniteWidth(.biasVarianceUp), help: "", group: group),
        KeyBinding(keys: [.character("C")], label: "C", action: .infiniteWidth(.toggleCentre),
                   help: "σ centred (E σ = 0) on / off", group: group),
        KeyBinding(keys: [.character("U")], label: "U", action: .infiniteWidth(.toggleNormalise),
                   help: "σ normalised (E σ² = 1) on / off", group: group),
        KeyBinding(keys: [.character("V")], label: "V", action: .infiniteWidth(.toggleUnitVariance),
                   help: "unit-variance init (σ_w² = σ_b² = ½, uncentred) ↔ standard", group: group),
        KeyBinding(keys: [.character("4")], label: "4", action: .showView(.cdf),
                   help: "kernel view: K_ℓ, Θ_ℓ, κ′ℓ against ρ (exact)", group: group),
    ]
}

/// The event loop's side of the regime: asks the background scheduler for the frame of the current
/// settings (once per change), takes finished frames and the progress of the running one.
final class InfiniteWidthComputation: RegimeComputation {
    let scheduler: InfiniteWidthScheduler
    var requested: InfiniteWidthRequest?
    var shownProgress: InfiniteWidthProgress?
    init(notify: @escaping @Sendable () -> Void) { scheduler = InfiniteWidthScheduler(notify: notify) }

    func update(state: ExplorerState, content: inout FrameContent) -> Bool {
        let request = InfiniteWidthRequest(state: state)
        if request != requested {
            requested = request
            scheduler.request(request)
        }
        var changed = false
        if let frame = scheduler.takeResult() {
            content.infinite = frame
            changed = true
        }
        let progress = scheduler.progress
        if progress != shownProgress {
            shownProgress = progress
            content.infiniteProgress = progress
            changed = true
        }
        return changed
    }

    func takeMessages() -> [StatusMessage] { scheduler.takeMessages() }

    /// Off screen the series and Grams are not worth a core: stop them (finished frames stay cached;
    /// coming back asks again).
    func leave() {
        scheduler.stop()
        requested = nil
    }
}

import LimitLaws

import InfiniteWidth
import PlotCanvas

// The infinite-width regime: the infinite-width kernels of module InfiniteWidth (power series, sphere
// spectra, dataset Gram spectra). The three views keep their keys (1 2 3, ←/→ select a layer); in this
// regime `[`/`]` change the sphere dimension d, `n`/`N` the dataset size and `o`/`O` the series order.

/// The settings of the infinite-width mode (part of the undo history and of session files).
public struct InfiniteWidthSettings: RegimeSettings {
    /// Sphere dimension d: the inputs are uniform on S^{d−1}.
    public var dimension: Int
    /// Dataset size n (points uniform on the sphere) of the Gram spectra.
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
    public static let dimensions = 2...2000
    public static let pointCounts = 20...2400
    public static let orders = 10...KernelSeries.maxOrder   // the one order limit

    /// n/d: the γ₀ of the Marcenko–Pastur law of the input Gram XᵀX on these points.
    public var gamma0: Double { Double(points) / Double(dimension) }

    public func validated() -> InfiniteWidthSettings {
        InfiniteWidthSettings(dimension: min(Self.dimensions.upperBound, max(Self.dimensions.lowerBound, dimension)),
                              points: min(Self.pointCounts.upperBound, max(Self.pointCounts.lowerBound, points)),
                              order: min(Self.orders.upperBound, max(Self.orders.lowerBound, order)),
                              initialisation: initialisation, data: data)
    }
}

/// What the regime's keys ask for.
public enum InfiniteWidthAction: RegimeAction {
    case dimensionDown, dimensionUp
    case pointsDown, pointsUp
    case orderDown, orderUp
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

extension FrameContent {
    /// The infinite-width regime's data (InfiniteWidthContent.swift); nil until computed.
    public var infinite: InfiniteWidthFrame? {
        get { regimeContent(.infiniteWidth) }
        set { regimeFrames[.infiniteWidth] = newValue }
    }
}

/// The infinite-width regime: keys `[ ]` (sphere dimension d), `n N` (dataset size, in place of the
/// linear-width sample size), `o O` (series order); views in InfiniteWidthLayout.swift; computations
/// in InfiniteWidthContent.swift; session table `[infinite]`.
public struct InfiniteWidthRegime: ExplorerRegime {
    public init() {}
    public var id: RegimeID { .infiniteWidth }
    public var title: String { "infinite width" }
    public var defaultSettings: AnyRegimeSettings? { AnyRegimeSettings(InfiniteWidthSettings()) }
    public var helpGroup: String { "Infinite width (w)" }

    public var bindings: [KeyBinding] { InfiniteWidthKeys.bindings }

    public var commands: [(String, String)] {
        [(":dim D / :points N / :order N", "infinite width: sphere dimension, dataset size, series order")]
    }

    public func reduce(_ action: AnyRegimeAction, state: inout ExplorerState) {
        guard let a = action.value as? InfiniteWidthAction else { return }
        var s = state.infinite
        switch a {
        case .dimensionDown, .dimensionUp:
            let ladder = InfiniteWidthSettings.dimensionLadder
            if a == .dimensionUp {
                s.dimension = ladder.first { $0 > s.dimension } ?? InfiniteWidthSettings.dimensions.upperBound
            } else {
                s.dimension = ladder.last { $0 < s.dimension } ?? InfiniteWidthSettings.dimensions.lowerBound
            }
        case .pointsDown: s.points /= 2
        case .pointsUp: s.points *= 2
        case .orderDown: s.order /= 2
        case .orderUp: s.order *= 2
        }
        s = s.validated()
        if s == state.infinite {
            state.message = StatusMessage("limit reached: d \(InfiniteWidthSettings.dimensions), n \(InfiniteWidthSettings.pointCounts), order \(InfiniteWidthSettings.orders)", isError: true)
        } else {
            state.infinite = s
            state.message = StatusMessage("d = \(s.dimension)  n = \(s.points)  (n/d = \(ModelSummary.format(s.gamma0)))  order \(s.order)")
        }
    }

    /// `:dim D`, `:points N`, `:order N`.
    public func command(_ name: String, _ args: [String], state: inout ExplorerState) -> [ExplorerEffect]? {
        func set(_ change: (inout InfiniteWidthSettings, Int) -> Void, range: ClosedRange<Int>, usage: String) -> [ExplorerEffect] {
            guard args.count == 1, let v = Int(args[0]), range.contains(v) else {
                state.message = StatusMessage("usage: \(usage) (\(range.lowerBound)…\(range.upperBound))", isError: true)
                return []
            }
            change(&state.infinite, v)
            return []
        }
        switch name {
        case "dim": return set({ $0.dimension = $1 }, range: InfiniteWidthSettings.dimensions, usage: ":dim D")
        case "points": return set({ $0.points = $1 }, range: InfiniteWidthSettings.pointCounts, usage: ":points N")
        case "order": return set({ $0.order = $1 }, range: InfiniteWidthSettings.orders, usage: ":order N")
        default: return nil
        }
    }

    public func enterMessage(state: ExplorerState) -> StatusMessage {
        let s = state.infinite
        return StatusMessage("infinite width: d = \(s.dimension), n = \(s.points), order \(s.order) ([ ] d, n N points, o O order; w \(Regimes.next(after: id).title))")
    }

    public var footerKeys: String { InfiniteWidthLayout.footerKeys }

    public func headerInfo(state: ExplorerState, content: FrameContent) -> String? {
        InfiniteWidthLayout.headerInfo(state: state, content: content)
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
}

/// The regime's key bindings, active only while it is shown, where they take precedence over the
/// linear-width meaning of the same key (`n`/`N` = sample size there).
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
                   help: "series order N ÷2 / ×2", group: group),
        KeyBinding(keys: [.character("O")], label: "", action: .infiniteWidth(.orderUp), help: "", group: group),
    ]
}

/// The event loop's side of the regime: asks the background scheduler for the frame of the current
/// settings (once per change) and takes finished frames.
final class InfiniteWidthComputation: RegimeComputation {
    let scheduler: InfiniteWidthScheduler
    var requested: InfiniteWidthRequest?
    init(notify: @escaping @Sendable () -> Void) { scheduler = InfiniteWidthScheduler(notify: notify) }

    func update(state: ExplorerState, content: inout FrameContent) -> Bool {
        let request = InfiniteWidthRequest(state: state)
        if request != requested {
            requested = request
            scheduler.request(request)
        }
        guard let frame = scheduler.takeResult() else { return false }
        content.infinite = frame
        return true
    }
}

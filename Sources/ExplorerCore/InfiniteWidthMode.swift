import InfiniteWidth
import LimitLaws

// The infinite-width mode (issue 6): `w` switches the explorer between the linear-width limit laws
// (Fan & Wang) and the infinite-width kernels of module InfiniteWidth (power series, sphere spectra,
// dataset Gram spectra). The three views keep their keys (1 2 3, ←/→ select a layer); in this mode
// `[`/`]` change the sphere dimension d, `n`/`N` the dataset size and `o`/`O` the series order.

/// Which family of spectra the explorer shows.
public enum ExplorerMode: String, Sendable, Hashable, CaseIterable {
    case linearWidth = "linear"
    case infiniteWidth = "infinite"

    public var title: String { self == .linearWidth ? "linear width" : "infinite width" }
}

/// The settings of the infinite-width mode (part of the undo history and of session files).
public struct InfiniteWidthSettings: Sendable, Hashable {
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

/// What the mode's keys ask for.
public enum InfiniteWidthAction: Sendable, Hashable {
    case toggleMode
    case dimensionDown, dimensionUp
    case pointsDown, pointsUp
    case orderDown, orderUp
}

/// The mode's key bindings: `w` everywhere; the others only in the infinite-width mode, where they
/// take precedence over the linear-width meaning of the same key (`n`/`N` = sample size there).
public enum InfiniteWidthKeys {
    public static let toggle = KeyBinding(keys: [.character("w")], label: "w", action: .infiniteWidth(.toggleMode),
                                          help: "switch linear width ↔ infinite width", group: "View")

    public static let bindings: [KeyBinding] = [
        KeyBinding(keys: [.character("[")], label: "[ / ]", action: .infiniteWidth(.dimensionDown),
                   help: "sphere dimension d down / up", group: "Infinite width (w)"),
        KeyBinding(keys: [.character("]")], label: "", action: .infiniteWidth(.dimensionUp), help: "", group: "Infinite width (w)"),
        KeyBinding(keys: [.character("n")], label: "n / N", action: .infiniteWidth(.pointsDown),
                   help: "dataset size n ÷2 / ×2 (points on S^{d−1})", group: "Infinite width (w)"),
        KeyBinding(keys: [.character("N")], label: "", action: .infiniteWidth(.pointsUp), help: "", group: "Infinite width (w)"),
        KeyBinding(keys: [.character("o")], label: "o / O", action: .infiniteWidth(.orderDown),
                   help: "series order N ÷2 / ×2", group: "Infinite width (w)"),
        KeyBinding(keys: [.character("O")], label: "", action: .infiniteWidth(.orderUp), help: "", group: "Infinite width (w)"),
    ]

    static let map: [Key: ExplorerAction] = {
        var m: [Key: ExplorerAction] = [:]
        for b in bindings { for k in b.keys { m[k] = b.action } }
        return m
    }()

    /// The action of `key` in the normal (no overlay) state, if the mode claims the key.
    public static func action(for key: Key, in state: ExplorerState) -> ExplorerAction? {
        if key == .character("w") { return toggle.action }
        guard state.mode == .infiniteWidth else { return nil }
        return map[key]
    }

    /// The help group of the mode.
    public static var helpGroup: (String, [(String, String)]) {
        ("Infinite width (w)", bindings.filter { !$0.label.isEmpty }.map { ($0.label, $0.help) })
    }
}

/// The reducer of the mode's actions (called from `ExplorerReducer.reduce`, which records undo).
public enum InfiniteWidthReducer {
    public static func reduce(_ state: inout ExplorerState, _ action: InfiniteWidthAction) {
        var s = state.infinite
        switch action {
        case .toggleMode:
            state.mode = state.mode == .linearWidth ? .infiniteWidth : .linearWidth
            state.message = StatusMessage(state.mode == .infiniteWidth
                ? "infinite width: d = \(s.dimension), n = \(s.points), order \(s.order) ([ ] d, n N points, o O order; w back)"
                : "linear width (w: infinite width)")
            return
        case .dimensionDown, .dimensionUp:
            let ladder = InfiniteWidthSettings.dimensionLadder
            if action == .dimensionUp {
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

    /// `:dim D`, `:points N`, `:order N`, `:mode linear|infinite`; nil if the command is not the mode's.
    public static func command(_ name: String, _ args: [String], state: inout ExplorerState) -> Bool? {
        func set(_ change: (inout InfiniteWidthSettings) -> Void, range: ClosedRange<Int>, usage: String) -> Bool {
            guard args.count == 1, let v = Int(args[0]), range.contains(v) else {
                state.message = StatusMessage("usage: \(usage) (\(range.lowerBound)…\(range.upperBound))", isError: true)
                return false
            }
            change(&state.infinite)
            return true
        }
        switch name {
        case "mode":
            guard args.count == 1, let m = ExplorerMode(rawValue: args[0].lowercased()) else {
                state.message = StatusMessage("usage: :mode linear|infinite", isError: true)
                return false
            }
            state.mode = m
            return true
        case "dim": return set({ $0.dimension = Int(args[0])! }, range: InfiniteWidthSettings.dimensions, usage: ":dim D")
        case "points": return set({ $0.points = Int(args[0])! }, range: InfiniteWidthSettings.pointCounts, usage: ":points N")
        case "order": return set({ $0.order = Int(args[0])! }, range: InfiniteWidthSettings.orders, usage: ":order N")
        default: return nil
        }
    }

    public static let commands: [(String, String)] = [
        (":mode linear|infinite", "the mode (as w)"),
        (":dim D / :points N / :order N", "infinite width: sphere dimension, dataset size, series order"),
    ]
}

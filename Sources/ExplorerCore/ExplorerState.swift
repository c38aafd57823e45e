import LimitLaws
import PlotCanvas

/// The screens of the explorer: small multiples, an overlay of laws, one law, its CDF, and the
/// support edges and atoms against the layer.
public enum ExplorerView: String, Sendable, Hashable, CaseIterable {
    case layers, compare, focus, cdf, edges
}

/// How plots are drawn; part of the undo history.
public struct DisplaySettings: Sendable, Hashable {
    public var yScale: YScale = .log
    /// The x range shown is the law's range divided by 2^zoom, starting `pan` of the way into it
    /// (0: anchored at the left end, where the narrow bump of the CK laws lives).
    public var zoom: Int = 0
    public var canvas: CanvasMode = .braille
    /// Where the zoomed window starts, as a fraction of the law's range (0 … 1 − 2^−zoom).
    public var pan: Double = 0
    /// `:xlim a b`: a fixed x range for every plot (replaces zoom and pan while set).
    public var xLimits: ClosedRange<Double>?
    /// `:ylim [bottom] top`: the top of the y axis (and the bottom of a log axis).
    public var yLimits: ClosedRange<Double>?
    /// `g`: faint grid lines at the ticks.
    public var gridLines = false
    /// `v`: the compare view divides each law by its mean (λ/E λ), so laws of different scales overlay.
    public var rescaleByMean = false
    public init(yScale: YScale = .log, zoom: Int = 0, canvas: CanvasMode = .braille, pan: Double = 0,
                xLimits: ClosedRange<Double>? = nil, yLimits: ClosedRange<Double>? = nil, gridLines: Bool = false,
                rescaleByMean: Bool = false) {
        self.yScale = yScale; self.zoom = zoom; self.canvas = canvas; self.pan = pan
        self.xLimits = xLimits; self.yLimits = yLimits; self.gridLines = gridLines; self.rescaleByMean = rescaleByMean
    }

    /// The largest `pan` for the zoom (the window ends at the law's right end).
    public var maxPan: Double { 1 - 1 / Double(1 << max(0, zoom)) }
}

/// Overlays drawn on top of a view and capturing the keys while open.
public enum ExplorerOverlay: Sendable, Hashable {
    case help
    /// The compare chooser: `cursor` indexes `ExplorerState.laws`.
    case compareChooser(cursor: Int)
    /// `M`: the last messages of the status line, in full.
    case messageLog
}

/// A terminal size in cells.
public struct ScreenSize: Sendable, Hashable {
    public var width: Int
    public var height: Int
    public init(width: Int, height: Int) { self.width = width; self.height = height }
}

/// A status-line message.
public struct StatusMessage: Sendable, Hashable {
    public var text: String
    public var isError: Bool
    public init(_ text: String, isError: Bool = false) { self.text = text; self.isError = isError }
}

/// Everything `u` can undo.
public struct UndoableState: Sendable, Hashable {
    public var model: NetworkModel
    public var inputLabel: String?
    public var data: DataInput?
    public var selection: Int
    public var compare: [KernelID]
    public var display: DisplaySettings
    public var sampleSize: Int
    /// Every regime's own settings (Regimes/Regime.swift).
    public var regimeSettings = RegimeSettingsStore()
}

/// The explorer's whole state. Changed only by `ExplorerReducer.reduce`; pure data.
public struct ExplorerState: Sendable {
    public var model: NetworkModel
    /// Shown instead of "Gaussian" when the input law came from a file.
    public var inputLabel: String?
    /// `--data` / `:data`: the data matrix whose Gram spectrum is the input law; the empirical check
    /// then samples the network on it (n = its samples).
    public var data: DataInput?
    public var view: ExplorerView = .layers
    /// The regime shown (`w` cycles them; Regimes/Regime.swift). A view choice: not undone.
    public var regime: RegimeID = .linearWidth
    /// Every regime's own settings (part of the undo history).
    public var regimeSettings = RegimeSettingsStore()
    /// 0...L select CK layer ℓ (0 = the input law), L+1 selects the NTK.
    public var selection: Int = 1
    /// The laws of the compare view: A, B, then any further overlaid layers.
    public var compare: [KernelID]
    public var display = DisplaySettings()
    public var themeNames: [String]
    public var themeName: String
    /// `G`: ↑/↓ change every γ_ℓ at once.
    public var allLayers = false
    public var empiricalOn = false
    public var sampleSize = 1000
    public var overlay: ExplorerOverlay?
    /// The page of the help overlay (HelpOverlay.swift; 0 when it opens).
    public var helpPage = 0
    /// Non-nil while the `:` command line is open (the text typed so far).
    public var commandLine: String?
    /// The editing state of the command line: cursor, history, completion (CommandLineEditor.swift).
    public var commandEditor = CommandLineEditor()
    public var message: StatusMessage?
    /// The last status messages, oldest first (`M` shows them in full).
    public var messageLog: [StatusMessage] = []
    /// The read-out cursor (`x`, `,` `.`, a mouse click): where it is in the plot's x range, 0…1; nil = off.
    public var cursor: Double?
    /// `E`: the support edge framed last (index into the selected law's edges).
    public var edgeIndex: Int?
    /// Themes that failed to load: `t` skips them and the header never names them.
    public var failedThemes: Set<String> = []
    /// The terminal's size, kept by the shell: paging the layers view and mouse clicks depend on it.
    public var screenSize: ScreenSize?
    /// Non-nil while the `e` export prompt is open (see ExportPrompt.swift).
    public var exportPrompt: ExportPrompt?
    /// Seed of the empirical check's network (saved in session files).
    public var seed: UInt64 = 1
    public var undoStack: [UndoableState] = []
    /// What `r` resets to.
    public var initial: UndoableState
    public var shouldQuit = false

    public init(model: NetworkModel, inputLabel: String? = nil, themeNames: [String] = ["dark"], themeName: String? = nil,
                display: DisplaySettings = DisplaySettings(), view: ExplorerView = .layers) {
        self.model = model
        self.inputLabel = inputLabel
        self.compare = [.ck(model.depth), .ntk]
        self.display = display
        self.view = view
        self.themeNames = themeNames.isEmpty ? ["dark"] : themeNames
        self.themeName = themeName ?? self.themeNames[0]
        self.selection = min(1, model.depth)
        initial = UndoableState(model: model, inputLabel: inputLabel, selection: min(1, model.depth),
                                compare: [.ck(model.depth), .ntk], display: display, sampleSize: 1000)
    }

    public var depth: Int { model.depth }

    /// Every law the explorer shows: CK layers 0...L and the NTK.
    public var laws: [KernelID] { (0...depth).map { KernelID.ck($0) } + [.ntk] }

    public var selectedKernel: KernelID { selection > depth ? .ntk : .ck(selection) }

    public var undoable: UndoableState {
        get {
            UndoableState(model: model, inputLabel: inputLabel, data: data, selection: selection, compare: compare,
                          display: display, sampleSize: sampleSize, regimeSettings: regimeSettings)
        }
        set {
            model = newValue.model; inputLabel = newValue.inputLabel; data = newValue.data; selection = newValue.selection
            compare = newValue.compare; display = newValue.display; sampleSize = newValue.sampleSize
            regimeSettings = newValue.regimeSettings
        }
    }
}

extension KernelID {
    /// Short name for titles: "input ℓ=0", "CK ℓ=3", "NTK".
    public var title: String {
        switch self {
        case .ck(0): return "input ℓ=0"
        case .ck(let l): return "CK ℓ=\(l)"
        case .ntk: return "NTK"
        case .combination: return "combination"
        }
    }

    /// Parses "ntk", "input", "ck3", "3".
    public static func parse(_ text: String, depth: Int) -> KernelID? {
        let t = text.lowercased()
        if t == "ntk" { return .ntk }
        if t == "input" || t == "in" { return .ck(0) }
        let digits = t.hasPrefix("ck") ? String(t.dropFirst(2)) : t
        if let l = Int(digits), l >= 0, l <= depth { return .ck(l) }
        return nil
    }
}

import Foundation
import InputFiles
import PlotCanvas

// The explorer's regimes: linear width (Fan & Wang), infinite width (power series), and those added
// later (quadratic scaling, training). A regime is one value conforming to `ExplorerRegime`, listed in
// `Regimes.all`: it brings its settings (part of the undo history and of session files), its keys and
// `:` commands, its body (the three views), its background computation and its session-file table.
// The header, footer, overlays, selection, model keys and undo are shared. `w` cycles the regimes.
// docs/architecture.md ("Adding a regime") walks through adding one.

/// Names a regime: "linear", "infinite", … (`:mode`, `--mode`, session tables). Only names of
/// regimes in `Regimes.all` parse.
public struct RegimeID: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: String
    public init?(rawValue: String) {
        guard Regimes.all.contains(where: { $0.id.rawValue == rawValue }) else { return nil }
        self.rawValue = rawValue
    }
    /// For the regimes' own `static let`s.
    init(unchecked name: String) { rawValue = name }

    public static let linearWidth = RegimeID(unchecked: "linear")
    public static let infiniteWidth = RegimeID(unchecked: "infinite")

    public var description: String { rawValue }
    /// Every regime, in `w` order.
    public static var allCases: [RegimeID] { Regimes.all.map(\.id) }
    /// "linear width", "infinite width".
    public var title: String { Regimes.regime(self).title }
}

/// A regime's settings: plain values, compared for undo and written to session files.
public protocol RegimeSettings: Sendable, Hashable {}

/// A regime's settings behind one type, so `ExplorerState` can hold every regime's.
public struct AnyRegimeSettings: Sendable, Hashable {
    public let value: any RegimeSettings
    public init(_ value: any RegimeSettings) { self.value = value }
    public static func == (lhs: AnyRegimeSettings, rhs: AnyRegimeSettings) -> Bool {
        func equal<T: RegimeSettings>(_ l: T) -> Bool { (rhs.value as? T) == l }
        return equal(lhs.value)
    }
    public func hash(into hasher: inout Hasher) { value.hash(into: &hasher) }
}

/// Every regime's settings, by regime; starts from each regime's defaults (so a setting moved back
/// to its default compares equal to a fresh state).
public struct RegimeSettingsStore: Sendable, Hashable {
    var values: [RegimeID: AnyRegimeSettings]
    public init() {
        values = [:]
        for r in Regimes.all { if let d = r.defaultSettings { values[r.id] = d } }
    }
    /// The settings of `regime` as `T` (its default when absent or of another type).
    public func get<T: RegimeSettings>(_ regime: RegimeID, default fallback: @autoclosure () -> T) -> T {
        (values[regime]?.value as? T) ?? fallback()
    }
    public mutating func set<T: RegimeSettings>(_ regime: RegimeID, _ value: T) { values[regime] = AnyRegimeSettings(value) }
}

/// What a regime's keys ask for (its own enum), routed back to that regime's `reduce`.
public protocol RegimeAction: Sendable, Hashable {}

public struct AnyRegimeAction: Sendable, Hashable {
    public let regime: RegimeID
    public let value: any RegimeAction
    public init(_ regime: RegimeID, _ value: any RegimeAction) { self.regime = regime; self.value = value }
    public static func == (lhs: AnyRegimeAction, rhs: AnyRegimeAction) -> Bool {
        func equal<T: RegimeAction>(_ l: T) -> Bool { (rhs.value as? T) == l }
        return lhs.regime == rhs.regime && equal(lhs.value)
    }
    public func hash(into hasher: inout Hasher) { hasher.combine(regime); value.hash(into: &hasher) }
}

/// One value of a session-file key.
public enum SessionValue: Sendable, Hashable {
    case int(Int), double(Double), string(String), bool(Bool)
}

/// The type and allowed values of a regime's session key; `describe` is the error's "must be …".
public enum SessionValueKind: Sendable {
    case int(ClosedRange<Int>)
    case double(ClosedRange<Double>)
    /// A string accepted by `accepts`; `allowed` says what is.
    case string(allowed: String, accepts: @Sendable (String) -> Bool)
    case bool

    public var allowed: String {
        switch self {
        case .int(let r): return "must be an integer from \(r.lowerBound) to \(r.upperBound)"
        case .double(let r): return "must be a number from \(r.lowerBound) to \(r.upperBound)"
        case .string(let allowed, _): return "must be \(allowed)"
        case .bool: return "must be true or false"
        }
    }

    /// The value if it has this kind and is allowed.
    public func check(_ v: SessionValue) -> SessionValue? {
        switch (self, v) {
        case (.int(let r), .int(let i)): return r.contains(i) ? v : nil
        case (.double(let r), .double(let d)): return d.isFinite && r.contains(d) ? v : nil
        case (.double(let r), .int(let i)): return r.contains(Double(i)) ? .double(Double(i)) : nil
        case (.string(_, let accepts), .string(let s)): return accepts(s) ? v : nil
        case (.bool, .bool): return v
        default: return nil
        }
    }
}

/// One key of a regime's session table, read from and written to the regime's settings.
public struct RegimeSessionKey: Sendable {
    public var name: String
    public var kind: SessionValueKind
    public var get: @Sendable (RegimeSettingsStore) -> SessionValue
    public var set: @Sendable (inout RegimeSettingsStore, SessionValue) -> Void
    /// Whether the key is written for these settings (a key that only applies in some cases).
    public var isWritten: @Sendable (RegimeSettingsStore) -> Bool
    public init(_ name: String, _ kind: SessionValueKind, get: @escaping @Sendable (RegimeSettingsStore) -> SessionValue,
                set: @escaping @Sendable (inout RegimeSettingsStore, SessionValue) -> Void,
                isWritten: @escaping @Sendable (RegimeSettingsStore) -> Bool = { _ in true }) {
        self.name = name; self.kind = kind; self.get = get; self.set = set; self.isWritten = isWritten
    }
}

/// A regime's table in session files: `[table]` with `enabled = true` when the regime is shown,
/// then `keys` in order.
public struct RegimeSessionSection: Sendable {
    public var table: String
    public var keys: [RegimeSessionKey]
    public init(table: String, keys: [RegimeSessionKey]) { self.table = table; self.keys = keys }
}

/// A regime's background work, owned by the event loop (main thread): on every turn while the regime
/// is shown, `update` asks for what `state` needs and stores any finished result in `content`.
public protocol RegimeComputation: AnyObject {
    /// Returns whether `content` changed (the screen must be drawn again).
    func update(state: ExplorerState, content: inout FrameContent) -> Bool
    /// Messages for the status line (and the log) since the last call, e.g. "cancelled: …".
    func takeMessages() -> [StatusMessage]
    /// The regime is no longer shown: stop work that only matters on screen (a training run, which
    /// the user started, keeps going; the default does nothing).
    func leave()
}

extension RegimeComputation {
    public func takeMessages() -> [StatusMessage] { [] }
    public func leave() {}
}

/// One regime of the explorer. Pure except `makeComputation` and `computeNow`, which do the
/// regime's numerical work (off the interface thread in the explorer, synchronously for `render`).
public protocol ExplorerRegime: Sendable {
    var id: RegimeID { get }
    /// "linear width".
    var title: String { get }
    /// The settings the regime starts with (nil: it has none beyond the shared model).
    var defaultSettings: AnyRegimeSettings? { get }

    /// Keys only this regime has; while it is shown they take precedence over the shared table.
    var bindings: [KeyBinding] { get }
    /// The help overlay's group for `bindings` (the regime's `:` commands are listed after the shared ones).
    var helpGroup: String { get }
    var commands: [(String, String)] { get }
    /// Runs `:name args` if it is this regime's command (nil otherwise). Commands work in every
    /// regime (`:dim 600` in the linear-width regime prepares the infinite-width one).
    func command(_ name: String, _ args: [String], state: inout ExplorerState) -> [ExplorerEffect]?
    /// Applies one of the regime's own actions (the reducer records undo around it).
    func reduce(_ action: AnyRegimeAction, state: inout ExplorerState)
    /// As `reduce(_:state:)`, for an action that depends on what is on screen (`content`: nil when
    /// unknown, as for a session file). The reducer calls this one; by default it ignores `content`.
    func reduce(_ action: AnyRegimeAction, state: inout ExplorerState, content: FrameContent?)
    /// The status line after `w` or `:mode` switched to this regime.
    func enterMessage(state: ExplorerState) -> StatusMessage

    /// The most useful keys, for the footer.
    var footerKeys: String { get }
    /// Text put before the view/zoom/theme info on the header's second row.
    func headerInfo(state: ExplorerState, content: FrameContent) -> String?
    /// Row 0's fields after " ntkscope " when the regime's model is not the linear-width one (nil:
    /// σ, b_σ, a_σ, L and the input law). The first two are never dropped, the others last first.
    func headerModel(state: ExplorerState, content: FrameContent) -> [String]?
    /// The right end of row 0 for a regime that gives `headerModel`: the state of the regime's own
    /// computation (`busy`: drawn in the warning colour). nil: the linear-width solver's status,
    /// which describes the regime's numbers only when the regime shows the linear-width laws.
    func headerStatus(state: ExplorerState, content: FrameContent) -> (text: String, busy: Bool)?
    /// The name the header gives a view (the infinite-width regime's 4th view is "kernels").
    func viewTitle(_ view: ExplorerView) -> String
    /// Whether the view of `state` fits a body of this size; if not, the smallest terminal that fits.
    func bodyFits(state: ExplorerState, width: Int, bodyHeight: Int) -> (fits: Bool, needed: String)
    /// The three views (`state.view`) between the header and the footer.
    func drawBody(_ body: inout ScreenGrid, state: ExplorerState, content: FrameContent)

    /// The regime's table in session files (nil: nothing to save beyond [model] and [view]).
    var session: RegimeSessionSection? { get }

    /// The background computation the event loop runs while the regime is shown (nil: the shared
    /// limit-law solves are all it needs).
    func makeComputation(notify: @escaping @Sendable () -> Void) -> RegimeComputation?
    /// Computes what the views of `state` draw, synchronously (for `ntkscope render` and `--print`).
    func computeNow(state: ExplorerState, content: inout FrameContent)

    /// The header's model line and second row when the regime's model is not the shared linear-width
    /// model (nil: σ, b_σ, L, the input law and the layers, as in the linear-width regime).
    func header(state: ExplorerState, content: FrameContent) -> RegimeHeader?
    /// The regime's long work for the status line's right end (nil: the shared empirical check's).
    func progress(state: ExplorerState, content: FrameContent) -> RegimeProgress?
    /// A file the regime asked the shell to read (`ExplorerEffect.readRegimeFile`): its bytes, or why
    /// it could not be read (the message names the file).
    func fileRead(_ file: RegimeFileRead, state: inout ExplorerState)
}

/// The header of a regime with its own model: row 0 holds " ntkscope " then `model` (fields shown
/// whole or dropped, the last first), `status` on the right, and `warning` (a failed self-check:
/// never dropped); row 1 holds `row1` in place of the layer list, then the view and modes.
public struct RegimeHeader: Sendable {
    public var model: [String]
    public var status: String?
    /// The status is work in progress (drawn in the warning colour, as "solving…").
    public var busy: Bool
    public var warning: String?
    public var row1: String
    public init(model: [String], status: String? = nil, busy: Bool = false, warning: String? = nil, row1: String = "") {
        self.model = model; self.status = status; self.busy = busy; self.warning = warning; self.row1 = row1
    }
}

/// Long work of a regime for the status line: "training [█████░░░] 40% epoch 20/50".
public struct RegimeProgress: Sendable, Hashable {
    public var label: String
    /// 0…1, or nil for a state without a bar ("training: done", "check failed (M: why)").
    public var fraction: Double?
    public var detail: String
    public init(label: String, fraction: Double?, detail: String = "") { self.label = label; self.fraction = fraction; self.detail = detail }
}

/// The answer to `ExplorerEffect.readRegimeFile`: the file's bytes or the reason it could not be read.
public struct RegimeFileRead: RegimeAction {
    public var path: String
    public var contents: Data?
    public var error: String?
    /// What the regime asked the file for (its own word, e.g. "data" or "labels"; "" for its only kind).
    public var purpose: String
    public init(path: String, contents: Data?, error: String?, purpose: String = "") {
        self.path = path; self.contents = contents; self.error = error; self.purpose = purpose
    }

    /// Reads the file (InputFiles' `FileBytes`: the message says why it cannot be read). For the shell.
    public static func read(path: String, purpose: String = "") -> RegimeFileRead {
        do { return RegimeFileRead(path: path, contents: try FileBytes.read(path: path, field: "file"), error: nil, purpose: purpose) } catch {
            return RegimeFileRead(path: path, contents: nil, error: error.description, purpose: purpose)
        }
    }
}

extension ExplorerRegime {
    public var defaultSettings: AnyRegimeSettings? { nil }
    public var bindings: [KeyBinding] { [] }
    public var helpGroup: String { title }
    public var commands: [(String, String)] { [] }
    public func command(_ name: String, _ args: [String], state: inout ExplorerState) -> [ExplorerEffect]? { nil }
    public func reduce(_ action: AnyRegimeAction, state: inout ExplorerState) {}
    public func reduce(_ action: AnyRegimeAction, state: inout ExplorerState, content: FrameContent?) { reduce(action, state: &state) }
    public func headerInfo(state: ExplorerState, content: FrameContent) -> String? { nil }
    public func headerModel(state: ExplorerState, content: FrameContent) -> [String]? { nil }
    public func headerStatus(state: ExplorerState, content: FrameContent) -> (text: String, busy: Bool)? { nil }
    public func viewTitle(_ view: ExplorerView) -> String { view.rawValue }
    public var session: RegimeSessionSection? { nil }
    public func makeComputation(notify: @escaping @Sendable () -> Void) -> RegimeComputation? { nil }
    public func computeNow(state: ExplorerState, content: inout FrameContent) {}
    public func header(state: ExplorerState, content: FrameContent) -> RegimeHeader? { nil }
    public func progress(state: ExplorerState, content: FrameContent) -> RegimeProgress? { nil }
    public func fileRead(_ file: RegimeFileRead, state: inout ExplorerState) {}

    /// The regime's key map: its bindings by key.
    func keyMap() -> [Key: ExplorerAction] {
        var map: [Key: ExplorerAction] = [:]
        for b in bindings { for k in b.keys { map[k] = b.action } }
        return map
    }
}

/// The registry: every regime, in the order `w` cycles through them.
public enum Regimes {
    public static let all: [any ExplorerRegime] = [LinearWidthRegime(), InfiniteWidthRegime(), QuadraticRegime(), TrainingRegime()]

    static let keyMaps: [RegimeID: [Key: ExplorerAction]] = {
        var maps: [RegimeID: [Key: ExplorerAction]] = [:]
        for r in all { maps[r.id] = r.keyMap() }
        return maps
    }()

    /// The regime named `id` (the first one if it is not registered).
    public static func regime(_ id: RegimeID) -> any ExplorerRegime {
        all.first { $0.id == id } ?? all[0]
    }

    /// The regime after `id` in `w` order.
    public static func next(after id: RegimeID) -> RegimeID {
        let i = all.firstIndex { $0.id == id } ?? 0
        return all[(i + 1) % all.count].id
    }

    /// Switches to `id`: the regime is a view choice (like 1 2 3), not part of the undo history.
    public static func enter(_ id: RegimeID, state: inout ExplorerState) {
        state.regime = id
        state.message = regime(id).enterMessage(state: state)
    }
}

extension ScreenGrid {
    /// The body of a view the regime does not have (4 CDF and 5 edges outside the linear width).
    mutating func writeLinearWidthOnly(_ view: ExplorerView) {
        writeCentered("the \(view.rawValue) view belongs to the linear-width regime: 1 2 3 are this regime's views (w switches)",
                      x: 0, span: width, y: height / 2, role: .dim)
    }
}

extension ScreenGrid {
    /// Lines of facts from row `y` on, at most `rows`: a line that fits is written as it is (tables
    /// keep their alignment), a longer one wraps at spaces under a hanging indent, so no value is cut.
    /// A title line is bold. Returns the rows used.
    @discardableResult
    mutating func writeFacts(_ lines: [(String, ColorRole)], x: Int, y: Int, width: Int, rows: Int) -> Int {
        var row = 0
        for (text, role) in lines {
            let parts = text.count <= width ? [text] : StatusLine.wrap(text, width: width, hanging: 2)
            for part in parts where row < rows {
                write(part, x: x, y: y + row, role: role, attributes: role == .title ? [.bold] : [], maxWidth: width)
                row += 1
            }
        }
        return row
    }
}

extension ExplorerState {
    /// The regime shown.
    public var currentRegime: any ExplorerRegime { Regimes.regime(regime) }
}

extension FrameContent {
    /// A regime's content as `T` (nil until its computation delivered some).
    public func regimeContent<T: Sendable>(_ regime: RegimeID, as type: T.Type = T.self) -> T? {
        regimeFrames[regime] as? T
    }
}

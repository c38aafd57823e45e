import LimitLaws

/// A key press, independent of ncurses.
public enum Key: Sendable, Hashable {
    case character(Character)
    case up, down, left, right, shiftUp, shiftDown
    case home, end, delete, pageUp, pageDown
    case enter, escape, backspace, tab
    case ctrlC
    /// Ctrl with a letter (Ctrl-U clears the command line; Ctrl-A, Ctrl-E, Ctrl-W edit it).
    case control(Character)
    case f1
    case resize
    /// A mouse click (button 1) at a cell; the shell turns it into an action with `ScreenLayout.hitTest`.
    case mouse(x: Int, y: Int)
}

/// Everything a key (or the command line, or the shell) can ask the explorer to do.
public enum ExplorerAction: Sendable, Hashable {
    /// `q`: quit with status 0. `interrupt` is Ctrl-C: quit with status 130.
    case quit, interrupt, toggleHelp
    /// Show this page of the help overlay.
    case helpPage(Int)
    case selectPrevious, selectNext
    case gammaUp, gammaDown, gammaAllUp, gammaAllDown, toggleAllLayers
    case nextActivation, previousActivation, bDown, bUp
    case depthDown, depthUp, gamma0Down, gamma0Up
    case showView(ExplorerView), openCompareChooser
    case toggleEmpirical, sampleSizeDown, sampleSizeUp
    case cycleYScale, zoomIn, zoomOut, cycleCanvas, nextTheme
    /// Pan the x window by a quarter of its width; `resetRange` is the full range again (no zoom, pan or limits).
    case panLeft, panRight, resetRange
    /// The read-out cursor: on/off, and moves by `steps` hundredths of the plot width (negative: left).
    case toggleCursor, moveCursor(steps: Int)
    /// From a mouse click: select the panel (a law's index in `laws`) and put the cursor there.
    case pointAt(selection: Int?, cursor: Double?)
    /// Frame the selected law's next support edge (E).
    case frameEdge
    case toggleGrid, toggleRescale, showMessageLog
    /// Page the layers view: the previous / next page of panels.
    case pageUp, pageDown
    case export, undo, reset
    case openCommandLine, commandInput(Character), commandBackspace, commandSubmit, closeOverlay
    /// Editing the command line beyond typing (CommandLineEditor.swift).
    case commandEdit(CommandLineEditor.Edit)
    case chooserUp, chooserDown, chooserSetA, chooserSetB, chooserToggle
    /// From the shell: a theme file failed to load (the header goes back to the theme in use).
    case themeFailed(String, message: String)
    /// From the shell: an input law read from a file.
    case setInput(InputLaw, label: String)
    /// From the shell: a data matrix read and preprocessed (its Gram spectrum becomes the input law).
    case setData(DataInput)
    /// From the shell: a message for the status line.
    case status(String, isError: Bool)
    /// The export prompt (ExportPrompt.swift).
    case exportPrompt(ExportPromptAction)
    /// `w`: the next regime (linear width → infinite width → …; Regimes/Regime.swift).
    case nextRegime
    /// An action of a regime's own keys, handled by that regime.
    case regime(AnyRegimeAction)
}

/// One row of the key map: the keys, what they do, and the line shown in the help overlay.
public struct KeyBinding: Sendable {
    public let keys: [Key]
    public let label: String          // how the keys are written in help, e.g. "←/→ h/l"
    public let action: ExplorerAction
    public let help: String
    public let group: String
}

/// The key map: one table drives both dispatch and the help overlay, so help cannot drift.
public enum KeyMap {
    public static let bindings: [KeyBinding] = [
        KeyBinding(keys: [.character("q")], label: "q", action: .quit, help: "quit (restores the terminal)", group: "General"),
        KeyBinding(keys: [.ctrlC], label: "Ctrl-C", action: .interrupt, help: "quit with exit status 130 (as SIGINT)", group: "General"),
        KeyBinding(keys: [.character("?"), .f1], label: "?  F1", action: .toggleHelp, help: "this help (? space → next page, ← back)", group: "General"),
        KeyBinding(keys: [.character(":")], label: ":", action: .openCommandLine, help: "command line (:help lists commands)", group: "General"),
        KeyBinding(keys: [.character("u")], label: "u", action: .undo, help: "undo the last change", group: "General"),
        KeyBinding(keys: [.character("r")], label: "r", action: .reset, help: "reset to the starting configuration", group: "General"),
        KeyBinding(keys: [.character("e")], label: "e", action: .export, help: "export the view (txt ansi svg csv json toml)", group: "General"),
        KeyBinding(keys: [.character("M")], label: "M", action: .showMessageLog, help: "message log (the status line's messages in full)", group: "General"),

        KeyBinding(keys: [.left, .character("h")], label: "←  h", action: .selectPrevious, help: "select the previous layer", group: "Model"),
        KeyBinding(keys: [.right, .character("l")], label: "→  l", action: .selectNext, help: "select the next layer (… NTK)", group: "Model"),
        KeyBinding(keys: [.up, .character("k")], label: "↑  k", action: .gammaUp, help: "raise γ_ℓ of the selected layer (×1.25)", group: "Model"),
        KeyBinding(keys: [.down, .character("j")], label: "↓  j", action: .gammaDown, help: "lower γ_ℓ of the selected layer (÷1.25)", group: "Model"),
        KeyBinding(keys: [.shiftUp, .character("K")], label: "Shift-↑  K", action: .gammaAllUp, help: "raise every γ_ℓ at once", group: "Model"),
        KeyBinding(keys: [.shiftDown, .character("J")], label: "Shift-↓  J", action: .gammaAllDown, help: "lower every γ_ℓ at once", group: "Model"),
        KeyBinding(keys: [.character("G")], label: "G", action: .toggleAllLayers, help: "toggle all-layers mode for ↑/↓", group: "Model"),
        KeyBinding(keys: [.character("a")], label: "a / A", action: .nextActivation, help: "next / previous activation σ", group: "Model"),
        KeyBinding(keys: [.character("A")], label: "", action: .previousActivation, help: "", group: "Model"),
        KeyBinding(keys: [.character("b")], label: "b / B", action: .bDown, help: "lower / raise b_σ (b-family, step 0.05)", group: "Model"),
        KeyBinding(keys: [.character("B")], label: "", action: .bUp, help: "", group: "Model"),
        KeyBinding(keys: [.character("d")], label: "d / D", action: .depthDown, help: "depth L down / up", group: "Model"),
        KeyBinding(keys: [.character("D")], label: "", action: .depthUp, help: "", group: "Model"),
        KeyBinding(keys: [.character("i")], label: "i / I", action: .gamma0Down, help: "lower / raise γ₀ (Gaussian input)", group: "Model"),
        KeyBinding(keys: [.character("I")], label: "", action: .gamma0Up, help: "", group: "Model"),

        KeyBinding(keys: [.character("1")], label: "1", action: .showView(.layers), help: "layers view (all laws)", group: "View"),
        KeyBinding(keys: [.character("2")], label: "2", action: .showView(.compare), help: "compare view (two laws)", group: "View"),
        KeyBinding(keys: [.character("3")], label: "3", action: .showView(.focus), help: "focus view (selected law)", group: "View"),
        KeyBinding(keys: [.character("4")], label: "4", action: .showView(.cdf), help: "CDF view (law and sample CDFs, KS)", group: "View"),
        KeyBinding(keys: [.character("5")], label: "5", action: .showView(.edges), help: "edges view (edges and atoms against ℓ)", group: "View"),
        KeyBinding(keys: [.character("c")], label: "c", action: .openCompareChooser, help: "choose the compared laws (space adds more)", group: "View"),
        KeyBinding(keys: [.character("v")], label: "v", action: .toggleRescale, help: "compare: rescale each law by its mean", group: "View"),
        KeyBinding(keys: [.character("y")], label: "y", action: .cycleYScale, help: "y axis: log → linear → sqrt", group: "View"),
        KeyBinding(keys: [.character("m")], label: "m", action: .cycleCanvas, help: "canvas: braille → block → ASCII", group: "View"),
        KeyBinding(keys: [.character("g")], label: "g", action: .toggleGrid, help: "grid lines on / off", group: "View"),
        KeyBinding(keys: [.character("t")], label: "t", action: .nextTheme, help: "next theme", group: "View"),
        KeyBinding(keys: [.pageDown, .character("}")], label: "PgDn }", action: .pageDown, help: "layers view: next page of panels", group: "View"),
        KeyBinding(keys: [.pageUp, .character("{")], label: "PgUp {", action: .pageUp, help: "layers view: previous page of panels", group: "View"),

        KeyBinding(keys: [.character("z")], label: "z / Z", action: .zoomIn, help: "zoom x in / out (around the cursor)", group: "Range and cursor"),
        KeyBinding(keys: [.character("Z")], label: "", action: .zoomOut, help: "", group: "Range and cursor"),
        KeyBinding(keys: [.character("H")], label: "H / L", action: .panLeft, help: "pan x left / right (¼ window)", group: "Range and cursor"),
        KeyBinding(keys: [.character("L")], label: "", action: .panRight, help: "", group: "Range and cursor"),
        KeyBinding(keys: [.character("E")], label: "E", action: .frameEdge, help: "frame the selected law's next support edge", group: "Range and cursor"),
        KeyBinding(keys: [.character("0")], label: "0", action: .resetRange, help: "full x and y range again", group: "Range and cursor"),
        KeyBinding(keys: [.character("x")], label: "x", action: .toggleCursor, help: "read-out cursor on / off (or click a plot)", group: "Range and cursor"),
        KeyBinding(keys: [.character(",")], label: ", / .", action: .moveCursor(steps: -1), help: "move the cursor left / right", group: "Range and cursor"),
        KeyBinding(keys: [.character(".")], label: "", action: .moveCursor(steps: 1), help: "", group: "Range and cursor"),
        KeyBinding(keys: [.character("<")], label: "< / >", action: .moveCursor(steps: -10), help: "move the cursor ten steps", group: "Range and cursor"),
        KeyBinding(keys: [.character(">")], label: "", action: .moveCursor(steps: 10), help: "", group: "Range and cursor"),
        KeyBinding(keys: [.character("w")], label: "w", action: .nextRegime,
                   help: Regimes.all.count == 2 ? "switch \(Regimes.all[0].title) ↔ \(Regimes.all[1].title)"
                       : "next regime (\(Regimes.all.map(\.title).joined(separator: " → ")))", group: "View"),

        KeyBinding(keys: [.character("s")], label: "s", action: .toggleEmpirical, help: "start / stop the empirical check", group: "Empirical check"),
        KeyBinding(keys: [.character("n")], label: "n / N", action: .sampleSizeDown, help: "sample size n ÷2 / ×2", group: "Empirical check"),
        KeyBinding(keys: [.character("N")], label: "", action: .sampleSizeUp, help: "", group: "Empirical check"),
    ]

    /// Commands of the `:` line, for the help overlay and `:help`.
    public static let commands: [(String, String)] = [
        (":gamma ℓ V", "set γ_ℓ (ℓ = 1…L; ℓ = 0 sets γ₀)"),
        (":gammas a,b,c", "set every γ_ℓ (and the depth)"),
        (":sigma NAME", "activation (\(Activation.builtinNames.prefix(4).joined(separator: ", ")), …, b-family:0.3)"),
        (":b V", "b-family activation with b_σ = V"),
        (":depth L", "depth (copies the last γ_ℓ)"),
        (":gamma0 V", "Gaussian input with γ₀ = V"),
        (":input FILE", "input law from a file of eigenvalues of XᵀX"),
        (":n N", "sample size of the empirical check"),
        (":data FILE [pcs K]", "input law from a data matrix (.npy/.csv; K top PCs removed)"),
        (":compare K K …", "compared laws (input, ck3, ntk; more overlay)"),
        (":xlim A B / :ylim [A] B", "x range / y top (off: automatic)"),
        (":view / :theme / :yscale / :canvas / :zoom / :grid / :rescale", "as the keys"),
        (":export [FILE]", "export the view (.txt .ansi .svg .csv .json .toml)"),
        (":q", "quit"),
        (":mode \(RegimeID.allCases.map(\.rawValue).joined(separator: "|"))", "the mode (as w)"),
    ] + Regimes.all.flatMap(\.commands)

    static let normal: [Key: ExplorerAction] = {
        var map: [Key: ExplorerAction] = [:]
        for binding in bindings { for key in binding.keys { map[key] = binding.action } }
        return map
    }()

    /// The action for a key in the current mode (command line, overlay or normal), if any.
    /// `screen` is the terminal's size, which decides how many pages the help overlay has
    /// (without it the help is taken to fit on one page).
    public static func action(for key: Key, in state: ExplorerState,
                              screen: (width: Int, height: Int)? = nil) -> ExplorerAction? {
        if key == .ctrlC { return .interrupt }
        if let prompt = state.exportPrompt {
            if let answer = ExportPromptReducer.action(for: key, prompt: prompt) { return answer }
            // "replace it? y/n" answered by another key: keep the file, and the key is not lost
            guard prompt.stage == .confirmOverwrite, key != .resize else { return nil }
            var without = state
            without.exportPrompt = nil
            return .exportPrompt(.declineThen(action(for: key, in: without, screen: screen)))
        }
        if state.commandLine != nil {
            switch key {
            case .enter: return .commandSubmit
            case .escape: return .closeOverlay
            case .backspace: return .commandBackspace
            case .character(let c): return .commandInput(c)
            case .left: return .commandEdit(.left)
            case .right: return .commandEdit(.right)
            case .home, .control("a"): return .commandEdit(.home)
            case .end, .control("e"): return .commandEdit(.end)
            case .delete: return .commandEdit(.delete)
            case .control("u"): return .commandEdit(.clear)
            case .control("w"): return .commandEdit(.deleteWord)
            case .up: return .commandEdit(.historyPrevious)
            case .down: return .commandEdit(.historyNext)
            case .tab: return .commandEdit(.complete)
            default: return nil
            }
        }
        switch state.overlay {
        case .help:
            let pages = screen.map { HelpOverlay.layout(width: $0.width, height: $0.height, regime: state.regime).pages.count } ?? 1
            let page = min(max(0, state.helpPage), pages - 1)
            switch key {
            case .character("q"): return .quit
            case .resize: return nil
            // next page; the last one closes (so with one page `?` toggles help as before)
            case .character("?"), .character(" "), .f1, .right:
                return page + 1 < pages ? .helpPage(page + 1) : .closeOverlay
            case .left: return page > 0 ? .helpPage(page - 1) : nil
            default: return .closeOverlay   // Esc and any other key close help
            }
        case .compareChooser:
            switch key {
            case .up, .character("k"): return .chooserUp
            case .down, .character("j"): return .chooserDown
            case .enter, .character("a"): return .chooserSetA
            case .character("b"), .tab: return .chooserSetB
            case .character(" "), .character("+"): return .chooserToggle
            case .escape, .character("c"): return .closeOverlay
            case .character("q"): return .quit
            default: return nil
            }
        case .messageLog:
            switch key {
            case .character("q"): return .quit
            case .resize: return nil
            default: return .closeOverlay
            }
        case nil:
            if key == .escape { return .closeOverlay }
            return Regimes.keyMaps[state.regime]?[key] ?? normal[key]
        }
    }

    /// Help lines grouped as in `bindings`: (group, [(keys, description)]), every regime's group last.
    public static var helpGroups: [(String, [(String, String)])] { helpGroups(regimes: Regimes.all) }

    /// The help of the regime shown: the shared groups and that regime's keys (the overlay lists what
    /// the keys do now; every regime's help is a `w` away).
    public static func helpGroups(for regime: RegimeID) -> [(String, [(String, String)])] { helpGroups(regimes: [Regimes.regime(regime)]) }

    /// One group per name, in the order the names first appear: a binding listed away from the rest
    /// of its group (`w`, after the range keys) joins it, so a heading is shown once.
    static func helpGroups(regimes: [any ExplorerRegime]) -> [(String, [(String, String)])] {
        var groups: [(String, [(String, String)])] = []
        func add(_ group: String, _ entries: [(String, String)]) {
            if let k = groups.firstIndex(where: { $0.0 == group }) { groups[k].1 += entries } else { groups.append((group, entries)) }
        }
        for b in bindings where !b.label.isEmpty { add(b.group, [(b.label, b.help)]) }
        for r in regimes where !r.bindings.isEmpty {
            add(r.helpGroup, r.bindings.filter { !$0.label.isEmpty }.map { ($0.label, $0.help) })
        }
        return groups
    }

    /// The `:` commands for the help of the regime shown: the shared ones and that regime's.
    public static func commands(for regime: RegimeID) -> [(String, String)] {
        Array(commands.prefix(commands.count - Regimes.all.flatMap(\.commands).count)) + Regimes.regime(regime).commands
    }
}

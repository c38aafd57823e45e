import CNcurses
import ExplorerCore
import Foundation
import PlotCanvas

/// The only type that calls ncurses. Confined to the main thread.
final class TerminalScreen {
    private var screen: OpaquePointer?
    private(set) var depth: ColorDepth = .none
    private(set) var utf8 = true
    /// Whether the terminal reports mouse clicks.
    private(set) var mouse = false
    /// Colour pair attributes by `ColorRole.rawValue` (0 without colours).
    private var pairs = [attr_t](repeating: 0, count: ColorRole.allCases.count)
    private var monochrome = true
    /// The grid on screen, to redraw only the rows that changed (nil: redraw everything).
    private var shown: ScreenGrid?

    /// Starts curses on the controlling terminal. Returns nil (with a reason) if it cannot.
    static func start() -> Result<TerminalScreen, TerminalError> {
        let s = TerminalScreen()
        setlocale(LC_ALL, "")
        s.utf8 = String(cString: shim_codeset()).uppercased().replacingOccurrences(of: "-", with: "") == "UTF8"
        guard let out = shim_fdopen(STDOUT_FILENO, "w"), let inp = shim_fdopen(STDIN_FILENO, "r") else {
            return .failure(TerminalError("cannot open the terminal streams"))
        }
        guard let scr = newterm(nil, out, inp) else {
            return .failure(TerminalError("ncurses cannot use TERM='\(ProcessInfo.processInfo.environment["TERM"] ?? "")'"))
        }
        s.screen = scr
        set_term(scr)
        raw()            // Ctrl-C arrives as a key: orderly quit
        noecho()
        nonl()
        keypad(shim_stdscr(), true)
        // Home and End as terminals and multiplexers send them whatever TERM's terminfo says (tmux
        // sends ESC [ 1 ~ under TERM=xterm-256color, whose khome is ESC O H): a sequence curses does
        // not know arrives as Esc, `[`, `1`, `~`, three of them keys of their own.
        let homeEnd: [(String, Int32)] = [("\u{1b}[1~", KEY_HOME), ("\u{1b}[7~", KEY_HOME), ("\u{1b}[H", KEY_HOME), ("\u{1b}OH", KEY_HOME),
                                          ("\u{1b}[4~", KEY_END), ("\u{1b}[8~", KEY_END), ("\u{1b}[F", KEY_END), ("\u{1b}OF", KEY_END)]
        for (sequence, code) in homeEnd where key_defined(sequence) == 0 { define_key(sequence, code) }
        nodelay(shim_stdscr(), true)
        set_escdelay(25)
        curs_set(0)
        // clicks select a panel and place the cursor; without mouse support this is a no-op
        s.mouse = shim_mouse_enable() != 0
        if s.mouse { shim_mouse_interval() }
        return .success(s)
    }

    func stop() {
        guard screen != nil else { return }
        shim_attrset(shim_a_normal())
        erase()
        refresh()
        curs_set(1)
        endwin()
        if let scr = screen { delscreen(scr) }
        screen = nil
    }

    var size: (width: Int, height: Int) { (Int(getmaxx(shim_stdscr())), Int(getmaxy(shim_stdscr()))) }

    /// Re-checks the terminal size with TIOCGWINSZ (in case a SIGWINCH was missed, as btop does)
    /// and resizes curses. Returns true if the size changed.
    func checkResize() -> Bool {
        var ws = winsize()
        guard ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &ws) == 0, ws.ws_col > 0, ws.ws_row > 0 else { return false }
        let (w, h) = size
        guard Int(ws.ws_col) != w || Int(ws.ws_row) != h else { return false }
        resizeterm(Int32(ws.ws_row), Int32(ws.ws_col))
        return true
    }

    /// Sets up colour pairs for `theme`; `noColor` forces attributes only.
    func apply(theme: Theme, noColor: Bool) {
        pairs = [attr_t](repeating: 0, count: ColorRole.allCases.count)
        shown = nil
        monochrome = true
        depth = .none
        guard !noColor, !theme.monochrome, has_colors() else { return }
        start_color()
        use_default_colors()
        let colors = Int(shim_colors())
        let available: ColorDepth = colors >= 0x1000000 ? .direct : colors >= 256 ? .ansi256 : colors >= 8 ? .ansi8 : .none
        guard available != .none else { return }
        // the pure mapping (TerminalPalette): on 8 colours the plot series get distinct colours
        let palette = TerminalPalette(theme: theme, depth: available, sixteen: colors >= 16)
        depth = palette.depth
        monochrome = palette.monochrome
        for (i, role) in ColorRole.allCases.enumerated() {
            let (fg, bg) = palette.colors[role] ?? (-1, -1)
            init_extended_pair(Int32(i + 1), fg, bg)
            pairs[Int(role.rawValue)] = shim_color_pair(Int32(i + 1))
        }
        shim_bkgd(pairs[Int(ColorRole.text.rawValue)])
    }

    private func attributes(_ cell: Cell) -> attr_t {
        var a: attr_t = monochrome ? 0 : pairs[Int(cell.role.rawValue)]
        var flags = cell.attributes
        if monochrome { flags.formUnion(Theme.monochromeAttributes(for: cell.role)) }
        if flags.contains(.bold) { a |= shim_a_bold() }
        if flags.contains(.reverse) { a |= shim_a_reverse() }
        if flags.contains(.dim) { a |= shim_a_dim() }
        if flags.contains(.underline) { a |= shim_a_underline() }
        return a
    }

    /// Draws the rows of the grid that differ from the one on screen (all of them after a resize
    /// or a theme change), in runs of equal style, and refreshes.
    func draw(_ input: ScreenGrid) {
        let grid = utf8 ? input : AsciiFallback.grid(input)
        let previous = shown.flatMap { $0.width == grid.width && $0.height == grid.height ? $0 : nil }
        if previous == nil { erase() }
        for y in 0..<grid.height {
            if let previous, previous.row(y) == grid.row(y) { continue }
            // the last cell of the screen is never written (see below): blank the row first
            if previous != nil && y == grid.height - 1 { move(Int32(y), 0); clrtoeol() }
            var x = 0
            while x < grid.width {
                let start = x
                let style = attributes(grid[x, y])
                var run = String.UnicodeScalarView()
                while x < grid.width, attributes(grid[x, y]) == style {
                    // the screen's last cell is left out: addstr there would scroll
                    if y < grid.height - 1 || x < grid.width - 1 { run.append(grid[x, y].scalar) }
                    x += 1
                }
                shim_attrset(style)
                mvaddstr(Int32(y), Int32(start), String(run))
            }
        }
        shim_attrset(shim_a_normal())
        refresh()
        shown = grid
    }

    /// All keys waiting (non-blocking).
    func readKeys() -> [Key] {
        var keys: [Key] = []
        var ch: wint_t = 0
        while true {
            let r = wget_wch(shim_stdscr(), &ch)
            if r == ERR { break }
            if r == KEY_CODE_YES {
                switch Int32(ch) {
                case KEY_UP: keys.append(.up)
                case KEY_DOWN: keys.append(.down)
                case KEY_LEFT: keys.append(.left)
                case KEY_RIGHT: keys.append(.right)
                case KEY_SR: keys.append(.shiftUp)
                case KEY_SF: keys.append(.shiftDown)
                case KEY_RESIZE: keys.append(.resize)
                case KEY_BACKSPACE: keys.append(.backspace)
                case KEY_DC: keys.append(.delete)
                case KEY_HOME: keys.append(.home)
                case KEY_END: keys.append(.end)
                case KEY_PPAGE: keys.append(.pageUp)
                case KEY_NPAGE: keys.append(.pageDown)
                case KEY_ENTER: keys.append(.enter)
                case KEY_MOUSE:
                    var x: Int32 = 0, y: Int32 = 0
                    if shim_mouse_click(&x, &y) != 0 { keys.append(.mouse(x: Int(x), y: Int(y))) }
                case shim_key_f(1): keys.append(.f1)
                default: break
                }
                continue
            }
            switch ch {
            case 3: keys.append(.ctrlC)
            case 27: keys.append(.escape)
            case 10, 13: keys.append(.enter)
            case 8, 127: keys.append(.backspace)
            case 9: keys.append(.tab)
            case 1...26: keys.append(.control(Character(Unicode.Scalar(UInt8(ch) + 96))))
            default:
                if let scalar = Unicode.Scalar(UInt32(ch)), ch >= 32 { keys.append(.character(Character(scalar))) }
            }
        }
        return keys
    }
}

public struct TerminalError: Error, CustomStringConvertible {
    public let description: String
    init(_ d: String) { description = d }
}

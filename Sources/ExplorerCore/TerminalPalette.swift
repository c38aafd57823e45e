import PlotCanvas

/// How many colours a terminal gets.
public enum ColorDepth: String, Sendable, Hashable, CaseIterable {
    case none, ansi8, ansi256, direct
}

/// A theme mapped to a terminal's colours: the foreground and background colour number of every
/// role (as ncurses' `init_extended_pair` takes them; −1 is the terminal's default), or attributes
/// only without colours. Pure, so the mapping is tested without a terminal.
///
/// On 8 colours the series a plot tells apart (compare A and B, theory, sample) would often fall on
/// the same basic colour (dark: A and B both white); they are then given distinct colours, each the
/// nearest one not yet taken and not the background's. Lines also differ by glyph style (solid,
/// dotted, …), so nothing depends on colour alone.
public struct TerminalPalette: Sendable {
    public var depth: ColorDepth
    public var monochrome: Bool
    public var colors: [ColorRole: (fg: Int32, bg: Int32)] = [:]

    /// Roles that must stay apart on 8 colours, in order of precedence.
    public static let distinctRoles: [ColorRole] = [.seriesA, .seriesB, .theory, .empirical]

    /// `sixteen`: the terminal has 16 colours, so the theme's bright named colours are kept.
    public init(theme: Theme, depth: ColorDepth, sixteen: Bool = false) {
        self.depth = theme.monochrome ? .none : depth
        monochrome = self.depth == .none
        guard !monochrome else { return }
        func number(_ c: ThemeColor) -> Int32 {
            switch self.depth {
            case .direct:
                guard let (r, g, b) = c.rgbValue else { return -1 }
                return Int32(r << 16 | g << 8 | b)
            case .ansi256: return Int32(c.xterm256 ?? -1)
            case .ansi8:
                if case .ansi(let i) = c, sixteen { return Int32(i) }
                return Int32(c.ansi8 ?? -1)
            case .none: return -1
            }
        }
        for role in ColorRole.allCases {
            let (fg, bg) = theme.colors(for: role)
            colors[role] = (number(fg), number(bg))
        }
        guard self.depth == .ansi8 else { return }
        var taken: Set<Int32> = [colors[.text]!.bg]
        for role in Self.distinctRoles {
            let (fg, bg) = colors[role]!
            if !taken.contains(fg) { taken.insert(fg); continue }
            guard let rgb = theme.colors(for: role).fg.rgbValue else { continue }
            let free = (0..<8).map(Int32.init).filter { !taken.contains($0) }
            let nearest = free.min { a, b in
                Self.distance(ThemeColor.ansi(Int(a)).rgbValue!, rgb) < Self.distance(ThemeColor.ansi(Int(b)).rgbValue!, rgb)
            }
            if let nearest { colors[role] = (nearest, bg); taken.insert(nearest) }
        }
    }

    static func distance(_ a: (Int, Int, Int), _ b: (Int, Int, Int)) -> Int {
        (a.0 - b.0) * (a.0 - b.0) + (a.1 - b.1) * (a.1 - b.1) + (a.2 - b.2) * (a.2 - b.2)
    }

    /// The attributes a cell is drawn with (the monochrome ones added when there are no colours).
    public func attributes(_ cell: Cell) -> CellAttributes {
        monochrome ? cell.attributes.union(Theme.monochromeAttributes(for: cell.role)) : cell.attributes
    }

    /// The SGR parameters of a cell as this terminal would get them: "38;5;N" colours on 256,
    /// "3N"/"4N" on 8, attributes only without colours (for golden files and tests).
    public func sgr(_ cell: Cell) -> String {
        var p: [String] = []
        if !monochrome, let (fg, bg) = colors[cell.role] {
            switch depth {
            case .direct:
                if fg >= 0 { p.append("38;2;\(fg >> 16);\((fg >> 8) & 255);\(fg & 255)") }
                if bg >= 0 { p.append("48;2;\(bg >> 16);\((bg >> 8) & 255);\(bg & 255)") }
            case .ansi256:
                if fg >= 0 { p.append("38;5;\(fg)") }
                if bg >= 0 { p.append("48;5;\(bg)") }
            case .ansi8:
                if fg >= 0 { p.append(fg < 8 ? "3\(fg)" : "9\(fg - 8)") }
                if bg >= 0 { p.append(bg < 8 ? "4\(bg)" : "10\(bg - 8)") }
            case .none: break
            }
        }
        let a = attributes(cell)
        if a.contains(.bold) { p.append("1") }
        if a.contains(.dim) { p.append("2") }
        if a.contains(.underline) { p.append("4") }
        if a.contains(.reverse) { p.append("7") }
        return p.joined(separator: ";")
    }

    /// The grid as text with SGR escapes where the style changes, one line per row.
    public func styledText(_ grid: ScreenGrid) -> String {
        var out = ""
        for y in 0..<grid.height {
            var current: String?
            for cell in grid.row(y) {
                let s = sgr(cell)
                if s != current { out += "\u{1B}[0" + (s.isEmpty ? "" : ";" + s) + "m"; current = s }
                out.unicodeScalars.append(cell.scalar)
            }
            out += "\u{1B}[0m\n"
        }
        return out
    }
}

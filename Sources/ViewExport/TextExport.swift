import ExplorerCore
import Foundation
import PlotCanvas

extension ViewExport {
    /// `txt`: the frame as UTF-8 text, exactly what is on screen without colour (trailing spaces trimmed).
    public static func text(state: ExplorerState, content: FrameContent, width: Int, height: Int) -> String {
        frame(state: state, content: content, width: width, height: height).plainText() + "\n"
    }

    /// `ansi`: the same frame with the theme's colours as SGR escapes (24-bit colour for "#rrggbb",
    /// the 16 ANSI colours for named ones, the terminal's own for "default"); `cat` shows it.
    /// Every line is full width (the background is part of the theme) and ends with a reset.
    public static func ansi(state: ExplorerState, content: FrameContent, width: Int, height: Int, theme: Theme) -> String {
        let grid = frame(state: state, content: content, width: width, height: height)
        var out = ""
        for y in 0..<grid.height {
            var current: String?
            for x in 0..<grid.width {
                let cell = grid[x, y]
                let sgr = sgrSequence(role: cell.role, attributes: cell.attributes, theme: theme)
                if sgr != current { out += "\u{1B}[0" + sgr + "m"; current = sgr }
                out.unicodeScalars.append(cell.scalar)
            }
            out += "\u{1B}[0m\n"
        }
        return out
    }

    /// The SGR parameters (after a reset "0") of a cell.
    static func sgrSequence(role: ColorRole, attributes: CellAttributes, theme: Theme) -> String {
        var params: [String] = []
        var attrs = attributes
        if theme.monochrome {
            attrs.formUnion(Theme.monochromeAttributes(for: role))
        } else {
            let (fg, bg) = theme.colors(for: role)
            if let f = sgrColor(fg, foreground: true) { params.append(f) }
            if let b = sgrColor(bg, foreground: false) { params.append(b) }
        }
        if attrs.contains(.bold) { params.append("1") }
        if attrs.contains(.dim) { params.append("2") }
        if attrs.contains(.underline) { params.append("4") }
        if attrs.contains(.reverse) { params.append("7") }
        return params.map { ";" + $0 }.joined()
    }

    static func sgrColor(_ c: ThemeColor, foreground: Bool) -> String? {
        switch c {
        case .terminalDefault: return nil
        case .rgb(let r, let g, let b): return "\(foreground ? 38 : 48);2;\(r);\(g);\(b)"
        case .ansi(let i):
            let i = max(0, min(15, i))
            return i < 8 ? "\((foreground ? 30 : 40) + i)" : "\((foreground ? 90 : 100) + i - 8)"
        }
    }
}

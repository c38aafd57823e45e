/// ASCII stand-ins for the non-ASCII characters the explorer draws, for terminals without UTF-8.
public enum AsciiFallback {
    static let table: [Character: String] = [
        "σ": "s", "γ": "g", "ℓ": "l", "λ": "l", "₀": "0", "₁": "1", "₂": "2", "₃": "3", "₄": "4", "₅": "5",
        "₆": "6", "₇": "7", "₈": "8", "₉": "9", "δ": "d", "ᵀ": "T", "²": "^2", "×": "x", "÷": "/", "…": "...",
        "│": "|", "─": "-", "┌": "+", "┐": "+", "└": "+", "┘": "+", "┤": "+", "┬": "+", "▲": "^", "▬": "=",
        "█": "#", "░": ".", "←": "<", "→": ">", "↑": "^", "↓": "v", "✗": "!", "·": "-", "—": "-", "∪": "u",
        "≤": "<=", "≥": ">=",
    ]

    /// One ASCII character for `c` (first character of the stand-in; braille and blocks become '*').
    public static func character(_ c: Character) -> Character {
        if c.isASCII { return c }
        if let s = table[c], let first = s.first { return first }
        if let scalar = c.unicodeScalars.first, (0x2800...0x28FF).contains(scalar.value) || (0x2580...0x259F).contains(scalar.value) {
            return scalar.value == 0x2800 ? " " : "*"
        }
        return "?"
    }

    /// The whole grid with non-ASCII characters replaced (same size, one character per cell).
    public static func grid(_ grid: ScreenGrid) -> ScreenGrid {
        var g = grid
        for y in 0..<g.height { for x in 0..<g.width where !g[x, y].character.isASCII {
            g[x, y].character = character(g[x, y].character)
        } }
        return g
    }
}

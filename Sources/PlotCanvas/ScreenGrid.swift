/// What a cell is drawn with: a semantic colour role that a theme maps to real colours.
public enum ColorRole: UInt8, Sendable, Hashable, CaseIterable {
    case text, dim, axis, title, theory, empirical, seriesA, seriesB, highlight, statusBar, warning
}

/// Text attributes of a cell (bold, reverse video, ...).
public struct CellAttributes: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let bold = CellAttributes(rawValue: 1)
    public static let reverse = CellAttributes(rawValue: 2)
    public static let dim = CellAttributes(rawValue: 4)
    public static let underline = CellAttributes(rawValue: 8)
}

/// One terminal cell. Every character used by ntkscope occupies exactly one column and is one
/// Unicode scalar; the cell stores that scalar, which keeps `Cell` a plain value that grids copy
/// without reference counting (a character of several scalars keeps its first).
public struct Cell: Sendable, Hashable {
    public var scalar: Unicode.Scalar
    public var role: ColorRole
    public var attributes: CellAttributes
    public init(_ character: Character = " ", role: ColorRole = .text, attributes: CellAttributes = []) {
        self.init(scalar: character.unicodeScalars.first ?? " ", role: role, attributes: attributes)
    }
    public init(scalar: Unicode.Scalar, role: ColorRole = .text, attributes: CellAttributes = []) {
        self.scalar = scalar; self.role = role; self.attributes = attributes
    }
    public var character: Character {
        get { Character(scalar) }
        set { scalar = newValue.unicodeScalars.first ?? " " }
    }
    public static let blank = Cell()
}

/// A rectangle of cells: the pure output of every canvas and layout function.
public struct ScreenGrid: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public private(set) var cells: [Cell]

    public init(width: Int, height: Int, fill: Cell = .blank) {
        self.width = max(0, width); self.height = max(0, height)
        cells = Array(repeating: fill, count: self.width * self.height)
    }

    public subscript(x: Int, y: Int) -> Cell {
        get { cells[y * width + x] }
        set { if x >= 0, y >= 0, x < width, y < height { cells[y * width + x] = newValue } }
    }

    public func contains(x: Int, y: Int) -> Bool { x >= 0 && y >= 0 && x < width && y < height }

    /// Writes `text` starting at (x, y), clipped to the grid and to `maxWidth` columns. Returns the columns written.
    @discardableResult
    public mutating func write(_ text: String, x: Int, y: Int, role: ColorRole = .text,
                               attributes: CellAttributes = [], maxWidth: Int? = nil) -> Int {
        guard y >= 0, y < height else { return 0 }
        let limit = min(width, maxWidth.map { x + $0 } ?? width)
        var column = x
        for ch in text {
            if column >= limit { break }
            if column >= 0 { cells[y * width + column] = Cell(ch, role: role, attributes: attributes) }
            column += 1
        }
        return max(0, column - x)
    }

    /// Writes text centred in columns [x, x + span).
    public mutating func writeCentered(_ text: String, x: Int, span: Int, y: Int, role: ColorRole = .text,
                                       attributes: CellAttributes = []) {
        let n = text.count
        write(text, x: x + max(0, (span - n) / 2), y: y, role: role, attributes: attributes, maxWidth: span)
    }

    public mutating func fill(x: Int, y: Int, width w: Int, height h: Int, with cell: Cell) {
        let y0 = max(0, y), y1 = min(height, y + h), x0 = max(0, x), x1 = min(width, x + w)
        guard y0 < y1, x0 < x1 else { return }
        for yy in y0..<y1 {
            for xx in x0..<x1 { cells[yy * width + xx] = cell }
        }
    }

    /// Sets `role`/`attributes` on every cell of a rectangle, keeping the characters.
    public mutating func restyle(x: Int, y: Int, width w: Int, height h: Int, role: ColorRole? = nil,
                                 attributes: CellAttributes) {
        for yy in max(0, y)..<min(height, y + h) {
            for xx in max(0, x)..<min(width, x + w) {
                if let role { cells[yy * width + xx].role = role }
                cells[yy * width + xx].attributes = attributes
            }
        }
    }

    /// Copies `grid` with its top-left corner at (x, y), clipped.
    public mutating func paste(_ grid: ScreenGrid, x: Int, y: Int) {
        // the source columns and rows that land inside
        let x0 = max(0, -x), x1 = min(grid.width, width - x)
        let y0 = max(0, -y), y1 = min(grid.height, height - y)
        guard x0 < x1, y0 < y1 else { return }
        let w = width
        cells.withUnsafeMutableBufferPointer { target in
            grid.cells.withUnsafeBufferPointer { source in
                for yy in y0..<y1 {
                    let from = yy * grid.width, to = (y + yy) * w + x
                    for xx in x0..<x1 { target[to + xx] = source[from + xx] }
                }
            }
        }
    }

    /// Draws a single-line box border.
    public mutating func box(x: Int, y: Int, width w: Int, height h: Int, role: ColorRole = .axis, ascii: Bool = false) {
        guard w >= 2, h >= 2 else { return }
        let (hz, vt, tl, tr, bl, br): (Character, Character, Character, Character, Character, Character) =
            ascii ? ("-", "|", "+", "+", "+", "+") : ("─", "│", "┌", "┐", "└", "┘")
        for xx in x + 1..<x + w - 1 { self[xx, y] = Cell(hz, role: role); self[xx, y + h - 1] = Cell(hz, role: role) }
        for yy in y + 1..<y + h - 1 { self[x, yy] = Cell(vt, role: role); self[x + w - 1, yy] = Cell(vt, role: role) }
        self[x, y] = Cell(tl, role: role); self[x + w - 1, y] = Cell(tr, role: role)
        self[x, y + h - 1] = Cell(bl, role: role); self[x + w - 1, y + h - 1] = Cell(br, role: role)
    }

    /// The cells of row `y`.
    public func row(_ y: Int) -> ArraySlice<Cell> { cells[(y * width)..<(y * width + width)] }

    /// One string per row, trailing spaces removed.
    public func lines() -> [String] {
        (0..<height).map { y in
            let cells = row(y)
            let end = cells.lastIndex { $0.scalar != " " }.map { $0 + 1 } ?? cells.startIndex
            var s = String.UnicodeScalarView()
            for cell in cells[..<end] { s.append(cell.scalar) }
            return String(s)
        }
    }

    /// The grid as plain UTF-8 text: rows joined by "\n", trailing spaces trimmed (no colour).
    public func plainText() -> String { lines().joined(separator: "\n") }
}

/// How sub-cell "pixels" become characters.
public enum CanvasMode: String, Sendable, Hashable, CaseIterable {
    /// 2x4 braille dots per cell (U+2800 block). The default.
    case braille
    /// 2x2 quadrant blocks per cell.
    case block
    /// 2x2 pixels per cell drawn with ASCII punctuation, for terminals without Unicode.
    case ascii

    public var pixelsPerCell: (x: Int, y: Int) {
        switch self {
        case .braille: return (2, 4)
        case .block, .ascii: return (2, 2)
        }
    }

    public var next: CanvasMode {
        let all = CanvasMode.allCases
        return all[(all.firstIndex(of: self)! + 1) % all.count]
    }
}

/// A pixel canvas over a cell grid. Each pixel remembers the layer that set it last;
/// a cell's glyph combines all its pixels, its colour is that of the highest layer present.
public struct DotCanvas: Sendable {
    public let columns: Int
    public let rows: Int
    public let mode: CanvasMode
    public var pixelWidth: Int { columns * mode.pixelsPerCell.x }
    public var pixelHeight: Int { rows * mode.pixelsPerCell.y }
    private var layers: [UInt8]     // 0 = empty, else layer index + 1
    private var roles: [ColorRole] = []

    public init(columns: Int, rows: Int, mode: CanvasMode) {
        self.columns = max(0, columns); self.rows = max(0, rows); self.mode = mode
        layers = Array(repeating: 0, count: self.columns * mode.pixelsPerCell.x * self.rows * mode.pixelsPerCell.y)
    }

    /// Registers a drawing layer; later layers are drawn on top.
    public mutating func addLayer(_ role: ColorRole) -> Int {
        roles.append(role)
        return roles.count - 1
    }

    /// Sets pixel (px, py); py = 0 is the top row. Out-of-range pixels are ignored.
    public mutating func set(_ px: Int, _ py: Int, layer: Int) {
        guard px >= 0, py >= 0, px < pixelWidth, py < pixelHeight else { return }
        layers[py * pixelWidth + px] = UInt8(layer + 1)
    }

    /// Sets the vertical run of pixels between py0 and py1 inclusive.
    public mutating func vertical(_ px: Int, from py0: Int, to py1: Int, layer: Int) {
        for py in min(py0, py1)...max(py0, py1) { set(px, py, layer: layer) }
    }

    public func isSet(_ px: Int, _ py: Int) -> Bool { layers[py * pixelWidth + px] != 0 }

    static let quadrants: [Unicode.Scalar] = [" ", "▘", "▝", "▀", "▖", "▌", "▞", "▛", "▗", "▚", "▐", "▜", "▄", "▙", "▟", "█"]
    static let brailleBits: [[UInt32]] = [[0x01, 0x02, 0x04, 0x40], [0x08, 0x10, 0x20, 0x80]]   // [dx][dy]

    /// The cell glyph for a cell's pixels, packed as bit dx·4 + dy.
    static func glyph(mode: CanvasMode, mask: Int) -> Unicode.Scalar {
        @inline(__always) func bit(_ dx: Int, _ dy: Int) -> Bool { mask & (1 << (dx * 4 + dy)) != 0 }
        switch mode {
        case .braille:
            var code: UInt32 = 0
            for dx in 0..<2 { for dy in 0..<4 where bit(dx, dy) { code |= brailleBits[dx][dy] } }
            return Unicode.Scalar(0x2800 + code)!
        case .block:
            var index = 0
            if bit(0, 0) { index |= 1 }; if bit(1, 0) { index |= 2 }
            if bit(0, 1) { index |= 4 }; if bit(1, 1) { index |= 8 }
            return quadrants[index]
        case .ascii:
            let top = bit(0, 0) || bit(1, 0), bottom = bit(0, 1) || bit(1, 1)
            if bit(0, 0) && bit(1, 0) && bit(0, 1) && bit(1, 1) { return "#" }
            if top && bottom { return ":" }
            if top { return "'" }
            if bottom { return "." }
            return " "
        }
    }

    /// Renders the canvas into a grid of `columns` x `rows` cells. Empty cells are blank
    /// (braille mode keeps U+2800 out, so that text export stays plain).
    public func render() -> ScreenGrid {
        var grid = ScreenGrid(width: columns, height: rows)
        let (sx, sy) = mode.pixelsPerCell
        let width = pixelWidth
        layers.withUnsafeBufferPointer { layers in
            for row in 0..<rows {
                for col in 0..<columns {
                    var top: UInt8 = 0
                    var mask = 0
                    for dy in 0..<sy {
                        let base = (row * sy + dy) * width + col * sx
                        for dx in 0..<sx {
                            let v = layers[base + dx]
                            if v != 0 { mask |= 1 << (dx * 4 + dy); top = max(top, v) }
                        }
                    }
                    if mask != 0 {
                        grid[col, row] = Cell(scalar: DotCanvas.glyph(mode: mode, mask: mask), role: roles[Int(top) - 1])
                    }
                }
            }
        }
        return grid
    }
}

import PlotCanvas

/// The help overlay (`?`): the key table (`KeyMap.helpGroups`) and the `:` commands laid out to fit
/// the terminal. One column on narrow terminals, two side by side when each can be at least
/// `twoColumnMinimum` wide; descriptions too long for their column wrap under themselves; what
/// still does not fit the height goes on further pages (`?`, Space, F1 or → next, ← back, Esc or
/// any other key closes), with "page i/n" on the box's lower border. Pure: size → layout.
public struct HelpLayout: Sendable, Equatable {
    public struct Line: Sendable, Equatable {
        public var text: String
        public var role: ColorRole
    }

    /// The box, border included.
    public var x: Int, y: Int, width: Int, height: Int
    /// Width of one column of text, and the blank columns between two.
    public var columnWidth: Int
    public var columnGap: Int
    /// `pages[p][c]`: the lines of column c on page p (at most `height − 2` each).
    public var pages: [[[Line]]]

    /// Screen position of column c's first line.
    public func origin(column c: Int) -> (x: Int, y: Int) { (x + 2 + c * (columnWidth + columnGap), y + 1) }

    /// The page shown for a requested page number (clamped: a resize can remove pages).
    public func page(_ requested: Int) -> Int { min(max(0, requested), pages.count - 1) }
}

public enum HelpOverlay {
    /// Narrowest column for which two columns are used instead of one.
    public static let twoColumnMinimum = 40
    static let columnGap = 3

    /// The overlay for a terminal of this size, with the keys of `regime` (the one shown).
    public static func layout(width: Int, height: Int, regime: RegimeID = .linearWidth) -> HelpLayout {
        // one free cell around the box when there is room, then the border and a space inside it
        let boxWidthLimit = width >= 24 ? width - 2 : max(width, 4)
        let boxHeightLimit = height >= 10 ? height - 2 : max(height, 3)
        let innerWidth = max(1, boxWidthLimit - 4)
        let rows = max(1, boxHeightLimit - 2)
        let natural = naturalWidth(regime)
        let columns = (innerWidth - columnGap) / 2 >= twoColumnMinimum ? 2 : 1
        let columnWidth = max(1, min(natural, columns == 2 ? (innerWidth - columnGap) / 2 : innerWidth))
        let content = blocks(columnWidth: columnWidth, regime: regime)
        var pages = flow(content, rows: rows, columns: columns)
        // the shortest columns that need no more pages: balanced columns, a smaller box
        let lines = content.reduce(0) { $0 + $1.lines.count }
        var shorter = max(1, lines / (pages.count * columns))
        while shorter < rows {
            let candidate = flow(content, rows: shorter, columns: columns)
            if candidate.count <= pages.count { pages = candidate; break }
            shorter += 1
        }
        let used = pages.flatMap { $0 }.map(\.count).max() ?? 1
        let usedColumns = pages.count > 1 ? columns : max(1, pages[0].count)
        let boxWidth = usedColumns * columnWidth + (usedColumns - 1) * columnGap + 4
        let boxHeight = max(3, used + 2)
        return HelpLayout(x: max(0, (width - boxWidth) / 2), y: max(0, (height - boxHeight) / 2),
                          width: boxWidth, height: boxHeight, columnWidth: columnWidth, columnGap: columnGap, pages: pages)
    }

    /// Draws page `page` (clamped) of the overlay for the grid's size.
    public static func draw(_ grid: inout ScreenGrid, page requested: Int, ascii: Bool, regime: RegimeID = .linearWidth) {
        let l = layout(width: grid.width, height: grid.height, regime: regime)
        let page = l.page(requested)
        grid.fill(x: l.x, y: l.y, width: l.width, height: l.height, with: Cell(" "))
        grid.box(x: l.x, y: l.y, width: l.width, height: l.height, role: .axis, ascii: ascii)
        let dash = ascii ? "-" : "—"
        let title = l.pages.count > 1 ? " ntkscope keys \(dash) ?/space next page, Esc closes " : " ntkscope keys \(dash) any key closes "
        grid.write(title, x: l.x + 2, y: l.y, role: .title, attributes: [.bold], maxWidth: max(0, l.width - 4))
        if l.pages.count > 1 {
            let marker = " page \(page + 1)/\(l.pages.count) "
            grid.write(marker, x: max(l.x + 1, l.x + l.width - 2 - marker.count), y: l.y + l.height - 1, role: .title,
                       attributes: [.bold], maxWidth: max(0, l.width - 2))
        }
        for (c, column) in l.pages[page].enumerated() {
            let o = l.origin(column: c)
            for (r, line) in column.enumerated() {
                grid.write(line.text, x: o.x, y: o.y + r, role: line.role, attributes: line.role == .title ? [.bold] : [],
                           maxWidth: l.columnWidth)
            }
        }
    }

    // MARK: content

    /// Groups of (keys, description): the key table of the regime shown, then the `:` commands.
    static func groups(_ regime: RegimeID) -> [(String, [(String, String)])] {
        KeyMap.helpGroups(for: regime) + [("Commands", KeyMap.commands(for: regime))]
    }

    /// The widest line when nothing wraps.
    static func naturalWidth(_ regime: RegimeID) -> Int {
        var widest = 0
        for (group, entries) in groups(regime) {
            widest = max(widest, group.count)
            let labelWidth = entries.map(\.0.count).max() ?? 0
            for (_, text) in entries { widest = max(widest, 2 + labelWidth + 2 + text.count) }
        }
        return widest
    }

    /// A group header with the lines of its first entry, or the lines of one entry: kept together
    /// in one column when they fit.
    struct Block {
        var lines: [HelpLayout.Line]
        /// Starts a group: a blank line separates it from what is above it in the column.
        var startsGroup: Bool
    }

    static func blocks(columnWidth w: Int, regime: RegimeID) -> [Block] {
        var out: [Block] = []
        // One key column for all the keys and one for the commands, each as wide as its longest
        // label up to two fifths of the column; longer labels take a line of their own.
        let cap = max(4, w * 2 / 5)
        func labelWidth(_ entries: [(String, String)]) -> Int { entries.map(\.0.count).filter { $0 <= cap }.max() ?? cap }
        let keyGroups = KeyMap.helpGroups(for: regime)
        let keysWidth = labelWidth(keyGroups.flatMap(\.1))
        let commandsWidth = labelWidth(KeyMap.commands(for: regime))
        for (index, (group, entries)) in groups(regime).enumerated() {
            let labelWidth = index < keyGroups.count ? keysWidth : commandsWidth
            var indent = 2 + labelWidth + 2
            if w - indent < min(16, w / 2) { indent = min(6, max(0, w - 8)) }   // narrow: descriptions under the keys
            let textWidth = max(1, w - indent)
            var header: [HelpLayout.Line] = wrap(group, width: w).map { .init(text: $0, role: .title) }
            for (label, text) in entries {
                var lines: [HelpLayout.Line] = []
                let description = wrap(text, width: textWidth)
                let pad = String(repeating: " ", count: indent)
                if label.count <= labelWidth && 2 + labelWidth + 2 == indent {
                    let first = "  " + label + String(repeating: " ", count: labelWidth - label.count) + "  "
                    lines.append(.init(text: first + (description.first ?? ""), role: .text))
                    lines += description.dropFirst().map { .init(text: pad + $0, role: .text) }
                } else {
                    let labelLines = label.count <= w - 2 ? [label] : wrap(label, width: max(1, w - 2))
                    lines += labelLines.map { .init(text: "  " + $0, role: .text) }
                    lines += description.map { .init(text: pad + $0, role: .text) }
                }
                out.append(Block(lines: header + lines, startsGroup: !header.isEmpty))
                header = []
            }
        }
        return out
    }

    /// Fills columns of `rows` lines, `columns` per page.
    static func flow(_ blocks: [Block], rows: Int, columns: Int) -> [[[HelpLayout.Line]]] {
        var pages: [[[HelpLayout.Line]]] = [[[]]]
        func newColumn() {
            if pages[pages.count - 1].count < columns { pages[pages.count - 1].append([]) } else { pages.append([[]]) }
        }
        func current() -> [HelpLayout.Line] { pages[pages.count - 1][pages[pages.count - 1].count - 1] }
        func append(_ lines: [HelpLayout.Line]) {
            let p = pages.count - 1
            pages[p][pages[p].count - 1] += lines
        }
        for block in blocks {
            let separator = block.startsGroup && !current().isEmpty
            let needed = block.lines.count + (separator ? 1 : 0)
            if current().count + needed <= rows {
                if separator { append([.init(text: "", role: .text)]) }
                append(block.lines)
                continue
            }
            if !current().isEmpty { newColumn() }
            // a block taller than a column (tiny terminals) is split
            var rest = block.lines[...]
            while !rest.isEmpty {
                let room = rows - current().count
                if room <= 0 { newColumn(); continue }
                append(Array(rest.prefix(room)))
                rest = rest.dropFirst(room)
            }
        }
        return pages
    }

    /// Greedy word wrap to `width` characters; words longer than a line are cut.
    static func wrap(_ text: String, width: Int) -> [String] {
        let width = max(1, width)
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: true) {
            var word = Substring(word)
            while word.count > width {
                if !line.isEmpty { lines.append(line); line = "" }
                lines.append(String(word.prefix(width)))
                word = word.dropFirst(width)
            }
            if word.isEmpty { continue }
            if line.isEmpty { line = String(word) }
            else if line.count + 1 + word.count <= width { line += " " + word }
            else { lines.append(line); line = String(word) }
        }
        if !line.isEmpty || lines.isEmpty { lines.append(line) }
        return lines
    }
}

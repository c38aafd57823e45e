import Testing
import LimitLaws
import PlotCanvas
@testable import ExplorerCore

/// The help overlay fits the terminal: columns by width, wrapped descriptions, pages by height.
@Suite struct HelpOverlayTests {
    /// The text of every page, rendered over the layers view.
    func renderedPages(width: Int, height: Int, regime: RegimeID = .linearWidth) -> (HelpLayout, [ScreenGrid]) {
        let layout = HelpOverlay.layout(width: width, height: height, regime: regime)
        let grids = layout.pages.indices.map { p -> ScreenGrid in
            var s = MockSpectra.state()
            s.regime = regime
            s.overlay = .help
            s.helpPage = p
            return ScreenLayout.render(state: s, content: MockSpectra.content(), width: width, height: height)
        }
        return (layout, grids)
    }

    static func squeezed(_ s: String) -> String {
        s.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
    }

    /// A group's heading is shown once in the whole help, so at most once on a page: the key table
    /// lists `w` (group View) after the range keys, which made a second "View" heading. Every
    /// size and regime; the headings are the lines drawn as titles. Also every binding's group
    /// appears as exactly one group.
    @Test(arguments: [(80, 24), (100, 30), (120, 40), (200, 60)])
    func everyHeadingOnce(width: Int, height: Int) {
        for regime in RegimeID.allCases {
            let names = KeyMap.helpGroups(for: regime).map(\.0)
            #expect(Set(names).count == names.count, "\(regime): \(names)")
            #expect(Set(KeyMap.bindings.map(\.group)).isSubset(of: Set(names)))
            let layout = HelpOverlay.layout(width: width, height: height, regime: regime)
            let titles = layout.pages.flatMap { $0.flatMap { $0.filter { $0.role == .title }.map(\.text) } }
            #expect(Set(titles).count == titles.count, "\(regime) \(width)x\(height): \(titles)")
        }
    }

    @Test(arguments: [(80, 24), (200, 60)])
    func everyKeyIsOnSomePageAndNoLineIsCut(width: Int, height: Int) {
        for regime in RegimeID.allCases { everyKeyIsOnSomePage(width: width, height: height, regime: regime) }
    }

    /// The help of `regime`: the shared keys, the regime's own, the commands.
    func everyKeyIsOnSomePage(width: Int, height: Int, regime: RegimeID) {
        let (layout, grids) = renderedPages(width: width, height: height, regime: regime)
        #expect(!layout.pages.isEmpty)
        #expect(layout.x >= 0 && layout.y >= 0 && layout.x + layout.width <= width && layout.y + layout.height <= height)
        for (p, grid) in grids.enumerated() {
            let rows = grid.lines()
            #expect(rows.count == height)
            for row in rows { #expect(row.count <= width, "page \(p + 1): row wider than \(width): \(row)") }
            // every line of the page is on screen in full, where the layout puts it, inside the box
            for (c, column) in layout.pages[p].enumerated() {
                #expect(column.count <= layout.height - 2)
                let o = layout.origin(column: c)
                #expect(o.x + layout.columnWidth <= layout.x + layout.width - 2)
                for (r, line) in column.enumerated() {
                    #expect(line.text.count <= layout.columnWidth, "page \(p + 1): '\(line.text)' wider than its column")
                    let row = Array(rows[o.y + r])
                    let shown = row.count > o.x ? String(row[o.x..<min(row.count, o.x + line.text.count)]) : ""
                    #expect(shown == line.text, "page \(p + 1) row \(o.y + r): shows '\(shown)' for '\(line.text)'")
                }
            }
            // the box's right border is intact on every row
            for y in layout.y..<(layout.y + layout.height) {
                let row = Array(rows[y])
                let right = layout.x + layout.width - 1
                #expect(right < row.count && "│┐┘".contains(row[right]), "page \(p + 1) row \(y): right border overwritten")
            }
            if layout.pages.count > 1 { #expect(grid.plainText().contains("page \(p + 1)/\(layout.pages.count)")) }
        }
        // every key and command with its whole description, in order, on some page
        let screens = grids.map { $0.plainText() }
        let flowed = Self.squeezed(layout.pages.flatMap { $0 }.flatMap { $0 }.map(\.text).joined(separator: " "))
        for (group, entries) in KeyMap.helpGroups(for: regime) + [("Commands", KeyMap.commands(for: regime))] {
            #expect(flowed.contains(group))
            for (keys, text) in entries {
                #expect(screens.contains { $0.contains(keys) }, "\(width)×\(height): key '\(keys)' is on no page")
                #expect(flowed.contains(Self.squeezed(keys + " " + text)), "\(width)×\(height): '\(keys)  \(text)' is cut or missing")
            }
        }
        for binding in KeyMap.bindings where !binding.label.isEmpty {
            #expect(screens.contains { $0.contains(binding.label) }, "key '\(binding.label)' is on no page")
        }
    }

    @Test func columnsAndPagesFollowTheSize() {
        let narrow = HelpOverlay.layout(width: 80, height: 24)
        #expect(narrow.pages.allSatisfy { $0.count == 1 })   // one column
        #expect(narrow.pages.count > 1)                     // and pages
        let wide = HelpOverlay.layout(width: 200, height: 60)
        #expect(wide.pages.count == 1 && wide.pages[0].count == 2)
        // a tiny terminal still gets a layout whose lines fit their column
        let tiny = HelpOverlay.layout(width: 30, height: 8)
        #expect(tiny.pages.flatMap { $0 }.flatMap { $0 }.allSatisfy { $0.text.count <= tiny.columnWidth })
    }

    @Test func wrapKeepsEveryCharacterWithinTheWidth() {
        let text = "lower / raise b_σ (b-family, step 0.05) and an unbreakableveryveryverylongword"
        let letters = text.replacingOccurrences(of: " ", with: "")
        for w in [1, 5, 12, 30, 200] {
            let lines = HelpOverlay.wrap(text, width: w)
            #expect(lines.allSatisfy { $0.count <= w }, "width \(w): \(lines)")
            #expect(lines.joined().replacingOccurrences(of: " ", with: "") == letters, "width \(w) lost characters")
        }
        #expect(HelpOverlay.wrap(text, width: 200) == [text])
    }

    @Test func pagingKeys() {
        let screen = (width: 80, height: 24)
        let pages = HelpOverlay.layout(width: 80, height: 24).pages.count
        #expect(pages >= 2)
        var s = MockSpectra.state()
        func press(_ key: Key) { if let a = KeyMap.action(for: key, in: s, screen: screen) { _ = ExplorerReducer.reduce(&s, a) } }
        press(.character("?"))
        #expect(s.overlay == .help && s.helpPage == 0)
        press(.character(" "))
        #expect(s.helpPage == 1)
        press(.left)
        #expect(s.helpPage == 0)
        press(.left)
        #expect(s.overlay == .help && s.helpPage == 0)
        for _ in 1..<pages { press(.character("?")) }
        #expect(s.overlay == .help && s.helpPage == pages - 1)
        press(.character("?"))                          // past the last page: closed
        #expect(s.overlay == nil)
        press(.character("?"))                          // opens on page 1 again
        #expect(s.overlay == .help && s.helpPage == 0)
        press(.right)
        press(.escape)
        #expect(s.overlay == nil && s.depth == 5)
        press(.character("?"))
        press(.character("d"))                          // any other key closes, without acting
        #expect(s.overlay == nil && s.depth == 5)
        // on a terminal where it fits one page, ? closes it as before
        press(.character("?"))
        #expect(KeyMap.action(for: .character("?"), in: s, screen: (width: 200, height: 60)) == .closeOverlay)
        #expect(KeyMap.action(for: .character("q"), in: s, screen: screen) == .quit)
    }
}

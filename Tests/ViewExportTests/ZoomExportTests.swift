import ExplorerCore
import Foundation
import LimitLaws
import PlotCanvas
import Testing
@testable import ViewExport

/// The exports draw the state's spectra: under a zoom, the re-solved grid of each window (what the
/// screen draws), not the full-range grid magnified.
@Suite struct ZoomExportTests {
    /// A fake window solve: 101 points over the window, density 7 (easy to spot in the output).
    static let fakeZoomSolve: SolveScheduler.ZoomSolve = { _, window, cache in
        let r = window.range
        let x = (0...100).map { r.lowerBound + (r.upperBound - r.lowerBound) * Double($0) / 100 }
        return (DensityGrid(range: r, x: x, density: Array(repeating: 7, count: x.count)), cache)
    }

    func zoomed(_ view: ExplorerView) -> (ExplorerState, FrameContent) {
        var state = Fixture.state(view: view)
        state.display.zoom = 1
        var content = Fixture.content()
        content.spectra = ZoomPlan.resolved(state: state, spectra: content.spectra, cache: nil, solve: Self.fakeZoomSolve)
        return (state, content)
    }

    @Test(arguments: [ExplorerView.layers, .compare, .focus])
    func csvAndJsonCarryTheWindowsGrid(view: ExplorerView) throws {
        let (state, content) = zoomed(view)
        let csv = ViewExport.csv(state: state, content: content)
        let rows = csv.split(separator: "\n").filter { $0.hasPrefix("density,") }.map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        let kernels = ViewExport.kernels(in: state)
        #expect(rows.count == 101 * kernels.count)
        #expect(rows.allSatisfy { $0[4] == "7.0" })
        let json = ViewExport.json(state: state, content: content, width: 100, height: 30, theme: Fixture.theme)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let laws = try #require(object["laws"] as? [[String: Any]])
        #expect(laws.count == kernels.count)
        for law in laws {
            #expect((law["density"] as? [Double])?.count == 101)
            #expect((law["density"] as? [Double])?.allSatisfy { $0 == 7 } == true)
        }
        // without the re-solve: the full grid's points inside the range, as before
        var plain = content
        for k in plain.spectra.keys { plain.spectra[k]!.zoomed = [] }
        let plainRows = ViewExport.csv(state: state, content: plain).split(separator: "\n").filter { $0.hasPrefix("density,") }
        #expect(plainRows.count < rows.count && !plainRows.isEmpty)
    }

    @Test(arguments: [ExplorerView.layers, .compare, .focus])
    func svgDrawsTheWindowsGrid(view: ExplorerView) {
        let (state, content) = zoomed(view)
        let svg = ViewExport.svg(state: state, content: content, width: 100, height: 30, theme: Fixture.theme)
        var plain = content
        for k in plain.spectra.keys { plain.spectra[k]!.zoomed = [] }
        let before = ViewExport.svg(state: state, content: plain, width: 100, height: 30, theme: Fixture.theme)
        func paths(_ s: String) -> [Int] {
            s.components(separatedBy: "<path class=\"density\"").dropFirst().map { p in
                let d = p.components(separatedBy: " d=\"")[1].prefix { $0 != "\"" }
                return d.filter { $0 == "L" || $0 == "M" }.count
            }
        }
        // every density path of the view (the compare overlay too) draws the 101 points of its window
        #expect(!paths(svg).isEmpty && paths(svg).allSatisfy { $0 == 101 }, "\(paths(svg))")
        #expect(paths(before).allSatisfy { $0 < 101 })
    }
}

import Foundation
import LimitLaws
import PlotCanvas
import Testing
@testable import ExplorerCore

/// Issue 10 §5 on the whole screen: a law far from 0 with a narrow support (the relu depth-32 NTK
/// sits at 6.6e5 with width ≈ 6): the focus view's support edges differ and every x label names
/// a value inside its tick's cell (read back from the screen text).
@Suite struct AxisLabelTests {
    @Test func focusViewOfANarrowLawFarFromZero() {
        let shift = 664296.93
        var content = MockSpectra.content()
        content.spectra[.ntk] = MockSpectra.marcenkoPastur(.ntk, gamma: 0.5, shift: shift)
        var state = MockSpectra.state(view: .focus)
        state.selection = state.depth + 1
        let text = ScreenLayout.render(state: state, content: content, width: 120, height: 30).plainText()
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // the support line: two different numbers
        let support = try! #require(lines.first { $0.contains("[6642") })
        let inside = support[support.range(of: "[")!.upperBound..<support.range(of: "]")!.lowerBound]
        let edges = inside.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces))! }
        #expect(edges.count == 2 && edges[0] < edges[1], "\(support)")
        let lo = shift + pow(1 - 0.5.squareRoot(), 2), hi = shift + pow(1 + 0.5.squareRoot(), 2)
        #expect(abs(edges[0] - lo) < 0.5 && abs(edges[1] - hi) < 0.5, "\(edges) vs \(lo), \(hi)")
        // the x axis: labels below ticks, values within the tick's cell, distinct
        let axisIndex = try! #require(lines.lastIndex { $0.contains("└") })
        let axis = Array(lines[axisIndex]), labels = Array(lines[axisIndex + 1])
        let corner = axis.firstIndex(of: "└")!
        let plotEnd = axis.lastIndex(where: { $0 == "─" || $0 == "┬" || $0 == "▲" })!
        let columns = plotEnd - corner
        let range = ScreenLayout.visibleRange(content.spectra[.ntk]!, zoom: 0)
        var offset = 0.0
        var tokens: [(String, Int)] = []
        var i = corner
        while i < min(labels.count, plotEnd + 1) {
            if labels[i] == " " { i += 1; continue }
            var j = i
            while j < labels.count && labels[j] != " " { j += 1 }
            tokens.append((String(labels[i..<j]), i)); i = j
        }
        tokens.removeAll { Double($0.0) == nil }   // the axis title (λ) is not a tick label
        if let last = tokens.last, last.0.hasPrefix("+") { offset = Double(last.0)!; tokens.removeLast() }
        #expect(tokens.count >= 3, "\(String(labels))")
        let ticks = axis.indices.filter { axis[$0] == "┬" }
        let cell = (range.upperBound - range.lowerBound) / Double(columns)
        var previous = -Double.infinity
        for (t, start) in tokens {
            let centre = start + t.count / 2
            let tick = ticks.min { abs($0 - centre) < abs($1 - centre) }!
            let value = Double(t)! + offset
            let c = Double(tick - corner - 1)
            #expect(value >= range.lowerBound + c * cell - 1e-9 && value <= range.lowerBound + (c + 1) * cell + 1e-9,
                    "label \(t) (= \(value)) under tick column \(tick)")
            #expect(value > previous)
            previous = value
        }
    }
}

import Foundation
import LimitLaws
import PlotCanvas

extension ScreenLayout {
    /// What a mouse click at cell (x, y) points at, as an action: in the layers view the panel under
    /// it is selected and the cursor put at its x; in the focus, CDF and compare views the cursor
    /// moves there; in the edges view the law under it is selected. Nil when it points at nothing.
    /// Pure: the same layout as `render` (the plot's left margin comes from rendering its axes).
    public static func hitTest(state: ExplorerState, content: FrameContent, width: Int, height: Int, x: Int, y: Int) -> ExplorerAction? {
        guard state.regime == .linearWidth, y >= 2, y < height - 2 else { return nil }
        let bodyHeight = height - 4
        let by = y - 2
        func fraction(_ p: DensityPlot, plotWidth: Int, plotHeight: Int, x0: Int) -> Double? {
            guard let cols = p.plotColumns(width: plotWidth, height: plotHeight), cols.count > 0 else { return nil }
            let f = (Double(x - x0 - cols.first) + 0.5) / Double(cols.count)
            return (0...1).contains(f) ? f : nil
        }
        switch state.view {
        case .layers:
            let laws = state.laws
            let top = state.empiricalOn ? 1 : 0
            guard by >= top, let paging = layersPaging(count: laws.count, width: width, height: bodyHeight - top) else { return nil }
            let w = width / paging.columns, h = (bodyHeight - top) / paging.rows
            let col = x / w, row = (by - top) / h
            guard col < paging.columns, row < paging.rows else { return nil }
            let page = min(state.selection, laws.count - 1) / paging.perPage
            let i = page * paging.perPage + row * paging.columns + col
            guard i < laws.count else { return nil }
            var cursor: Double?
            if let s = content.spectra[laws[i]], (by - top) % h >= 1, (by - top) % h < h - 3 {
                var shown = state
                shown.selection = i
                let p = LinearWidthLayout.lawPlot(s, range: RangeActions.visibleRange(s, display: state.display), state: shown,
                                                  sample: LinearWidthLayout.sample(laws[i], state: state, content: content)?.readout, width: w - 1, cursor: false)
                cursor = fraction(p, plotWidth: w - 1, plotHeight: h - 2, x0: col * w)
            }
            return .pointAt(selection: i, cursor: cursor)
        case .focus, .cdf:
            let infoWidth = min(40, max(26, width / 4))
            let plotWidth = width - infoWidth - 1
            guard x < plotWidth, by >= 1, let s = content.spectra[state.selectedKernel] else { return nil }
            let range = RangeActions.visibleRange(s, display: state.display)
            var p = state.view == .cdf ? DensityPlot(xRange: range, yScale: .linear, mode: state.display.canvas, yMax: 1)
                : LinearWidthLayout.lawPlot(s, range: range, state: state, sample: nil, width: plotWidth, cursor: false)
            p.xTickTarget = max(2, plotWidth / 8)
            return fraction(p, plotWidth: plotWidth, plotHeight: bodyHeight - 1, x0: 0).map { .pointAt(selection: nil, cursor: $0) }
        case .compare:
            let leftWidth = width * 3 / 5
            let series = state.compare.compactMap { content.spectra[$0] }
            guard x < leftWidth - 1, series.count == state.compare.count, series.count >= 2 else { return nil }
            let overlay = LinearWidthLayout.compareRange(series, display: state.display)
            var p = DensityPlot(xRange: overlay.range, yScale: state.display.yScale, mode: state.display.canvas)
            p.xTickTarget = max(2, (leftWidth - 8) / 9)
            for s in series { let c = s.curve(in: overlay.range); p.curves.append(PlotCurve(role: .theory, x: c.x, y: c.density)) }
            return fraction(p, plotWidth: leftWidth - 1, plotHeight: bodyHeight - 4, x0: 0).map { .pointAt(selection: nil, cursor: $0) }
        case .edges:
            let tableWidth = min(54, max(30, width * 2 / 5))
            let plotWidth = width - tableWidth - 1
            guard x < plotWidth else { return nil }
            let n = state.laws.count
            // the plot's margin is a few columns of y labels: the slots share the rest evenly
            let margin = 6
            let i = Int(Double(x - margin) / Double(max(1, plotWidth - margin)) * Double(n))
            return (0..<n).contains(i) ? .pointAt(selection: i, cursor: nil) : nil
        }
    }
}

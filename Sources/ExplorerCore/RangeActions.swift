import Foundation
import LimitLaws
import PlotCanvas

/// The x window: zoom around the cursor, pan, framing a support edge, and the range each plot shows.
/// Windows are fractions of a law's own range (so the layers view zooms every panel alike), unless
/// `:xlim` fixes one range for every plot.
public enum RangeActions {
    /// `z` / `Z`: halve or double the window, keeping the cursor's x where it is on screen (the left
    /// end without a cursor, where the narrow bump of the CK laws lives).
    static func zoom(_ state: inout ExplorerState, in zoomIn: Bool) {
        let c = state.cursor ?? 0
        if let r = state.display.xLimits {
            let w = r.upperBound - r.lowerBound, x = r.lowerBound + c * w
            let w2 = zoomIn ? w / 2 : w * 2
            state.display.xLimits = (x - c * w2)...(x - c * w2 + w2)
            return
        }
        let z = state.display.zoom
        let z2 = min(ExplorerReducer.maxZoom, max(0, z + (zoomIn ? 1 : -1)))
        guard z2 != z else {
            state.message = StatusMessage(zoomIn ? "zoom is limited to ×\(1 << ExplorerReducer.maxZoom)" : "the whole range is shown", isError: true)
            return
        }
        let w = 1 / Double(1 << z), w2 = 1 / Double(1 << z2)
        let anchor = state.display.pan + c * w
        state.display.zoom = z2
        state.display.pan = min(state.display.maxPan, max(0, anchor - c * w2))
    }

    /// `E`: the next support edge (or atom) of the selected law, framed in a window 1/32 of the
    /// law's range wide (the square-root vanishing at a soft edge is visible at that scale).
    static func frameEdge(_ state: inout ExplorerState, content: FrameContent?) {
        guard let s = content?.spectra[state.selectedKernel] else {
            state.message = StatusMessage("E: the selected law is not solved yet", isError: true)
            return
        }
        let edges = s.edges
        guard !edges.isEmpty else {
            state.message = StatusMessage("E: \(state.selectedKernel.title) has no support edge", isError: true)
            return
        }
        let i = ((state.edgeIndex ?? -1) + 1) % edges.count
        state.edgeIndex = i
        let e = edges[i]
        let full = s.fullRange
        let half = (full.upperBound - full.lowerBound) / 64
        state.display.xLimits = (e.value - half)...(e.value + half)
        state.cursor = 0.5
        state.message = StatusMessage("\(state.selectedKernel.title): \(e.name) = \(AxisTicks.resolved([e.value], resolution: half / 100, minimum: 5)[0]) (E next edge \(i + 1)/\(edges.count), 0 full range)")
    }

    /// The x range a plot of `s` shows: `:xlim`, else the zoom window `pan` of the way into the law's range.
    public static func visibleRange(_ s: DisplaySpectrum, display: DisplaySettings) -> ClosedRange<Double> {
        if let r = display.xLimits { return r }
        let full = s.fullRange
        let span = full.upperBound - full.lowerBound
        let width = span / Double(1 << max(0, display.zoom))
        let lo = full.lowerBound + min(display.maxPan, max(0, display.pan)) * span
        return lo...(lo + width)
    }

    /// The x at the cursor in a plot of `range` (nil without a cursor).
    public static func cursorX(_ state: ExplorerState, range: ClosedRange<Double>) -> Double? {
        state.cursor.map { range.lowerBound + $0 * (range.upperBound - range.lowerBound) }
    }
}

extension DisplaySpectrum {
    /// The support edges and atoms, left to right, named for the status line: "λ₋ of interval 1", "atom".
    public var edges: [(name: String, value: Double)] {
        var out: [(String, Double)] = []
        for (i, r) in support.enumerated() {
            let tag = support.count > 1 ? " of interval \(i + 1)" : ""
            out.append(("left edge\(tag)", r.lowerBound))
            out.append(("right edge\(tag)", r.upperBound))
        }
        for a in visibleAtoms { out.append(("atom (\(ScreenLayout.percent(a.mass)))", a.location)) }
        return out.sorted { $0.1 < $1.1 }.map { (name: $0.0, value: $0.1) }
    }
}

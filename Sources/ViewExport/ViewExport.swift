import ExplorerCore
import Foundation
import LimitLaws
import PlotCanvas

/// The export writers: one pure function per format from (state, content, size, theme) to a String.
/// The explorer's `e` and `ntkscope render` both call `ViewExport.export`, so their outputs agree.
public enum ViewExport {
    public static let toolVersion = "ntkscope 0.1"

    /// The text of `format` for the view of `state`. `width`×`height` is the terminal size (cells):
    /// txt and ansi are that frame, svg is a figure of the same panels scaled from it.
    public static func export(_ format: ExportFormat, state: ExplorerState, content: FrameContent,
                              width: Int, height: Int, theme: Theme) -> String {
        switch format {
        case .txt: return text(state: state, content: content, width: width, height: height)
        case .ansi: return ansi(state: state, content: content, width: width, height: height, theme: theme)
        case .svg: return svg(state: state, content: content, width: width, height: height, theme: theme)
        case .csv: return csv(state: state, content: content)
        case .json: return json(state: state, content: content, width: width, height: height, theme: theme)
        case .toml: return SessionFile.encode(Session(state: state))
        }
    }

    // MARK: the exported frame

    /// The state as exported: the view without transient UI (prompt, command line, overlays, messages).
    public static func exportedState(_ state: ExplorerState) -> ExplorerState {
        var s = state
        s.exportPrompt = nil
        s.commandLine = nil
        s.overlay = nil
        s.message = nil
        return s
    }

    /// The content as exported: solve timings (which differ run to run) are left out.
    public static func exportedContent(_ content: FrameContent) -> FrameContent {
        var c = content
        c.solve = SolveStatus(lastMilliseconds: 0, warm: false, pending: false, failures: content.solve.failures)
        return c
    }

    /// The frame that txt and ansi write: the screen for this state, without the header's solve time.
    public static func frame(state: ExplorerState, content: FrameContent, width: Int, height: Int) -> ScreenGrid {
        var grid = ScreenLayout.render(state: exportedState(state), content: exportedContent(content), width: width, height: height)
        // The header's right end ("solved in 0.0 ms (cold)") is timing, not view: blank it.
        if grid.height > 0 {
            let row = (0..<grid.width).map { grid[$0, 0] }
            let text = String(row.map(\.character))
            if let r = text.range(of: "solved in ") {
                let start = text.distance(from: text.startIndex, to: r.lowerBound)
                var x = start
                while x < grid.width, grid[x, 0].role == .dim || grid[x, 0].role == .warning {
                    grid[x, 0] = Cell(" ")
                    x += 1
                }
            }
        }
        return grid
    }

    // MARK: what the view shows

    /// The laws shown by the view, in screen order.
    public static func kernels(in state: ExplorerState) -> [KernelID] {
        switch state.view {
        case .layers, .edges: return state.laws
        case .compare: return state.compare
        case .focus, .cdf: return [state.selectedKernel]
        }
    }

    /// The x range of a law in the view (zoom, pan or `:xlim` applied; the edges view: the whole law).
    public static func xRange(of kernel: KernelID, state: ExplorerState, content: FrameContent) -> ClosedRange<Double>? {
        guard let s = content.spectra[kernel] else { return nil }
        return state.view == .edges ? s.fullRange : RangeActions.visibleRange(s, display: state.display)
    }

    /// The empirical result of a law if the overlay is on.
    public static func empirical(of kernel: KernelID, state: ExplorerState, content: FrameContent) -> EmpiricalKernelResult? {
        state.empiricalOn ? content.empirical.results[kernel] : nil
    }

    /// The histogram of the sampled eigenvalues over a law's visible range, as exported (svg bars,
    /// csv and json): Rice's bin count 2·m^{1/3} for the m eigenvalues in range, 10…120 bins. As on
    /// screen, eigenvalues in an atom of `law` are left out (they are compared as masses), and the
    /// density is per all n eigenvalues.
    public static func histogram(_ e: EmpiricalKernelResult, range: ClosedRange<Double>, law: DisplaySpectrum? = nil) -> (edges: [Double], counts: [Int], density: [Double]) {
        let values = law.map { SampleReadout(eigenvalues: e.eigenvalues, law: $0).continuous } ?? e.eigenvalues
        let inRange = values.filter { range.contains($0) }.count
        let bins = max(10, min(120, Int((2 * pow(Double(max(1, inRange)), 1.0 / 3)).rounded())))
        let lo = range.lowerBound, width = (range.upperBound - range.lowerBound) / Double(bins)
        var counts = Array(repeating: 0, count: bins)
        for v in values where v >= lo && v <= range.upperBound && width > 0 {
            counts[min(bins - 1, Int((v - lo) / width))] += 1
        }
        let total = Double(max(1, e.eigenvalues.count))
        let edges = (0...bins).map { $0 == bins ? range.upperBound : lo + Double($0) * width }   // the range's end exactly
        return (edges, counts, counts.map { width > 0 ? Double($0) / (total * width) : 0 })
    }

    /// Atoms shown (the layout hides masses below 0.05 %).

    /// "ck" (layer 0 = the input law) or "ntk" and the layer (L for the NTK), as in the other commands' CSV.
    static func kernelColumns(_ k: KernelID, depth: Int) -> (String, Int) {
        (k.kernelName, k.layerNumber(depth: depth))
    }

    /// Shortest round-trip decimal ("nan" for NaN).
    static func number(_ x: Double) -> String {
        guard x.isFinite else { return x.isNaN ? "nan" : (x > 0 ? "inf" : "-inf") }
        return "\(x)"
    }
}

import Foundation
import LimitLaws
import NetworkSampling
import NetworkTraining
import PlotCanvas

/// The training views, pure functions of the state and `FrameContent.training`: layers (a timeline
/// of the snapshot epochs, one panel per kernel with the trained spectrum against its limit law at
/// initialisation, and the loss curve), focus (one kernel with its outliers and label shares) and
/// compare (the run over its snapshots: loss, label alignment, λ_max/edge).
public enum TrainingLayout {
    public static let minimumPanel = (width: 24, height: 8)
    /// Roles of the kernels in the over-training plots (CK ℓ = 1, 2, …, the NTK last).
    static let roles: [ColorRole] = [.seriesA, .seriesB, .theory, .title, .highlight, .text]

    public static func footerKeys(next: String) -> String {
        "q quit  ? help  w \(next)  s train/cancel  [ ] snapshot  End latest  ←→ kernel  a/A σ  d/D depth  n/N samples  ↑↓ width  +/- epochs  o optimiser  1-3 view  e export  u undo  : command"
    }

    static func sig(_ v: Double, _ n: Int = 3) -> String { v.isFinite ? AxisTicks.significant(v, n) : "–" }

    /// The kernels drawn: CK ℓ = 1 … L, then the NTK (the input Gram, ℓ = 0, does not train).
    public static func kernels(depth: Int) -> [SampledKernel] { (1...max(1, depth)).map { SampledKernel.ck($0) } + [.ntk] }

    public static func name(_ k: SampledKernel) -> String {
        switch k {
        case .ck(let l): return "CK ℓ=\(l)"
        case .ntk: return "NTK"
        case .ntkSurrogate: return "NTK surrogate"
        }
    }

    /// The frame when it is the run of the current settings (else an older run's, drawn with a note).
    static func frame(_ state: ExplorerState, _ content: FrameContent) -> TrainingFrame? { content.training }

    static func metricName(_ record: TrainingRecord) -> String { record.plan?.metric == .accuracy ? "test acc" : "test R²" }

    // MARK: header, status

    public static func header(state: ExplorerState, content: FrameContent) -> RegimeHeader {
        let s = state.training
        let f = content.training
        var status: String, busy = false
        var warning: String?
        if let f {
            let done = f.record.epochsCompleted
            if f.key != s.runKey { status = "an earlier run: \(s.run ? "training the new settings…" : "s trains these settings")"; busy = s.run }
            else if f.running { status = "training… epoch \(done)/\(s.epochs)"; busy = true }
            else if let e = f.error { status = "stopped at epoch \(done)"; warning = "✗ training failed: \(e)" }
            else if f.cancelled { status = "cancelled at epoch \(done) (s trains again)" }
            else if let t = f.record.summary?.timings.total { status = "trained in \(String(format: "%.1f", t)) s" }
            else { status = "stopped at epoch \(done)" }
            if warning == nil, let w = f.record.laws?.warnings, !w.isEmpty {
                warning = "✗ \(w.count) initial law\(w.count == 1 ? "" : "s") not trusted (3: details)"
            }
        } else {
            status = s.run ? "starting…" : "not trained yet (s trains)"
            busy = s.run
        }
        var row1 = "snapshots every \(s.snapshotEvery) · shown: " + (s.epoch.map { "epoch \($0)" } ?? "the latest")
        if let f, let snap = f.snapshot(at: s.epoch) {
            row1 += " (\(snap.epoch)) · train MSE \(sig(snap.trainMSE)) · \(metricName(f.record)) \(sig(snap.testMetric))"
        }
        return RegimeHeader(model: ["│ TRAINING", " │ σ = \(s.activation)", " │ \(s.shapeText)", " │ \(s.optimizerText)",
                                    " │ \(s.epochs) epochs, seed \(s.seed)", " │ task \(s.task)"],
                            status: status, busy: busy, warning: warning, row1: row1)
    }

    public static func progress(state: ExplorerState, content: FrameContent) -> RegimeProgress? {
        guard let f = content.training, f.key == state.training.runKey else {
            return state.training.run ? RegimeProgress(label: "training", fraction: 0, detail: "starting") : nil
        }
        if f.running {
            let p = f.record.progress
            return RegimeProgress(label: "training", fraction: p?.fraction ?? 0,
                                  detail: "\(p?.phase.rawValue ?? "preparing") epoch \(p?.epoch ?? 0)/\(state.training.epochs) (s cancels)")
        }
        if f.error != nil { return RegimeProgress(label: "training", fraction: nil, detail: "failed (M: why)") }
        return RegimeProgress(label: "training", fraction: nil, detail: f.cancelled ? "cancelled" : "done")
    }

    // MARK: body

    public static func drawBody(_ body: inout ScreenGrid, state: ExplorerState, content: FrameContent) {
        guard let f = content.training, !f.record.snapshots.isEmpty || f.error != nil else {
            drawPlan(&body, state: state, starting: content.training != nil)
            return
        }
        switch state.view {
        case .layers: drawLayers(&body, state: state, frame: f)
        case .focus: drawFocus(&body, state: state, frame: f)
        case .compare: drawCompare(&body, state: state, frame: f)
        case .cdf, .edges: body.writeLinearWidthOnly(state.view)
        }
    }

    /// Before the first snapshot: what `s` will train.
    static func drawPlan(_ body: inout ScreenGrid, state: ExplorerState, starting: Bool) {
        let s = state.training
        let teacher = s.task == "linear" ? "y = xᵀv (linear teacher)" : "y = σ(xᵀv) (single neuron, the paper's)"
        let lines: [(String, ColorRole)] = [
            ("Spectra over training (Fan & Wang §4.3)", .title),
            ("", .text),
            ("\(s.n) training samples uniform on the sphere in d₀ = \(s.inputDim); \(teacher)", .text),
            ("\(s.depth) hidden layer\(s.depth == 1 ? "" : "s") of width \(s.width), σ = \(s.activation), no biases", .text),
            ("\(s.optimizerText), \(s.epochs) epochs, seed \(s.seed); snapshots at epochs \(s.snapshotEpochs.map(String.init).joined(separator: " "))", .text),
            ("", .text),
            (starting || s.run ? "training in the background: the epoch-0 snapshot and the laws at initialisation come first…"
                               : "s starts the run in the background (the keys below change it first; the default takes about 15 s)", .dim),
        ]
        let top = max(0, body.height / 2 - lines.count / 2)
        for (i, (t, role)) in lines.enumerated() where top + i < body.height {
            body.writeCentered(t, x: 0, span: body.width, y: top + i, role: role, attributes: role == .title ? [.bold] : [])
        }
    }

    /// The timeline of the snapshot epochs: those taken, the one shown (reversed), those to come (dim).
    static func drawTimeline(_ g: inout ScreenGrid, state: ExplorerState, frame f: TrainingFrame, y: Int) {
        let s = state.training
        let planned = f.key == s.runKey ? s.snapshotEpochs : (f.record.plan?.snapshotEpochs ?? s.snapshotEpochs)
        let taken = Set(f.record.snapshots.map(\.epoch))
        let shown = f.snapshot(at: s.epoch)?.epoch
        var x = g.write(" epochs ", x: 0, y: y, role: .dim)
        let widths = planned.map { String($0).count + 1 }
        let center = shown.flatMap { planned.firstIndex(of: $0) } ?? 0
        let window = ScreenLayout.window(widths: widths, around: center, room: max(8, g.width - x - 28))
        if window.lowerBound > 0 { x += g.write("… ", x: x, y: y, role: .dim) }
        for e in planned[window] {
            let role: ColorRole = e == shown ? .highlight : (taken.contains(e) ? .text : .dim)
            x += g.write(String(e), x: x, y: y, role: role, attributes: e == shown ? [.reverse, .bold] : [])
            x += 1
        }
        if window.upperBound < planned.count - 1 { x += g.write("…", x: x, y: y, role: .dim) }
        let hint = s.epoch == nil ? "  ([ ] step; following the latest)" : "  ([ ] step, End: latest)"
        g.write(hint, x: x, y: y, role: .dim, maxWidth: max(0, g.width - x))
    }

    static func drawLayers(_ body: inout ScreenGrid, state: ExplorerState, frame f: TrainingFrame) {
        drawTimeline(&body, state: state, frame: f, y: 0)
        let s = state.training
        let kernels = kernels(depth: f.record.depth > 0 ? f.record.depth : s.depth)
        let count = kernels.count + 1
        guard let a = ScreenLayout.panelArrangement(count: count, width: body.width, height: body.height - 1, minimumPanel: minimumPanel) else { return }
        let w = body.width / a.columns, h = (body.height - 1) / a.rows
        let snap = f.snapshot(at: s.epoch)
        for (i, k) in kernels.enumerated() {
            let g = kernelPanel(k, snapshot: snap, frame: f, state: state, width: w - 1, height: h, selected: i == min(s.panel, kernels.count - 1), captionLines: 2)
            body.paste(g, x: (i % a.columns) * w, y: 1 + (i / a.columns) * h)
        }
        let j = kernels.count
        body.paste(lossPanel(f, epoch: snap?.epoch, mode: state.display.canvas, width: w - 1, height: h),
                   x: (j % a.columns) * w, y: 1 + (j / a.columns) * h)
    }

    /// The share of the label variance on the eigenvector of outlier `i` (largest first), when it is
    /// among the top-k pairs the snapshot kept.
    public static func labelShare(_ k: KernelSnapshot, outlier i: Int) -> Double? {
        guard i < k.top.count, i < k.outliers.count else { return nil }
        let a = k.top[i].value, b = k.outliers[i].value
        return abs(a - b) <= 1e-6 * max(abs(a), abs(b), 1e-300) ? k.top[i].labelShare : nil
    }

    /// "489 (96%)", the share omitted when the eigenvector was not kept.
    public static func outlierText(_ k: KernelSnapshot, _ i: Int) -> String {
        "\(sig(k.outliers[i].value))" + (labelShare(k, outlier: i).map { " (\(ScreenLayout.percent($0)))" } ?? "")
    }

    /// One kernel at the snapshot: its law at initialisation (line) against the trained eigenvalues
    /// (dotted step outline), outliers beyond the law's edge marked ▲ (those beyond the plot listed
    /// with →) with the share of the label variance on their eigenvectors.
    static func kernelPanel(_ kernel: SampledKernel, snapshot: TrainingSnapshot?, frame f: TrainingFrame, state: ExplorerState,
                            width: Int, height: Int, selected: Bool, captionLines: Int) -> ScreenGrid {
        var g = ScreenGrid(width: width, height: height)
        let title = " \(name(kernel))" + (snapshot.map { " · epoch \($0.epoch) " } ?? " ")
        g.write(title, x: 0, y: 0, role: selected ? .highlight : .title, attributes: selected ? [.reverse, .bold] : [.bold], maxWidth: width)
        guard let snapshot, let ks = snapshot.kernels.first(where: { $0.kernel == kernel }) else {
            g.writeCentered("no snapshot yet", x: 0, span: width, y: height / 2, role: .dim)
            return g
        }
        if let c = ks.comparison {
            let corner = "KS \(String(format: "%.3f", c.ks))"
            if corner.count + title.count + 1 <= width { g.write(corner, x: width - corner.count, y: 0, role: .empirical) }
        }
        let law = f.record.laws?.spectra.spectrum(kernel.limitKernel).map { DisplaySpectrum($0) }
        let eig = ks.eigenvalues
        var hi = law?.fullRange.upperBound ?? (eig.last ?? 1)
        if !eig.isEmpty { hi = max(hi, eig[Int(0.98 * Double(eig.count - 1))]) }
        hi *= 1.05
        let range = min(0, eig.first ?? 0)...max(hi, 1e-12)
        var p: DensityPlot
        if let law {
            p = LinearWidthLayout.lawPlot(law, range: range, state: state, sample: SampleReadout(eigenvalues: eig, law: law), width: width, cursor: false)
        } else {
            p = DensityPlot(xRange: range, yScale: state.display.yScale, mode: state.display.canvas)
            var h = PlotHistogram.binning(eig, range: range, bins: max(8, min(60, width)), role: .empirical)
            h.style = .outline(.dotted)
            p.histograms = [h]
            p.xTitle = "λ"
        }
        p.markers += ks.outliers.filter { range.contains($0.value) }.map { PlotMarker(role: .empirical, x: $0.value) }
        let plotHeight = height - 1 - captionLines
        g.paste(p.render(width: width, height: plotHeight), x: 0, y: 1)
        var lines: [[(String, Int)]] = []
        if let edge = ks.edge {
            var first: [(String, Int)] = [("edge \(sig(edge))", 1)]
            if ks.outliers.isEmpty { first.append(("no outliers", 0)) } else {
                let beyond = ks.outliers.enumerated().filter { !range.contains($0.element.value) }.map { outlierText(ks, $0.offset) }
                first.append(("▲ \(ks.outliers.count) outlier\(ks.outliers.count == 1 ? "" : "s"): " + (0..<min(3, ks.outliers.count)).map { outlierText(ks, $0) }.joined(separator: " "), 0))
                if !beyond.isEmpty { first.append(("→ \(beyond.count) beyond the plot", 2)) }
            }
            lines.append(first)
        } else {
            lines.append([("no edge: the law at initialisation is not trusted (3: why)", 0)])
        }
        var second: [(String, Int)] = []
        if ks.top.count >= 2 { second.append(("top-2 label share \(ScreenLayout.percent(ks.top[1].cumulativeShare))", 0)) }
        if let edge = ks.edge, let top = eig.last, edge > 0 { second.append(("λmax/edge \(sig(top / edge))", 1)) }
        if let c = ks.comparison { second.append(("W1 \(sig(c.w1))", 2)) }
        lines.append(second)
        for (i, items) in lines.prefix(captionLines).enumerated() {
            g.write(LinearWidthLayout.caption(items, width: width), x: 0, y: plotHeight + 1 + i, role: i == 0 ? .text : .dim, maxWidth: width)
        }
        return g
    }

    /// log10 of the batch loss and the full training MSE against the epoch, the shown epoch a
    /// vertical line; the title carries the last test metric.
    static func lossPanel(_ f: TrainingFrame, epoch: Int?, mode: CanvasMode, width: Int, height: Int) -> ScreenGrid {
        var g = ScreenGrid(width: width, height: height)
        let r = f.record
        let last = r.history.last { $0.testMetric != nil }
        g.write(" loss (log10)" + (last?.testMetric.map { " · \(metricName(r)) \(sig($0))" } ?? "") + " ", x: 0, y: 0, role: .title, attributes: [.bold], maxWidth: width)
        let batch = r.history.filter { $0.epoch > 0 && $0.batchLoss > 0 && $0.batchLoss.isFinite }
        let mse = r.history.compactMap { e in e.trainMSE.flatMap { $0 > 0 && $0.isFinite ? (Double(e.epoch), log10($0)) : nil } }
        var series = [XYSeries(role: .theory, x: batch.map { Double($0.epoch) }, y: batch.map { log10($0.batchLoss) }),
                      XYSeries(role: .seriesA, x: mse.map(\.0), y: mse.map(\.1))]
        let yr = XYPlot.yRange(series, maxSpan: 8)
        if let e = epoch { series.append(XYSeries(role: .highlight, x: [Double(e), Double(e)], y: [yr.lowerBound, yr.upperBound])) }
        let epochs = Double(max(1, r.plan?.settings.epochs ?? f.key.epochs))
        var p = XYPlot(xRange: 0...epochs, yRange: yr, axes: XYAxes(logX: false, logY: true), mode: mode)
        p.series = series
        g.paste(p.render(width: width, height: height - 2), x: 0, y: 1)
        var x = g.write("━ batch loss", x: 0, y: height - 1, role: .theory)
        x += g.write("  ━ train MSE", x: x, y: height - 1, role: .seriesA)
        if let e = epoch { g.write("  │ epoch \(e)", x: x, y: height - 1, role: .highlight, maxWidth: max(0, width - x)) }
        return g
    }

    // MARK: focus

    static func drawFocus(_ body: inout ScreenGrid, state: ExplorerState, frame f: TrainingFrame) {
        let s = state.training
        let kernels = kernels(depth: f.record.depth > 0 ? f.record.depth : s.depth)
        let kernel = kernels[min(s.panel, kernels.count - 1)]
        drawTimeline(&body, state: state, frame: f, y: 0)
        let infoWidth = min(50, max(32, body.width / 3))
        let plotWidth = body.width - infoWidth - 1
        let snap = f.snapshot(at: s.epoch)
        let lossHeight = body.height >= 30 ? body.height / 4 : 0
        body.paste(kernelPanel(kernel, snapshot: snap, frame: f, state: state, width: plotWidth, height: body.height - 1 - lossHeight,
                               selected: true, captionLines: 2), x: 0, y: 1)
        if lossHeight > 0 { body.paste(lossPanel(f, epoch: snap?.epoch, mode: state.display.canvas, width: plotWidth, height: lossHeight), x: 0, y: body.height - lossHeight) }
        body.writeFacts(facts(kernel, snapshot: snap, frame: f), x: plotWidth + 1, y: 1, width: infoWidth, rows: body.height - 1)
    }

    /// The focus view's facts: the snapshot's metrics, the law's edge and distances, the outliers with
    /// their label shares, the top eigenpairs, the epoch-0 baseline and the laws' warnings and notes.
    static func facts(_ kernel: SampledKernel, snapshot: TrainingSnapshot?, frame f: TrainingFrame) -> [(String, ColorRole)] {
        var lines: [(String, ColorRole)] = []
        let r = f.record
        if let w = r.laws?.warnings, !w.isEmpty {
            lines.append(("✗ laws at initialisation not trusted", .warning))
            for t in w { lines.append(("  \(t)", .warning)) }
        }
        if let e = f.error { lines.append(("✗ \(e)", .warning)) }
        guard let snap = snapshot, let ks = snap.kernels.first(where: { $0.kernel == kernel }) else {
            lines.append(("no snapshot yet", .dim))
            return lines
        }
        lines.append(("\(name(kernel)) at epoch \(snap.epoch)", .title))
        lines.append(("  train MSE \(sig(snap.trainMSE))   \(metricName(r)) \(sig(snap.testMetric))", .text))
        lines.append(("law at initialisation", .title))
        if let edge = ks.edge { lines.append(("  right edge \(sig(edge, 4)); λmax \(sig(ks.eigenvalues.last ?? .nan, 4))", .text)) }
        if let c = ks.comparison { lines.append(("  KS \(String(format: "%.4f", c.ks))  W1 \(sig(c.w1))", .text)) }
        lines.append(("outliers beyond the edge: \(ks.edge == nil ? "–" : String(ks.outliers.count))", .title))
        if !ks.outliers.isEmpty {
            lines.append(("        λ   λ/edge  label share", .dim))
            for (i, o) in ks.outliers.prefix(8).enumerated() {
                let share = labelShare(ks, outlier: i).map { ScreenLayout.percent($0) } ?? "(not kept)"
                lines.append((sig(o.value, 4).leftPad(9) + sig(o.ratio).leftPad(9) + "  " + share, .text))
            }
            if ks.outliers.count > 8 { lines.append(("  … \(ks.outliers.count - 8) more", .dim)) }
        }
        lines.append(("top eigenvectors: label variance", .title))
        lines.append(("  k        λ   share  top-k", .dim))
        for (i, t) in ks.top.enumerated() {
            lines.append(("  \(i + 1)" + sig(t.value, 4).leftPad(9) + ScreenLayout.percent(t.labelShare).leftPad(8) + ScreenLayout.percent(t.cumulativeShare).leftPad(7), .text))
        }
        if let first = r.snapshots.first, first.epoch == 0, snap.epoch != 0, let k0 = first.kernels.first(where: { $0.kernel == kernel }) {
            lines.append(("epoch 0 (finite-n baseline)", .title))
            lines.append(("  \(k0.outliers.count) outliers" + (k0.outliers.first.map { ", largest \(sig($0.ratio, 4))× the edge" } ?? ""), .text))
        }
        if let notes = r.laws?.notes, !notes.isEmpty {
            lines.append(("notes", .title))
            for n in notes { lines.append(("  \(n)", .dim)) }
        }
        return lines
    }

    // MARK: compare: the run over its snapshots

    static func drawCompare(_ body: inout ScreenGrid, state: ExplorerState, frame f: TrainingFrame) {
        drawTimeline(&body, state: state, frame: f, y: 0)
        let r = f.record
        let kernels = kernels(depth: r.depth > 0 ? r.depth : state.training.depth)
        let leftWidth = body.width * 3 / 5, rightWidth = body.width - leftWidth - 1
        let h = (body.height - 1) / 3
        let shown = f.snapshot(at: state.training.epoch)?.epoch
        body.paste(lossPanel(f, epoch: shown, mode: state.display.canvas, width: leftWidth - 1, height: h), x: 0, y: 1)
        func overTraining(_ title: String, logY: Bool, value: (KernelSnapshot) -> Double?) -> ScreenGrid {
            var g = ScreenGrid(width: leftWidth - 1, height: h)
            var x = g.write(" \(title) ", x: 0, y: 0, role: .title, attributes: [.bold])
            var series: [XYSeries] = []
            for (i, k) in kernels.enumerated() {
                let pts = r.snapshots.compactMap { s -> (Double, Double)? in
                    guard let ks = s.kernels.first(where: { $0.kernel == k }), let v = value(ks), v.isFinite, !logY || v > 0 else { return nil }
                    return (Double(s.epoch), logY ? log10(v) : v)
                }
                let role = roles[i % roles.count]
                series.append(XYSeries(role: role, x: pts.map(\.0), y: pts.map(\.1)))
                x += g.write(" ━ \(name(k))", x: x, y: 0, role: role, maxWidth: max(0, g.width - x))
            }
            let yr = logY ? XYPlot.yRange(series, maxSpan: 6) : 0...1.0
            var p = XYPlot(xRange: 0...Double(max(1, r.plan?.settings.epochs ?? f.key.epochs)), yRange: yr, axes: XYAxes(logX: false, logY: logY), mode: state.display.canvas)
            p.series = series
            g.paste(p.render(width: g.width, height: h - 1), x: 0, y: 1)
            return g
        }
        body.paste(overTraining("top-2 label share", logY: false) { $0.top.count >= 2 ? $0.top[1].cumulativeShare : nil }, x: 0, y: 1 + h)
        body.paste(overTraining("λmax / edge (log10)", logY: true) { k in k.edge.flatMap { e in k.eigenvalues.last.map { $0 / e } } }, x: 0, y: 1 + 2 * h)
        var lines: [(String, ColorRole)] = [("snapshots: outliers of CK ℓ=\(r.depth) and the NTK", .title), ("  epoch  train MSE  \(metricName(r))  outliers", .dim)]
        for s in r.snapshots {
            let counts = [SampledKernel.ck(r.depth), .ntk].map { k in s.kernels.first { $0.kernel == k }.map { String($0.outliers.count) } ?? "–" }
            lines.append((String(s.epoch).leftPad(7) + sig(s.trainMSE).leftPad(11) + sig(s.testMetric).leftPad(9) + "   " + counts.joined(separator: ", "),
                          s.epoch == shown ? .highlight : .text))
        }
        body.writeFacts(lines, x: leftWidth + 1, y: 1, width: rightWidth, rows: body.height - 1)
    }
}

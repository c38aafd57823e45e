import ExplorerCore
import Foundation
import LimitLaws
import NetworkSampling
import NetworkTraining
import PlotCanvas

/// The training regime's exports (RegimeExport.swift). The run's data are written by
/// `TrainingRecord`'s own writers (the ones `ntkscope train` uses): csv is its eigenvalue table,
/// json embeds its whole document; the view (the epoch shown, the kernel selected) and the limit laws
/// at initialisation that the panels draw are added around them.
struct TrainingExport: RegimeExport {
    func csv(state: ExplorerState, content: FrameContent) -> String { ViewExport.trainingCSV(state: state, content: content) }
    func jsonSections(state: ExplorerState, content: FrameContent) -> [(String, JSON)] {
        [("training", ViewExport.trainingJSON(state: state, content: content))]
    }
    func svg(state: ExplorerState, content: FrameContent, width: Int, height: Int, theme: Theme) -> String {
        ViewExport.trainingSVG(state: state, content: content, width: width, height: height, theme: theme)
    }
    var replacesLinearLaws: Bool { true }
}

extension ViewExport {
    /// The snapshot the view shows and the kernel selected.
    static func trainingView(_ state: ExplorerState, _ f: TrainingFrame) -> (snapshot: TrainingSnapshot?, kernel: SampledKernel) {
        let kernels = TrainingLayout.kernels(depth: f.record.depth > 0 ? f.record.depth : state.training.depth)
        return (f.snapshot(at: state.training.epoch), kernels[min(state.training.panel, kernels.count - 1)])
    }

    /// `csv` in the training mode: `TrainingRecord.eigenvalueCSV()` (one row per snapshot × kernel ×
    /// eigenvalue: `epoch,kernel,layer,rank,eigenvalue,excess`), after `#` lines with the session, the
    /// run's settings and state, and the view's epoch.
    public static func trainingCSV(state: ExplorerState, content: FrameContent) -> String {
        let s = state.training
        var out = "# \(toolVersion) view export (csv, training); the session: \(configLine(Session(state: state)))\n"
        out += "# training: \(s.shapeText), sigma = \(s.activation), task = \(s.task), \(s.optimizerText), \(s.epochs) epochs, seed = \(s.seed), snapshots every \(s.snapshotEvery) epochs (docs/training.md)\n"
        guard let f = content.training else {
            return out + "# (not trained: the session's run = false)\nepoch,kernel,layer,rank,eigenvalue,excess\n"
        }
        let (snap, kernel) = trainingView(state, f)
        out += "# run: \(f.record.isComplete ? "complete" : (f.running ? "running" : (f.cancelled ? "cancelled" : "stopped"))) after \(f.record.epochsCompleted) epochs"
        out += f.error.map { "; failed: \($0)" } ?? ""
        out += "; the view shows epoch \(snap.map { String($0.epoch) } ?? "-"), kernel \(kernel)\n"
        out += "# rank 1 is the largest eigenvalue; excess = eigenvalue - the right edge of the kernel's limit law at initialisation, for outliers only\n"
        for w in f.record.laws?.warnings ?? [] { out += "# warning: \(w)\n" }
        for n in f.record.laws?.notes ?? [] { out += "# note: \(n)\n" }
        return out + f.record.eigenvalueCSV()
    }

    /// The `training` object of the json export: the view, the run's settings, the laws at
    /// initialisation on each panel's range, and the record (`TrainingRecord.jsonDocument()`).
    static func trainingJSON(state: ExplorerState, content: FrameContent) -> JSON {
        let s = state.training
        var root: [(String, JSON)] = [
            ("settings", .object([("activation", .string(s.activation)), ("task", .string(s.task)), ("n", .int(s.n)), ("input_dim", .int(s.inputDim)),
                                  ("width", .int(s.width)), ("depth", .int(s.depth)), ("epochs", .int(s.epochs)), ("learning_rate", .number(s.learningRate)),
                                  ("optimizer", .string(s.optimizer)), ("batch_size", s.batchSize > 0 ? .int(s.batchSize) : .string("full")),
                                  ("seed", .string(String(s.seed))), ("snapshot_every", .int(s.snapshotEvery))])),
        ]
        guard let f = content.training else { return .object(root + [("record", .null)]) }
        let (snap, kernel) = trainingView(state, f)
        root.append(("view", .object([("epoch", snap.map { .int($0.epoch) } ?? .null), ("kernel", .string(kernel.name)),
                                      ("layer", .int(kernel.layer ?? f.record.depth))])))
        root.append(("status", .object([("running", .bool(f.running)), ("complete", .bool(f.record.isComplete)), ("cancelled", .bool(f.cancelled)),
                                        ("error", f.error.map { .string($0) } ?? .null)])))
        if let laws = f.record.laws {
            root.append(("laws_at_initialisation", .array(TrainingLayout.kernels(depth: f.record.depth).compactMap { k -> JSON? in
                guard let l = laws.spectra.spectrum(k.limitKernel) else { return nil }
                return .object([("kernel", .string(k.name)), ("layer", .int(k.layer ?? f.record.depth)), ("edge", laws.edges[k].map { .number($0) } ?? .null),
                                ("law", lawJSON(DisplaySpectrum(l)))])
            })))
        }
        root.append(("record", .raw(f.record.jsonDocument())))
        return .object(root)
    }

    /// `svg` in the training mode: every kernel at the epoch shown (law at initialisation and the
    /// trained spectrum's step outline) and the loss curve.
    static func trainingSVG(state: ExplorerState, content: FrameContent, width: Int, height: Int, theme: Theme) -> String {
        var (svg, W, H) = regimeSVGStart(state: state, width: width, height: height, theme: theme, title: "ntkscope training \(state.view.rawValue) view")
        let s = state.training
        svg.text("ntkscope · training · σ = \(s.activation) · \(s.shapeText) · \(s.optimizerText) · \(s.epochs) epochs · seed \(s.seed)",
                 x: 12, y: 20, role: .title, size: 15, weight: "bold", cls: "header")
        guard let f = content.training, !f.record.snapshots.isEmpty else {
            svg.text("(not trained)", x: 12, y: 44, role: .dim, cls: "header")
            svg.line("</svg>")
            return svg.out
        }
        let (snap, selected) = trainingView(state, f)
        let metric = f.record.plan?.metric == .accuracy ? "test accuracy" : "test R²"
        svg.text("epoch \(snap?.epoch ?? 0): train MSE \(AxisTicks.significant(snap?.trainMSE ?? .nan, 3)), \(metric) \(AxisTicks.significant(snap?.testMetric ?? .nan, 3)); curves: limit laws at initialisation, steps: the trained spectra",
                 x: 12, y: 38, role: .dim, size: 12, cls: "header")
        let top = 48.0
        let body = (x: 8.0, y: top, w: W - 16, h: H - top - 8)
        let kernels = state.view == .layers ? TrainingLayout.kernels(depth: f.record.depth) : [selected]
        let n = kernels.count + 1
        let cols = Int(Double(n).squareRoot().rounded(.up)), rows = (n + cols - 1) / cols
        let pw = body.w / Double(cols), ph = body.h / Double(rows)
        for (i, k) in kernels.enumerated() {
            guard let ks = snap?.kernels.first(where: { $0.kernel == k }) else { continue }
            let law = f.record.laws?.spectra.spectrum(k.limitKernel).map { DisplaySpectrum($0) }
            let eig = ks.eigenvalues
            var hi = max(law?.fullRange.upperBound ?? 0, eig.isEmpty ? 1 : eig[Int(0.98 * Double(eig.count - 1))]) * 1.05
            if !(hi > 0) { hi = 1 }
            var series: [(ColorRole, [(Double, Double)])] = []
            if let law { series.append((.theory, law.x.indices.filter { law.x[$0] <= hi }.map { (law.x[$0], law.density[$0]) })) }
            series.append((.empirical, binnedSteps(eig, range: 0...hi, bins: 60, total: eig.count)))
            let outliers = ks.outliers.prefix(3).enumerated().map { "\(AxisTicks.significant($0.element.value, 3))" + (TrainingLayout.labelShare(ks, outlier: $0.offset).map { " (\(ScreenLayout.percent($0)))" } ?? "") }
            let title = "\(TrainingLayout.name(k)) · edge \(ks.edge.map { AxisTicks.significant($0, 3) } ?? "–") · \(ks.outliers.count) outliers" + (outliers.isEmpty ? "" : ": " + outliers.joined(separator: ", "))
            xyPanel(&svg, rect: (body.x + Double(i % cols) * pw, body.y + Double(i / cols) * ph, pw - 12, ph - 12), title: title, xLabel: "λ",
                    logX: false, logY: false, series: series)
        }
        let j = kernels.count
        let loss = f.record.history.filter { $0.epoch > 0 && $0.batchLoss > 0 }.map { (Double($0.epoch), log10($0.batchLoss)) }
        let mse = f.record.history.compactMap { e in e.trainMSE.flatMap { $0 > 0 ? (Double(e.epoch), log10($0)) : nil } }
        let lossRect = (body.x + Double(j % cols) * pw, body.y + Double(j / cols) * ph, pw - 12, ph - 12)
        var lossSeries: [(ColorRole, [(Double, Double)])] = [(.theory, loss), (.seriesA, mse)]
        let ys = (loss + mse).map(\.1)
        if let epoch = snap?.epoch, let lo = ys.min(), let hi = ys.max() { lossSeries.append((.dim, [(Double(epoch), lo), (Double(epoch), hi)])) }   // the epoch shown
        xyPanel(&svg, rect: lossRect, title: "loss", xLabel: "epoch", logX: false, series: lossSeries)
        // the legend in the curves' own colours, after the title
        svg.text("━ batch loss", x: lossRect.0 + 48, y: lossRect.1 + 14, role: .theory, cls: "title")
        svg.text("━ train MSE", x: lossRect.0 + 140, y: lossRect.1 + 14, role: .seriesA, cls: "title")
        svg.line("</svg>")
        return svg.out
    }
}

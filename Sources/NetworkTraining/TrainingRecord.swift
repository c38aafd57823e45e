import Foundation
import LimitLaws
import NetworkSampling

/// Everything a run has reported so far, built from its events (`apply`): what the command line
/// writes after every snapshot and what an explorer view shows. A pure value.
public struct TrainingRecord: Sendable {
    public private(set) var plan: TrainingPlan?
    public private(set) var laws: InitialLaws?
    /// One record per completed epoch, from epoch 0.
    public private(set) var history: [EpochRecord] = []
    public private(set) var snapshots: [TrainingSnapshot] = []
    public private(set) var summary: TrainingSummary?
    /// The last progress report.
    public private(set) var progress: TrainingProgress?

    public init() {}

    public mutating func apply(_ event: TrainingEvent) {
        switch event {
        case .started(let p): plan = p
        case .progress(let p): progress = p
        case .epoch(let r): history.append(r)
        case .laws(let l): laws = l
        case .snapshot(let s): snapshots.append(s)
        case .finished(let s): summary = s
        }
    }

    /// Whether the run finished (else it was stopped, or is running).
    public var isComplete: Bool { summary != nil }
    public var epochsCompleted: Int { history.last?.epoch ?? 0 }
    /// The largest eigenpairs kept per kernel.
    public var topK: Int { plan?.settings.topK ?? 0 }
    public var depth: Int { plan.map { $0.widths.count - 1 } ?? 0 }
}

// MARK: - Files

extension TrainingRecord {
    static func number(_ x: Double) -> String { x.isFinite ? "\(x)" : "nan" }
    static func json(_ x: Double?) -> String { x.map { $0.isFinite ? "\($0)" : "null" } ?? "null" }
    /// A JSON string literal (Foundation's encoder does the escaping).
    static func json(_ s: String) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .withoutEscapingSlashes
        return (try? encoder.encode(s)).flatMap { String(data: $0, encoding: .utf8) } ?? "\"\""
    }

    func layer(_ k: SampledKernel) -> Int { k.layer ?? depth }

    /// One row per snapshot × kernel × eigenvalue: `epoch,kernel,layer,rank,eigenvalue,excess` — rank 1 is
    /// the largest; `excess` = λ − edge for eigenvalues beyond the right edge of the initial limit law
    /// (outliers), empty otherwise. Eigenvalues ascending within a kernel.
    public func eigenvalueCSV() -> String {
        var out = "epoch,kernel,layer,rank,eigenvalue,excess\n"
        for s in snapshots {
            for k in s.kernels {
                let n = k.eigenvalues.count
                let prefix = "\(s.epoch),\(k.kernel.name),\(layer(k.kernel)),"
                for (i, v) in k.eigenvalues.enumerated() {
                    let excess = k.edge.map { v > $0 ? Self.number(v - $0) : "" } ?? ""
                    out += prefix + "\(n - i),\(Self.number(v)),\(excess)\n"
                }
            }
        }
        return out
    }

    /// One row per snapshot × kernel (see docs/training.md for every column).
    public func summaryCSV() -> String {
        let k = topK
        let compare = plan?.settings.compare ?? false
        var header = "epoch,kernel,layer,train_mse,test_metric,lambda_max,edge,outliers,largest_excess,largest_ratio"
        if compare { header += ",ks,w1" }
        header += (0..<k).map { ",top_\($0 + 1)" }.joined() + (0..<k).map { ",share_\($0 + 1)" }.joined()
        var out = header + "\n"
        for s in snapshots {
            for ks in s.kernels {
                var row = "\(s.epoch),\(ks.kernel.name),\(layer(ks.kernel)),\(Self.number(s.trainMSE)),\(Self.number(s.testMetric)),"
                row += "\(Self.number(ks.eigenvalues.last ?? .nan)),\(ks.edge.map(Self.number) ?? "nan"),\(ks.edge == nil ? "nan" : "\(ks.outliers.count)"),"
                row += "\(ks.outliers.first.map { Self.number($0.excess) } ?? ""),\(ks.outliers.first.map { Self.number($0.ratio) } ?? "")"
                if compare { row += ",\(ks.comparison.map { Self.number($0.ks) } ?? "nan"),\(ks.comparison.map { Self.number($0.w1) } ?? "nan")" }
                for i in 0..<k { row += "," + (i < ks.top.count ? Self.number(ks.top[i].value) : "") }
                for i in 0..<k { row += "," + (i < ks.top.count ? Self.number(ks.top[i].cumulativeShare) : "") }
                out += row + "\n"
            }
        }
        return out
    }

    /// The loss curve: `epoch,batch_loss,train_mse,test_metric,seconds` (empty where not evaluated).
    public func historyCSV() -> String {
        var out = "epoch,batch_loss,train_mse,test_metric,seconds\n"
        for r in history {
            out += "\(r.epoch),\(r.epoch == 0 ? "" : Self.number(r.batchLoss)),\(r.trainMSE.map(Self.number) ?? ""),"
                + "\(r.testMetric.map(Self.number) ?? ""),\(String(format: "%.3f", r.elapsed))\n"
        }
        return out
    }

    /// The top-k eigenvectors, long format: `epoch,kernel,layer,rank,eigenvalue,label_share,sample,component`
    /// (sample = training-sample index from 0, in the order of the training data).
    public func vectorsCSV() -> String {
        var out = "epoch,kernel,layer,rank,eigenvalue,label_share,sample,component\n"
        for s in snapshots {
            for k in s.kernels {
                for (r, p) in k.top.enumerated() {
                    let prefix = "\(s.epoch),\(k.kernel.name),\(layer(k.kernel)),\(r + 1),\(Self.number(p.value)),\(Self.number(p.labelShare)),"
                    for (i, c) in p.vector.enumerated() { out += prefix + "\(i),\(Self.number(c))\n" }
                }
            }
        }
        return out
    }

    /// The whole record (without eigenvectors) as one JSON document.
    public func jsonDocument() -> String {
        var j = "{\n"
        if let p = plan {
            let st = p.settings
            j += "  \"task\": \(Self.json(st.task.name)),\n  \"data\": \(Self.json(p.dataSummary)),\n"
            j += "  \"activation\": \(Self.json(st.activation.name)),\n"
            j += "  \"n\": \(p.n),\n  \"test_samples\": \(p.testCount),\n  \"metric\": \(Self.json(p.metric.rawValue)),\n"
            j += "  \"widths\": [\(p.widths.map(String.init).joined(separator: ", "))],\n"
            j += "  \"parameters\": \(p.parameterCount),\n"
            j += "  \"optimizer\": \(Self.json(st.optimizer.name)),\n  \"parametrization\": \(Self.json(st.parametrization.rawValue)),\n"
            if case .adam(let b1, let b2, let eps) = st.optimizer {
                j += "  \"adam\": {\"beta1\": \(b1), \"beta2\": \(b2), \"epsilon\": \(eps)},\n"
            }
            j += "  \"learning_rate\": \(st.learningRate),\n  \"batch_size\": \(p.batchSize),\n  \"steps_per_epoch\": \(p.stepsPerEpoch),\n"
            j += "  \"epochs\": \(st.epochs),\n  \"seed\": \(st.seed),\n  \"data_seed\": \(st.resolvedDataSeed),\n"
            j += "  \"precision\": \(Self.json(st.precision.rawValue)),\n  \"threads\": \(p.threads),\n  \"step_threads\": \(p.stepThreads),\n"
            j += "  \"snapshot_epochs\": [\(p.snapshotEpochs.map(String.init).joined(separator: ", "))],\n"
        }
        j += "  \"complete\": \(isComplete),\n  \"epochs_completed\": \(epochsCompleted),\n"
        if let l = laws {
            let keys = l.edges.keys.sorted()
            j += "  \"initial_laws\": {\"input\": \(Self.json(l.model.input.shortDescription)), "
            j += "\"gammas\": [\(l.model.gammas.map { "\($0)" }.joined(separator: ", "))], \"edges\": {"
            j += keys.map { "\(Self.json("\($0)")): \(Self.json(l.edges[$0]))" }.joined(separator: ", ")
            j += "}, \"warnings\": [\(l.warnings.map(Self.json).joined(separator: ", "))], "
            j += "\"notes\": [\(l.notes.map(Self.json).joined(separator: ", "))]},\n"
        }
        j += "  \"history\": [\n"
        j += history.map { r in
            "    {\"epoch\": \(r.epoch), \"batch_loss\": \(Self.json(r.epoch == 0 ? nil : r.batchLoss)), \"train_mse\": \(Self.json(r.trainMSE)), "
                + "\"test_metric\": \(Self.json(r.testMetric)), \"seconds\": \(Self.json(r.elapsed))}"
        }.joined(separator: ",\n")
        j += "\n  ],\n  \"snapshots\": [\n"
        j += snapshots.map { s in
            var t = "    {\"epoch\": \(s.epoch), \"train_mse\": \(Self.json(s.trainMSE)), \"test_metric\": \(Self.json(s.testMetric)), "
            t += "\"seconds\": \(Self.json(s.seconds)), \"kernels\": [\n"
            t += s.kernels.map { k in
                var u = "      {\"kernel\": \(Self.json(k.kernel.name)), \"layer\": \(layer(k.kernel)), \"edge\": \(Self.json(k.edge)), "
                u += "\"outliers\": [" + k.outliers.map { "{\"value\": \(Self.json($0.value)), \"excess\": \(Self.json($0.excess)), \"ratio\": \(Self.json($0.ratio))}" }.joined(separator: ", ") + "], "
                u += "\"top\": [" + k.top.map { "{\"value\": \(Self.json($0.value)), \"label_share\": \(Self.json($0.labelShare)), \"cumulative_share\": \(Self.json($0.cumulativeShare))}" }.joined(separator: ", ") + "], "
                if let c = k.comparison { u += "\"ks\": \(Self.json(c.ks)), \"w1\": \(Self.json(c.w1)), " }
                u += "\"eigenvalues\": [" + k.eigenvalues.map { Self.json($0) }.joined(separator: ", ") + "]}"
                return u
            }.joined(separator: ",\n")
            return t + "\n    ]}"
        }.joined(separator: ",\n")
        j += "\n  ]"
        if let s = summary {
            let t = s.timings
            j += ",\n  \"timings\": {\"steps\": \(Self.json(t.steps)), \"evaluation\": \(Self.json(t.evaluation)), "
            j += "\"snapshots\": \(Self.json(t.snapshots)), \"laws\": \(Self.json(t.laws)), \"total\": \(Self.json(t.total))}"
        }
        return j + "\n}\n"
    }

    /// The human-readable table of the snapshots (stdout of `ntkscope train`).
    public func summaryTable() -> String {
        let metric = plan?.metric == .accuracy ? "test acc" : "test R²"
        let k = min(topK, 3)
        var t = "epoch  kernel layer   train MSE  \(metric)     λ_max      edge  outliers  λ_max/edge"
        t += (0..<k).map { "  top\($0 + 1) share" }.joined()
        if plan?.settings.compare ?? false { t += "      KS      W1" }
        t += "\n"
        for s in snapshots {
            for ks in s.kernels {
                func pad(_ s: String, _ w: Int, left: Bool = false) -> String {
                    let fill = String(repeating: " ", count: max(0, w - s.count))
                    return left ? s + fill : fill + s
                }
                t += String(format: "%5d  ", s.epoch) + pad(ks.kernel.name, 6, left: true)
                t += String(format: " %5d  %10.3e  %7.4f  %8.4g  %8.4g", layer(ks.kernel), s.trainMSE, s.testMetric,
                            ks.eigenvalues.last ?? .nan, ks.edge ?? .nan)
                t += "  " + pad(ks.edge == nil ? "-" : "\(ks.outliers.count)", 8)
                t += "  " + pad(ks.outliers.first.map { String(format: "%.3f", $0.ratio) } ?? "-", 10)
                for i in 0..<k { t += i < ks.top.count ? String(format: "  %10.1f%%", 100 * ks.top[i].cumulativeShare) : "            " }
                if plan?.settings.compare ?? false {
                    t += ks.comparison.map { String(format: "  %6.4f  %6.4f", $0.ks, $0.w1) } ?? "       -       -"
                }
                t += "\n"
            }
        }
        if let w = laws?.warnings, !w.isEmpty { t += w.map { "warning: \($0)\n" }.joined() }
        if let n = laws?.notes, !n.isEmpty { t += n.map { "note: \($0)\n" }.joined() }
        return t
    }
}

import ArgumentParser
import Dispatch
import Foundation
import LimitLaws
import NetworkSampling
import NetworkTraining
import ViewExport

#if canImport(Glibc)
import Glibc
#endif

/// `ntkscope train`: trains the network of eq. (1) and records its CK and NTK spectra over training
/// (Fan & Wang §4.3). See docs/training.md.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a network and watch its CK and NTK spectra leave their limit laws at initialisation.",
        discussion: """
        The network of eq. (1) (no biases), initialised exactly as `ntkscope sample --seed S` draws it, is \
        trained on the squared loss with Adam or gradient descent. At the snapshot epochs (epoch 0 always) \
        every CK layer and the NTK are formed as the sampler forms them, with their eigenvalues, top-k \
        eigenvectors, outliers beyond the right edge of the limit law at initialisation, and the share of \
        the label variance on the top eigenvectors. Output files are rewritten atomically after every \
        snapshot, so Ctrl-C keeps every snapshot taken so far (exit code 130). --figure3 sets the paper's \
        Figure 3 setting. Exit code 2 on bad input.
        """)

    @Flag(help: "The paper's Figure 3 setting: --n 1000 --input-dim 800 --widths 800,800,800 --epochs 300 --snapshots every:30 (other options still apply).")
    var figure3 = false

    @Option(help: "Task: single-neuron (y = σ(xᵀv), the default), linear (y = xᵀv) or classification (needs --data).")
    var task: String?

    @Option(help: "Activation σ (as for every subcommand; see `ntkscope activations`). (default: arctan)")
    var activation: String = "arctan"

    @Option(name: .customLong("n"), help: "Training samples (default 400; with --data: all training samples of the split).", transform: CommandLineValues.integer("must be " + TrainingSettings.sampleCounts.description))
    var n: Int?

    @Option(name: .customLong("test"), help: "Held-out samples of the teacher tasks. (default: 1000)", transform: CommandLineValues.integer("must be " + TrainingSettings.testCounts.description))
    var testCount: Int?

    @Option(name: .customLong("input-dim"), help: "Input dimension d0 of the teacher tasks. (default: 320)", transform: CommandLineValues.integer("must be " + TrainingSettings.dimensions.description))
    var inputDim: Int?

    @Option(help: "Comma-separated hidden widths d1,...,dL (sets the depth). (default: 320,320,320)")
    var widths: String?

    @Option(help: "Width of every hidden layer (with --depth).", transform: CommandLineValues.integer("must be " + TrainingSettings.dimensions.description))
    var width: Int?

    @Option(help: "Number of hidden layers L (with --width). (default: 3)", transform: CommandLineValues.integer(NumberBounds.depth))
    var depth: Int?

    @Option(help: "Inputs of the teacher tasks: sphere (uniform on the unit sphere, the paper) or gaussian (iid N(0,1/d0)).")
    var input: String = "sphere"

    @Option(help: "Data matrix (.csv or .npy, one sample per row) for binary classification.")
    var data: String?

    @Option(help: "Labels of --data: a column of the data file (1-based; -1 = the last) or a file with one label per row.")
    var labels: String?

    @Option(name: .customLong("test-fraction"), help: "Share of the --data samples held out. (default: 0.2)")
    var testFraction: Double = 0.2

    @Option(name: .customLong("remove-pcs"), help: "Remove the top K principal components of --data (after centring).", transform: CommandLineValues.integer(CommandLineValues.removePCsAllowed))
    var removePCs: Int = 0

    @Option(help: "Optimiser: adam (Kingma & Ba, Algorithm 1) or gd (gradient descent).")
    var optimizer: String = "adam"

    @Option(help: "Weights the optimiser moves: ntk (W with N(0,1) entries, eq. (1) as written) or standard (W/sqrt(fan-in)); the network and its kernels are the same.")
    var parametrization: String = "ntk"

    @Option(help: "Learning rate. (default: 0.01)")
    var lr: Double = 0.01

    @Option(name: .customLong("batch-size"), help: "Mini-batch size, or 'full'. (default: 32 for adam, full for gd)")
    var batchSize: String?

    @Option(help: "Training epochs. (default: 50)", transform: CommandLineValues.integer("must be " + TrainingSettings.epochCounts.description))
    var epochs: Int?

    @Option(help: "Adam's β1. (default: 0.9)")
    var beta1: Double = 0.9
    @Option(help: "Adam's β2. (default: 0.999)")
    var beta2: Double = 0.999
    @Option(help: "Adam's ε (added to √v̂). (default: 1e-7, Keras's)")
    var epsilon: Double = 1e-7

    @Option(help: "Seed of the weights (as `ntkscope sample --seed`) and of the batch order. (default: 0)", transform: CommandLineValues.seed)
    var seed: UInt64 = 0

    @Option(name: .customLong("data-seed"), help: "Seed of the inputs, the teacher and the data split. (default: --seed)", transform: CommandLineValues.seed)
    var dataSeed: UInt64?

    @Option(help: "Snapshot epochs: every:K, log:K (about K log-spaced epochs) or a list like 0,5,50. Epoch 0 and the last are always taken. (default: every:E/10)")
    var snapshots: String?

    @Option(name: .customLong("top-k"), help: "Eigenpairs per kernel and snapshot for the label-variance shares. (default: 5)", transform: CommandLineValues.integer("must be " + TrainingSettings.topKs.description))
    var topK: Int = 5

    @Flag(help: "Also the KS and W1 distances of every snapshot spectrum from the initial limit laws.")
    var compare = false

    @Option(help: "Precision of weights, products, optimiser and kernels: float32 or float64.")
    var precision: String = "float32"

    @Option(help: "BLAS threads of the snapshots (default: OPENBLAS_NUM_THREADS or the number of cores, as `sample`).", transform: CommandLineValues.integer(NumberBounds.threads))
    var threads: Int?

    @Option(name: .customLong("step-threads"), help: "Threads of the optimiser steps and evaluations. (default: 1)", transform: CommandLineValues.integer(NumberBounds.threads))
    var stepThreads: Int?

    @Option(name: .customLong("eval-every"), help: "Full train-MSE and test passes every K epochs (0 = at snapshots only). (default: every max(1, epochs/50))", transform: CommandLineValues.integer("must be " + TrainingSettings.evaluateEveryAllowed))
    var evalEvery: Int?

    @Option(help: "Format of --output: csv (epoch,kernel,layer,rank,eigenvalue,excess) or json (everything but the eigenvectors).")
    var format: String = "csv"

    @Option(name: .shortAndLong, help: "Eigenvalues (csv) or the whole record (json); '-' for stdout at the end.")
    var output: String?

    @Option(help: "Summary CSV: one row per snapshot and kernel.")
    var summary: String?

    @Option(help: "Loss curve CSV: one row per epoch.")
    var history: String?

    @Option(help: "Top-k eigenvectors CSV (long format).")
    var vectors: String?

    @Flag(help: "Replace existing output files.")
    var force = false

    struct Failure: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }

    func bad(_ option: String, _ value: Any, _ allowed: String) -> ModelError {
        ModelError(field: option, value: "\(value)", allowed: allowed)
    }

    // MARK: settings

    func settings() throws -> TrainingSettings {
        var s = figure3 ? TrainingSettings.figure3 : TrainingSettings()
        do { s.activation = try Activation.named(activation) } catch { throw bad("--activation", error.value, error.allowed) }
        let taskName = task ?? (data != nil ? "classification" : "single-neuron")
        switch taskName {
        case "single-neuron", "neuron": s.task = .singleNeuron
        case "linear": s.task = .linearTeacher
        case "classification":
            guard let path = data else { throw bad("--task", taskName, "classification needs --data FILE and --labels COLUMN|FILE") }
            s.task = .classification(try loadLabeled(path))
            s.n = nil
        default: throw bad("--task", taskName, "single-neuron, linear or classification")
        }
        if data != nil, taskName != "classification" { throw bad("--data", data!, "only with --task classification") }
        if labels != nil, data == nil { throw bad("--labels", labels!, "needs --data FILE") }
        if let n { s.n = n }
        if let testCount { s.testCount = testCount }
        if let inputDim { s.inputDim = inputDim }
        if let widths {
            guard width == nil, depth == nil else { throw bad("--widths", widths, "either --widths or --width/--depth, not both") }
            s.widths = try widths.split(separator: ",", omittingEmptySubsequences: false).map { piece in
                let t = piece.trimmingCharacters(in: .whitespaces)
                guard let v = Int(t) else { throw bad("--widths", t.isEmpty ? "(empty item)" : t, "a comma-separated list, each \(TrainingSettings.dimensions)") }
                return v
            }
        } else if width != nil || depth != nil {
            let d = depth ?? s.widths.count
            guard NumberBounds.depth.contains(Double(d)) else { throw bad("--depth", d, NumberBounds.depth.description) }
            s.widths = Array(repeating: width ?? s.widths.first ?? 320, count: d)
        }
        guard let kind = InputDesign.Kind(rawValue: input) else { throw bad("--input", input, "sphere or gaussian") }
        s.inputs = kind
        s.testFraction = testFraction
        guard removePCs >= 0 else { throw bad("--remove-pcs", removePCs, CommandLineValues.removePCsAllowed) }
        if removePCs != 0, data == nil { throw bad("--remove-pcs", removePCs, "needs --data FILE") }
        s.removePCs = removePCs
        switch optimizer {
        case "adam": s.optimizer = .adam(beta1: beta1, beta2: beta2, epsilon: epsilon)
        case "gd", "sgd": s.optimizer = .gradientDescent
        default: throw bad("--optimizer", optimizer, "adam or gd")
        }
        s.learningRate = lr
        guard let par = Parametrization(rawValue: parametrization) else { throw bad("--parametrization", parametrization, "ntk or standard") }
        s.parametrization = par
        if let b = batchSize {
            if b == "full" { s.batchSize = nil } else {
                guard let v = Int(b), v >= 1 else { throw bad("--batch-size", b, "an integer ≥ 1 or 'full'") }
                s.batchSize = v
            }
        } else if optimizer != "adam" {
            s.batchSize = nil
        }
        if let epochs { s.epochs = epochs }
        s.seed = seed
        s.dataSeed = dataSeed
        if let text = snapshots {
            s.snapshots = try Self.parseSchedule(text)
        } else if !figure3 {
            s.snapshots = .every(max(1, s.epochs / 10))
        }
        s.topK = topK
        s.compare = compare
        guard let p = Precision(rawValue: precision) else { throw bad("--precision", precision, "float32 or float64") }
        s.precision = p
        s.threads = threads
        s.stepThreads = stepThreads
        s.evaluateEvery = evalEvery
        guard ["csv", "json"].contains(format) else { throw bad("--format", format, "csv or json") }
        do { try s.validate() } catch {
            if case .invalidSettings(let o, let v, let a) = error { throw bad(o, v, a) }
            throw Failure(message: error.description)
        }
        return s
    }

    static func parseSchedule(_ text: String) throws -> SnapshotSchedule {
        guard let s = SnapshotSchedule.parse(text) else { throw ModelError(field: "--snapshots", value: text, allowed: SnapshotSchedule.syntax) }
        return s
    }

    /// The data file and its labels: a column of the file (removed from the features) or a file of labels.
    func loadLabeled(_ path: String) throws -> LabeledData {
        guard let spec = labels else { throw bad("--labels", "(missing)", LabeledData.labelsSyntax) }
        let m: DataMatrix
        do { m = try DataMatrix.read(path: path, field: "--data") } catch { throw Failure(message: error.naming(option: "--data").description) }
        let name = URL(fileURLWithPath: path).lastPathComponent
        let source: LabeledData.Labels
        if let c = Int(spec) { source = .column(c) } else {
            let l: DataMatrix
            do { l = try DataMatrix.read(path: spec, field: "--labels") } catch { throw Failure(message: error.naming(option: "--labels").description) }
            guard l.features == 1 else { throw bad("--labels", spec, "a file with one label per row (it has \(l.features) columns)") }
            source = .values(l.values, name: URL(fileURLWithPath: spec).lastPathComponent)
        }
        do { return try LabeledData.make(m, labels: source, name: name) } catch {
            if case .invalidSettings(let o, _, let a) = error { throw bad(o, spec, a) }
            throw Failure(message: error.description)
        }
    }

    // MARK: run

    func run() throws {
        let s = try settings()
        let outputs = [(output, "--output"), (summary, "--summary"), (history, "--history"), (vectors, "--vectors")]
        for case let (path?, option) in outputs where path != "-" {
            if path.isEmpty { throw bad(option, path, FileWriteError(path: path, reason: .emptyPath).description) }
            let absolute = AtomicFile.absolutePath(path)
            if FileManager.default.fileExists(atPath: absolute) && !force {
                throw bad(option, path, "the file exists; pass --force to replace it")
            }
            let folder = (absolute as NSString).deletingLastPathComponent
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDir), isDir.boolValue else {
                throw bad(option, path, "a file in an existing folder")
            }
        }
        let data: TrainingData
        do { data = try TrainingData.make(s) } catch {
            if case .invalidSettings(let o, let v, let a) = error { throw bad(o, v, a) }
            throw Failure(message: error.description)
        }

        let token = CancellationToken()
        signal(SIGINT, SIG_IGN)
        let interrupts = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        interrupts.setEventHandler {
            if token.isCancelled {
                StandardStreams.error("\nntkscope: interrupted again; exiting at once (files already written are complete)\n")
                Main.finish(130)
            }
            StandardStreams.error("\nntkscope: stopping after the current step (Ctrl-C again to quit at once)\n")
            token.cancel()
        }
        interrupts.resume()

        let tty = isatty(2) == 1
        var record = TrainingRecord()
        var lastDraw = Date.distantPast
        var writeError: Error?
        var lastLoss = Double.nan
        let started = Date()
        var failure: TrainingError?
        do {
            try Trainer.run(s, data: data, token: token) { event in
                record.apply(event)
                switch event {
                case .started(let p):
                    let line = "training \(p.dataSummary); widths \(p.widths.map(String.init).joined(separator: ",")), "
                        + "\(p.parameterCount) parameters, \(s.optimizer.name) lr \(s.learningRate), batch \(p.batchSize) "
                        + "(\(p.stepsPerEpoch) steps/epoch), \(s.epochs) epochs, snapshots at \(Self.epochList(p.snapshotEpochs)), "
                        + "\(s.precision.rawValue), \(p.stepThreads) step thread\(p.stepThreads == 1 ? "" : "s"), \(p.threads) snapshot thread\(p.threads == 1 ? "" : "s")\n"
                    StandardStreams.error(line)
                case .epoch(let r):
                    if r.epoch > 0 { lastLoss = r.batchLoss }
                case .laws(let l):
                    for w in l.warnings { StandardStreams.error(((tty ? "\r\u{1B}[K" : "") + "warning: \(w)\n")) }
                    for n in l.notes { StandardStreams.error(((tty ? "\r\u{1B}[K" : "") + "note: \(n)\n")) }
                case .progress(let p) where tty:
                    let now = Date()
                    if now.timeIntervalSince(lastDraw) > 0.1 || p.phase == .done {
                        lastDraw = now
                        let what = p.phase == .snapshot ? "snapshot of epoch \(p.epoch)" : "epoch \(p.epoch)/\(s.epochs)"
                        let loss = lastLoss.isFinite ? String(format: " · loss %.3e", lastLoss) : ""
                        let line = String(format: "\r\u{1B}[K%@ · %5.1f%%%@ · %@", what, 100 * p.fraction, loss, Self.clock(now.timeIntervalSince(started)))
                        StandardStreams.error(line)
                    }
                case .snapshot(let snap):
                    if writeError == nil {
                        do { try write(record, final: false) } catch { writeError = error; token.cancel() }
                    }
                    var line = (tty ? "\r\u{1B}[K" : "") + String(format: "snapshot epoch %d: train MSE %.3e, %@ %.4f", snap.epoch, snap.trainMSE,
                                                                   data.metric == .r2 ? "test R²" : "test accuracy", snap.testMetric)
                    for k in snap.kernels where k.kernel != .ck(0) {
                        line += " · \(k.kernel) \(k.outliers.count) outlier\(k.outliers.count == 1 ? "" : "s")"
                        if k.top.count >= 2 { line += String(format: ", top-2 %.0f%%", 100 * k.top[1].cumulativeShare) }
                    }
                    line += String(format: " (%.1f s)\n", snap.seconds)
                    StandardStreams.error(line)
                default: break
                }
            }
        } catch {
            failure = error
        }
        if let failure {
            if tty { StandardStreams.error("\r\u{1B}[K") }
            if failure == .cancelled {
                if let writeError { throw writeError }
                try write(record, final: true)
                StandardStreams.error("ntkscope: interrupted after epoch \(record.epochsCompleted); \(record.snapshots.count) snapshot\(record.snapshots.count == 1 ? "" : "s") kept\n")
                if output != "-" { try StandardStreams.output(record.summaryTable()) }
                throw ExitCode(130)
            }
            try? write(record, final: true)
            if case .invalidSettings(let o, let v, let a) = failure { throw bad(o, v, a) }
            throw Failure(message: failure.description + (record.snapshots.isEmpty ? "" : " (the \(record.snapshots.count) snapshots before it were written)"))
        }
        if tty { StandardStreams.error("\r\u{1B}[K") }
        if let writeError { throw writeError }
        try write(record, final: true)
        if let sum = record.summary {
            let t = sum.timings
            StandardStreams.error(String(format: "done in %@: steps %.1f s (optimiser %.1f s), evaluation %.1f s, snapshots %.1f s (eigenvalues %.1f s, eigenvectors %.1f s), laws %.2f s\n",
                                                       Self.clock(t.total), t.steps, t.optimizer, t.evaluation, t.snapshots, t.kernels.eigenvalues,
                                                       t.kernels.eigenvectors, t.laws))
        }
        if output != "-" { try StandardStreams.output(record.summaryTable()) }
    }

    /// Rewrites every requested file from the record (atomically); stdout output only at the end.
    func write(_ record: TrainingRecord, final: Bool) throws {
        if let output {
            if output != "-" || final {
                try OutputFile.write(format == "json" ? record.jsonDocument() : record.eigenvalueCSV(), to: output, force: true)
            }
        }
        if let summary, summary != "-" || final { try OutputFile.write(record.summaryCSV(), to: summary, force: true, option: "--summary") }
        if let history, history != "-" || final { try OutputFile.write(record.historyCSV(), to: history, force: true, option: "--history") }
        if let vectors, vectors != "-" || final { try OutputFile.write(record.vectorsCSV(), to: vectors, force: true, option: "--vectors") }
    }

    static func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return String(format: "%d:%02d", s / 60, s % 60)
    }

    static func epochList(_ e: [Int]) -> String {
        e.count <= 8 ? e.map(String.init).joined(separator: ",") : e.prefix(4).map(String.init).joined(separator: ",") + ",…," + String(e.last!)
    }
}

import Foundation
import LimitLaws
import NetworkSampling
import NetworkTraining
import PlotCanvas

// The training regime (Fan & Wang §4.3, docs/training.md): train the network of eq. (1) in the
// background and watch its CK and NTK spectra leave their limit laws at initialisation. A timeline of
// the snapshot epochs (`[` `]`), one panel per kernel (the trained spectrum against the law at
// initialisation, outliers marked with their label-alignment share) and a small loss curve.

extension RegimeID {
    public static let training = RegimeID(unchecked: "training")
}

/// The settings of the training mode (part of the undo history and of session files). The defaults
/// are `TrainingSettings()`'s small configuration (n = 400, d₀ = d_ℓ = 320, L = 3, 50 epochs of Adam),
/// which trains in well under a minute.
public struct TrainingModeSettings: RegimeSettings {
    /// σ (a table activation, normalised as everywhere in ntkscope).
    public var activation: String
    /// Training samples n.
    public var n: Int
    /// Input dimension d₀.
    public var inputDim: Int
    /// Width of every hidden layer.
    public var width: Int
    /// Number of hidden layers L.
    public var depth: Int
    public var epochs: Int
    public var learningRate: Double
    /// "adam" or "gd".
    public var optimizer: String
    /// Mini-batch size; 0 = the full batch.
    public var batchSize: Int
    public var seed: UInt64
    /// A snapshot every this many epochs (and at 0 and the last epoch), unless `snapshotLog` > 0.
    public var snapshotEvery: Int
    /// About this many log-spaced snapshot epochs (`ntkscope train --snapshots log:K`); 0 = every
    /// `snapshotEvery` epochs.
    public var snapshotLog: Int = 0
    /// "single-neuron" (y = σ(xᵀv), the paper's), "linear" (y = xᵀv) or "classification" (a data file).
    public var task: String
    /// The classification task's data file (as given: session files name it) and its labels, a column
    /// of it ("3", "-1") or a file of labels (`ntkscope train --data --labels`).
    public var dataPath: String = ""
    public var labels: String = ""
    /// The data file's matrix and the labels file's values once the shell read them (nil: not read).
    public var dataFile: RegimeDataFile?
    public var labelsFile: RegimeDataFile?
    /// The run is wanted (`s`): it starts for these settings, and again when they change.
    public var run: Bool
    /// The snapshot shown (its epoch); nil follows the latest one.
    public var epoch: Int?
    /// The kernel the focus view shows: 0 … L−1 = CK ℓ = 1 … L, L = the NTK.
    public var panel: Int

    public init(activation: String = "arctan", n: Int = 400, inputDim: Int = 320, width: Int = 320, depth: Int = 3,
                epochs: Int = 50, learningRate: Double = 0.01, optimizer: String = "adam", batchSize: Int = 32, seed: UInt64 = 0,
                snapshotEvery: Int = 5, task: String = "single-neuron", run: Bool = false, epoch: Int? = nil, panel: Int = 3) {
        self.activation = activation; self.n = n; self.inputDim = inputDim; self.width = width; self.depth = depth
        self.epochs = epochs; self.learningRate = learningRate; self.optimizer = optimizer; self.batchSize = batchSize
        self.seed = seed; self.snapshotEvery = snapshotEvery; self.task = task; self.run = run; self.epoch = epoch; self.panel = panel
    }

    public static let sampleCounts = 20...5000
    public static let widths = 4...4000
    public static let depths = 1...8
    public static let epochCounts = 1...2000
    public static let learningRates = 1e-6...10.0
    public static let tasks = ["single-neuron", "linear", "classification"]
    public static let snapshotCounts = 1...10_000
    public static let optimizers = ["adam", "gd"]

    /// The run's settings (everything but the view: `run`, `epoch`, `panel`): a change restarts it.
    public var runKey: TrainingModeSettings {
        var s = self
        s.run = false; s.epoch = nil; s.panel = 0
        return s
    }

    /// The module's settings of the run; throws naming the setting that is out of range.
    public func trainingSettings() throws(TrainingError) -> TrainingSettings {
        var t = TrainingSettings()
        do { t.activation = try Activation.named(activation) } catch {
            throw .invalidSettings(option: "activation", value: activation, allowed: error.allowed)
        }
        switch task {
        case "single-neuron": t.task = .singleNeuron
        case "linear": t.task = .linearTeacher
        case "classification":
            t.task = .classification(try labeledData())
        default: throw .invalidSettings(option: "task", value: task, allowed: Self.tasks.joined(separator: ", "))
        }
        switch optimizer {
        case "adam": t.optimizer = .adamDefault
        case "gd": t.optimizer = .gradientDescent
        default: throw .invalidSettings(option: "optimizer", value: optimizer, allowed: Self.optimizers.joined(separator: " or "))
        }
        // a data file's split gives n and d₀
        if case .classification = t.task { t.n = nil } else { t.n = n; t.inputDim = inputDim }
        t.widths = Array(repeating: width, count: depth)
        t.epochs = epochs; t.learningRate = learningRate; t.batchSize = batchSize > 0 ? batchSize : nil
        t.seed = seed; t.snapshots = schedule; t.compare = true
        try t.validate()
        return t
    }

    /// The snapshot schedule: about `snapshotLog` log-spaced epochs, or every `snapshotEvery`.
    public var schedule: SnapshotSchedule { snapshotLog > 0 ? .logSpaced(snapshotLog) : .every(max(1, snapshotEvery)) }

    /// The planned snapshot epochs (0, the schedule's, the last).
    public var snapshotEpochs: [Int] { schedule.resolve(epochs: epochs) }

    /// "every 5", "log-spaced (12)".
    public var scheduleText: String { snapshotLog > 0 ? "log-spaced (\(snapshotLog))" : "every \(snapshotEvery)" }

    /// The classification task's samples and labels (its errors name `data` or `labels`).
    public func labeledData() throws(TrainingError) -> LabeledData {
        guard !dataPath.isEmpty, let data = dataFile else {
            throw .invalidSettings(option: "data", value: dataPath.isEmpty ? "(none)" : dataPath,
                                   allowed: "a data file read with :data FILE (classification also needs :labels COLUMN|FILE)")
        }
        let name = (dataPath as NSString).lastPathComponent
        let source: LabeledData.Labels
        if let c = Int(labels) { source = .column(c) } else {
            guard !labels.isEmpty, let l = labelsFile else {
                throw .invalidSettings(option: "labels", value: labels.isEmpty ? "(none)" : labels, allowed: LabeledData.labelsSyntax + " (:labels COLUMN|FILE)")
            }
            guard l.matrix.features == 1 else {
                throw .invalidSettings(option: "labels", value: labels, allowed: "a file with one label per row (it has \(l.matrix.features) columns)")
            }
            source = .values(l.matrix.values, name: (labels as NSString).lastPathComponent)
        }
        return try LabeledData.make(data.matrix, labels: source, name: name)
    }

    /// The files the settings name whose values are still to be read (a session file names them).
    public var pendingFiles: [(path: String, purpose: String)] {
        var files: [(String, String)] = []
        if !dataPath.isEmpty, dataFile == nil { files.append((dataPath, "data")) }
        if !labels.isEmpty, Int(labels) == nil, labelsFile == nil { files.append((labels, "labels")) }
        return files
    }

    /// "n = 400, d₀ = 320, 3 × 320"; for a data file "digits.csv, 3 × 320".
    public var shapeText: String {
        task == "classification" ? "\((dataPath as NSString).lastPathComponent), \(depth) × \(width)" : "n = \(n), d₀ = \(inputDim), \(depth) × \(width)"
    }
    /// "adam lr 0.01, batch 32".
    public var optimizerText: String {
        "\(optimizer) lr \(ModelSummary.format(learningRate)), batch \(batchSize > 0 ? String(batchSize) : "full")"
    }
}

/// What the regime's keys ask for.
public enum TrainingAction: RegimeAction {
    case toggleRun
    case snapshot(step: Int), firstSnapshot, latestSnapshot
    case activation(next: Bool)
    case depth(up: Bool), samples(up: Bool), width(up: Bool), epochs(up: Bool)
    case toggleOptimizer
    case panel(next: Bool)
}

extension ExplorerAction {
    public static func training(_ a: TrainingAction) -> ExplorerAction { .regime(AnyRegimeAction(.training, a)) }
}

extension ExplorerState {
    /// The training regime's settings.
    public var training: TrainingModeSettings {
        get { regimeSettings.get(.training, default: TrainingModeSettings()) }
        set { regimeSettings.set(.training, newValue) }
    }
}

extension FrameContent {
    /// The training regime's run as far as it got (TrainingContent.swift); nil before a run.
    public var training: TrainingFrame? {
        get { regimeContent(.training) }
        set { regimeFrames[.training] = newValue }
    }
}

/// The regime's keys, active only while it is shown. Keys keep their linear-width role where they
/// have one: s starts the background work, a/A σ, d/D the depth, n/N the sample size, ←/→ the panel.
public enum TrainingKeys {
    static let group = "Training (w)"
    public static let bindings: [KeyBinding] = [
        KeyBinding(keys: [.character("s")], label: "s", action: .training(.toggleRun), help: "start / cancel the training run", group: group),
        KeyBinding(keys: [.character("[")], label: "[ / ]", action: .training(.snapshot(step: -1)), help: "previous / next snapshot epoch", group: group),
        KeyBinding(keys: [.character("]")], label: "", action: .training(.snapshot(step: 1)), help: "", group: group),
        KeyBinding(keys: [.home], label: "Home / End", action: .training(.firstSnapshot), help: "epoch 0 / follow the latest snapshot", group: group),
        KeyBinding(keys: [.end], label: "", action: .training(.latestSnapshot), help: "", group: group),
        KeyBinding(keys: [.left, .character("h")], label: "← →  h l", action: .training(.panel(next: false)), help: "select the kernel (CK ℓ, NTK)", group: group),
        KeyBinding(keys: [.right, .character("l")], label: "", action: .training(.panel(next: true)), help: "", group: group),
        KeyBinding(keys: [.character("a")], label: "a / A", action: .training(.activation(next: true)), help: "next / previous σ", group: group),
        KeyBinding(keys: [.character("A")], label: "", action: .training(.activation(next: false)), help: "", group: group),
        KeyBinding(keys: [.character("d")], label: "d / D", action: .training(.depth(up: false)), help: "depth L down / up", group: group),
        KeyBinding(keys: [.character("D")], label: "", action: .training(.depth(up: true)), help: "", group: group),
        KeyBinding(keys: [.character("n")], label: "n / N", action: .training(.samples(up: false)), help: "training samples n ÷2 / ×2", group: group),
        KeyBinding(keys: [.character("N")], label: "", action: .training(.samples(up: true)), help: "", group: group),
        KeyBinding(keys: [.up, .character("k")], label: "↑ ↓  k j", action: .training(.width(up: true)), help: "hidden width ×/÷ 1.25", group: group),
        KeyBinding(keys: [.down, .character("j")], label: "", action: .training(.width(up: false)), help: "", group: group),
        KeyBinding(keys: [.character("+")], label: "+ / -", action: .training(.epochs(up: true)), help: "epochs ×2 / ÷2", group: group),
        KeyBinding(keys: [.character("-")], label: "", action: .training(.epochs(up: false)), help: "", group: group),
        KeyBinding(keys: [.character("o")], label: "o", action: .training(.toggleOptimizer), help: "optimiser adam ↔ gd (full batch)", group: group),
    ]
}

/// The training regime: keys above, views in TrainingLayout.swift, the background run in
/// TrainingContent.swift, session table `[training]`.
public struct TrainingRegime: ExplorerRegime {
    public init() {}
    public var id: RegimeID { .training }
    public var title: String { "training" }
    public var defaultSettings: AnyRegimeSettings? { AnyRegimeSettings(TrainingModeSettings()) }
    public var helpGroup: String { TrainingKeys.group }
    public var bindings: [KeyBinding] { TrainingKeys.bindings }

    public var commands: [(String, String)] {
        [(":train", "training: start / cancel the run (as s)"),
         (":epochs E / :snapshots K|log:K", "training: epochs; a snapshot every K epochs, or about K log-spaced"),
         (":epoch E", "training: the snapshot shown (:epoch latest follows the run)"),
         (":width D / :inputdim D", "training: hidden width, input dimension d₀"),
         (":lr V / :batch B / :optimizer O", "training: learning rate, batch size (or full), adam or gd"),
         (":task T", "training: single-neuron, linear or classification; :sigma :n :depth :seed act on the run while shown"),
         (":data FILE / :labels C|FILE", "training (shown): classification data (.csv/.npy) and its labels column or file")]
    }

    public func reduce(_ action: AnyRegimeAction, state: inout ExplorerState) {
        reduce(action, state: &state, content: nil)
    }

    /// `[` `]` step from the snapshot on screen: while a run is under way that is the latest one
    /// taken, not the last one planned (`content` gives the run; without it the plan is all there is).
    public func reduce(_ action: AnyRegimeAction, state: inout ExplorerState, content: FrameContent?) {
        guard let a = action.value as? TrainingAction else { return }
        var s = state.training
        switch a {
        case .toggleRun:
            if s.run, let frame = content?.training, frame.key == s.runKey, !frame.running, frame.record.isComplete {
                // nothing to cancel: the run for these settings is finished and stays on screen
                state.message = StatusMessage("this run is complete (\(s.epochs) epochs); a changed setting or :seed trains another")
                return
            }
            s.run.toggle()
            state.training = s
            state.message = StatusMessage(s.run ? "training started: \(s.shapeText), \(s.optimizerText), \(s.epochs) epochs (s cancels)"
                                                : "training cancelled (the snapshots taken stay)")
            return
        case .snapshot(let step):
            let epochs = s.snapshotEpochs
            let frame = content?.training.flatMap { $0.key == s.runKey ? $0 : nil }
            let shown = frame?.snapshot(at: s.epoch)?.epoch ?? s.epoch
            let current = shown.flatMap { epochs.firstIndex(of: $0) } ?? (epochs.count - 1)
            let next = min(epochs.count - 1, max(0, current + step))
            if let frame, frame.running, let latest = frame.record.snapshots.last?.epoch, epochs[next] >= latest {
                // the newest snapshot taken: a running run is followed again, a stopped one ends there
                s.epoch = frame.running ? nil : latest
            } else {
                s.epoch = epochs[next]
            }
        case .firstSnapshot: s.epoch = 0
        case .latestSnapshot: s.epoch = nil
        case .activation(let next):
            let names = Activation.cycle
            let i = names.firstIndex(of: s.activation) ?? 0
            s.activation = names[(i + (next ? 1 : names.count - 1)) % names.count]
        case .depth(let up): s.depth = min(TrainingModeSettings.depths.upperBound, max(TrainingModeSettings.depths.lowerBound, s.depth + (up ? 1 : -1)))
        case .samples(let up): s.n = min(TrainingModeSettings.sampleCounts.upperBound, max(TrainingModeSettings.sampleCounts.lowerBound, up ? s.n * 2 : s.n / 2))
        case .width(let up):
            let w = Double(s.width) * (up ? 1.25 : 0.8)
            s.width = min(TrainingModeSettings.widths.upperBound, max(TrainingModeSettings.widths.lowerBound, Int(w.rounded())))
        case .epochs(let up): s.epochs = min(TrainingModeSettings.epochCounts.upperBound, max(TrainingModeSettings.epochCounts.lowerBound, up ? s.epochs * 2 : s.epochs / 2))
        case .toggleOptimizer:
            // gradient descent proper is full batch; Adam goes back to the paper's batch of 32
            if s.optimizer == "adam" { s.optimizer = "gd"; s.batchSize = 0; s.learningRate = 1 } else { s.optimizer = "adam"; s.batchSize = 32; s.learningRate = 0.01 }
        case .panel(let next): s.panel = min(s.depth, max(0, s.panel + (next ? 1 : -1)))
        }
        apply(s, to: &state, action: a)
    }

    /// Takes `s` when its run's settings are valid; says what changed (and that a wanted run restarts).
    func apply(_ s: TrainingModeSettings, to state: inout ExplorerState, action: TrainingAction? = nil) {
        var s = s
        do { _ = try s.trainingSettings() } catch {
            state.message = StatusMessage(error.description, isError: true)
            return
        }
        s.panel = min(s.panel, s.depth)
        if let e = s.epoch, !s.snapshotEpochs.contains(e) { s.epoch = nil }
        let before = state.training
        if s == before, case .snapshot(let step)? = action {
            state.message = StatusMessage(step < 0 ? "no earlier snapshot" : "no later snapshot yet")
            return
        }
        if s == before, let action, !(action == .latestSnapshot || action == .firstSnapshot) {
            state.message = StatusMessage("limit reached (n \(TrainingModeSettings.sampleCounts), width \(TrainingModeSettings.widths), depth \(TrainingModeSettings.depths), epochs \(TrainingModeSettings.epochCounts))", isError: true)
            return
        }
        state.training = s
        if s.runKey != before.runKey {
            state.message = StatusMessage("\(s.shapeText), σ = \(s.activation), \(s.optimizerText), \(s.epochs) epochs"
                                          + (s.run ? " — training again for these settings" : " (s trains)"))
        } else if s.epoch != before.epoch || action == .latestSnapshot {
            state.message = StatusMessage(s.epoch.map { "snapshot at epoch \($0)" } ?? "following the latest snapshot")
        }
    }

    /// The regime's commands; `:sigma`, `:n`, `:depth` and `:seed` only while it is shown.
    public func command(_ name: String, _ args: [String], state: inout ExplorerState) -> [ExplorerEffect]? {
        func fail(_ text: String) -> [ExplorerEffect] { state.message = StatusMessage(text, isError: true); return [] }
        func int(_ range: ClosedRange<Int>) -> Int? {
            guard args.count == 1, let v = Int(args[0]), range.contains(v) else { return nil }
            return v
        }
        var s = state.training
        let shown = state.regime == .training
        switch name {
        case "epochs":
            guard let v = int(TrainingModeSettings.epochCounts) else { return fail("usage: :epochs E (\(TrainingModeSettings.epochCounts))") }
            s.epochs = v
        case "width":
            guard let v = int(TrainingModeSettings.widths) else { return fail("usage: :width D (\(TrainingModeSettings.widths))") }
            s.width = v
        case "inputdim":
            guard let v = int(TrainingModeSettings.widths) else { return fail("usage: :inputdim D (\(TrainingModeSettings.widths))") }
            s.inputDim = v
        case "lr":
            guard args.count == 1, let v = Double(args[0]), v.isFinite, TrainingModeSettings.learningRates.contains(v) else {
                return fail("usage: :lr V (\(TrainingModeSettings.learningRates.lowerBound)…\(TrainingModeSettings.learningRates.upperBound))")
            }
            s.learningRate = v
        case "batch":
            if args.count == 1, args[0].lowercased() == "full" { s.batchSize = 0 } else {
                guard let v = int(1...100_000) else { return fail("usage: :batch B (1…100000) or :batch full") }
                s.batchSize = v
            }
        case "optimizer":
            guard args.count == 1, TrainingModeSettings.optimizers.contains(args[0].lowercased()) else { return fail("usage: :optimizer adam|gd") }
            s.optimizer = args[0].lowercased()
        case "task":
            guard args.count == 1, TrainingModeSettings.tasks.contains(args[0].lowercased()) else { return fail("usage: :task single-neuron|linear|classification") }
            s.task = args[0].lowercased()
        case "snapshots":
            let usage = "usage: :snapshots K (every K epochs, 1…\(TrainingModeSettings.epochCounts.upperBound)), every:K or log:K (about K log-spaced, \(TrainingModeSettings.snapshotCounts))"
            guard args.count == 1 else { return fail(usage) }
            let text = args[0].lowercased()
            switch Int(text).map({ SnapshotSchedule.every($0) }) ?? SnapshotSchedule.parse(text) {
            case .every(let k)? where (1...TrainingModeSettings.epochCounts.upperBound).contains(k): s.snapshotEvery = k; s.snapshotLog = 0
            case .logSpaced(let c)? where TrainingModeSettings.snapshotCounts.contains(c): s.snapshotLog = c
            default: return fail(usage)
            }
        case "data":
            guard shown else { return nil }
            guard !args.isEmpty else { return fail("usage: :data FILE (.csv or .npy, one sample per row; then :labels COLUMN|FILE)") }
            return [.readRegimeFile(regime: .training, path: CommandLineEditor.expandHome(args.joined(separator: " ")), purpose: "data")]
        case "labels":
            guard shown else { return nil }
            guard !args.isEmpty else { return fail("usage: :labels COLUMN|FILE (\(LabeledData.labelsSyntax))") }
            let spec = args.joined(separator: " ")
            if let c = Int(spec) {
                s.labels = String(c); s.labelsFile = nil
                if !s.dataPath.isEmpty { s.task = "classification" }
            } else {
                return [.readRegimeFile(regime: .training, path: CommandLineEditor.expandHome(spec), purpose: "labels")]
            }
        case "epoch":
            if args.count == 1, args[0].lowercased() == "latest" { s.epoch = nil } else {
                guard let v = int(0...s.epochs), s.snapshotEpochs.contains(v) else {
                    return fail("usage: :epoch E with E a snapshot epoch (\(s.snapshotEpochs.map(String.init).joined(separator: " "))) or :epoch latest")
                }
                s.epoch = v
            }
        case "train":
            reduce(AnyRegimeAction(.training, TrainingAction.toggleRun), state: &state)
            return []
        case "sigma", "activation":
            guard shown else { return nil }
            guard args.count == 1, Activation.builtinNames.contains(where: { args[0].lowercased().hasPrefix($0) }) else {
                return fail("usage: :sigma NAME (\(Activation.builtinNames.joined(separator: ", ")))")
            }
            s.activation = args[0]
        case "n":
            guard shown else { return nil }
            guard let v = int(TrainingModeSettings.sampleCounts) else { return fail("usage: :n N (training samples, \(TrainingModeSettings.sampleCounts))") }
            s.n = v
        case "depth", "l":
            guard shown else { return nil }
            guard let v = int(TrainingModeSettings.depths) else { return fail("usage: :depth L (\(TrainingModeSettings.depths))") }
            s.depth = v
        case "seed":
            guard shown else { return nil }
            guard args.count == 1, let v = UInt64(args[0]), v <= UInt64(Int.max) else { return fail("usage: :seed S (0…\(Int.max))") }
            s.seed = v
        default:
            return nil
        }
        apply(s, to: &state)
        return []
    }

    /// The shell read `:data FILE` or `:labels FILE`: the numbers become the classification task's.
    public func fileRead(_ file: RegimeFileRead, state: inout ExplorerState) {
        let what = file.purpose == "labels" ? "labels" : "data"
        guard let data = file.contents else {
            state.message = StatusMessage(ExplorerCommand.naming(file.error ?? "cannot read \(file.path)", command: what), isError: true)
            return
        }
        let values: RegimeDataFile
        do { values = try RegimeDataFile.parse(data, path: file.path) } catch {
            state.message = StatusMessage(error.naming(option: ":\(what)").description, isError: true)
            return
        }
        var s = state.training
        if what == "labels" { s.labels = file.path; s.labelsFile = values } else { s.dataPath = file.path; s.dataFile = values }
        guard !s.labels.isEmpty, !s.dataPath.isEmpty else {
            // the other half is still to come: keep what was read, the task stays as it is
            state.training = s
            state.message = StatusMessage(what == "data" ? "data \(file.path): \(values.matrix.samples) samples × \(values.matrix.features) columns; now :labels COLUMN|FILE"
                                                         : "labels \(file.path): \(values.matrix.samples) rows; now :data FILE")
            return
        }
        s.task = "classification"
        apply(s, to: &state)
        if state.message?.isError != true, let l = try? s.labeledData() {
            state.message = StatusMessage("classification on \(l.source): \(l.features.samples) samples × \(l.features.features) features"
                                          + (s.run ? " — training again" : " (s trains)"))
        }
    }

    public func enterMessage(state: ExplorerState) -> StatusMessage {
        let s = state.training
        return StatusMessage("training: \(s.shapeText), σ = \(s.activation), \(s.optimizerText), \(s.epochs) epochs — s \(s.run ? "cancels" : "trains"), [ ] snapshots; w \(Regimes.next(after: id).title)")
    }

    public var footerKeys: String { TrainingLayout.footerKeys(next: Regimes.next(after: id).title) }

    public func header(state: ExplorerState, content: FrameContent) -> RegimeHeader? {
        TrainingLayout.header(state: state, content: content)
    }

    public func progress(state: ExplorerState, content: FrameContent) -> RegimeProgress? {
        TrainingLayout.progress(state: state, content: content)
    }

    public func bodyFits(state: ExplorerState, width: Int, bodyHeight: Int) -> (fits: Bool, needed: String) {
        guard state.view == .layers else { return (true, "") }
        let n = state.training.depth + 2
        let fits = ScreenLayout.panelArrangement(count: n, width: width, height: bodyHeight - 1, minimumPanel: TrainingLayout.minimumPanel) != nil
        return (fits, ScreenLayout.neededForPanels(n, minimumPanel: TrainingLayout.minimumPanel))
    }

    public func drawBody(_ body: inout ScreenGrid, state: ExplorerState, content: FrameContent) {
        TrainingLayout.drawBody(&body, state: state, content: content)
    }

    public var session: RegimeSessionSection? {
        typealias S = TrainingModeSettings
        @Sendable func settings(_ store: RegimeSettingsStore) -> S { store.get(.training, default: S()) }
        @Sendable func update(_ store: inout RegimeSettingsStore, _ change: (inout S) -> Void) {
            var s = settings(store); change(&s); store.set(.training, s)
        }
        func int(_ name: String, _ range: ClosedRange<Int>, _ path: WritableKeyPath<S, Int> & Sendable) -> RegimeSessionKey {
            RegimeSessionKey(name, .int(range), get: { .int(settings($0)[keyPath: path]) },
                             set: { store, v in if case .int(let i) = v { update(&store) { $0[keyPath: path] = i } } })
        }
        func string(_ name: String, _ allowed: [String], _ path: WritableKeyPath<S, String> & Sendable) -> RegimeSessionKey {
            RegimeSessionKey(name, .string(allowed: allowed.joined(separator: " or "), accepts: { allowed.contains($0) }),
                             get: { .string(settings($0)[keyPath: path]) },
                             set: { store, v in if case .string(let t) = v { update(&store) { $0[keyPath: path] = t } } })
        }
        return RegimeSessionSection(table: "training", keys: [
            RegimeSessionKey("activation", .string(allowed: "one of \(Activation.builtinNames.joined(separator: ", "))", accepts: { (try? Activation.named($0)) != nil }),
                             get: { .string(settings($0).activation) },
                             set: { store, v in if case .string(let a) = v { update(&store) { $0.activation = a } } }),
            string("task", S.tasks, \.task),
            int("n", S.sampleCounts, \.n),
            int("input_dim", S.widths, \.inputDim),
            int("width", S.widths, \.width),
            int("depth", S.depths, \.depth),
            int("epochs", S.epochCounts, \.epochs),
            RegimeSessionKey("learning_rate", .double(S.learningRates), get: { .double(settings($0).learningRate) },
                             set: { store, v in if case .double(let d) = v { update(&store) { $0.learningRate = d } } }),
            string("optimizer", S.optimizers, \.optimizer),
            int("batch_size", 0...100_000, \.batchSize),
            RegimeSessionKey("seed", .int(0...Int.max), get: { .int(Int(clamping: settings($0).seed)) },
                             set: { store, v in if case .int(let i) = v, i >= 0 { update(&store) { $0.seed = UInt64(i) } } }),
            int("snapshot_every", 1...S.epochCounts.upperBound, \.snapshotEvery),
            // 0: every snapshot_every epochs
            int("snapshot_log", 0...S.snapshotCounts.upperBound, \.snapshotLog),
            // the classification task's files, read again by the caller (`pendingFiles`)
            RegimeSessionKey("data", .string(allowed: "a data file (.csv or .npy), or \"\" for none", accepts: { _ in true }),
                             get: { .string(settings($0).dataPath) },
                             set: { store, v in if case .string(let p) = v { update(&store) { s in if s.dataPath != p { s.dataPath = p; s.dataFile = nil } } } }),
            RegimeSessionKey("labels", .string(allowed: LabeledData.labelsSyntax, accepts: { _ in true }),
                             get: { .string(settings($0).labels) },
                             set: { store, v in if case .string(let l) = v { update(&store) { s in if s.labels != l { s.labels = l; s.labelsFile = nil } } } }),
            RegimeSessionKey("run", .bool, get: { .bool(settings($0).run) },
                             set: { store, v in if case .bool(let b) = v { update(&store) { $0.run = b } } }),
            // -1: follow the latest snapshot
            RegimeSessionKey("epoch", .int(-1...S.epochCounts.upperBound), get: { .int(settings($0).epoch ?? -1) },
                             set: { store, v in if case .int(let e) = v { update(&store) { $0.epoch = e < 0 ? nil : e } } }),
            int("panel", 0...S.depths.upperBound, \.panel),
        ])
    }

    public func makeComputation(notify: @escaping @Sendable () -> Void) -> RegimeComputation? {
        TrainingComputation(notify: notify)
    }

    public func computeNow(state: ExplorerState, content: inout FrameContent) {
        content.training = TrainingCompute.compute(state.training)
    }
}

import ArgumentParser
import ExplorerCore
import Foundation
import InputFiles
import LimitLaws
import QuadraticScaling
import ViewExport

/// `render` options of the quadratic-scaling and training modes: each sets one key of the mode's
/// session table (`[quadratic]`, `[training]`), checked by the same rules as the file.
struct RegimeViewOptions: ParsableArguments {
    @Option(help: "Quadratic mode (--mode quadratic): γ₁ = lim n/(dp) (0.001…1000).")
    var gamma1: Double?

    @Option(help: "Quadratic mode: γ₂ = lim p/d (0.001…1000).")
    var gamma2: Double?

    @Option(name: .customLong("quadratic-activation"), help: "Quadratic mode: σ, whose derivative φ = σ′ enters: \(DerivativeActivation.names.joined(separator: ", ")).")
    var quadraticActivation: String?

    @Flag(name: .customLong("quadratic-normalised"), help: "Quadratic mode: the table's normalised σ (φ scaled by its factor s).")
    var quadraticNormalised = false

    @Option(name: .customLong("output-law"), help: "Quadratic mode: ν, the law of the output weights D: \(OutputWeightLaw.syntax).")
    var outputLaw: String?

    @Option(name: .customLong("d"), help: "Quadratic mode: input dimension d of the sampled check (p = γ₂d, n = γ₁dp).", transform: CommandLineValues.integer(regime: .quadratic, key: "d"))
    var d: Int?

    @Flag(help: "Quadratic mode: run the sampled check (bulk KS and W1, outliers set apart).")
    var check = false

    @Flag(help: "Training mode (--mode training): run the training (the session's [training] settings; the default takes about 15 s).")
    var train = false

    @Option(help: "Training mode: epochs (1…2000).", transform: CommandLineValues.integer(regime: .training, key: "epochs"))
    var epochs: Int?

    @Option(name: .customLong("train-n"), help: "Training mode: training samples n (20…5000).", transform: CommandLineValues.integer(regime: .training, key: "n"))
    var trainN: Int?

    @Option(name: .customLong("train-width"), help: "Training mode: width of every hidden layer (4…4000).", transform: CommandLineValues.integer(regime: .training, key: "width"))
    var trainWidth: Int?

    @Option(name: .customLong("train-depth"), help: "Training mode: hidden layers L (1…8).", transform: CommandLineValues.integer(regime: .training, key: "depth"))
    var trainDepth: Int?

    @Option(name: .customLong("show-epoch"), help: "Training mode: the snapshot epoch shown (default: the last).", transform: CommandLineValues.integer(regime: .training, key: "epoch"))
    var showEpoch: Int?

    var options: [(option: String, regime: RegimeID, key: String, value: SessionValue?)] {
        [("--gamma1", .quadratic, "gamma1", gamma1.map { .double($0) }),
         ("--gamma2", .quadratic, "gamma2", gamma2.map { .double($0) }),
         ("--quadratic-activation", .quadratic, "activation", quadraticActivation.map { .string($0) }),
         ("--quadratic-normalised", .quadratic, "normalised", quadraticNormalised ? .bool(true) : nil),
         ("--output-law", .quadratic, "output_law", outputLaw.map { .string($0) }),
         ("--d", .quadratic, "d", d.map { .int($0) }),
         ("--check", .quadratic, "check", check ? .bool(true) : nil),
         ("--train", .training, "run", train ? .bool(true) : nil),
         ("--epochs", .training, "epochs", epochs.map { .int($0) }),
         ("--train-n", .training, "n", trainN.map { .int($0) }),
         ("--train-width", .training, "width", trainWidth.map { .int($0) }),
         ("--train-depth", .training, "depth", trainDepth.map { .int($0) }),
         ("--show-epoch", .training, "epoch", showEpoch.map { .int($0) })]
    }
}

extension Session {
    /// Reads the files the regimes' tables name (the quadratic mode's `output_law = "file:PATH"`, the
    /// training mode's `data` and `labels`).
    mutating func readRegimeFiles() throws {
        var q = regimeSettings.get(.quadratic, default: QuadraticModeSettings())
        if let path = q.pendingFile {
            q.fileLaw = try QuadraticOutputLawFile.load(path: path)
            regimeSettings.set(.quadratic, q)
        }
        if let path = q.pendingInputFile {
            q.inputData = try RegimeDataFile.load(path: path, field: "quadratic.input")
            regimeSettings.set(.quadratic, q)
        }
        // the quadratic law must be solvable, and the training settings valid, before anything is drawn
        if regime == .quadratic {
            do { _ = try q.lawSettings() } catch { throw ModelError(field: "quadratic: \(error.field)", value: error.value, allowed: error.allowed) }
        }
        var t = regimeSettings.get(.training, default: TrainingModeSettings())
        for (path, purpose) in t.pendingFiles {
            let values = try RegimeDataFile.load(path: path, field: "training.\(purpose)")
            if purpose == "labels" { t.labelsFile = values } else { t.dataFile = values }
        }
        regimeSettings.set(.training, t)
        if regime == .training {
            do { _ = try t.trainingSettings() } catch { throw ValidationError("training: \(error.description)") }
            if let e = t.epoch, !t.snapshotEpochs.contains(e) {
                throw ModelError(field: "--show-epoch", value: "\(e)", allowed: "must be a snapshot epoch: \(t.snapshotEpochs.map(String.init).joined(separator: ", "))")
            }
        }
    }
}

extension RegimeDataFile {
    /// Reads and parses the data file at `path`; errors name `field` and the file.
    static func load(path: String, field: String) throws(ModelError) -> RegimeDataFile {
        try parse(try FileBytes.read(path: path, field: field), path: path)
    }
}

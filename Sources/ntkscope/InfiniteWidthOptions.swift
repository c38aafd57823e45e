import ArgumentParser
import ExplorerCore
import Foundation
import InfiniteWidth
import LimitLaws
import NetworkSampling

/// The initialisation of the infinite-width network (weight and bias variances, centring and
/// normalisation of σ), shared by `series`, `sphere`, `kernel` and `render --mode infinite`.
struct InitialisationOptions: ParsableArguments {
    @Option(name: .customLong("weight-variance"),
            help: ArgumentHelp("σ_w², the variance of every weight (times 1/fan-in), \(Initialisation.weightVariances.lowerBound)…\(Int(Initialisation.weightVariances.upperBound)). (default: 1)", valueName: "s2"))
    var weightVariance: String?

    @Option(name: .customLong("bias-variance"),
            help: ArgumentHelp("σ_b², the variance of every bias, 0…\(Int(Initialisation.biasVariances.upperBound)). The power-series paper uses σ_w² + σ_b² = 1. (default: 0)", valueName: "s2"))
    var biasVariance: String?

    @Option(help: ArgumentHelp("on: σ centred (E σ(ξ) = 0); off: σ keeps its mean, as in the power-series paper. (default: on)", valueName: "on|off"))
    var centre: String?

    @Option(help: ArgumentHelp("on: σ scaled to E σ(ξ)² = 1 (after centring); off: the raw σ. (default: on)", valueName: "on|off"))
    var normalise: String?

    /// Given on the command line (else a session file's values may apply).
    var isGiven: Bool { weightVariance != nil || biasVariance != nil || centre != nil || normalise != nil }

    func initialisation(over base: Initialisation = .standard) throws(ModelError) -> Initialisation {
        var i = base
        if let w = weightVariance { i.weightVariance = try Self.number(w, option: "--weight-variance", range: Initialisation.weightVariances) }
        if let b = biasVariance { i.biasVariance = try Self.number(b, option: "--bias-variance", range: Initialisation.biasVariances) }
        if let c = centre { i.centre = try Self.onOff(c, option: "--centre") }
        if let n = normalise { i.normalise = try Self.onOff(n, option: "--normalise") }
        try i.validate()
        return i
    }

    static func number(_ text: String, option: String, range: ClosedRange<Double>) throws(ModelError) -> Double {
        guard let v = Double(text.trimmingCharacters(in: .whitespaces)), v.isFinite, range.contains(v) else {
            throw ModelError(field: option, value: text, allowed: "must be a number from \(ModelSummary.format(range.lowerBound)) to \(ModelSummary.format(range.upperBound))")
        }
        return v
    }

    static func onOff(_ text: String, option: String) throws(ModelError) -> Bool {
        switch text.lowercased() {
        case "on", "yes", "true", "1": return true
        case "off", "no", "false", "0": return false
        default: throw ModelError(field: option, value: text, allowed: "must be on or off")
        }
    }
}

/// The data of the Gram block of `series` and `sphere`: a file (`--data`, rows = samples) or n
/// points uniform on the sphere (`--points`, `--seed`).
struct GramDataOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Data file for the Gram block: .npy or .csv, one sample per row (at most \(InputPoints.maxPoints)); every sample is scaled to unit norm (a notice says so).", valueName: "file"))
    var data: String?

    @Option(help: ArgumentHelp("Gram block on n points uniform on S^{d−1} (1…\(InputPoints.maxPoints)).", valueName: "n"))
    var points: String?

    @Option(help: "Seed of the uniform points. (default: 1)")
    var seed: String?

    /// The points, or nil without --data/--points; `dimension` is the sphere's d for --points.
    func load(dimension: Int) throws(ModelError) -> InfiniteWidthData? {
        if data != nil && points != nil {
            throw ModelError(field: "--data/--points", value: "both", allowed: "give a data file or a number of uniform points, not both")
        }
        if let path = data {
            let d = try InfiniteWidthData.load(path: path)
            StandardStreams.error("ntkscope: --data \(d.notice)\n")
            return d
        }
        guard let points else { return nil }
        let n = try CommandLineValues.integer(points, option: "--points", range: 1...InputPoints.maxPoints)
        var s: UInt64 = 1
        if let seed {
            guard let v = UInt64(seed) else { throw ModelError(field: "--seed", value: seed, allowed: CommandLineValues.seedRange) }
            s = v
        }
        let p = try InputPoints.make(.uniformSphere(n: n, dimension: dimension, seed: s))
        return InfiniteWidthData(source: "\(n) points uniform on S^\(dimension - 1), seed \(s)", points: p, notice: "")
    }
}

extension ProgressLine {
    /// A series cancellation-free control that reports to this line (none when stderr is not a
    /// terminal); Ctrl-C ends the command (exit 130) at any time.
    static func control(_ line: ProgressLine?) -> ComputationControl {
        guard let line else { return .none }
        return ComputationControl { fraction in line.show(fraction) }
    }

    /// The series with a progress line on stderr (cleared after).
    static func series(_ model: NetworkModel, order: Int, initialisation: Initialisation) -> KernelSeries {
        let line = ProgressLine(label: "series of order \(order), depth \(model.depth) (Ctrl-C cancels)")
        defer { line?.finish() }
        // no token: the command cannot be cancelled from inside, Ctrl-C ends the process
        return try! KernelSeries.compute(activation: model.activation, depth: model.depth, order: order, tau: model.tau,
                                         initialisation: initialisation, control: control(line))
    }
}

/// The infinite-width regime's settings as options of `render` and `explore`: d, n, the order and
/// the initialisation (checked by the same ranges as the session file's `[infinite]` keys).
struct InfiniteWidthViewOptions: ParsableArguments {
    @Option(name: .customLong("dim"), help: "Infinite-width mode: sphere dimension d (\(InfiniteWidthSettings.dimensions.lowerBound)…\(InfiniteWidthSettings.dimensions.upperBound); with --data the data's d).", transform: CommandLineValues.integer(regime: .infiniteWidth, key: "dimension"))
    var dimension: Int?

    @Option(help: "Infinite-width mode: dataset size n, points uniform on S^{d−1} (\(InfiniteWidthSettings.pointCounts.lowerBound)…\(InfiniteWidthSettings.pointCounts.upperBound); with --data the data's n).", transform: CommandLineValues.integer(regime: .infiniteWidth, key: "points"))
    var points: Int?

    @Option(help: "Infinite-width mode: series order N (\(InfiniteWidthSettings.orders.lowerBound)…\(InfiniteWidthSettings.orders.upperBound), the one order limit).", transform: CommandLineValues.integer(regime: .infiniteWidth, key: "order"))
    var order: Int?

    @OptionGroup var initialisation: InitialisationOptions

    var regimeOptions: [(option: String, regime: RegimeID, key: String, value: SessionValue?)] {
        [("--dim", .infiniteWidth, "dimension", dimension.map { .int($0) }),
         ("--points", .infiniteWidth, "points", points.map { .int($0) }),
         ("--order", .infiniteWidth, "order", order.map { .int($0) })]
    }
}

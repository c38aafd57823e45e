import ArgumentParser
import Foundation
import LimitLaws
import PlotCanvas

enum KernelChoice: String, ExpressibleByArgument, CaseIterable {
    case ck, ntk, all, combination
}

enum TableFormat: String, ExpressibleByArgument, CaseIterable {
    case csv, json, table
}

/// `ntkscope density`: the limit densities of the CK layers and the NTK.
struct DensityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "density",
        abstract: "Limit spectral densities of the CK of each layer and of the NTK (Fan & Wang 2020).")

    @OptionGroup var model: ModelOptions

    @Option(help: "Which laws: ck (every layer, or --layer), ntk, all, or combination (with --combination).")
    var kernel: KernelChoice = .all

    @Option(help: "CK layer 0...L (0 is the input law); with --kernel ck.", transform: CommandLineValues.integer(Self.layerAllowed))
    var layer: Int?

    @Option(help: "Coefficients z_{-1},z_0,…,z_L of z_{-1} Id + Σ z_ℓ X_ℓ^T X_ℓ (Theorem 3.7), each 0 or of size 1e-8…1e8; implies --kernel combination.")
    var combination: String?

    @Option(help: "A uniform grid of this many points (2…100000) instead of the resolved grid (default: resolved: edges, atoms and enough points that the trapezoid rule integrates the density to 2e-5).", transform: CommandLineValues.integer(Self.gridBound))
    var grid: Int?

    @Option(name: .customLong("x-min"), help: "Left end of the grid (default: automatic; |x| ≤ 1e30).")
    var xMin: Double?

    @Option(name: .customLong("x-max"), help: "Right end of the grid (default: automatic; |x| ≤ 1e30).")
    var xMax: Double?

    /// What `--layer` may be (sample's too).
    static let layerAllowed = "must be an integer from 0 to the depth"
    /// Points of `--grid`.
    static let gridBound = NumberBound(2...100_000)

    @Option(help: "Output format: csv (kernel,layer,x,density,cdf), json (adds atoms, support, moments, solver statistics), or table.")
    var format: TableFormat = .csv

    @OptionGroup var outputFile: OutputFileOptions

    func run() throws {
        let built = try model.build()
        try outputFile.refuseExisting()
        for n in built.notices { StandardStreams.error("ntkscope: \(n)\n") }
        let m = built.model
        if let grid { try Self.gridBound.check(Double(grid), field: "--grid") }
        var range: ClosedRange<Double>? = nil
        if xMin != nil || xMax != nil {
            guard let lo = xMin, let hi = xMax else {
                throw ModelError(field: xMin == nil ? "--x-min" : "--x-max", value: "missing", allowed: "--x-min and --x-max go together")
            }
            range = try NumberBounds.window(lo, hi, fields: ("--x-min", "--x-max"))
        }
        var kernels: [KernelID]
        var coefficients: [Double]? = nil
        let choice = combination != nil ? .combination : kernel
        switch choice {
        case .ck:
            if let l = layer {
                guard (0...m.depth).contains(l) else {
                    throw ModelError(field: "--layer", value: "\(l)", allowed: Self.layerAllowed + " \(m.depth)")
                }
                kernels = [.ck(l)]
            } else {
                kernels = (0...m.depth).map { .ck($0) }
            }
        case .ntk: kernels = [.ntk]
        case .all: kernels = (0...m.depth).map { .ck($0) } + [.ntk]
        case .combination:
            guard let text = combination else {
                throw ModelError(field: "--combination", value: "missing", allowed: "--kernel combination needs --combination z_{-1},z_0,…,z_L")
            }
            let z = try ModelOptions.parseList(text, option: "--combination", each: NetworkModel.coefficientDescription)
            try m.validateCombination(z, field: "--combination")
            coefficients = z
            kernels = [.combination]
        }
        if layer != nil && choice != .ck {
            throw ModelError(field: "--layer", value: "\(layer!)", allowed: "goes with --kernel ck")
        }
        let progress = ProgressLine(label: "solving")
        let result = TimedSolve.solve(m, options: SolveOptions(gridPoints: grid ?? 400, xRange: range, kernels: kernels, combination: coefficients),
                                      progress: progress)
        progress?.finish()
        let grids = result.spectra.map { s in grid == nil ? s.resolvedGrid(range: range) : s.uniformGrid }
        let text: String
        switch format {
        case .csv: text = DensityReport.csv(result, grids: grids)
        case .json: text = try DensityReport.json(result, grids: grids)
        case .table: text = DensityReport.table(result)
        }
        try outputFile.write(text)
        LawNoticeReport.print(result.spectra)
        for (s, g) in zip(result.spectra, grids) {
            if let n = g.notice { StandardStreams.error("ntkscope: warning: \(s.kernel): \(n.text)\n") }
        }
    }
}

/// The laws of one model with the wall-clock time each took to solve.
struct TimedSpectra {
    var model: NetworkModel
    /// In the order asked for.
    var spectra: [LimitSpectrum]
    /// Seconds per law, parallel to `spectra`.
    var seconds: [Double]
    /// The whole solve.
    var totalSeconds: Double
    var failures: Int { spectra.reduce(0) { $0 + $1.failures } }
}

/// `LimitLawEngine.solve` one law at a time, to time each. The engine solves CK layers in order
/// (each tightens the search interval of the laws above) and reuses a law from the previous
/// solve's cache when its chain and grid are unchanged. So solve i asks for laws 1…i with the
/// cache of solve i − 1: laws 1…i−1 are reused unchanged (with the same edges as in one solve of
/// all of them) and only law i is new; its time is the time of solve i. The laws are the same as
/// from a single solve. Lower CK layers that were not asked for (edges only, for the enclosure)
/// count towards the first law that needs them.
enum TimedSolve {
    static func solve(_ model: NetworkModel, options: SolveOptions, progress: ProgressLine? = nil) -> TimedSpectra {
        let engine = LimitLawEngine()
        let asked = options.kernels ?? ((0...model.depth).map { KernelID.ck($0) } + [.ntk])
        // the engine's order: CK layers upwards, then the rest as asked
        let order = asked.filter { if case .ck = $0 { return true } else { return false } }.sorted { $0.layerNumber(depth: model.depth) < $1.layerNumber(depth: model.depth) }
            + asked.filter { if case .ck = $0 { return false } else { return true } }
        let clock = { DispatchTime.now().uptimeNanoseconds }
        let start = clock()
        var cache: SolverCache?
        var solved: [KernelID: (LimitSpectrum, Double)] = [:]
        for i in order.indices {
            var o = options
            o.kernels = Array(order[...i])
            let t0 = clock()
            progress?.show("law \(i + 1) of \(order.count) (\(order[i]))")
            let r = engine.solve(model, options: o, previous: cache)
            let seconds = Double(clock() - t0) * 1e-9
            cache = r.cache
            if let s = r.spectrum(order[i]) { solved[order[i]] = (s, seconds) }
        }
        let total = Double(clock() - start) * 1e-9
        let laws = asked.compactMap { solved[$0] }
        return TimedSpectra(model: model, spectra: laws.map(\.0), seconds: laws.map(\.1), totalSeconds: total)
    }
}

/// Formats solved laws as CSV, JSON or a readable table.
enum DensityReport {
    /// One row per grid point: kernel, layer, x, density, cdf.
    static func csv(_ r: TimedSpectra, grids: [DensityGrid]) -> String {
        var out = "kernel,layer,x,density,cdf\n"
        for (s, g) in zip(r.spectra, grids) {
            let prefix = "\(s.kernel.kernelName),\(s.kernel.layerNumber(depth: r.model.depth)),"
            for k in g.x.indices {
                out += prefix + "\(NumberFormat.csv(g.x[k])),\(NumberFormat.csv(g.density[k])),\(NumberFormat.csv(g.cdf[k]))\n"
            }
        }
        return out
    }

    struct LawJSON: Encodable {
        struct AtomJSON: Encodable { let location: Double; let mass: Double }
        struct Moments: Encodable { let mean: Double; let second: Double; let variance: Double; let numerical: [Double?] }
        struct Solver: Encodable { let points: Int; let iterations: Int; let failures: Int; let continuations: Int; let reused: Bool; let massDeficit: Double }
        struct Check: Encodable {
            let passed: Bool; let tolerance: Double; let mass: Double; let exactMean: Double; let mean: Double
            let exactVariance: Double; let variance: Double; let meanError: Double; let varianceError: Double
        }
        struct Approximation: Encodable { let replacedLayers: [Int]; let snappedLayers: [Int]; let displacement: Double; let exactAtoms: [AtomJSON]? }
        let kernel: String
        let layer: Int
        /// `trapezoidMass` null where a density is NaN (a failed point): no value, as elsewhere in the JSON.
        struct Grid: Encodable { let kind: String; let points: Int; @NullWhenAbsent var trapezoidMass: Double?; let trapezoidError: Double }
        let grid: Grid
        let x: [Double]
        let density: [Double?]
        let cdf: [Double]
        let atoms: [AtomJSON]
        let support: [[Double]]
        let continuousMass: Double
        let moments: Moments
        let solver: Solver
        /// The solver's self-check against the exact mass, mean and variance (nil: not solved).
        @NullWhenAbsent var check: Check?
        /// Terms replaced by their means before solving, and the proven bound on the effect.
        @NullWhenAbsent var approximation: Approximation?
        /// Warnings and notes (also printed on standard error).
        let notices: [String]
        /// Wall-clock seconds to solve this law.
        let seconds: Double
    }

    struct ReportJSON: Encodable {
        struct Model: Encodable {
            let activation: String
            let bSigma: Double
            let aSigma: Double
            let depth: Int
            let input: String
            let gammas: [Double]
            @NullWhenAbsent var tau: [Double]?
            let rPlus: Double
            let ntkCoefficients: [Double]
        }
        let model: Model
        let seconds: Double
        let laws: [LawJSON]
    }

    static func json(_ r: TimedSpectra, grids: [DensityGrid]) throws -> String {
        let m = r.model
        let report = ReportJSON(
            model: .init(activation: m.activation.name, bSigma: m.activation.b, aSigma: m.activation.a, depth: m.depth,
                         input: m.input.shortDescription, gammas: m.gammas, tau: m.tau, rPlus: m.rPlus,
                         ntkCoefficients: m.ntkCoefficients),
            seconds: r.totalSeconds,
            laws: zip(zip(r.spectra, r.seconds), grids).map { pair, g in
                let (s, seconds) = pair
                return LawJSON(kernel: s.kernel.kernelName, layer: s.kernel.layerNumber(depth: m.depth),
                        grid: .init(kind: g.kind.rawValue, points: g.x.count, trapezoidMass: g.trapezoidMass.isFinite ? g.trapezoidMass : nil, trapezoidError: g.trapezoidError),
                        x: g.x, density: g.density.map { $0.isFinite ? $0 : nil }, cdf: g.cdf,
                        atoms: s.atoms.map { .init(location: $0.location, mass: $0.mass) },
                        support: s.support.map { [$0.lowerBound, $0.upperBound] },
                        continuousMass: s.continuousMass,
                        moments: .init(mean: s.mean, second: s.secondMoment, variance: s.variance, numerical: s.numericalMoments.map { $0.isFinite ? $0 : nil }),
                        solver: .init(points: s.statistics.points, iterations: s.statistics.iterations, failures: s.failures,
                                      continuations: s.statistics.continuations, reused: s.statistics.reused,
                                      massDeficit: s.massDeficit),
                        check: s.check.map {
                            .init(passed: $0.passed, tolerance: $0.tolerance, mass: $0.mass, exactMean: $0.exactMean, mean: $0.mean,
                                  exactVariance: $0.exactVariance, variance: $0.variance, meanError: $0.meanError,
                                  varianceError: $0.varianceError)
                        },
                        approximation: s.approximation.map {
                            .init(replacedLayers: $0.replacedLayers, snappedLayers: $0.snappedLayers, displacement: $0.displacement,
                                  exactAtoms: $0.exactAtoms?.map { .init(location: $0.location, mass: $0.mass) })
                        },
                        notices: s.notices.map(\.text) + (g.notice.map { [$0.text] } ?? []),
                        seconds: seconds)
            })
        return try JSONOutput.string(report) + "\n"
    }

    static func table(_ r: TimedSpectra) -> String {
        let m = r.model
        var out = "σ = \(m.activation.name)  b_σ = \(NumberFormat.fixed(m.activation.b, 4))  a_σ = \(NumberFormat.fixed(m.activation.a, 4))  L = \(m.depth)  input \(m.input.shortDescription)  γ = \(m.gammas.map { NumberFormat.general($0) }.joined(separator: ","))\n"
        out += "solved \(r.spectra.count) laws in \(NumberFormat.fixed(r.totalSeconds * 1000, 1)) ms\n\n"
        for (s, seconds) in zip(r.spectra, r.seconds) {
            let support = s.support.map { r in AxisTicks.interval(r, minimum: 6) }.map { "[\($0.lower), \($0.upper)]" }.joined(separator: " ∪ ")
            out += "\(s.kernel): support \(support.isEmpty ? "(atoms only)" : support)\n"
            out += "  solved in \(NumberFormat.fixed(seconds * 1000, 1)) ms\n"
            out += "  mean \(NumberFormat.general(s.mean))  second moment \(NumberFormat.general(s.secondMoment))  variance \(NumberFormat.general(s.variance))\n"
            for notice in s.notices { out += "  \(notice.severity == .warning ? "WARNING" : "note"): \(notice.text)\n" }
            for a in s.atoms.prefix(5) { out += "  atom at \(NumberFormat.general(a.location)): \(NumberFormat.fixed(100 * a.mass, 1))%\n" }
            if s.atoms.count > 5 { out += "  … \(s.atoms.count - 5) more atoms\n" }
            // A coarse profile of the density: 12 rows.
            let step = max(1, s.x.count / 12)
            var i = 0
            let peak = max(s.maxDensity, 1e-300)
            while i < s.x.count {
                let d = s.density[i]
                let bar = d.isFinite ? String(repeating: "█", count: Int((d / peak * 40).rounded())) : "?"
                out += "  x = \(NumberFormat.fixed(s.x[i], 4).leftPadded(10))  \(NumberFormat.fixed(d, 5).leftPadded(10))  \(bar)\n"
                i += step
            }
            out += "\n"
        }
        return out
    }
}

extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}

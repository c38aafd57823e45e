import ArgumentParser
import Foundation
import LimitLaws
import NetworkSampling
import QuadraticScaling

/// `ntkscope quadratic density|sample`: the two-layer NTK in the quadratic scaling n ~ d·p.
struct QuadraticCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quadratic",
        abstract: "The two-layer NTK with n/(dp) → γ₁, p/d → γ₂: its limit law μ = γ₁⁻¹(MP(γ₁) ⊠ H) + (1 − γ₁⁻¹)δ₀ and sampled NTKs.",
        discussion: """
        NTK = (1/d) X Xᵀ ⊙ (1/p) φ(XW/√d) D² φ(XW/√d)ᵀ with φ = σ′, W iid N(0, 1), D iid from ν \
        (--output-law). H = μ_{ν,φ} depends on φ through c₁² = (E ξφ)² and a² = Var φ − c₁²; c₀ = E φ \
        only adds d outliers near c₀² E[D²] γ₁ p. See docs/quadratic.md.
        """,
        subcommands: [QuadraticDensityCommand.self, QuadraticSampleCommand.self])
}

/// Options shared by both subcommands.
struct QuadraticOptions: ParsableArguments {
    @Option(help: "γ₁ = lim n/(dp) (0.001…1000).") var gamma1: String = "0.5"
    @Option(help: "γ₂ = lim p/d (0.001…1000).") var gamma2: String = "1"
    @Option(help: "σ, whose derivative φ = σ′ enters: one of \(DerivativeActivation.names.joined(separator: ", ")).")
    var activation: String = "relu"
    @Flag(help: "Use the table's normalised σ (E σ = 0, E σ² = 1): φ is then scaled by the normalisation's factor s, H and the law by s². Default: the raw σ.")
    var normalised = false
    @Option(name: .customLong("output-law"), help: "ν, the law of D: \(OutputWeightLaw.syntax).")
    var outputLaw: String = "rademacher"
    @Option(help: "Output format: csv, json or table.") var format: String = "table"
    @OptionGroup var outputFile: OutputFileOptions

    static func positive(_ text: String, option: String) throws(ModelError) -> Double {
        guard let v = Double(text.trimmingCharacters(in: .whitespaces)), v.isFinite, QuadraticSettings.gammaRange.contains(v) else {
            throw ModelError(field: option, value: text, allowed: "must be a number from 0.001 to 1000")
        }
        return v
    }

    func settings() throws(ModelError) -> QuadraticSettings {
        let g1 = try Self.positive(gamma1, option: "--gamma1")
        let g2 = try Self.positive(gamma2, option: "--gamma2")
        let act: DerivativeActivation
        do { act = try DerivativeActivation.named(activation, normalised: normalised) } catch {
            throw ModelError(field: "--activation", value: activation, allowed: error.allowed)
        }
        let law: OutputWeightLaw
        func named(_ e: ModelError) -> ModelError { ModelError(field: "--output-law", value: e.value, allowed: e.allowed) }
        let spec: OutputWeightSpec
        do { spec = try OutputWeightLaw.parse(outputLaw) } catch { throw named(error) }
        switch spec {
        case .law(let l): law = l
        case .file(let path):
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                throw ModelError(field: "--output-law", value: outputLaw, allowed: "cannot read '\(path)' as UTF-8 text")
            }
            do { law = try OutputWeightLaw.fromText(text, label: path) } catch { throw named(error) }
        }
        let s = QuadraticSettings(gamma1: g1, gamma2: g2, activation: act, outputLaw: law)
        do { try s.validate() } catch { throw ModelError(field: "--\(error.field)", value: error.value, allowed: error.allowed) }
        return s
    }

    func checkedFormat() throws(ModelError) -> String {
        try CommandLineValues.choice(format, option: "--format", allowed: ["csv", "json", "table"])
    }

    static func describe(_ s: QuadraticSettings) -> [String] {
        let a = s.activation
        let n = CommandLineValues.number
        return [
            "gamma1 \(n(s.gamma1)), gamma2 \(n(s.gamma2)), activation \(a), output law \(s.outputLaw)",
            "phi constants: c0 \(n(a.c0)), c1^2 \(n(a.c1Squared)), a^2 \(n(a.a2)), Var phi \(n(a.variance))\(a.normalised ? " (normalised: phi scaled by \(n(a.factor)))" : "")",
        ]
    }
}

struct QuadraticDensityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "density",
        abstract: "The limit laws: H = μ_{ν,φ}, MP(γ₁) and the NTK law (density, atoms, edges, moments, checks).")

    @OptionGroup var options: QuadraticOptions
    @Option(help: "Which law the csv grid holds: ntk, population (H) or marcenko-pastur.") var law: String = "ntk"
    @Option(help: "Points of the density grid (2…100000).") var points: String = "400"

    func run() throws {
        let settings = try options.settings()
        let format = try options.checkedFormat()
        try options.outputFile.refuseExisting()
        let which = try CommandLineValues.choice(law, option: "--law", allowed: ["ntk", "population", "marcenko-pastur"])
        let grid = try CommandLineValues.integer(points, option: "--points", range: 2...100_000)
        let r = try QuadraticScalingSolver.solve(settings, options: QuadraticSolveOptions(gridPoints: grid))
        let text: String
        switch format {
        case "json": text = try json(r)
        case "csv": text = csv(r, which)
        default: text = table(r)
        }
        try options.outputFile.write(text)
        for c in r.failedChecks { StandardStreams.error("ntkscope: warning: check failed: \(c.summary)\n") }
        if r.ntk.covarianceSide.failures > 0 {
            StandardStreams.error("ntkscope: warning: \(r.ntk.covarianceSide.failures) failed points in the NTK law\n")
        }
    }

    func spectrum(_ r: QuadraticSpectra, _ which: String) -> LimitSpectrum {
        switch which {
        case "population": return r.populationSpectrum
        case "marcenko-pastur": return r.marcenkoPasturSpectrum
        default: return r.ntkSpectrum
        }
    }

    func summaryLines(_ r: QuadraticSpectra) -> [String] {
        let n = CommandLineValues.number
        var lines = QuadraticOptions.describe(r.settings)
        let h = r.population
        lines.append("H: \(h.method); atoms \(h.atoms.map { "\(n($0.location))@\(n($0.mass))" }.joined(separator: " ")); support \(h.support.map { "[\(n($0.lowerBound)), \(n($0.upperBound))]" }.joined(separator: " ")); m1 \(n(h.mean)), m2 \(n(h.secondMoment))")
        lines.append("NTK: atoms \(r.ntk.atoms.map { "\(n($0.location))@\(n($0.mass))" }.joined(separator: " ")); support \(r.ntk.support.map { "[\(n($0.lowerBound)), \(n($0.upperBound))]" }.joined(separator: " ")); m1 \(n(r.ntk.mean)), m2 \(n(r.ntk.secondMoment))")
        lines.append("discretisation of H: \(r.discretisation.distinct) distinct atoms of \(r.discretisation.values.count); proven W∞(H, H_K) ≤ \(n(r.discretisation.wInfinity)), W∞(NTK) ≤ \(n(r.ntkWInfinity)), KS(NTK) ≤ \(n(r.ntkKSBound))")
        lines.append("outliers of a sample (not in the law): \(r.settings.activation.c0 != 0 ? "d near c0^2 E[D^2] gamma1 p" : "none from c0")\(r.settings.activation.c1 != 0 ? ", one more from c1" : "")")
        for c in r.checks { lines.append("check \(c.summary)") }
        return lines
    }

    func table(_ r: QuadraticSpectra) -> String {
        summaryLines(r).joined(separator: "\n") + "\n"
    }

    func csv(_ r: QuadraticSpectra, _ which: String) -> String {
        let s = spectrum(r, which)
        var out = summaryLines(r).map { "# \($0)" }.joined(separator: "\n") + "\n"
        out += "# law: \(which); density of the continuous part, atoms listed above\n"
        out += "x,density,cdf\n"
        for (x, d) in zip(s.x, s.density) {
            let f = which == "ntk" ? r.ntk.cdf(x) : (which == "population" ? r.population.cdf(x) : s.cdf(x))
            out += "\(NumberFormat.csv(x)),\(NumberFormat.csv(d)),\(NumberFormat.csv(f))\n"
        }
        return out
    }

    struct AtomEntry: Encodable { let location: Double; let mass: Double }
    struct CheckEntry: Encodable { let name: String; let value: Double; let expected: Double; let tolerance: Double; let passed: Bool }
    struct LawEntry: Encodable {
        let atoms: [AtomEntry]; let support: [[Double]]; let mean: Double; let second_moment: Double
        let x: [Double]; let density: [Double]; let cdf: [Double]
    }
    struct Document: Encodable {
        let gamma1: Double; let gamma2: Double; let activation: String; let normalised: Bool; let output_law: String
        let c0: Double; let c1_squared: Double; let a_squared: Double; let variance: Double
        let population_method: String
        let population: LawEntry; let marcenko_pastur: LawEntry; let ntk: LawEntry
        let discretisation_atoms: Int; let w_infinity_population: Double; let w_infinity_ntk: Double; let ks_bound_ntk: Double
        let checks: [CheckEntry]; let checks_passed: Bool
    }

    func json(_ r: QuadraticSpectra) throws -> String {
        func entry(_ s: LimitSpectrum, cdf: (Double) -> Double) -> LawEntry {
            LawEntry(atoms: s.atoms.map { AtomEntry(location: $0.location, mass: $0.mass) },
                     support: s.support.map { [$0.lowerBound, $0.upperBound] }, mean: s.mean, second_moment: s.secondMoment,
                     x: s.x, density: s.density.map { $0.isFinite ? $0 : -1 }, cdf: s.x.map(cdf))
        }
        let a = r.settings.activation
        let doc = Document(gamma1: r.settings.gamma1, gamma2: r.settings.gamma2, activation: a.name, normalised: a.normalised,
                           output_law: r.settings.outputLaw.description, c0: a.c0, c1_squared: a.c1Squared, a_squared: a.a2,
                           variance: a.variance, population_method: r.population.method,
                           population: entry(r.populationSpectrum, cdf: r.population.cdf),
                           marcenko_pastur: entry(r.marcenkoPasturSpectrum, cdf: r.marcenkoPasturSpectrum.cdf),
                           ntk: entry(r.ntkSpectrum, cdf: r.ntk.cdf),
                           discretisation_atoms: r.discretisation.distinct, w_infinity_population: r.discretisation.wInfinity,
                           w_infinity_ntk: r.ntkWInfinity, ks_bound_ntk: r.ntkKSBound,
                           checks: r.checks.map { CheckEntry(name: $0.name, value: $0.value, expected: $0.expected, tolerance: $0.tolerance, passed: $0.passed) },
                           checks_passed: !r.failed)
        return try JSONOutput.string(doc) + "\n"
    }
}

struct QuadraticSampleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample",
        abstract: "Sample the NTK (p = round(γ₂ d), n = round(γ₁ d p)), its eigenvalues, the outliers apart from the bulk, and with --compare KS and W1 of the bulk against the law.")

    @OptionGroup var options: QuadraticOptions
    @Option(help: "Input dimension d (2…20000; n = γ₁ d p must stay ≤ \(QuadraticSamplingRequest.maxSamples)).") var d: String = "40"
    @Option(help: "Random seed (unsigned 64-bit).", transform: CommandLineValues.seed) var seed: UInt64 = 0
    @Option(help: "Inputs: gaussian, rademacher, or data:PATH (CSV or .npy, samples × features; then d = features, n = rows).")
    var input: String = "gaussian"
    @Option(help: "float32 (fast) or float64.") var precision: String = "float32"
    @Option(help: "BLAS threads, 1…1024 (default: OPENBLAS_NUM_THREADS or the number of cores).", transform: CommandLineValues.integer(NumberBounds.threads)) var threads: Int?
    @Flag(help: "Compare the bulk with the limit law (KS, W1) and the outliers with their predicted location.") var compare = false

    func run() throws {
        let settings = try options.settings()
        let format = try options.checkedFormat()
        try options.outputFile.refuseExisting()
        let dim = try CommandLineValues.integer(d, option: "--d", range: 2...20_000)
        guard let prec = Precision(rawValue: precision.lowercased()) else {
            throw ModelError(field: "--precision", value: precision, allowed: "must be float32 or float64")
        }
        if let t = threads { try NumberBounds.threads.check(Double(t), field: "--threads") }
        let inputs: QuadraticInput
        switch input.lowercased() {
        case "gaussian": inputs = .gaussian
        case "rademacher": inputs = .rademacher
        default:
            guard input.lowercased().hasPrefix("data:") else {
                throw ModelError(field: "--input", value: input, allowed: "gaussian, rademacher or data:PATH")
            }
            do { inputs = .data(try DataMatrix.read(path: String(input.dropFirst(5)), field: "--input")) } catch {
                throw error.naming(option: "--input")
            }
        }
        let request = QuadraticSamplingRequest(settings: settings, d: dim, seed: seed, input: inputs, precision: prec, threads: threads)
        let sample: QuadraticSample
        do { sample = try QuadraticSampler.run(request) } catch {
            throw ModelError(field: "--d", value: "\(dim)", allowed: error.description)
        }
        var law: QuadraticSpectra? = nil
        var comparison: SampleComparison? = nil
        if compare {
            let r = try QuadraticScalingSolver.solve(sample.lawSettings)
            law = r
            comparison = QuadraticSampler.compare(sample, with: r)
            for c in r.failedChecks { StandardStreams.error("ntkscope: warning: check failed: \(c.summary)\n") }
        }
        let text: String
        switch format {
        case "json": text = try json(sample, law, comparison)
        case "csv": text = csv(sample, law, comparison)
        default: text = summary(sample, law, comparison).joined(separator: "\n") + "\n"
        }
        try options.outputFile.write(text)
    }

    func summary(_ s: QuadraticSample, _ law: QuadraticSpectra?, _ c: SampleComparison?) -> [String] {
        let n = CommandLineValues.number
        let real = s.request.realisedSettings
        var lines = QuadraticOptions.describe(s.request.settings)
        lines.append("sample: d \(s.d), p \(s.p), n \(s.n) (realised gamma1 \(n(real.gamma1)), gamma2 \(n(real.gamma2))), inputs \(s.request.input.name), seed \(s.request.seed), \(s.request.precision.rawValue), \(String(format: "%.2f", s.seconds)) s")
        let mean = s.outliers.isEmpty ? 0 : s.outliers.reduce(0, +) / Double(s.outliers.count)
        lines.append("outliers: \(s.outliers.count) top eigenvalues set apart (mean \(n(mean)); c0^2 E[D^2] gamma1 p = \(n(s.predictedOutlierLocation))); bulk \(s.bulk.count) eigenvalues in [\(n(s.bulk.first ?? 0)), \(n(s.bulk.last ?? 0))]")
        if let c, let law {
            if law.settings.outputLaw != s.request.settings.outputLaw { lines.append("law compared: ν = \(law.settings.outputLaw)") }
            lines.append("bulk vs law: KS \(n(c.ks)) at \(n(c.ksLocation)), W1 \(n(c.w1)); law support \(law.ntk.support.map { "[\(n($0.lowerBound)), \(n($0.upperBound))]" }.joined(separator: " ")); KS error of the law itself ≤ \(n(law.ntkKSBound)); law checks \(law.failed ? "FAILED" : "passed")")
        }
        return lines
    }

    func csv(_ s: QuadraticSample, _ law: QuadraticSpectra?, _ c: SampleComparison?) -> String {
        var out = summary(s, law, c).map { "# \($0)" }.joined(separator: "\n") + "\n"
        out += "index,eigenvalue,outlier" + (law != nil ? ",law_cdf" : "") + "\n"
        let bulkCount = s.bulk.count
        for (i, v) in s.eigenvalues.enumerated() {
            out += "\(i),\(NumberFormat.csv(v)),\(i >= bulkCount ? 1 : 0)"
            if let law { out += ",\(NumberFormat.csv(law.ntk.cdf(v)))" }
            out += "\n"
        }
        return out
    }

    struct Document: Encodable {
        let gamma1: Double; let gamma2: Double; let realised_gamma1: Double; let realised_gamma2: Double
        let activation: String; let output_law: String; let d: Int; let p: Int; let n: Int; let seed: UInt64
        let inputs: String; let precision: String; let seconds: Double
        let eigenvalues: [Double]; let outliers: [Double]; let predicted_outlier_location: Double
        @NullWhenAbsent var ks: Double?; @NullWhenAbsent var w1: Double?; @NullWhenAbsent var law_ks_bound: Double?
        @NullWhenAbsent var law_checks_passed: Bool?
    }

    func json(_ s: QuadraticSample, _ law: QuadraticSpectra?, _ c: SampleComparison?) throws -> String {
        let real = s.request.realisedSettings
        let doc = Document(gamma1: s.request.settings.gamma1, gamma2: s.request.settings.gamma2, realised_gamma1: real.gamma1,
                           realised_gamma2: real.gamma2, activation: real.activation.description, output_law: real.outputLaw.description,
                           d: s.d, p: s.p, n: s.n, seed: s.request.seed, inputs: s.request.input.name, precision: s.request.precision.rawValue,
                           seconds: s.seconds, eigenvalues: s.eigenvalues, outliers: s.outliers,
                           predicted_outlier_location: s.predictedOutlierLocation, ks: c?.ks, w1: c?.w1,
                           law_ks_bound: law?.ntkKSBound, law_checks_passed: law.map { !$0.failed })
        return try JSONOutput.string(doc) + "\n"
    }
}

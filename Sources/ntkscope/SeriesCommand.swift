import ArgumentParser
import Foundation
import InfiniteWidth
import LimitLaws


/// Parsing shared by the infinite-width subcommands: bad values throw a ModelError naming the
/// option, the value and what is allowed (the root command prints it and exits with code 2).
enum CommandLineValues {
    static func integer(_ text: String, option: String, range: ClosedRange<Int>) throws(ModelError) -> Int {
        guard let v = Int(text.trimmingCharacters(in: .whitespaces)), range.contains(v) else {
            throw ModelError(field: option, value: text,
                             allowed: "must be an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        return v
    }

    /// What a seed may be: a whole number from 0 to 2⁶⁴ − 1.
    static let seedRange = "must be a whole number from 0 to \(UInt64.max)"

    /// The `transform` of every `--seed` option, so that "-1" or "1.5" gets the allowed range in
    /// its message (the parser names the option and the value).
    static func seed(_ text: String) throws -> UInt64 {
        guard let v = UInt64(text.trimmingCharacters(in: .whitespaces)) else { throw ValidationError(seedRange) }
        return v
    }

    static func choice(_ text: String, option: String, allowed: [String]) throws(ModelError) -> String {
        let t = text.lowercased()
        guard allowed.contains(t) else {
            throw ModelError(field: option, value: text, allowed: "must be one of \(allowed.joined(separator: ", "))")
        }
        return t
    }

    static func number(_ x: Double) -> String {
        x == 0 ? "0" : String(format: "%.17g", x)
    }

}

struct SeriesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "series",
        abstract: "Infinite-width CK/NTK power series: Hermite coefficients μ_k of σ and the coefficients of K_1…K_L and Θ_L.",
        discussion: """
        Σ_1 = σ_w² ρ + σ_b², K_ℓ = κ(Σ_ℓ), Σ_{ℓ+1} = σ_w² K_ℓ + σ_b²; Θ_ℓ = τ_{L+1} Σ_{ℓ+1} + σ_w² κ̇(Σ_ℓ) P_ℓ \
        (see docs/infinite-width.md). With the defaults (σ_w² = 1, no biases, σ centred and normalised) \
        K_ℓ = κ(K_{ℓ−1}) with κ(t) = Σ μ_k² t^k. Coefficients are ≥ 0, so the truncation error on |ρ| ≤ 1 is at \
        most the reported tail = K(1) − Σ_{j≤N} c_j. Only the activation, depth and tau options of the model \
        matter here (γ's describe finite width). The order is limited to \(KernelSeries.maxOrder) everywhere \
        (CLI, render and the explorer); large orders and depths show progress on stderr and Ctrl-C stops them. \
        --data FILE or --points N adds the Gram block: the infinite-width Gram spectra of those points.
        """)

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var initialisationOptions: InitialisationOptions
    @OptionGroup var gramOptions: GramDataOptions
    @Option(help: "Truncation order N of the series (1…\(KernelSeries.maxOrder)).") var order: String = "\(KernelSeries.defaultOrder)"
    @Option(name: .customLong("dim"), help: "With --points: the sphere dimension d (2…100000). (default: 3)") var dimension: String = "3"
    @Option(help: "Output format: csv or json.") var format: String = "csv"
    @OptionGroup var outputFile: OutputFileOptions

    func run() throws {
        let order = try CommandLineValues.integer(self.order, option: "--order", range: 1...KernelSeries.maxOrder)
        let format = try CommandLineValues.choice(self.format, option: "--format", allowed: ["csv", "json"])
        let d = try CommandLineValues.integer(dimension, option: "--dim", range: 2...100_000)
        let model = try modelOptions.model()
        let ini = try initialisationOptions.initialisation()
        let data = try gramOptions.load(dimension: d)
        let series = ProgressLine.series(model, order: order, initialisation: ini)
        let gram = try data.map { try GramBlock.compute(series, data: $0) }
        try outputFile.write(format == "json" ? try SeriesOutput.json(series, gram: gram) : SeriesOutput.csv(series, gram: gram))
    }
}

enum SeriesOutput {
    /// `#` lines describing the initialisation, shared by series and sphere.
    static func initialisationLines(_ s: KernelSeries) -> String {
        let n = CommandLineValues.number
        var out = "# initialisation: \(s.initialisation.summary); pre-activation variances q_1..q_\(s.depth + 1): "
        out += s.variances.map { n($0) }.joined(separator: ";") + "\n"
        if !s.lowOrdersExact {
            out += "# note: re-expanding around Sigma(0) != 0 cut sigma's Hermite series at order \(s.hermiteOrderUsed): the tail may also sit in low orders, so the error bound is the whole tail\n"
        }
        return out
    }

    /// The constant coefficient c_0 of each kernel and its share of the diagonal (= of a Gram's trace).
    static func constantLine(_ s: KernelSeries, _ kernels: [InfiniteKernel]) -> String {
        let n = CommandLineValues.number
        return "# constant coefficient c_0 (share of K(1), i.e. of any Gram's trace; on n points an eigenvalue >= n c_0): "
            + kernels.map { k in let c = s.constantTerm(k); return "\(k) \(n(c.value)) (\(String(format: "%.4g", 100 * c.share))%)" }.joined(separator: ", ") + "\n"
    }

    static func csv(_ s: KernelSeries, gram: GramBlock?) -> String {
        let n = CommandLineValues.number
        let L = s.depth
        var out = "# ntkscope series: activation \(s.activation.name), depth \(L), order \(s.order) (limit \(KernelSeries.maxOrder))"
        out += ", tau \(s.tau.map { n($0) }.joined(separator: ";"))\n"
        out += initialisationLines(s)
        out += "# b_sigma \(n(s.hermite.mu.count > 1 ? s.hermite.mu[1] : 0)), a_sigma \(n(s.aSigma)); hermite \(s.hermite.method == .closedForm ? "closed form" : "quadrature")"
        out += ", trustworthy to order \(min(s.hermite.trustworthyOrder, s.order)); mu_k of sigma(xi), xi ~ N(0, 1)\n"
        let ks = (1...max(L, 1)).filter { _ in L >= 1 }
        out += constantLine(s, ks.map { .ck($0) } + [.ntk(L)])
        out += "k,mu," + ks.map { "K_\($0)" }.joined(separator: ",") + (L >= 1 ? "," : "") + "Theta_\(L)\n"
        for k in 0...s.order {
            var row = "\(k),\(n(s.hermite.mu[k]))"
            for l in ks { row += "," + n(s.ck[l][k]) }
            row += "," + n(s.ntk[L][k])
            out += row + "\n"
        }
        out += "# value_at_1,\(n(s.hermite.secondMoment))," + ks.map { n(s.valueAtOne(.ck($0))) }.joined(separator: ",") + (L >= 1 ? "," : "") + n(s.valueAtOne(.ntk(L))) + "\n"
        out += "# tail_bound,\(n(s.hermite.tailMass))," + ks.map { n(s.tail(.ck($0))) }.joined(separator: ",") + (L >= 1 ? "," : "") + n(s.tail(.ntk(L))) + "\n"
        if let gram { out += gram.csvLines() }
        return out
    }

    struct Kernel: Encodable {
        let name: String
        let layer: Int
        let coefficients: [Double]
        let value_at_one: Double
        let tail_bound: Double
        let constant_share: Double
    }
    struct Hermite: Encodable {
        let method: String
        let mu: [Double]
        let error_estimate: [Double]
        let trustworthy_order: Int
        let tail_mass: Double
    }
    struct Init: Encodable {
        let weight_variance: Double
        let bias_variance: Double
        let centre: Bool
        let normalise: Bool
        let variances: [Double]
        let low_orders_exact: Bool
    }
    struct Document: Encodable {
        let activation: String
        let depth: Int
        let order: Int
        let max_order: Int
        let tau: [Double]
        let initialisation: Init
        let b_sigma: Double
        let a_sigma: Double
        let hermite: Hermite
        let ck: [Kernel]
        let ntk: Kernel
        @NullWhenAbsent var gram: GramBlock.JSONForm?
    }

    static func initJSON(_ s: KernelSeries) -> Init {
        Init(weight_variance: s.initialisation.weightVariance, bias_variance: s.initialisation.biasVariance,
             centre: s.initialisation.centre, normalise: s.initialisation.normalise, variances: s.variances,
             low_orders_exact: s.lowOrdersExact)
    }

    static func json(_ s: KernelSeries, gram: GramBlock?) throws -> String {
        let h = s.hermite
        func kernel(_ k: InfiniteKernel, layer: Int) -> Kernel {
            Kernel(name: "\(k)", layer: layer, coefficients: s.coefficients(k), value_at_one: s.valueAtOne(k),
                   tail_bound: s.tail(k), constant_share: s.constantTerm(k).share)
        }
        let doc = Document(
            activation: s.activation.name, depth: s.depth, order: s.order, max_order: KernelSeries.maxOrder, tau: s.tau,
            initialisation: initJSON(s),
            b_sigma: h.mu.count > 1 ? h.mu[1] : 0, a_sigma: s.aSigma,
            hermite: Hermite(method: h.method == .closedForm ? "closed-form" : "quadrature",
                             mu: Array(h.mu.prefix(s.order + 1)), error_estimate: Array(h.errorEstimate.prefix(s.order + 1)),
                             trustworthy_order: min(h.trustworthyOrder, s.order), tail_mass: h.tailMass),
            ck: (0...s.depth).map { kernel(.ck($0), layer: $0) },
            ntk: kernel(.ntk(s.depth), layer: s.depth), gram: gram?.jsonForm)
        return try JSONOutput.string(doc) + "\n"
    }
}

/// The Gram block: the infinite-width Gram spectra of K_L and Θ_L on a data set (or uniform points)
/// next to the input Gram XᵀX — effective ranks, λ_max share, λ_min, outliers, and the power-series
/// paper's Theorem 4.3 bound r(Θ_L) ≤ (Θ_L(1)/c₁)·r(XᵀX).
struct GramBlock {
    let source: String
    let n: Int
    let d: Int
    let spectra: DatasetSpectra
    let depth: Int
    let constant: Double

    static func compute(_ s: KernelSeries, data: InfiniteWidthData) throws -> GramBlock {
        let exact = KernelRecursion(activation: s.activation, depth: s.depth, tau: s.tau, initialisation: s.initialisation)
        let spectra = try DatasetSpectra.compute(s, points: data.points, exact: exact)
        return GramBlock(source: data.source, n: data.points.count, d: data.points.dimension, spectra: spectra,
                         depth: s.depth, constant: s.constantTerm(.ntk(s.depth)).value)
    }

    func csvLines() -> String {
        let n = CommandLineValues.number
        let L = depth
        var out = "# gram on \(source): n = \(self.n), d = \(d); K_\(L), Theta_\(L) entries: \(spectra.ntk.source)"
        if spectra.ntk.entryErrorBound > 0 {
            out += " (entry error <= \(n(spectra.ntk.entryErrorBound)), eigenvalue error <= \(n(spectra.ntk.eigenvalueErrorBound)))"
        }
        out += "\n# gram,effective_rank,lambda_max,lambda_min,max_share,outliers,numerical_rank\n"
        for (name, g) in [("input", spectra.input), ("K_\(L)", spectra.ck), ("Theta_\(L)", spectra.ntk)] {
            out += "# gram \(name),\(n(g.effectiveRank)),\(n(g.lambdaMax)),\(n(g.lambdaMin)),\(n(g.maxShare)),\(g.outliers),\(g.numericalRank)"
            if g.lambdaMinIsTruncationLimited { out += ",lambda_min truncation-limited (below the eigenvalue error bound)" }
            out += "\n"
        }
        out += "# theorem 4.3: r(Theta_\(L))/r(X^T X) = \(n(spectra.ntkToInputEffectiveRank)) <= Theta_\(L)(1)/c_1 = \(n(spectra.ntkBoundConstant))"
        out += spectra.theorem43Holds ? " (holds)\n" : " (VIOLATED: a numerical failure)\n"
        if constant > 0 {
            out += "# constant term: n*c_0 = \(n(Double(self.n) * constant)) <= lambda_max(Theta_\(L)) = \(n(spectra.ntk.lambdaMax))\n"
        }
        return out
    }

    struct Spectrum: Encodable {
        let eigenvalues: [Double]
        let trace: Double
        let effective_rank: Double
        let lambda_max: Double
        let lambda_min: Double
        let lambda_min_truncation_limited: Bool
        let max_share: Double
        let outliers: Int
        let numerical_rank: Int
        let entries: String
        let entry_error_bound: Double
    }
    struct JSONForm: Encodable {
        let source: String
        let points: Int
        let dimension: Int
        let input: Spectrum
        let ck: Spectrum
        let ntk: Spectrum
        let effective_rank_ratio: Double
        /// Θ_L(1)/c₁; null when c₁ = 0 (no bound).
        @NullWhenAbsent var bound_constant: Double?
        let bound_holds: Bool
    }

    var jsonForm: JSONForm {
        func form(_ g: GramSpectrum) -> Spectrum {
            Spectrum(eigenvalues: g.eigenvalues, trace: g.trace, effective_rank: g.effectiveRank, lambda_max: g.lambdaMax,
                     lambda_min: g.lambdaMin, lambda_min_truncation_limited: g.lambdaMinIsTruncationLimited, max_share: g.maxShare,
                     outliers: g.outliers, numerical_rank: g.numericalRank, entries: g.source, entry_error_bound: g.entryErrorBound)
        }
        return JSONForm(source: source, points: n, dimension: d, input: form(spectra.input), ck: form(spectra.ck), ntk: form(spectra.ntk),
                        effective_rank_ratio: spectra.ntkToInputEffectiveRank,
                        bound_constant: spectra.ntkBoundConstant.isFinite ? spectra.ntkBoundConstant : nil,
                        bound_holds: spectra.theorem43Holds)
    }
}

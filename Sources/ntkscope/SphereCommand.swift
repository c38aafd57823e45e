import ArgumentParser

import Foundation
import InfiniteWidth
import LimitLaws

struct SphereCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sphere",
        abstract: "Eigenvalues λ_k (with multiplicities N(d, k)) of the infinite-width CK K_L and NTK Θ_L on uniform data on S^{d−1}.",
        discussion: """
        Funk–Hecke: λ_k = E[K(t) P_k(t)], t = ⟨x, y⟩ for independent uniform x, y. Each λ_k comes from the \
        power series (each monomial t^j has closed-form eigenvalues) or, for σ with a closed-form kernel \
        (relu, leaky-relu, erf, sin, …) where the series' tail dominates, from quadrature of the exact kernel: \
        column method. The bound column is, for series rows, tail·max_{j>N} λ_k(t^j) (at most tail/N(d, k)), \
        the most the truncated part of the series can add; for quadrature rows the quadrature's error estimate. \
        share = N(d,k) λ_k / K(1); multiplicities are exact integers, λ_k and shares are computed in log space \
        (log10 columns; λ_k below 1e-308 prints as 0). The decay slope is fitted only over degrees whose bound \
        is at most 1% of λ_k, next to the theoretical rate. --data FILE or --points N adds the Gram block \
        (see `series --help`).
        """)

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var initialisationOptions: InitialisationOptions
    @OptionGroup var gramOptions: GramDataOptions
    @Option(name: .customLong("dim"), help: "Input dimension d (the sphere S^{d−1}; 2…100000).") var dimension: String = "3"
    @Option(name: .customLong("max-degree"), help: "Largest degree k (0…order).") var maxDegree: String = "40"
    @Option(help: "Truncation order N of the series (1…\(KernelSeries.maxOrder)).") var order: String = "\(KernelSeries.defaultOrder)"
    @Option(help: "Which kernels: ck, ntk or both.") var kernel: String = "both"
    @Option(help: "Output format: csv or json.") var format: String = "csv"
    @OptionGroup var outputFile: OutputFileOptions

    func run() throws {
        let d = try CommandLineValues.integer(dimension, option: "--dim", range: 2...100_000)
        let order = try CommandLineValues.integer(self.order, option: "--order", range: 1...KernelSeries.maxOrder)
        let kmax = try CommandLineValues.integer(maxDegree, option: "--max-degree", range: 0...order)
        let which = try CommandLineValues.choice(kernel, option: "--kernel", allowed: ["ck", "ntk", "both"])
        let format = try CommandLineValues.choice(self.format, option: "--format", allowed: ["csv", "json"])
        let model = try modelOptions.model()
        let ini = try initialisationOptions.initialisation()
        let data = try gramOptions.load(dimension: d)
        let series = ProgressLine.series(model, order: order, initialisation: ini)
        let exact = KernelRecursion(activation: model.activation, depth: model.depth, tau: model.tau, initialisation: ini)
        var kernels: [InfiniteKernel] = []
        if which != "ntk" { kernels.append(.ck(model.depth)) }
        if which != "ck" { kernels.append(.ntk(model.depth)) }
        let eig = kernels.map { SphereSpectrum.eigenvalues(series, kernel: $0, exact: exact, dimension: d, maxDegree: kmax) }
        let fits = zip(kernels, eig).map { k, e in
            SphereSpectrum.decayFit(e, degrees: max(1, kmax / 2)...max(1, kmax),
                                    theory: SphereSpectrum.theoreticalRate(exact.activation, kernel: k, dimension: d))
        }
        let gram = try data.map { try GramBlock.compute(series, data: $0) }
        try outputFile.write(format == "json" ? try json(series, kernels, eig, fits, d, gram) : csv(series, kernels, eig, fits, d, gram))
    }

    static func fitText(_ f: SphereSpectrum.DecayFit, window: ClosedRange<Int>) -> String {
        var t: String
        if let s = f.slope, let a = f.degrees.first, let b = f.degrees.last {
            t = "log-log decay slope \(String(format: "%.3f", s)) over the \(f.degrees.count) resolved degrees k = \(a)…\(b)"
        } else {
            t = "no decay fit: fewer than 3 degrees of k = \(window.lowerBound)…\(window.upperBound) are resolved (bound <= 1% of lambda_k); raise --order"
        }
        if !f.unresolved.isEmpty && f.slope != nil { t += " (\(f.unresolved.count) unresolved degrees left out)" }
        t += "; theory: " + (f.theory ?? "not known here")
        return t
    }

    func csv(_ s: KernelSeries, _ kernels: [InfiniteKernel], _ eig: [[SphereEigenvalue]], _ fits: [SphereSpectrum.DecayFit],
             _ d: Int, _ gram: GramBlock?) -> String {
        let n = CommandLineValues.number
        let kmax = eig.first?.last?.degree ?? 0
        var out = "# ntkscope sphere: activation \(s.activation.name), depth \(s.depth), order \(s.order) (limit \(KernelSeries.maxOrder)), S^\(d - 1) in R^\(d)\n"
        out += SeriesOutput.initialisationLines(s)
        out += SeriesOutput.constantLine(s, kernels)
        for (i, k) in kernels.enumerated() {
            out += "# \(k): value_at_1 \(n(s.valueAtOne(k))), series tail \(n(s.tail(k))); "
            out += Self.fitText(fits[i], window: max(1, kmax / 2)...max(1, kmax)) + "\n"
        }
        out += "k,multiplicity,log10_multiplicity"
        for k in kernels { out += ",lambda_\(k),log10_lambda_\(k),bound_\(k),share_\(k),method_\(k)" }
        out += "\n"
        for row in 0..<(eig.first?.count ?? 0) {
            let e0 = eig[0][row]
            out += "\(row),\(e0.multiplicityText),\(n(e0.log10Multiplicity))"
            for e in eig {
                let r = e[row]
                out += ",\(n(r.lambda)),\(r.log10Lambda.isFinite ? n(r.log10Lambda) : "-inf"),\(n(r.errorBound)),\(n(r.traceShare)),\(r.method.rawValue)"
            }
            out += "\n"
        }
        if let gram { out += gram.csvLines() }
        return out
    }

    struct Entry: Encodable {
        let k: Int
        /// N(d, k) exactly, as a decimal string (it exceeds every JSON number type's precision).
        let multiplicity: String
        let log10_multiplicity: Double
        let lambda: Double
        /// log10 λ_k, or null when λ_k = 0 exactly.
        @NullWhenAbsent var log10_lambda: Double?
        let bound: Double
        let share: Double
        let method: String
    }
    struct Fit: Encodable { @NullWhenAbsent var slope: Double?; let degrees: [Int]; let unresolved: [Int]; @NullWhenAbsent var theory: String? }
    struct KernelEntry: Encodable {
        let name: String; let value_at_one: Double; let tail_bound: Double; let constant_share: Double
        let decay_fit: Fit; let eigenvalues: [Entry]
    }
    struct Document: Encodable {
        let activation: String; let depth: Int; let order: Int; let max_order: Int; let dimension: Int
        let initialisation: SeriesOutput.Init; let kernels: [KernelEntry]; @NullWhenAbsent var gram: GramBlock.JSONForm?
    }

    func json(_ s: KernelSeries, _ kernels: [InfiniteKernel], _ eig: [[SphereEigenvalue]], _ fits: [SphereSpectrum.DecayFit],
              _ d: Int, _ gram: GramBlock?) throws -> String {
        let doc = Document(activation: s.activation.name, depth: s.depth, order: s.order, max_order: KernelSeries.maxOrder, dimension: d,
                           initialisation: SeriesOutput.initJSON(s),
                           kernels: kernels.indices.map { i in
                               let k = kernels[i], f = fits[i]
                               return KernelEntry(name: "\(k)", value_at_one: s.valueAtOne(k), tail_bound: s.tail(k),
                                                  constant_share: s.constantTerm(k).share,
                                                  decay_fit: Fit(slope: f.slope, degrees: f.degrees, unresolved: f.unresolved, theory: f.theory),
                                                  eigenvalues: eig[i].map { Entry(k: $0.degree, multiplicity: $0.multiplicityText,
                                                                                   log10_multiplicity: $0.log10Multiplicity, lambda: $0.lambda,
                                                                                   log10_lambda: $0.log10Lambda.isFinite ? $0.log10Lambda : nil,
                                                                                   bound: $0.errorBound, share: $0.traceShare, method: $0.method.rawValue) })
                           }, gram: gram?.jsonForm)
        return try JSONOutput.string(doc) + "\n"
    }
}

import ArgumentParser
import Foundation
import InfiniteWidth
import LimitLaws

struct SphereCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sphere",
        abstract: "Eigenvalues λ_k (with multiplicities N(d, k)) of the infinite-width CK K_L and NTK Θ_L on uniform data on S^{d−1}.",
        discussion: """
        Funk–Hecke: λ_k = E[K(t) P_k(t)], t = ⟨x, y⟩ for independent uniform x, y; computed exactly \
        from the power series (each monomial t^j has closed-form eigenvalues). The bound column is \
        tail/N(d, k), the most the truncated part of the series can add. share = N(d,k) λ_k / K(1).
        """)

    @OptionGroup var modelOptions: ModelOptions
    @Option(name: .customLong("dim"), help: "Input dimension d (the sphere S^{d−1}; 2…100000).") var dimension: String = "3"
    @Option(name: .customLong("max-degree"), help: "Largest degree k (0…order).") var maxDegree: String = "40"
    @Option(help: "Truncation order N of the series (1…\(KernelSeries.maxOrder)).") var order: String = "\(KernelSeries.defaultOrder)"
    @Option(help: "Which kernels: ck, ntk or both.") var kernel: String = "both"
    @Option(help: "Output format: csv or json.") var format: String = "csv"

    func run() throws {
        let d = try CommandLineValues.integer(dimension, option: "--dim", range: 2...100_000)
        let order = try CommandLineValues.integer(self.order, option: "--order", range: 1...KernelSeries.maxOrder)
        let kmax = try CommandLineValues.integer(maxDegree, option: "--max-degree", range: 0...order)
        let which = try CommandLineValues.choice(kernel, option: "--kernel", allowed: ["ck", "ntk", "both"])
        let format = try CommandLineValues.choice(self.format, option: "--format", allowed: ["csv", "json"])
        let model = try modelOptions.model()
        let series = KernelSeries(activation: model.activation, depth: model.depth, order: order, tau: model.tau)
        var kernels: [InfiniteKernel] = []
        if which != "ntk" { kernels.append(.ck(model.depth)) }
        if which != "ck" { kernels.append(.ntk(model.depth)) }
        let eig = kernels.map { SphereSpectrum.eigenvalues(series, kernel: $0, dimension: d, maxDegree: kmax) }
        print(format == "json" ? try json(series, kernels, eig, d) : csv(series, kernels, eig, d), terminator: "")
    }

    func csv(_ s: KernelSeries, _ kernels: [InfiniteKernel], _ eig: [[SphereEigenvalue]], _ d: Int) -> String {
        let n = CommandLineValues.number
        var out = "# ntkscope sphere: activation \(s.activation.name), depth \(s.depth), order \(s.order), S^\(d - 1) in R^\(d)\n"
        for (i, k) in kernels.enumerated() {
            let slope = SphereSpectrum.decaySlope(eig[i], degrees: max(2, eig[i].count / 2)...max(2, eig[i].count - 1))
            out += "# \(k): value_at_1 \(n(s.valueAtOne(k))), series tail \(n(s.tail(k)))"
            out += slope.map { ", log-log decay slope over the upper half of k: \(String(format: "%.3f", $0))" } ?? ""
            out += "\n"
        }
        out += "k,multiplicity"
        for k in kernels { out += ",lambda_\(k),bound_\(k),share_\(k)" }
        out += "\n"
        for row in 0..<(eig.first?.count ?? 0) {
            out += "\(row),\(n(eig[0][row].multiplicity))"
            for e in eig { out += ",\(n(e[row].lambda)),\(n(e[row].errorBound)),\(n(e[row].traceShare))" }
            out += "\n"
        }
        return out
    }

    struct Entry: Encodable { let k: Int; let multiplicity: Double; let lambda: Double; let bound: Double; let share: Double }
    struct KernelEntry: Encodable { let name: String; let value_at_one: Double; let tail_bound: Double; let eigenvalues: [Entry] }
    struct Document: Encodable {
        let activation: String; let depth: Int; let order: Int; let dimension: Int; let kernels: [KernelEntry]
    }

    func json(_ s: KernelSeries, _ kernels: [InfiniteKernel], _ eig: [[SphereEigenvalue]], _ d: Int) throws -> String {
        let doc = Document(activation: s.activation.name, depth: s.depth, order: s.order, dimension: d,
                           kernels: zip(kernels, eig).map { k, e in
                               KernelEntry(name: "\(k)", value_at_one: s.valueAtOne(k), tail_bound: s.tail(k),
                                           eigenvalues: e.map { Entry(k: $0.degree, multiplicity: $0.multiplicity, lambda: $0.lambda,
                                                                      bound: $0.errorBound, share: $0.traceShare) })
                           })
        return try CommandLineValues.jsonString(doc) + "\n"
    }
}

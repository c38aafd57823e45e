import ArgumentParser
import Foundation
import InfiniteWidth
import LimitLaws

/// `ntkscope kernel --rho …`: the infinite-width kernels at given correlations, exactly.
struct KernelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kernel",
        abstract: "Infinite-width kernels at given ρ = ⟨x, x′⟩: K_ℓ and Θ_ℓ of every layer ℓ ≤ L and the derivative kernels κ̇, without truncation.",
        discussion: """
        The layer recursion Σ_1 = σ_w² ρ + σ_b², K_ℓ = κ(Σ_ℓ), K̇_ℓ = κ̇(Σ_ℓ), Σ_{ℓ+1} = σ_w² K_ℓ + σ_b², \
        Θ_ℓ = τ_{L+1} Σ_{ℓ+1} + σ_w² K̇_ℓ P_ℓ evaluated pointwise with the exact dual kernels: closed forms \
        for relu, leaky-relu (arc-cosine family), erf, sin, cos, linear and the b-family; 2-D Gauss–Legendre \
        quadrature (≈1e-13) for the others. No power series is involved (the series of relu's Θ at order 200 \
        is off by up to 0.35 near ρ = 1). With --order N the series value of Θ_L and its bound are added \
        for comparison. Columns: rho, K_0 … K_L, Kdot_1 … Kdot_L (K̇_ℓ = κ̇(Σ_ℓ), the derivative kernel of \
        layer ℓ), Theta_0 … Theta_L (Θ_ℓ: the network with ℓ hidden layers). Negative values: --rho=-0.5,0.5.
        """)

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var initialisationOptions: InitialisationOptions
    @Option(help: ArgumentHelp("Comma-separated correlations ρ in [−1, 1] (at most 10000).", valueName: "r1,r2,…"))
    var rho: String?
    @Option(name: .customLong("rho-grid"), help: ArgumentHelp("n equally spaced ρ from −1 to 1 (2…10001) instead of --rho.", valueName: "n"))
    var rhoGrid: String?
    @Option(help: "Also the series of order N (1…\(KernelSeries.maxOrder)): its Θ_L and bound, for comparison.") var order: String?
    @Option(help: "Output format: csv or json.") var format: String = "csv"
    @OptionGroup var outputFile: OutputFileOptions

    func rhos() throws(ModelError) -> [Double] {
        switch (rho, rhoGrid) {
        case (nil, nil): throw ModelError(field: "--rho", value: "(none)", allowed: "give --rho r1,r2,… or --rho-grid n")
        case (.some, .some): throw ModelError(field: "--rho/--rho-grid", value: "both", allowed: "give one of them")
        case (let list?, nil):
            let parts = list.split(separator: ",", omittingEmptySubsequences: false)
            guard parts.count <= 10_000 else { throw ModelError(field: "--rho", value: "\(parts.count) values", allowed: "at most 10000 values") }
            var out: [Double] = []
            for p in parts {
                let t = p.trimmingCharacters(in: .whitespaces)
                guard let v = Double(t), v.isFinite, (-1...1).contains(v) else {
                    throw ModelError(field: "--rho", value: t.isEmpty ? "(empty item)" : t, allowed: "every value must be a number in [-1, 1]")
                }
                out.append(v)
            }
            return out
        case (nil, let g?):
            let n = try CommandLineValues.integer(g, option: "--rho-grid", range: 2...10_001)
            return UniformGrid.points(-1...1, count: n)
        }
    }

    func run() throws {
        let format = try CommandLineValues.choice(self.format, option: "--format", allowed: ["csv", "json"])
        let model = try modelOptions.model()
        let ini = try initialisationOptions.initialisation()
        let points = try rhos()
        let order = try self.order.map { try CommandLineValues.integer($0, option: "--order", range: 1...KernelSeries.maxOrder) }
        let recursion = KernelRecursion(activation: model.activation, depth: model.depth, tau: model.tau, initialisation: ini)
        let series = order.map { ProgressLine.series(model, order: $0, initialisation: ini) }
        let line = ProgressLine(label: "kernels by \(recursion.method.rawValue)")
        var rows: [KernelRecursion.Values] = []
        for (i, r) in points.enumerated() {
            rows.append(recursion.values(at: r))
            if recursion.method == .quadrature { line?.show(Double(i + 1) / Double(points.count)) }
        }
        line?.finish()
        let L = model.depth
        let n = CommandLineValues.number
        if format == "json" {
            struct Row: Encodable {
                let rho: Double; let ck: [Double]; let kdot: [Double]; let ntk: [Double]
                @NullWhenAbsent var series_ntk: Double?; @NullWhenAbsent var series_bound: Double?
            }
            struct Doc: Encodable {
                let activation: String; let depth: Int; let method: String; let initialisation: [String: Double]
                let centre: Bool; let normalise: Bool; let variances: [Double]; let tau: [Double]; @NullWhenAbsent var series_order: Int?; let rows: [Row]
            }
            let doc = Doc(activation: model.activation.name, depth: L, method: recursion.method.rawValue,
                          initialisation: ["weight_variance": ini.weightVariance, "bias_variance": ini.biasVariance],
                          centre: ini.centre, normalise: ini.normalise, variances: recursion.variances, tau: recursion.tau, series_order: order,
                          rows: rows.map { v in
                              let s = series?.value(.ntk(L), at: v.rho)
                              return Row(rho: v.rho, ck: v.ck, kdot: Array(v.derivative.dropFirst()), ntk: v.ntk,
                                         series_ntk: s?.value, series_bound: s?.errorBound)
                          })
            try outputFile.write(try JSONOutput.string(doc) + "\n")
            return
        }
        var out = "# ntkscope kernel: activation \(model.activation.name), depth \(L), \(recursion.method.rawValue) dual kernels (no truncation)\n"
        out += "# initialisation: \(ini.summary); pre-activation variances q_1..q_\(L + 1): " + recursion.variances.map { n($0) }.joined(separator: ";") + "\n"
        out += "rho," + (0...L).map { "K_\($0)" }.joined(separator: ",")
        if L >= 1 { out += "," + (1...L).map { "Kdot_\($0)" }.joined(separator: ",") }
        out += "," + (0...L).map { "Theta_\($0)" }.joined(separator: ",")
        if let order { out += ",series_Theta_\(L)_order_\(order),series_bound" }
        out += "\n"
        for v in rows {
            var row = n(v.rho) + "," + v.ck.map(n).joined(separator: ",")
            if L >= 1 { row += "," + v.derivative.dropFirst().map(n).joined(separator: ",") }
            row += "," + v.ntk.map(n).joined(separator: ",")
            if let s = series?.value(.ntk(L), at: v.rho) { row += ",\(n(s.value)),\(n(s.errorBound))" }
            out += row + "\n"
        }
        try outputFile.write(out)
    }
}

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

    static func jsonString<T: Encodable>(_ value: T) throws -> String {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try enc.encode(value), as: UTF8.self)
    }
}

struct SeriesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "series",
        abstract: "Infinite-width CK/NTK power series: Hermite coefficients μ_k of σ and the coefficients of K_1…K_L and Θ_L.",
        discussion: """
        K_0(ρ) = ρ, K_ℓ = κ(K_{ℓ−1}) with κ(t) = Σ μ_k² t^k; Θ_L = K_L + Σ_ℓ K_{ℓ−1} Π_{k≥ℓ} κ̇(K_{k−1}) \
        (τ-weighted when --tau is given). Coefficients are ≥ 0, so the truncation error on |ρ| ≤ 1 is at \
        most the reported tail = K(1) − Σ_{j≤N} c_j. Only the activation, depth and tau options of the \
        model matter here (γ's describe finite width).
        """)

    @OptionGroup var modelOptions: ModelOptions
    @Option(help: "Truncation order N of the series (1…\(KernelSeries.maxOrder)).") var order: String = "\(KernelSeries.defaultOrder)"
    @Option(help: "Output format: csv or json.") var format: String = "csv"

    func run() throws {
        let order = try CommandLineValues.integer(self.order, option: "--order", range: 1...KernelSeries.maxOrder)
        let format = try CommandLineValues.choice(self.format, option: "--format", allowed: ["csv", "json"])
        let model = try modelOptions.model()
        let series = KernelSeries(activation: model.activation, depth: model.depth, order: order, tau: model.tau)
        print(format == "json" ? try SeriesOutput.json(series) : SeriesOutput.csv(series), terminator: "")
    }
}

enum SeriesOutput {
    static func csv(_ s: KernelSeries) -> String {
        let n = CommandLineValues.number
        let L = s.depth
        var out = "# ntkscope series: activation \(s.activation.name), depth \(L), order \(s.order)"
        out += ", tau \(s.tau.map { n($0) }.joined(separator: ";"))\n"
        out += "# b_sigma \(n(s.activation.b)), a_sigma \(n(s.aSigma)); hermite \(s.hermite.method == .closedForm ? "closed form" : "quadrature")"
        out += ", trustworthy to order \(min(s.hermite.trustworthyOrder, s.order))\n"
        let ks = (1...max(L, 1)).filter { _ in L >= 1 }
        out += "k,mu," + ks.map { "K_\($0)" }.joined(separator: ",") + (L >= 1 ? "," : "") + "Theta_\(L)\n"
        for k in 0...s.order {
            var row = "\(k),\(n(s.hermite.mu[k]))"
            for l in ks { row += "," + n(s.ck[l][k]) }
            row += "," + n(s.ntk[L][k])
            out += row + "\n"
        }
        out += "# value_at_1,," + ks.map { n(s.valueAtOne(.ck($0))) }.joined(separator: ",") + (L >= 1 ? "," : "") + n(s.valueAtOne(.ntk(L))) + "\n"
        out += "# tail_bound,\(n(s.hermite.tailMass))," + ks.map { n(s.tail(.ck($0))) }.joined(separator: ",") + (L >= 1 ? "," : "") + n(s.tail(.ntk(L))) + "\n"
        return out
    }

    struct Kernel: Encodable {
        let name: String
        let layer: Int
        let coefficients: [Double]
        let value_at_one: Double
        let tail_bound: Double
    }
    struct Hermite: Encodable {
        let method: String
        let mu: [Double]
        let error_estimate: [Double]
        let trustworthy_order: Int
        let tail_mass: Double
    }
    struct Document: Encodable {
        let activation: String
        let depth: Int
        let order: Int
        let tau: [Double]
        let b_sigma: Double
        let a_sigma: Double
        let hermite: Hermite
        let ck: [Kernel]
        let ntk: Kernel
    }

    static func json(_ s: KernelSeries) throws -> String {
        let h = s.hermite
        let doc = Document(
            activation: s.activation.name, depth: s.depth, order: s.order, tau: s.tau,
            b_sigma: s.activation.b, a_sigma: s.aSigma,
            hermite: Hermite(method: h.method == .closedForm ? "closed-form" : "quadrature",
                             mu: Array(h.mu.prefix(s.order + 1)), error_estimate: Array(h.errorEstimate.prefix(s.order + 1)),
                             trustworthy_order: min(h.trustworthyOrder, s.order), tail_mass: h.tailMass),
            ck: (0...s.depth).map { Kernel(name: "K_\($0)", layer: $0, coefficients: s.ck[$0],
                                           value_at_one: s.valueAtOne(.ck($0)), tail_bound: s.tail(.ck($0))) },
            ntk: Kernel(name: "Theta_\(s.depth)", layer: s.depth, coefficients: s.ntk[s.depth],
                        value_at_one: s.valueAtOne(.ntk(s.depth)), tail_bound: s.tail(.ntk(s.depth))))
        return try CommandLineValues.jsonString(doc) + "\n"
    }
}

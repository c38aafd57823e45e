import ArgumentParser
import Foundation
import LimitLaws

/// `ntkscope activations`: the normalised activations and their constants b_σ and a_σ.
struct ActivationsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "activations",
        abstract: "Table of activations: shift, scale, b_σ = E σ'(ξ), a_σ = E σ'(ξ)² (σ normalised so E σ = 0, E σ² = 1).")

    @Option(help: "Output format: table or csv.")
    var format: TableFormat = .table

    @OptionGroup var outputFile: OutputFileOptions

    func run() throws {
        var rows: [Activation] = []
        for name in Activation.cycle { rows.append(try Activation.named(name)) }
        for b in [-0.5, 0.0, 0.5, 0.9] { rows.append(try Activation.bFamily(b)) }
        var out: String
        switch format {
        case .csv, .json:
            out = "name,shift,scale,b_sigma,a_sigma\n"
            for a in rows { out += "\(a.name),\(a.shift),\(a.scale),\(a.b),\(a.a)\n" }
        case .table:
            out = "name".padding(toLength: 16, withPad: " ", startingAt: 0) + "shift".leftPadded(16) + "scale".leftPadded(16) + "b_sigma".leftPadded(16) + "a_sigma".leftPadded(16) + "\n"
            for a in rows {
                out += a.name.padding(toLength: 16, withPad: " ", startingAt: 0)
                for v in [a.shift, a.scale, a.b, a.a] { out += NumberFormat.fixed(v, 12).leftPadded(16) }
                out += "\n"
            }
            out += "\nEvery row satisfies b_σ² ≤ 1 ≤ a_σ (Proposition C.1). The b-family is b·x + √(1−b²)·h(x), h the centred, normalised cosine.\n"
        }
        try outputFile.write(out)
    }
}

import Foundation
import Testing

/// The infinite-width commands through the real binary: the reproductions of issues 10 §6 and 13,
/// checked against values computed here or stated by exact formulas.
@Suite struct InfiniteWidthCommandTests {
    static let binary = RenderCommandTests.binary
    let helper = RenderCommandTests()

    func run(_ args: [String]) throws -> RenderCommandTests.Run {
        let dir = try helper.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        return try helper.run(args, in: dir)
    }

    /// `sphere --dim 100000 --max-degree 200`: valid JSON (no inf/NaN), exact multiplicities, shares ≤ 1.
    @Test(.enabled(if: binary != nil)) func hugeDimensionGivesValidJSON() throws {
        let r = try run(["sphere", "--activation", "relu", "--depth", "2", "--dim", "100000", "--max-degree", "200", "--format", "json"])
        #expect(r.status == 0, "\(r.err)")
        let root = try #require(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
        let kernels = try #require(root["kernels"] as? [[String: Any]])
        for k in kernels {
            let eig = try #require(k["eigenvalues"] as? [[String: Any]])
            #expect(eig.count == 201)
            let shares = eig.compactMap { $0["share"] as? Double }
            #expect(shares.count == 201 && shares.reduce(0, +) <= 1 + 1e-12)
            // N(100000, 1) = 100000, N(100000, 2) = d(d+1)/2 − 1
            #expect(eig[1]["multiplicity"] as? String == "100000")
            #expect(eig[2]["multiplicity"] as? String == "5000049999")
            #expect((eig[200]["multiplicity"] as? String)?.count == 626)
        }
        let csv = try run(["sphere", "--dim", "100", "--max-degree", "12"])
        #expect(csv.out.contains("\n10,42308265455885,"))
    }

    @Test(.enabled(if: binary != nil)) func kernelCommandAndBadValues() throws {
        // linear σ: K_ℓ(ρ) = ρ, Θ_L(ρ) = (L+1)ρ exactly
        let r = try run(["kernel", "--activation", "linear", "--depth", "3", "--rho=-0.5,0.25"])
        #expect(r.status == 0, "\(r.err)")
        let rows = r.out.split(separator: "\n").filter { !$0.hasPrefix("#") }.dropFirst().map { $0.split(separator: ",").map { Double($0)! } }
        #expect(rows.count == 2 && rows[0].last == -2 && rows[1].last == 1)
        for (args, option) in [(["kernel", "--rho", "2"], "--rho"), (["kernel", "--rho-grid", "1"], "--rho-grid"),
                               (["series", "--weight-variance", "0"], "--weight-variance"), (["sphere", "--centre", "maybe"], "--centre"),
                               (["series", "--bias-variance", "1e308"], "--bias-variance"), (["series", "--order", "2001"], "--order")] {
            let bad = try run(args)
            #expect(bad.status == 2 && bad.err.contains(option), "\(args): \(bad.err)")
        }
    }

    /// `--data`: rows are samples, scaled to unit norm with a notice; a zero row is named.
    @Test(.enabled(if: binary != nil)) func dataFileGramBlock() throws {
        let dir = try helper.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        // 12 samples in R^3: e1, e2, e3 (scaled by 1…12) repeated: XᵀX has rank 3 and eigenvalues 4, 4, 4
        var text = "a,b,c\n"
        for i in 0..<12 { var row = [0.0, 0, 0]; row[i % 3] = Double(i + 1); text += row.map { String($0) }.joined(separator: ",") + "\n" }
        try text.write(to: dir.appendingPathComponent("x.csv"), atomically: true, encoding: .utf8)
        let r = try helper.run(["series", "--activation", "relu", "--depth", "1", "--order", "50", "--data", "x.csv"], in: dir)
        #expect(r.status == 0, "\(r.err)")
        #expect(r.err.contains("12 samples in d = 3, each scaled to unit norm"))
        let input = try #require(r.out.split(separator: "\n").first { $0.hasPrefix("# gram input,") })
        let f = input.split(separator: ",")
        #expect(abs(Double(f[1])! - 3) < 1e-12 && f[5] == "0" && f[6] == "3", "\(input)")   // r_eff 3, no outliers, rank 3
        try "1,2,3\n0,0,0\n".write(to: dir.appendingPathComponent("z.csv"), atomically: true, encoding: .utf8)
        let z = try helper.run(["sphere", "--data", "z.csv"], in: dir)
        #expect(z.status == 2 && z.err.contains("sample 2"), "\(z.err)")
        let render = try helper.run(["render", "--mode", "infinite", "--view", "focus", "--data", "x.csv", "--depth", "1", "--format", "json"], in: dir)
        #expect(render.status == 0, "\(render.err)")
        let root = try #require(try JSONSerialization.jsonObject(with: Data(render.out.utf8)) as? [String: Any])
        let inf = try #require(root["infinite_width"] as? [String: Any])
        #expect(inf["dimension"] as? Int == 3 && inf["points"] as? Int == 12)
    }
}

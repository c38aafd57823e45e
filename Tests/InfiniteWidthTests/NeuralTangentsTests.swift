import Foundation
import Testing
@testable import InfiniteWidth
import LimitLaws

/// The kernels against neural-tangents (0.6.5, `stax` with `W_std`, `b_std`, NTK parametrisation,
/// float64), when it is installed: `make test` tries to install it into .build-oracles/venv
/// (jax 0.4.26, tf2jax 0.3.6); NTKSCOPE_NT_PYTHON names another interpreter. Without it these
/// tests are skipped; the quadrature and closed-form oracles of InitialisationTests always run.
enum NeuralTangents {
    static let python: String? = {
        var candidates: [String] = []
        if let p = ProcessInfo.processInfo.environment["NTKSCOPE_NT_PYTHON"] { candidates.append(p) }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        candidates.append(root.appendingPathComponent(".build-oracles/venv/bin/python").path)
        for c in candidates where FileManager.default.isExecutableFile(atPath: c) {
            if (try? run(c, ["-c", "import neural_tangents"]))?.status == 0 { return c }
        }
        return nil
    }()

    static func run(_ exe: String, _ args: [String], input: String = "") throws -> (status: Int32, out: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = args
        let out = Pipe(), inp = Pipe()
        p.standardOutput = out
        p.standardError = FileHandle.nullDevice
        p.standardInput = inp
        try p.run()
        inp.fileHandleForWriting.write(Data(input.utf8))
        try inp.fileHandleForWriting.close()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// nngp (= Σ_{L+1}) and ntk (= Θ_L) of stax.serial(Dense, act, …, Dense) at the given ρ.
    static let script = """
    import json, sys
    import jax
    jax.config.update("jax_enable_x64", True)
    import jax.numpy as jnp
    from neural_tangents import stax
    results = []
    for cfg in json.load(sys.stdin):
        acts = {"relu": lambda: stax.Relu(), "abrelu": lambda: stax.ABRelu(cfg["a"], cfg["b"]),
                "erf": lambda: stax.Erf(a=cfg["a"], b=1.0, c=0.0), "sin": lambda: stax.Sin(a=cfg["a"], b=1.0, c=0.0),
                "gelu": lambda: stax.Gelu(approximate=False)}
        w, b = cfg["w_std"], cfg["b_std"]
        layers = []
        for _ in range(cfg["depth"]):
            layers += [stax.Dense(1, W_std=w, b_std=b), acts[cfg["act"]]()]
        layers.append(stax.Dense(1, W_std=w, b_std=b))
        _, _, kernel_fn = stax.serial(*layers)
        out = []
        for r in cfg["rho"]:
            x = jnp.array([[1.0, 0.0], [r, (1 - r * r) ** 0.5]], dtype=jnp.float64) * jnp.sqrt(2.0)
            k = kernel_fn(x, x, ("nngp", "ntk"))
            out.append([float(k.nngp[0, 1]), float(k.ntk[0, 1]), float(k.nngp[0, 0]), float(k.ntk[0, 0])])
        results.append(out)
    print(json.dumps(results))
    """

    /// Every case of `NeuralTangentsTests` in one interpreter run (jax starts once).
    static let all: [[[Double]]]? = {
        guard let python else { return nil }
        let cfgs: [[String: Any]] = NeuralTangentsTests.cases.map { c in
            ["act": c.1, "a": c.2, "b": c.3, "w_std": c.4.squareRoot(), "b_std": c.5.squareRoot(), "depth": c.8, "rho": NeuralTangentsTests.rho]
        }
        guard let input = try? JSONSerialization.data(withJSONObject: cfgs),
              let r = try? run(python, ["-c", script], input: String(decoding: input, as: UTF8.self)), r.status == 0 else { return nil }
        return (try? JSONSerialization.jsonObject(with: Data(r.out.utf8))) as? [[[Double]]]
    }()
}

@Suite(.enabled(if: NeuralTangents.python != nil, "neural-tangents is not installed"))
struct NeuralTangentsTests {
    static let rho = [-0.9, -0.4, 0.0, 0.3, 0.7, 0.95, 1.0]

    /// (name, stax activation, a, b, σ_w², σ_b², centre, normalise, depth)
    static let cases: [(String, String, Double, Double, Double, Double, Bool, Bool, Int)] = [
        ("relu", "relu", 1, 1, 2.0, 0.1, false, false, 3),                        // raw relu, He-like init with biases
        ("relu", "abrelu", 0, 2.0.squareRoot(), 0.64, 0.36, false, true, 4),      // the paper's unit variance: √2·relu
        ("leaky-relu:0.2", "abrelu", 0.2 * (2 / 1.04).squareRoot(), (2 / 1.04).squareRoot(), 0.5, 0.5, false, true, 2),
        ("erf", "erf", 1 / (2 / Double.pi * asin(2.0 / 3)).squareRoot(), 1, 1.0, 0.0, true, true, 2),
        ("sin", "sin", 1 / ((1 - exp(-2.0)) / 2).squareRoot(), 1, 1.3, 0.2, true, true, 2),
        ("gelu", "gelu", 1, 1, 1.0, 0.3, false, false, 2),                         // no closed form here: 2-D quadrature
    ]

    @Test(arguments: 0..<cases.count)
    func kernelsMatchStax(_ index: Int) throws {
        let (name, act, a, b, w2, b2, centre, normalise, depth) = Self.cases[index]
        let nt = try #require(NeuralTangents.all?[index], "the neural-tangents script failed")
        _ = (act, a, b)
        let ini = Initialisation(weightVariance: w2, biasVariance: b2, centre: centre, normalise: normalise)
        let rec = KernelRecursion(activation: activation(name), depth: depth, initialisation: ini)
        let series = KernelSeries(activation: activation(name), depth: depth, order: 300, initialisation: ini)
        for (i, r) in Self.rho.enumerated() {
            let v = rec.values(at: r)
            let nngp = nt[i][0], ntk = nt[i][1]
            #expect(abs(v.sigma[depth] - nngp) < 1e-9 * max(1, abs(nngp)), "\(name) ρ=\(r): Σ_{L+1} \(v.sigma[depth]) vs nngp \(nngp)")
            #expect(abs(v.ntk[depth] - ntk) < 1e-9 * max(1, abs(ntk)), "\(name) ρ=\(r): Θ_L \(v.ntk[depth]) vs ntk \(ntk)")
            let s = series.value(.ntk(depth), at: r)
            #expect(abs(s.value - ntk) <= s.errorBound + 1e-9 * max(1, abs(ntk)), "\(name) ρ=\(r): series Θ_L \(s.value) ± \(s.errorBound) vs \(ntk)")
        }
        // the diagonal
        #expect(abs(series.valueAtOne(.ntk(depth)) - nt[0][3]) < 1e-9 * nt[0][3])
    }
}

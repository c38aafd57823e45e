import ArgumentParser
import Foundation
import LimitLaws
import NetworkSampling

#if canImport(Glibc)
import Glibc
#endif

/// `ntkscope sample`: samples a network of eq. (1) and prints the eigenvalues of its CKs and NTK.
struct SampleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample",
        abstract: "Sample a random network and compute the CK and NTK eigenvalues.",
        discussion: """
        Weights are iid N(0,1), widths d_l = round(n/gamma_l). Inputs follow the model's input law \
        (iid N(0,1/d0) with d0 = round(n/gamma0), or orthonormal) unless --input says otherwise. \
        The generator is xoshiro256** seeded through SplitMix64; equal --seed values give equal networks. \
        With --compare the limit laws are solved and a table of Kolmogorov-Smirnov and Wasserstein-1 \
        distances is printed (to stdout; the eigenvalues then need --output). Exit code 2 on bad input.
        """)

    @OptionGroup var modelOptions: ModelOptions

    @Option(name: .customLong("n"), help: "Number of samples n (default: n in --config's [empirical] table, else 3000; a data file's row count with --data).", transform: CommandLineValues.integer(Self.sampleCountAllowed))
    var n: Int?

    @Option(help: "Random seed (unsigned 64-bit). (default: seed in --config's [empirical] table, else 0)", transform: CommandLineValues.seed)
    var seed: UInt64?

    @Option(help: "Kernels to compute: ck, ntk or all.")
    var kernel: String = "all"

    @Option(help: "Only this CK layer (0 = input Gram X0^T X0 ... L).", transform: CommandLineValues.integer(DensityCommand.layerAllowed))
    var layer: Int?

    @Flag(help: "Also compute Lemma 3.5's surrogate r+ Id + X_L^T X_L + sum q_l X_l^T X_l (kernel 'ntk-surrogate').")
    var surrogate = false

    @Option(help: "Output format: csv (columns kernel,layer,eigenvalue) or json.")
    var format: String = "csv"

    @OptionGroup var outputFile: OutputFileOptions

    @Flag(help: "Solve the limit laws and print a table of KS and W1 distances per law.")
    var compare = false

    @Option(help: "BLAS threads, 1…1024 (default: OPENBLAS_NUM_THREADS or the number of cores).", transform: CommandLineValues.integer(NumberBounds.threads))
    var threads: Int?

    @Option(help: "Precision of the products and eigenvalues: float32 (fast) or float64.")
    var precision: String = "float32"

    @Option(help: "Input design: model (default), gaussian, sphere (uniform on the unit sphere), orthonormal, power-law or file.")
    var input: String = "model"

    @Option(name: .customLong("input-dim"), help: "Input dimension d0 for --input gaussian/sphere/orthonormal/power-law.", transform: CommandLineValues.integer(Self.inputDimAllowed))
    var inputDim: Int?

    @Option(name: .customLong("power-alpha"), help: "With --input power-law: exponent alpha of the covariance (eigenvalues ~ k^-alpha), 0…100. (default: 1)")
    var powerAlpha: Double?

    @Option(help: "Data matrix (.csv or .npy, one sample per row); implies --input file.")
    var data: String?

    @Option(name: .customLong("remove-pcs"), help: "With --data: remove the top k principal components of the data (after centring).", transform: CommandLineValues.integer(CommandLineValues.removePCsAllowed))
    var removePCs: Int = 0

    static let sampleCountAllowed = "must be an integer ≥ 2"
    static let inputDimAllowed = "must be an integer ≥ 1"
    /// `--power-alpha`.
    static let powerAlphaBound = NumberBound(0.0...100.0)
    /// The inputs `--input-dim` sets the dimension of.
    static let inputsWithDimension = ["gaussian", "sphere", "orthonormal", "power-law"]

    func run() throws {
        do {
            try execute()
        } catch let e as SamplingError {
            // name the key when n came from the session file (the sampler's messages say --n)
            var message = e.description
            if let s = try? resolvedSampling(), s.nFromConfig, let n = s.n {
                message += " (n = \(n) is key 'empirical.n' in --config \(modelOptions.config ?? ""))"
            }
            throw fail(message)
        } catch let e as ModelError {
            throw fail(e.description)
        }
    }

    /// n and the seed: the command line, else the `--config` file's `[empirical]` table (the
    /// explorer's empirical check: `sample --config FILE` samples the network it checked), else
    /// the defaults (3000, or the data file's row count; seed 0). With `--data` the file's n is
    /// not used: it is the explorer's sample size, not a number of data rows.
    struct Sampling {
        /// nil: the default (3000, or every row of --data).
        var n: Int?
        var nFromConfig: Bool
        var seed: UInt64
    }

    func resolvedSampling() throws -> Sampling {
        let empirical = try modelOptions.loadConfig()
        let fileN = data == nil ? empirical?.sampleSize : nil
        return Sampling(n: n ?? fileN, nFromConfig: n == nil && fileN != nil, seed: seed ?? empirical?.seed ?? 0)
    }

    /// Bad input: the root command prints "ntkscope: error: <message>" to stderr and exits with code 2.
    struct Failure: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }

    private func fail(_ message: String) -> Failure { Failure(message: message) }

    func buildRequest() throws -> SamplingRequest {
        let model = try modelOptions.model()
        guard ["ck", "ntk", "all"].contains(kernel) else { throw fail("--kernel must be ck, ntk or all (got '\(kernel)')") }
        guard ["csv", "json"].contains(format) else { throw fail("--format must be csv or json (got '\(format)')") }
        guard let prec = Precision(rawValue: precision) else { throw fail("--precision must be float32 or float64 (got '\(precision)')") }
        if let n, n < 2 { throw ModelError(field: "--n", value: "\(n)", allowed: Self.sampleCountAllowed) }
        if let t = threads { try NumberBounds.threads.check(Double(t), field: "--threads") }
        if let d = inputDim, d < 1 { throw ModelError(field: "--input-dim", value: "\(d)", allowed: Self.inputDimAllowed) }
        if let l = layer, l < 0 || l > model.depth { throw ModelError(field: "--layer", value: "\(l)", allowed: DensityCommand.layerAllowed + " \(model.depth)") }
        if layer != nil && kernel == "ntk" { throw fail("--layer selects a CK layer; it cannot be used with --kernel ntk") }
        if removePCs < 0 { throw ModelError(field: "--remove-pcs", value: "\(removePCs)", allowed: CommandLineValues.removePCsAllowed) }
        if removePCs != 0 && data == nil { throw fail("--remove-pcs needs --data FILE") }
        // options of one input kind are refused with another (they would be ignored)
        let inputKind = data != nil ? "file" : input
        if let a = powerAlpha, inputKind != "power-law" {
            throw ModelError(field: "--power-alpha", value: NumberBound.format(a), allowed: "needs --input power-law (the input is \(inputKind))")
        }
        if let d = inputDim, !Self.inputsWithDimension.contains(inputKind) {
            throw ModelError(field: "--input-dim", value: "\(d)", allowed: "needs --input \(Self.inputsWithDimension.dropLast().joined(separator: ", ")) or \(Self.inputsWithDimension.last!) (the input is \(inputKind))")
        }
        let sampling = try resolvedSampling()
        let n = sampling.n ?? 3000
        let spec: InputSpec
        switch inputKind {
        case "model": spec = .fromModel
        case "gaussian":
            var g0 = 3.0
            if case .marcenkoPastur(let g) = model.input { g0 = g }
            spec = .gaussian(d0: inputDim ?? max(1, Int((Double(n) / g0).rounded())))
        case "sphere":
            var g0 = 3.0
            if case .marcenkoPastur(let g) = model.input { g0 = g }
            spec = .sphere(d0: inputDim ?? max(1, Int((Double(n) / g0).rounded())))
        case "orthonormal": spec = .orthonormal(d0: inputDim)
        case "power-law":
            let alpha = try Self.powerAlphaBound.check(powerAlpha ?? 1, field: "--power-alpha")
            spec = .powerLaw(d0: inputDim ?? n, alpha: alpha)
        case "file":
            guard let path = data else { throw fail("--input file needs --data FILE") }
            var m: DataMatrix
            do { m = try DataMatrix.read(path: path, field: "--data") } catch { throw error.naming(option: "--data") }
            if let want = self.n {
                guard want <= m.samples else { throw fail("--n \(want) but \(path) has only \(m.samples) samples") }
                m = DataMatrix(samples: want, features: m.features, values: Array(m.values[0..<(want * m.features)]))
            }
            spec = .data(try m.preprocessed(removePCs: removePCs))
        default: throw fail("--input must be model, gaussian, sphere, orthonormal, power-law or file (got '\(input)')")
        }
        var req = SamplingRequest(model: model, n: n, seed: sampling.seed, input: spec, precision: prec, threads: threads)
        req.outputs = modelOptions.resolvedOutputs
        req.ntk = kernel != "ck"
        req.surrogate = surrogate
        if kernel == "ntk" { req.ckLayers = [] } else if let layer { req.ckLayers = [layer] }
        try req.validate()
        return req
    }

    func execute() throws {
        let userRequest = try buildRequest()
        try outputFile.refuseExisting()
        var req = userRequest
        // The comparison of data-like inputs needs the sampled input spectrum (CK layer 0).
        if compare && LimitComparison.needsInputSpectrum(req), let l = req.ckLayers, !l.contains(0) {
            req.ckLayers = l + [0]
        }
        let wanted = Set(userRequest.kernels)
        let showProgress = isatty(2) == 1
        var spectra: [SampledSpectrum] = []
        var summary: SamplingSummary?
        var lastDraw = Date.distantPast
        try NetworkSampler.run(req) { event in
            switch event {
            case .spectrum(let s): spectra.append(s)
            case .progress(let p) where showProgress:
                let now = Date()
                if now.timeIntervalSince(lastDraw) > 0.1 || p.stage == .done {
                    lastDraw = now
                    let layer = p.layer.map { " layer \($0)" } ?? ""
                    let eta = p.secondsRemaining.map { ", about " + SamplingProgress.formatDuration($0) + " left" } ?? ""
                    let line = String(format: "\r\u{1B}[K%@%@ %5.1f%%%@", p.stage.rawValue, layer, 100 * p.fraction, eta)
                    StandardStreams.error(line)
                }
            case .finished(let s): summary = s
            default: break
            }
        }
        if showProgress { StandardStreams.error("\r\u{1B}[K") }
        spectra.sort { $0.kernel < $1.kernel }
        if let s = summary {
            let peak = s.peakResidentBytes.map { ", peak resident \(MemoryInfo.format($0))" } ?? ""
            var note = "ntkscope: note: n = \(req.sampleCount) sampled in \(SamplingProgress.formatDuration(s.timings.total))\(peak) "
                + "(planned \(MemoryInfo.format(s.plan.estimatedBytes)), \(s.plan.layout))"
            if let check = SpectrumInvariants.statement(spectra, precision: req.precision) { note += "; " + check }
            StandardStreams.error((note + "\n"))
        }

        var rows: [(SampledKernel, SampleComparison)] = []
        if compare {
            let ck0 = spectra.first { $0.kernel == .ck(0) }?.eigenvalues
            let limitModel = try LimitComparison.limitModel(for: req, inputGramEigenvalues: ck0)
            var options = SolveOptions()
            options.kernels = Array(Set(spectra.map { $0.kernel.limitKernel })).sorted { "\($0)" < "\($1)" }
            let limits = LimitLawEngine().solve(limitModel, options: options)
            LawNoticeReport.print(limits.spectra)
            rows = LimitComparison.compare(spectra, limits: limits).map { ($0.kernel, $0.comparison) }
            rows = rows.filter { wanted.contains($0.0) }
        }
        spectra = spectra.filter { wanted.contains($0.kernel) }

        let depth = req.depth
        let text: String
        if format == "csv" {
            var out = "kernel,layer,eigenvalue\n"
            for s in spectra {
                let layer = s.kernel.layer ?? depth
                for e in s.eigenvalues { out += "\(s.kernel.name),\(layer),\(e)\n" }
            }
            text = out
        } else {
            text = jsonDocument(req, spectra: spectra, rows: rows, summary: summary)
        }
        if outputFile.output != nil {
            try outputFile.write(text)
        } else if !compare || format == "json" {
            try StandardStreams.output(text)
        }
        if compare && !(format == "json" && outputFile.output == nil) {
            try StandardStreams.output(comparisonTable(rows, depth: depth))
        }
    }

    func comparisonTable(_ rows: [(SampledKernel, SampleComparison)], depth: Int) -> String {
        if rows.isEmpty { return "no limit laws available for comparison\n" }
        var t = "kernel         layer        KS         W1  outliers\n"
        for (k, c) in rows {
            t += k.name.padding(toLength: 14, withPad: " ", startingAt: 0)
            t += String(format: " %5d %9.5f %10.5f %9d", k.layer ?? depth, c.ks, c.w1, c.outliers.count)
            let list = (c.outliers.below + c.outliers.inGaps + c.outliers.above).prefix(6)
            if !list.isEmpty { t += "  (" + list.map { String(format: "%.4g", $0) }.joined(separator: ", ") + (c.outliers.count > 6 ? ", …" : "") + ")" }
            t += "\n"
        }
        return t
    }

    func jsonDocument(_ req: SamplingRequest, spectra: [SampledSpectrum], rows: [(SampledKernel, SampleComparison)],
                      summary: SamplingSummary?) -> String {
        func num(_ x: Double) -> String { x.isFinite ? "\(x)" : "null" }
        var j = "{\n"
        j += "  \"activation\": \"\(req.model.activation.name)\",\n"
        j += "  \"n\": \(req.sampleCount),\n  \"seed\": \(req.seed),\n"
        j += "  \"widths\": [\((try? req.widths())?.map(String.init).joined(separator: ", ") ?? "")],\n"
        j += "  \"tau\": [\(req.tau.map(num).joined(separator: ", "))],\n"
        j += "  \"precision\": \"\(req.precision.rawValue)\",\n"
        j += "  \"generator\": \"xoshiro256** (SplitMix64-seeded streams), Ziggurat normals (Marsaglia–Tsang)\",\n"
        if let s = summary {
            j += String(format: "  \"seconds\": %.3f,\n", s.timings.total)
        }
        j += "  \"spectra\": [\n"
        j += spectra.map { s in
            "    {\"kernel\": \"\(s.kernel.name)\", \"layer\": \(s.kernel.layer ?? req.depth), "
                + (s.invariants.map { "\"trace_residual\": \(num($0.traceResidual)), \"frobenius_residual\": \(num($0.frobeniusResidual)), " } ?? "")
                + "\"eigenvalues\": ["
                + s.eigenvalues.map(num).joined(separator: ", ") + "]}"
        }.joined(separator: ",\n")
        j += "\n  ]"
        if !rows.isEmpty {
            j += ",\n  \"comparison\": [\n"
            j += rows.map { k, c in
                "    {\"kernel\": \"\(k.name)\", \"layer\": \(k.layer ?? req.depth), \"ks\": \(num(c.ks)), \"w1\": \(num(c.w1)), "
                    + "\"outliers\": [\((c.outliers.below + c.outliers.inGaps + c.outliers.above).map(num).joined(separator: ", "))]}"
            }.joined(separator: ",\n")
            j += "\n  ]"
        }
        j += "\n}\n"
        return j
    }
}

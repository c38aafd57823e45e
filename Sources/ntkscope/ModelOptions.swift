import ArgumentParser
import Foundation
import InputFiles
import LimitLaws
import ViewExport

/// Model options shared by every subcommand: the network of eq. (1) in the linear-width limit.
/// `--config FILE` reads a session file (`schema = 1`, see docs/export.md); options given on the
/// command line take precedence over its keys, defaults fill the rest. So that "given" can be told
/// apart from "default", the options are optional and the defaults are applied in `build()`.
struct ModelOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Session or config file (TOML, as written by `render --format toml` or the explorer's export); command-line options take precedence.", valueName: "file"))
    var config: String?

    @Option(name: .long, help: "Activation σ (normalised to E σ = 0, E σ² = 1): \(Activation.builtinNames.joined(separator: ", ")). Parameters as leaky-relu:0.2, elu:1, b-family:0.3. (default: arctan)")
    var activation: String?

    @Option(name: .customLong("b-sigma"), help: "Use the b-family activation with this b_σ in [-1, 1] (overrides --activation).")
    var bSigma: Double?

    @Option(name: .long, help: "Depth L (number of hidden layers), 1...\(NetworkModel.maxDepth). (default: 5)", transform: CommandLineValues.integer(NumberBounds.depth))
    var depth: Int?

    @Option(name: .long, help: "γ0 = n/d0 of iid Gaussian inputs (input law Marcenko–Pastur). (default: 3)")
    var gamma0: Double?

    @Option(name: .customLong("input-spectrum"), help: "File of input eigenvalues (X^T X): text, one number per line or the first CSV column (CRLF, BOM, # comments, a header allowed), or a .npy array.")
    var inputSpectrum: String?

    @Flag(name: .customLong("orthonormal-input"), help: "Orthonormal inputs (input law δ1).")
    var orthonormalInput = false

    @Option(name: .long, help: "γ = n/d_ℓ for every layer. (default: 0.5)")
    var gamma: Double?

    @Option(name: .long, help: "Comma-separated γ_1,…,γ_L (one per layer; overrides --gamma and sets the depth).")
    var gammas: String?

    @Option(name: .long, help: "Comma-separated learning rates τ_1,…,τ_{L+1} (Theorem 3.8).")
    var tau: String?

    @Option(name: .long, help: "Number of outputs k (Theorem 3.8: the NTK law does not depend on k). (default: 1)", transform: CommandLineValues.integer(NumberBounds.outputs))
    var outputs: Int?

    /// The number of outputs after merging the config file.
    var resolvedOutputs: Int { (outputs ?? (try? loadConfig())??.model.outputs) ?? 1 }

    /// The parsed `--config` file, or nil without one. Errors name the file and the key.
    func loadConfig() throws -> SessionConfig? {
        guard let path = config else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            var isDir: ObjCBool = false
            let why = FileManager.default.fileExists(atPath: path, isDirectory: &isDir) ? (isDir.boolValue ? "is a folder" : "cannot be read") : "does not exist"
            throw ModelError(field: "--config", value: path, allowed: "the file \(why)")
        }
        do {
            return try SessionFile.decode(bytes: data)
        } catch {
            throw Self.configError(error, path: path)
        }
    }

    static func configError(_ error: SessionError, path: String) -> ModelError {
        if let line = error.line {
            return ModelError(field: "line \(line) of --config \(path)", value: error.value,
                              allowed: error.reason + "; --config reads a session file, as the explorer's e or render --format toml write it")
        }
        return ModelError(field: "key '\(error.key)' in --config \(path)", value: error.value.isEmpty ? "(see key)" : error.value, allowed: error.reason)
    }

    /// Notices for the user (e.g. an input spectrum rescaled to mean 1).
    struct Built {
        var model: NetworkModel
        var notices: [String]
    }

    func build() throws -> Built {
        var notices = [String]()
        let file = try loadConfig()
        let fileModel = file?.model ?? SessionConfig.Model()
        let configPath = config ?? ""
        func fileKey(_ key: String) -> String { "key 'model.\(key)' in --config \(configPath)" }
        let act: Activation
        if let b = bSigma {
            do { act = try Activation.bFamily(b) } catch { throw error.renamedOption("--b-sigma") }
        } else if let activation {
            do { act = try Activation.named(activation) } catch { throw ModelError(field: "--activation", value: error.value, allowed: error.allowed) }
        } else if let b = fileModel.bSigma {
            do { act = try Activation.bFamily(b) } catch { throw ModelError(field: fileKey("b_sigma"), value: error.value, allowed: error.allowed) }
        } else {
            do { act = try Activation.named(fileModel.activation ?? "arctan") } catch { throw ModelError(field: fileKey("activation"), value: error.value, allowed: error.allowed) }
        }
        let sources = [gamma0 != nil, inputSpectrum != nil, orthonormalInput].filter { $0 }.count
        guard sources <= 1 else {
            throw ModelError(field: "--gamma0/--input-spectrum/--orthonormal-input", value: "more than one", allowed: "choose one input law")
        }
        let input: InputLaw
        if sources == 0, file != nil, fileModel.input != nil || fileModel.gamma0 != nil || fileModel.inputEigenvalues != nil || fileModel.inputFile != nil {
            // the input law of the config file
            do {
                input = try SessionFile.resolveModel(fileModel).model.input
            } catch {
                throw Self.configError(error, path: configPath)
            }
        } else if let path = inputSpectrum {
            let progress = ProgressLine(label: "reading \(path)")
            var report: (@Sendable (Double) -> Void)? = nil
            if let progress { report = { (f: Double) in progress.show(f) } }
            let file = try EigenvalueFile.load(path: path, field: "--input-spectrum", progress: report)
            progress?.finish()
            notices += file.notices
            input = .discrete(file.law)
        } else if orthonormalInput {
            input = .orthonormal
        } else {
            let g0 = gamma0 ?? 3
            try NumberBounds.gamma.check(g0, field: "--gamma0")
            input = .marcenkoPastur(gamma0: g0)
        }
        var layerGammas: [Double]
        if let list = gammas {
            layerGammas = try Self.parseList(list, option: "--gammas", each: NumberBounds.gamma.description)
            guard !layerGammas.isEmpty else { throw ModelError(field: "--gammas", value: list, allowed: "needs at least one value") }
            if let d = depth, d != layerGammas.count {
                throw ModelError(field: "--depth", value: "\(d)", allowed: "must equal the number of --gammas values (\(layerGammas.count)), or be left out: --gammas sets the depth")
            }
        } else if let fileGammas = fileModel.gammas, gamma == nil {
            // the file's γ_ℓ; --depth keeps the first ones or repeats the last (as the explorer's :depth)
            let d = depth ?? fileGammas.count
            try NumberBounds.depth.check(Double(d), field: "--depth")
            layerGammas = Array(fileGammas.prefix(d)) + Array(repeating: fileGammas.last!, count: max(0, d - fileGammas.count))
        } else {
            let d = depth ?? fileModel.depth ?? fileModel.gammas?.count ?? 5
            try NumberBounds.depth.check(Double(d), field: "--depth")
            let g = gamma ?? fileModel.gamma ?? 0.5
            layerGammas = Array(repeating: g, count: d)
        }
        for g in layerGammas { try NumberBounds.gamma.check(g, field: gammas != nil ? "--gammas" : "--gamma") }
        let taus = try tau.map { try Self.parseList($0, option: "--tau", each: NumberBounds.tau.description) } ?? fileModel.tau
        if let t = taus, t.count != layerGammas.count + 1 {
            throw ModelError(field: tau != nil ? "--tau" : fileKey("tau"), value: t.map { "\($0)" }.joined(separator: ","),
                             allowed: "needs depth+1 = \(layerGammas.count + 1) values τ_1,…,τ_{L+1}")
        }
        let outputs = self.outputs ?? fileModel.outputs ?? 1
        try NumberBounds.outputs.check(Double(outputs), field: "--outputs")
        let model = NetworkModel(activation: act, input: input, gammas: layerGammas, tau: taus)
        do { try model.validate() } catch {
            let field: String
            switch error.field {
            case let f where f.hasPrefix("gamma of layer"): field = gammas != nil ? "--gammas (\(f))" : "--gamma"
            case "tau": field = tau != nil ? "--tau" : fileKey("tau")
            case "gamma0": field = "--gamma0"
            case "input spectrum": field = inputSpectrum != nil ? "--input-spectrum \(inputSpectrum!)" : "the input law of --config \(configPath)"
            default: field = "--" + error.field.replacingOccurrences(of: " ", with: "-")
            }
            throw ModelError(field: field, value: error.value, allowed: error.allowed)
        }
        return Built(model: model, notices: notices)
    }

    func model() throws -> NetworkModel { try build().model }

    /// A short label for a file input law (its file name), for headers; else the config file's label.
    var inputLabel: String? {
        if let inputSpectrum { return URL(fileURLWithPath: inputSpectrum).lastPathComponent }
        if gamma0 != nil || orthonormalInput { return nil }
        guard let m = (try? loadConfig())??.model else { return nil }
        return m.inputLabel ?? m.inputFile.map { URL(fileURLWithPath: $0).lastPathComponent }
    }

    /// Comma-separated numbers; `each` says what one may be ("a number from 1e-4 to 1e4"), for the
    /// refusal of one that is not a finite number.
    static func parseList(_ text: String, option: String, each: String) throws -> [Double] {
        try text.split(separator: ",", omittingEmptySubsequences: false).map { piece in
            let t = piece.trimmingCharacters(in: .whitespaces)
            guard let v = Double(t), v.isFinite else {
                throw ModelError(field: option, value: t.isEmpty ? "(empty item)" : String(t), allowed: "must be a comma-separated list, each \(each)")
            }
            return v
        }
    }
}

extension ModelError {
    func renamedOption(_ name: String) -> ModelError { ModelError(field: name, value: value, allowed: allowed) }
}


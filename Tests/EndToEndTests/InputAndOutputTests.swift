import Foundation
import Testing

/// Input files, option values and the density output through the real binary ($NTKSCOPE_BIN, as in
/// RenderCommandTests). Expected values come from the files' own numbers (exact formulas), or are
/// the exit code 2 with a message naming the option or file and line.
@Suite struct InputAndOutputTests {
    static let binary = RenderCommandTests.binary
    let runner = RenderCommandTests()

    func run(_ args: [String], in dir: URL) throws -> RenderCommandTests.Run { try runner.run(args, in: dir) }

    func folder() throws -> URL { try runner.folder() }

    func write(_ bytes: [UInt8], _ name: String, in dir: URL) throws {
        try Data(bytes).write(to: dir.appendingPathComponent(name))
    }

    func json(_ r: RenderCommandTests.Run) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
    }

    func law(_ r: RenderCommandTests.Run, _ k: Int = 0) throws -> [String: Any] {
        let laws = try #require(try json(r)["laws"] as? [[String: Any]])
        return laws[k]
    }

    /// The input law of a file with the values 1…100 is 100 atoms of mass 1/100 at k/50.5,
    /// whatever the line ends, a byte-order mark, a header or a second column.
    @Test(.enabled(if: binary != nil)) func lineEndsBOMAndHeaders() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let files: [(String, [UInt8])] = [
            ("crlf.csv", Array(("value,other\r\n" + (1...100).map { "\($0),x\r\n" }.joined()).utf8)),
            ("one.txt", Array((1...100).map { "\($0)\r\n" }.joined().utf8)),
            ("bom.txt", [0xEF, 0xBB, 0xBF] + Array((1...100).map { "\($0)\n" }.joined().utf8)),
            ("cr.txt", Array(("# old Mac\r" + (1...100).map { "\($0)\r" }.joined()).utf8)),
        ]
        for (name, bytes) in files {
            try write(bytes, name, in: dir)
            let r = try run(["density", "--input-spectrum", name, "--kernel", "ck", "--layer", "0", "--format", "json"], in: dir)
            #expect(r.status == 0, "\(name): \(r.err)")
            let atoms = try #require(try law(r)["atoms"] as? [[String: Double]])
            #expect(atoms.count == 100, "\(name)")
            for (k, a) in atoms.enumerated() {
                #expect(abs(a["location"]! - Double(k + 1) / 50.5) < 1e-12 && abs(a["mass"]! - 0.01) < 1e-15, "\(name)")
            }
            #expect(r.err.contains("rescaled to mean 1"))
        }
    }

    /// -1.2e-16 from eigvalsh is a zero (an atom of mass 1/4 at 0); -0.5 is refused naming its line.
    @Test(.enabled(if: binary != nil)) func roundOffAndRealNegatives() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        try write(Array("1\n2\n-1.2e-16\n3\n".utf8), "noise.txt", in: dir)
        let ok = try run(["density", "--input-spectrum", "noise.txt", "--kernel", "ck", "--layer", "0", "--format", "json"], in: dir)
        #expect(ok.status == 0, "\(ok.err)")
        let atoms = try #require(try law(ok)["atoms"] as? [[String: Double]])
        #expect(atoms.first?["location"] == 0 && atoms.first?["mass"] == 0.25)
        try write(Array("1\n2\n# comment\n-0.5\n".utf8), "neg.txt", in: dir)
        let bad = try run(["density", "--input-spectrum", "neg.txt"], in: dir)
        #expect(bad.status == 2)
        #expect(bad.err.contains("neg.txt line 4") && bad.err.contains("'-0.5'") && bad.err.contains(">= 0"), "\(bad.err)")
    }

    /// Values near the largest Double: the law is rescaled without overflow, so every CK mean is
    /// exactly 1 (φ(K_ℓ) = 1 − b² + b² φ(K_{ℓ−1}) with φ(K_0) = 1) and the solved law agrees.
    @Test(.enabled(if: binary != nil)) func hugeValuesKeepTheMean() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        try write(Array("1e308\n1e308\n5e307\n".utf8), "big.txt", in: dir)
        let r = try run(["density", "--input-spectrum", "big.txt", "--depth", "2", "--kernel", "ck", "--format", "json"], in: dir)
        #expect(r.status == 0, "\(r.err)")
        let laws = try #require(try json(r)["laws"] as? [[String: Any]])
        for l in laws {
            let m = try #require(l["moments"] as? [String: Any])
            #expect(abs((m["mean"] as! Double) - 1) < 1e-12)
            #expect(abs(((m["numerical"] as! [Double])[0]) - 1) < 1e-5)
        }
    }

    /// sample --data with CRLF line ends, a BOM and a header: the preprocessed samples have unit
    /// norm, so the input Gram's eigenvalues sum to n (its trace).
    @Test(.enabled(if: binary != nil)) func sampleDataWithCRLF() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        var text = "a,b,c,d,e,f\r\n"
        for i in 0..<120 { text += (0..<6).map { j in "\(Double((i * 7 + j * 13) % 17) + 0.1 * Double(j))" }.joined(separator: ",") + "\r\n" }
        try write([0xEF, 0xBB, 0xBF] + Array(text.utf8), "data.csv", in: dir)
        let r = try run(["sample", "--data", "data.csv", "--depth", "1", "--kernel", "ck", "--layer", "0", "--threads", "1"], in: dir)
        #expect(r.status == 0, "\(r.err)")
        let rows = r.out.split(separator: "\n").dropFirst().filter { !$0.hasPrefix("#") }
        let eigenvalues = rows.compactMap { Double($0.split(separator: ",").last!) }
        #expect(eigenvalues.count == 120)
        #expect(abs(eigenvalues.reduce(0, +) - 120) < 1e-3)
    }

    /// A .npy file (format 1.0, float64 little-endian) with this header's shape and order, then `body`.
    func npy(shape: String, fortran: String, body: [UInt8]) -> [UInt8] {
        var header = Array("{'descr': '<f8', 'fortran_order': \(fortran), 'shape': \(shape), }".utf8)
        while (10 + header.count + 1) % 64 != 0 { header.append(0x20) }
        header.append(0x0A)
        return [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, UInt8(header.count & 0xFF), UInt8(header.count >> 8)] + header + body
    }

    /// Crafted .npy headers: exit 2 and a message naming the file's header (they trapped: SIGILL).
    @Test(.enabled(if: binary != nil), arguments: [
        ("(100000000000, 100000000000)", "False", "more elements"),
        ("(-5, 3)", "False", "non-negative"),
        ("(4611686018427387904, 4)", "False", "more elements"),
        ("(2, 1)", "Maybe", "Maybe"),
    ])
    func craftedNPYHeaders(shape: String, fortran: String, message: String) throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        try write(npy(shape: shape, fortran: fortran, body: [UInt8](repeating: 0, count: 16)), "x.npy", in: dir)
        let r = try run(["sample", "--data", "x.npy", "--depth", "1"], in: dir)
        #expect(r.status == 2, "\(shape)")
        #expect(r.err.contains("x.npy (.npy header)") && r.err.contains(message), "\(r.err)")
    }

    /// Numeric options are bounded before any arithmetic (--tau=1e308 trapped; 1e100 and a
    /// combination of 1e308 failed in the JSON encoder); the message names the option.
    @Test(.enabled(if: binary != nil), arguments: [
        (["--depth", "1", "--tau=1e308,1"], "--tau"),
        (["--depth", "1", "--tau", "1e100,1", "--format", "json"], "--tau"),
        (["--depth", "1", "--combination=1e308,0,1", "--format", "json"], "--combination"),
        (["--depth", "1", "--combination=0,1e-300,1"], "--combination"),
        (["--x-min", "-1e308", "--x-max", "1"], "--x-min"),
        (["--grid", "1"], "--grid"),
        (["--outputs", "100000000"], "--outputs"),
        (["--gammas", "0.5,,2"], "--gammas"),
        (["--gamma0", "1e300"], "--gamma0"),
    ])
    func optionsAreBounded(arguments: [String], option: String) throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try run(["density"] + arguments, in: dir)
        #expect(r.status == 2, "\(arguments): \(r.err)")
        #expect(r.err.contains(option), "\(arguments): \(r.err)")
    }

    /// Other commands: a negative number is read as the value (and refused by its range, not as
    /// "Missing value"); a huge --print frame is refused instead of aborting on the allocation.
    @Test(.enabled(if: binary != nil), arguments: [
        (["render", "--zoom", "-1"], "--zoom"),
        (["sample", "--n", "-5"], "--n"),
        (["sample", "--threads", "100000000"], "--threads"),
        (["sample", "--input", "power-law", "--power-alpha", "1e308"], "--power-alpha"),
        (["explore", "--print", "--width", "99999999", "--height", "99999999"], "--width"),
        (["explore", "--print", "--width", "-5"], "--width"),
    ])
    func otherCommandsBoundTheirNumbers(arguments: [String], option: String) throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try run(arguments, in: dir)
        #expect(r.status == 2, "\(arguments): \(r.err)")
        #expect(r.err.contains(option) && !r.err.contains("Missing value"), "\(arguments): \(r.err)")
    }

    /// A numeric option given inf, nan or a fraction for an integer is refused like any other bad
    /// value: exit 2, one line "ntkscope: error: …" naming the option, the value and the range.
    /// The ranges are docs/cli.md's *Bounds of numeric options*.
    @Test(.enabled(if: binary != nil), arguments: [
        (["density", "--gamma", "inf"], "--gamma", "inf", "1e-4 to 1e4"),
        (["density", "--gamma0", "nan"], "--gamma0", "nan", "1e-4 to 1e4"),
        (["density", "--gammas", "0.5,inf"], "--gammas", "inf", "1e-4 to 1e4"),
        (["density", "--depth", "1", "--tau", "1,inf"], "--tau", "inf", "1e-4 to 1e4"),
        (["density", "--b-sigma", "inf"], "--b-sigma", "inf", "-1 to 1"),
        (["density", "--depth", "1", "--combination", "nan,0,1"], "--combination", "nan", "1e-8 to 1e8"),
        (["density", "--x-min", "-inf", "--x-max", "1"], "--x-min", "-inf", "-1e30 to 1e30"),
        (["density", "--depth", "inf"], "--depth", "inf", "1 to 64"),
        (["density", "--outputs", "nan"], "--outputs", "nan", "1 to 1000000"),
        (["density", "--grid", "2.5"], "--grid", "2.5", "2 to 100000"),
        (["sample", "--threads", "inf"], "--threads", "inf", "1 to 1024"),
        (["sample", "--n", "nan"], "--n", "nan", "≥ 2"),
        (["sample", "--input", "power-law", "--power-alpha", "inf"], "--power-alpha", "inf", "0 to 100"),
        (["train", "--threads", "inf"], "--threads", "inf", "1 to 1024"),
        (["quadratic", "sample", "--threads", "99999999999"], "--threads", "99999999999", "1 to 1024"),
        (["render", "--zoom", "inf"], "--zoom", "inf", "0 to 12"),
        (["render", "--n", "nan"], "--n", "nan", "100 to 16000"),
        (["explore", "--print", "--width", "inf"], "--width", "inf", "20 to 2000"),
    ])
    func nonNumbersAreRefusedWithTheRange(arguments: [String], option: String, value: String, range: String) throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try run(arguments, in: dir)
        #expect(r.status == 2, "\(arguments): \(r.err)")
        let first = r.err.split(separator: "\n").first.map(String.init) ?? ""
        #expect(first.hasPrefix("ntkscope: error: ") && first.contains(option) && first.contains("'\(value)'") && first.contains(range),
                "\(arguments): \(r.err)")
    }

    /// One style of error line, whoever raised it: the argument parser (unknown option, a value
    /// not in a list), an option's check, a command's own check and an unknown subcommand all write
    /// "ntkscope: error: …"; "Error:" appears nowhere.
    @Test(.enabled(if: binary != nil), arguments: [
        ["density", "--bogus"], ["density", "--kernel", "zz"], ["density", "--depth", "99"], ["sample", "--kernel", "zz"],
        ["explore", "--print", "--canvas", "zz"], ["frobnicate"], ["train", "--task", "zz"],
    ])
    func oneErrorStyle(arguments: [String]) throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try run(arguments, in: dir)
        #expect(r.status == 2, "\(arguments): \(r.err)")
        #expect(r.err.hasPrefix("ntkscope: error: ") && !r.err.contains("Error:"), "\(arguments): \(r.err)")
    }

    /// A data file that is missing or not text is named with the option that read it, once: the
    /// labels file of `train` and the data file of `quadratic sample` were called "--data", inside
    /// a second "invalid value" for the quadratic one.
    @Test(.enabled(if: binary != nil), arguments: [
        (["train", "--task", "classification", "--data", "good.csv", "--labels", "missing.csv"], "for --labels: the file does not exist"),
        (["quadratic", "sample", "--input", "data:missing.csv"], "for --input: the file does not exist"),
        (["sample", "--input", "file", "--data", "binary.dat"], "for --data binary.dat: must be text or .npy"),
        (["train", "--task", "classification", "--data", "binary.dat", "--labels", "0"], "for --data binary.dat: must be text or .npy"),
    ])
    func dataFilesAreNamedWithTheirOption(arguments: [String], message: String) throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data("1,2\n3,4\n5,6\n".utf8).write(to: dir.appendingPathComponent("good.csv"))
        try write([0x61, 0x2C, 0x62, 0x0A, 0xFF, 0xFE, 0x00], "binary.dat", in: dir)
        let r = try run(arguments, in: dir)
        #expect(r.status == 2, "\(arguments): \(r.err)")
        #expect(r.err.contains(message) && r.err.components(separatedBy: "invalid value").count == 2, "\(arguments): \(r.err)")
    }

    /// An input spectrum with repeated values (0, 1, 1, 2): the sampled X₀ᵀX₀ repeats them to a few
    /// ulps, and the compared law took each as its own atom; the CK layer-0 sample is the law
    /// itself, so KS must be 0 (it was 0.33–0.49), and the NTK's law must pass its self-check (it
    /// failed with mass 0.988).
    @Test(.enabled(if: binary != nil))
    func repeatedInputEigenvaluesAreOneAtomInTheComparedLaw() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data("0\n1\n1\n2\n".utf8).write(to: dir.appendingPathComponent("f1.txt"))
        let r = try run(["sample", "--activation", "tanh", "--depth", "1", "--gamma", "4", "--input-spectrum", "f1.txt",
                         "--n", "40", "--seed", "2", "--precision", "float64", "--compare", "--kernel", "all"], in: dir)
        #expect(r.status == 0, "\(r.err)")
        let ck0 = r.out.split(separator: "\n").first { $0.split(separator: " ").prefix(2) == ["ck", "0"] }
        let fields = try #require(ck0).split(separator: " ")
        #expect(fields.count >= 4 && Double(fields[2]) == 0 && Double(fields[3]) == 0, "\(ck0 ?? "")")
        #expect(!r.err.contains("warning"), "\(r.err)")
    }

    /// An option of another input kind is refused, not ignored: --power-alpha needs --input
    /// power-law, --input-dim a generated input, --remove-pcs (train) --data. With power-law inputs
    /// --power-alpha is taken.
    @Test(.enabled(if: binary != nil), arguments: [
        (["sample", "--power-alpha", "2"], "--power-alpha", "power-law"),
        (["sample", "--input", "gaussian", "--power-alpha", "2"], "--power-alpha", "power-law"),
        (["sample", "--input-dim", "5"], "--input-dim", "gaussian"),
        (["train", "--remove-pcs", "3"], "--remove-pcs", "--data"),
    ])
    func optionsOfAnotherInputAreRefused(arguments: [String], option: String, needs: String) throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try run(arguments + ["--n", "20", "--depth", "1"], in: dir)
        #expect(r.status == 2, "\(arguments): \(r.err)")
        #expect(r.err.contains(option) && r.err.contains(needs), "\(arguments): \(r.err)")
    }

    @Test(.enabled(if: binary != nil)) func powerAlphaWithPowerLawInputs() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try run(["sample", "--input", "power-law", "--power-alpha", "2", "--n", "20", "--depth", "1", "--kernel", "ck", "--layer", "0"], in: dir)
        #expect(r.status == 0, "\(r.err)")
        // n = 20 eigenvalues of the input Gram
        #expect(r.out.split(separator: "\n").count == 21)
    }

    /// Negative numbers are values, without `=`.
    @Test(.enabled(if: binary != nil)) func negativeValuesWithoutEquals() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let window = try run(["density", "--depth", "1", "--kernel", "ck", "--layer", "1", "--x-min", "-5", "--x-max", "5", "--format", "json"], in: dir)
        #expect(window.status == 0, "\(window.err)")
        let x = try #require(try law(window)["x"] as? [Double])
        #expect(x.first == -5 && x.last == 5)
        let b = try run(["density", "--b-sigma", "-0.3", "--depth", "1", "--kernel", "ntk", "--format", "json"], in: dir)
        #expect(b.status == 0, "\(b.err)")
        let model = try #require(try json(b)["model"] as? [String: Any])
        #expect(abs((model["bSigma"] as! Double) + 0.3) < 1e-12)
        let c = try run(["density", "--depth", "1", "--combination", "-1,0,1", "--format", "json"], in: dir)
        #expect(c.status == 0, "\(c.err)")
        // -Id + X_1^T X_1 has mean −1 + 1 = 0
        let m = try #require(try law(c)["moments"] as? [String: Any])
        #expect(abs(m["mean"] as! Double) < 1e-12)
    }

    /// The user's --x-min and --x-max are the grid's first and last x exactly, in the resolved and
    /// the uniform grid, and no x lies outside them: [2, 3] cuts Figure 1's NTK support (its first x
    /// was 1.9999999999999996); [−1e20, 1] is a range where lo + (hi − lo) is 0, not 1.
    @Test(.enabled(if: binary != nil), arguments: [
        (["--x-min", "2", "--x-max", "3"], 2.0, 3.0),
        (["--x-min", "2", "--x-max", "3", "--grid", "7"], 2.0, 3.0),
        (["--x-min", "-1e20", "--x-max", "1", "--grid", "5"], -1e20, 1.0),
    ])
    func userGridEndsAreExact(arguments: [String], lo: Double, hi: Double) throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try run(["density", "--kernel", "ntk"] + arguments, in: dir)
        #expect(r.status == 0, "\(r.err)")
        let x = r.out.split(separator: "\n").dropFirst().map { Double($0.split(separator: ",")[2])! }
        #expect(x.first == lo && x.last == hi, "\(arguments): \(x.first ?? .nan)…\(x.last ?? .nan)")
        #expect(x.allSatisfy { lo <= $0 && $0 <= hi }, "\(arguments)")
    }

    /// JSON keys without a value are written as null, never left out (docs/cli.md: `approximation`
    /// is "null, or …"): Figure 1's laws have no approximation and no τ; `kernel` without --order
    /// has no series order and no series values.
    @Test(.enabled(if: binary != nil)) func absentJSONValuesAreNull() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let d = try run(["density", "--kernel", "ntk", "--format", "json"], in: dir)
        #expect(d.status == 0, "\(d.err)")
        let law = try law(d)
        #expect(law.keys.contains("approximation") && law["approximation"] is NSNull)
        let model = try #require(try json(d)["model"] as? [String: Any])
        #expect(model.keys.contains("tau") && model["tau"] is NSNull)
        let k = try run(["kernel", "--rho", "0.5", "--depth", "1", "--format", "json"], in: dir)
        #expect(k.status == 0, "\(k.err)")
        let doc = try json(k)
        #expect(doc.keys.contains("series_order") && doc["series_order"] is NSNull)
        let row = try #require((doc["rows"] as? [[String: Any]])?.first)
        #expect(row["series_ntk"] is NSNull && row["series_bound"] is NSNull)
    }

    /// The default output resolves the law: Figure 1's CK layer 1 (67% of its mass in a bump of
    /// width 0.09) integrates by the trapezoid rule to its mass 1 within 1e-4, and the CDF column
    /// ends at 1; `--grid N` gives the uniform grid.
    @Test(.enabled(if: binary != nil)) func resolvedAndUniformGrids() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try run(["density", "--kernel", "ck", "--layer", "1"], in: dir)
        #expect(r.status == 0, "\(r.err)")
        var lines = r.out.split(separator: "\n").map(String.init)
        #expect(lines.removeFirst() == "kernel,layer,x,density,cdf")
        let rows = lines.map { $0.split(separator: ",").dropFirst(2).map { Double($0)! } }   // x, density, cdf
        var mass = 0.0
        for k in 1..<rows.count { mass += (rows[k][0] - rows[k - 1][0]) * (rows[k][1] + rows[k - 1][1]) / 2 }
        #expect(abs(mass - 1) < 1e-4)
        #expect(abs(rows.last![2] - 1) < 1e-12 && rows.first![2] == 0)
        let u = try run(["density", "--kernel", "ck", "--layer", "1", "--grid", "50"], in: dir)
        let ux = u.out.split(separator: "\n").dropFirst().map { Double($0.split(separator: ",")[2])! }
        #expect(ux.count == 50)
        #expect(abs((ux[2] - ux[1]) - (ux[49] - ux[48])) < 1e-9)
    }

    @Test(.enabled(if: binary != nil)) func sessionDepthMustMatchGammas() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        try write(Array("[model]\ngammas = [0.5, 2]\ndepth = 7\n".utf8), "s.toml", in: dir)
        let r = try run(["density", "--config", "s.toml"], in: dir)
        #expect(r.status == 2)
        #expect(r.err.contains("model.depth") && r.err.contains("s.toml"), "\(r.err)")
    }

    /// Runs the binary with its standard output on /dev/full, or closed (through /bin/sh `>&-`).
    func runWithStandardOutput(_ target: String, _ args: [String], in dir: URL) throws -> RenderCommandTests.Run {
        let p = Process()
        if target == "closed" {
            p.executableURL = URL(fileURLWithPath: "/bin/sh")
            p.arguments = ["-c", "exec \"$0\" \"$@\" >&-", Self.binary!] + args
        } else {
            p.executableURL = URL(fileURLWithPath: Self.binary!)
            p.arguments = args
            p.standardOutput = try #require(FileHandle(forWritingAtPath: target))
        }
        p.currentDirectoryURL = dir
        let err = Pipe()
        p.standardError = err
        try p.run()
        let e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return RenderCommandTests.Run(status: p.terminationStatus, out: "", err: String(decoding: e, as: UTF8.self))
    }

    /// A failed write to standard output is an error with the system's reason and exit 2, for every
    /// command (`density` trapped with SIGILL; `series`, `sphere`, `kernel`, `sample` and
    /// `explore --print` exited 0 having written nothing); a closed standard output too. The
    /// reason is the C library's own text for ENOSPC.
    @Test(.enabled(if: binary != nil), arguments: [
        ["density", "--depth", "1"], ["density", "--depth", "1", "--format", "json"], ["density", "--depth", "1", "--format", "table"],
        ["activations"], ["render", "--depth", "1"], ["quadratic", "density"], ["series"], ["sphere"],
        ["kernel", "--rho-grid", "5"], ["kernel", "--rho-grid", "5", "--format", "json"], ["sample", "--depth", "1", "--n", "60"],
        ["explore", "--print", "--width", "60", "--height", "20", "--depth", "1"],
        ["train", "--n", "40", "--width", "20", "--depth", "1", "--epochs", "1"], ["--help"],
    ])
    func failedWritesToStandardOutput(arguments: [String]) throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let full = try runWithStandardOutput("/dev/full", arguments, in: dir)
        #expect(full.status == 2, "\(arguments): \(full.err)")
        #expect(full.err.contains("cannot write to standard output: \(String(cString: strerror(ENOSPC)))"), "\(arguments): \(full.err)")
        let closed = try runWithStandardOutput("closed", arguments, in: dir)
        #expect(closed.status == 2, "\(arguments): \(closed.err)")
        #expect(closed.err.contains("cannot write to standard output: it is closed"), "\(arguments): \(closed.err)")
        let null = try runWithStandardOutput("/dev/null", arguments, in: dir)
        #expect(null.status == 0, "\(arguments): \(null.err)")
    }

    /// A negative number after any long option of any subcommand is that option's value: it
    /// reaches the option's range check, whose message names the option and the value (it failed
    /// with "Missing value" outside the model options).
    @Test(.enabled(if: binary != nil), arguments: [
        (["sphere", "--bias-variance", "-1"], "--bias-variance"), (["series", "--weight-variance", "-1"], "--weight-variance"),
        (["kernel", "--rho-grid", "5", "--bias-variance", "-1"], "--bias-variance"), (["render", "--weight-variance", "-1"], "--weight-variance"),
        (["quadratic", "density", "--gamma1", "-1"], "--gamma1"), (["quadratic", "density", "--gamma2", "-1"], "--gamma2"),
        (["train", "--lr", "-1"], "--lr"), (["train", "--seed", "-1"], "--seed"), (["train", "--data-seed", "-1"], "--data-seed"),
        (["train", "--test-fraction", "-0.1"], "--test-fraction"), (["sample", "--seed", "-1"], "--seed"),
        (["quadratic", "sample", "--seed", "-1"], "--seed"), (["sphere", "--points", "10", "--seed", "-3"], "--seed"),
        (["density", "--depth", "-3"], "--depth"),
    ])
    func negativeValuesReachTheRangeCheck(arguments: [String], option: String) throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try run(arguments, in: dir)
        let value = arguments[arguments.firstIndex(of: option)! + 1]
        #expect(r.status == 2, "\(arguments): \(r.err)")
        #expect(r.err.contains(option) && r.err.contains("'\(value)"), "\(arguments): \(r.err)")
        #expect(!r.err.contains("Missing value") && !r.err.contains("Unknown option"), "\(arguments): \(r.err)")
        // the same value with `=` gives the same message
        var joined = arguments
        let k = joined.firstIndex(of: option)!
        joined[k] = option + "=" + value
        joined.remove(at: k + 1)
        #expect(try run(joined, in: dir).err == r.err)
    }

    /// Output paths: an empty one is called empty; a file in /proc is said not to be writable or
    /// replaceable there, not that /proc is missing.
    @Test(.enabled(if: binary != nil)) func outputPathMessages() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let empty = try run(["density", "--depth", "1", "-o", ""], in: dir)
        #expect(empty.status == 2 && empty.err.contains("--output") && empty.err.contains("the output path is empty"), "\(empty.err)")
        let summary = try run(["train", "--summary", ""], in: dir)
        #expect(summary.status == 2 && summary.err.contains("--summary") && summary.err.contains("the output path is empty"), "\(summary.err)")
        if FileManager.default.fileExists(atPath: "/proc/version") {
            let proc = try run(["density", "--depth", "1", "-o", "/proc/version", "--force"], in: dir)
            #expect(proc.status == 2 && proc.err.contains("/proc/version") && !proc.err.contains("does not exist"), "\(proc.err)")
        }
    }

    /// Every command that prints one document also writes it with `-o FILE`: the same bytes as its
    /// standard output, an existing file refused without `--force` (exit 2, the file unchanged) and
    /// replaced with it.
    @Test(.enabled(if: binary != nil), arguments: [
        ["sphere", "--activation", "relu", "--depth", "2", "--max-degree", "6", "--order", "40"],
        ["series", "--activation", "tanh", "--depth", "2", "--order", "20"],
        ["kernel", "--activation", "erf", "--depth", "2", "--rho", "0,0.5,1"],
        ["activations", "--format", "csv"],
        ["density", "--depth", "1", "--grid", "50"],
        ["render", "--depth", "1", "--format", "csv"],
        ["sample", "--depth", "1", "--n", "60", "--seed", "3"],
        ["quadratic", "density", "--format", "csv"],
    ])
    func documentCommandsWriteTheirOutputFile(_ args: [String]) throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let printed = try run(args, in: dir)
        #expect(printed.status == 0 && !printed.out.isEmpty, "\(printed.err)")
        let file = dir.appendingPathComponent("out.txt").path
        let written = try run(args + ["-o", file], in: dir)
        #expect(written.status == 0 && written.out.isEmpty, "\(written.err)")
        #expect(try String(contentsOfFile: file, encoding: .utf8) == printed.out)
        try "keep me\n".write(toFile: file, atomically: true, encoding: .utf8)
        let refused = try run(args + ["-o", file], in: dir)
        #expect(refused.status == 2 && refused.err.contains("--output") && refused.err.contains("--force"), "\(refused.err)")
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "keep me\n")
        let forced = try run(args + ["-o", file, "--force"], in: dir)
        let replaced = try String(contentsOfFile: file, encoding: .utf8)
        #expect(forced.status == 0 && replaced == printed.out, "\(forced.err)")
    }

    /// `sample --data X.npy` with a NaN or an infinity names the file and the first bad element's
    /// row and column (1-based), computed here from where it was put.
    @Test(.enabled(if: binary != nil), arguments: [(2, 1, Double.nan), (4, 3, -Double.infinity)])
    func nonFiniteDataIsLocated(row: Int, column: Int, value: Double) throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        var values = (0..<18).map { Double($0 % 5) + 0.5 }
        values[(row - 1) * 3 + (column - 1)] = value
        values[17] = .nan   // a later one is not the first
        let body = values.flatMap { v in withUnsafeBytes(of: v.bitPattern.littleEndian, Array.init) }
        try write(npy(shape: "(6, 3)", fortran: "False", body: body), "x.npy", in: dir)
        let r = try run(["sample", "--data", "x.npy", "--depth", "1"], in: dir)
        #expect(r.status == 2)
        #expect(r.err.contains("x.npy row \(row), column \(column)") && r.err.contains("finite"), "\(r.err)")
    }
}

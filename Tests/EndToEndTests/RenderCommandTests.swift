import Foundation
import Testing

/// `ntkscope render` and `--config` through the real binary: $NTKSCOPE_BIN (set by `make test`),
/// else .build/debug/ntkscope or .build/release/ntkscope when present; skipped when there is none.
@Suite struct RenderCommandTests {
    static let binary: String? = {
        if let b = ProcessInfo.processInfo.environment["NTKSCOPE_BIN"], FileManager.default.isExecutableFile(atPath: b) { return b }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        for p in [".build/debug/ntkscope", ".build/release/ntkscope"] {
            let path = root.appendingPathComponent(p).path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }()

    struct Run { var status: Int32; var out: String; var err: String }

    func run(_ args: [String], in dir: URL) throws -> Run {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.binary!)
        p.arguments = args
        p.currentDirectoryURL = dir
        let out = Pipe(), err = Pipe()
        p.standardOutput = out; p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return Run(status: p.terminationStatus, out: String(decoding: o, as: UTF8.self), err: String(decoding: e, as: UTF8.self))
    }

    func folder() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ntkscope-render-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test(.enabled(if: binary != nil)) func sessionFileReproducesTheView() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let options = ["--depth", "3", "--gamma", "0.7", "--view", "focus", "--select", "ntk", "--zoom", "1", "--y-scale", "sqrt", "--size", "100x30"]
        let direct = try run(["render", "--format", "txt"] + options, in: dir)
        #expect(direct.status == 0, "\(direct.err)")
        let toml = try run(["render", "--format", "toml", "-o", "s.toml"] + options, in: dir)
        #expect(toml.status == 0, "\(toml.err)")
        let again = try run(["render", "--config", "s.toml", "--size", "100x30"], in: dir)
        #expect(again.status == 0, "\(again.err)")
        #expect(again.out == direct.out)
        // command-line options take precedence over the file
        let deeper = try run(["render", "--config", "s.toml", "--depth", "2", "--format", "toml"], in: dir)
        #expect(deeper.out.contains("gammas = [0.7, 0.7]"))
        #expect(deeper.out.contains("selected = \"ntk\""))
        // every subcommand reads the model from --config
        let density = try run(["density", "--config", "s.toml"], in: dir)
        #expect(density.status == 0, "\(density.err)")
    }

    @Test(.enabled(if: binary != nil)) func refusesToOverwriteWithoutForce() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        try "keep me\n".write(to: dir.appendingPathComponent("v.csv"), atomically: true, encoding: .utf8)
        let r = try run(["render", "--depth", "1", "-o", "v.csv"], in: dir)
        #expect(r.status == 2)
        #expect(r.err.contains("--force"))
        #expect(try String(contentsOf: dir.appendingPathComponent("v.csv"), encoding: .utf8) == "keep me\n")
        let forced = try run(["render", "--depth", "1", "-o", "v.csv", "--force"], in: dir)
        #expect(forced.status == 0, "\(forced.err)")
        #expect(try String(contentsOf: dir.appendingPathComponent("v.csv"), encoding: .utf8).contains("kind,kernel,layer,x,density"))
        let missing = try run(["render", "--depth", "1", "-o", "no/such/folder/v.svg"], in: dir)
        #expect(missing.status == 2 && missing.err.contains("does not exist"))
    }

    @Test(.enabled(if: binary != nil), arguments: [[String](), ["--kernel", "ntk"], ["--kernel", "ck", "--depth", "2"], ["--depth", "2", "--combination", "1,0,0,1"]])
    func densityJSONTimesEveryLaw(arguments: [String]) throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try run(["density", "--format", "json", "--grid", "60"] + arguments, in: dir)
        #expect(r.status == 0, "\(r.err)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
        let total = try #require(json["seconds"] as? Double)
        #expect(total.isFinite && total >= 0)
        let laws = try #require(json["laws"] as? [[String: Any]])
        #expect(!laws.isEmpty)
        var sum = 0.0
        for law in laws {
            let name = "\(law["kernel"] ?? "?") \(law["layer"] ?? "?")"
            let seconds = try #require(law["seconds"] as? Double, "law \(name) has no seconds")
            #expect(seconds.isFinite && seconds >= 0, "law \(name): seconds = \(seconds)")
            sum += seconds
            // the solver statistics are per law too
            let solver = try #require(law["solver"] as? [String: Any], "law \(name) has no solver statistics")
            for key in ["points", "iterations", "failures"] { #expect(solver[key] is Int, "law \(name): solver.\(key)") }
        }
        // each law's time is a part of the whole solve
        #expect(sum <= total + 1e-6, "per-law seconds \(sum) exceed the total \(total)")
    }

    /// `sample --config`: n and the seed come from the session's [empirical] table unless given.
    @Test(.enabled(if: binary != nil)) func sampleReadsNAndSeedFromTheSessionFile() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        try "schema = 1\n[model]\ngammas = [0.5, 0.5]\n[empirical]\nenabled = false\nn = 120\nseed = 7\n"
            .write(to: dir.appendingPathComponent("s.toml"), atomically: true, encoding: .utf8)
        func header(_ args: [String]) throws -> (n: Int, seed: Int) {
            let r = try run(["sample", "--format", "json", "--kernel", "ck", "--layer", "1", "--threads", "1"] + args, in: dir)
            #expect(r.status == 0, "\(r.err)")
            let json = try #require(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
            return (try #require(json["n"] as? Int), try #require(json["seed"] as? Int))
        }
        let fromFile = try header(["--config", "s.toml"])
        #expect(fromFile.n == 120 && fromFile.seed == 7)
        // the command line takes precedence, each option on its own
        let both = try header(["--config", "s.toml", "--n", "100", "--seed", "3"])
        #expect(both.n == 100 && both.seed == 3)
        let onlySeed = try header(["--config", "s.toml", "--seed", "3"])
        #expect(onlySeed.n == 120 && onlySeed.seed == 3)
        // without --config: the defaults
        let defaults = try header(["--depth", "2", "--n", "100"])
        #expect(defaults.seed == 0)
        // the same network as the options spelled out
        let viaFile = try run(["sample", "--config", "s.toml", "--threads", "1"], in: dir)
        let spelled = try run(["sample", "--depth", "2", "--gamma", "0.5", "--n", "120", "--seed", "7", "--threads", "1"], in: dir)
        #expect(viaFile.status == 0 && spelled.status == 0, "\(viaFile.err)\(spelled.err)")
        #expect(viaFile.out == spelled.out)
        #expect(viaFile.out.split(separator: "\n").count == 1 + 4 * 120)   // header, CK 0…2 and the NTK
        // a bad value in the table names the key
        try "schema = 1\n[empirical]\nn = 5\n".write(to: dir.appendingPathComponent("bad.toml"), atomically: true, encoding: .utf8)
        let bad = try run(["sample", "--config", "bad.toml"], in: dir)
        #expect(bad.status == 2)
        #expect(bad.err.contains("'empirical.n'"), "\(bad.err)")
    }

    @Test(.enabled(if: binary != nil)) func depthThatContradictsTheGammasIsRefused() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try run(["density", "--gammas", "1,2", "--depth", "3"], in: dir)
        #expect(r.status == 2)
        #expect(r.err.contains("--depth") && r.err.contains("--gammas"), "\(r.err)")
        let agreeing = try run(["density", "--gammas", "1,2", "--depth", "2", "--grid", "2"], in: dir)
        #expect(agreeing.status == 0, "\(agreeing.err)")
    }

    /// `--config` with a file that is not TOML (a CSV, a binary file, text with a NUL byte), in the
    /// explorer and the subcommands: exit 2, naming the file, the line and what is there.
    @Test(.enabled(if: binary != nil)) func configThatIsNotTOMLNamesTheFileAndTheLine() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data("a,b,c\n1,2,3\n".utf8).write(to: dir.appendingPathComponent("data.csv"))
        try Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0xFF, 0x00]).write(to: dir.appendingPathComponent("plot.png"))
        try Data("schema = 1\n[model]\ndepth = 2\0\n".utf8).write(to: dir.appendingPathComponent("nul.toml"))
        for (file, expected) in [("data.csv", "invalid value 'a,b,c' for line 1 of --config data.csv: not valid TOML ("),
                                 ("plot.png", "invalid value 'binary data' for line 1 of --config plot.png: not UTF-8 text, so not TOML"),
                                 ("nul.toml", "invalid value 'binary data' for line 3 of --config nul.toml: a NUL byte, so not TOML text")] {
            for command in [["--config", file], ["density", "--config", file], ["render", "--config", file]] {
                let r = try run(command, in: dir)
                #expect(r.status == 2 && r.err.contains(expected) && r.err.contains("session file"), "\(command): \(r.err)")
            }
        }
    }

    @Test(.enabled(if: binary != nil)) func badConfigNamesTheKey() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        try "schema = 1\n[model]\ngammas = [0.5]\ncolour = \"red\"\n".write(to: dir.appendingPathComponent("c.toml"), atomically: true, encoding: .utf8)
        let r = try run(["render", "--config", "c.toml"], in: dir)
        #expect(r.status == 2)
        #expect(r.err.contains("'model.colour'"), "\(r.err)")
    }
}

import Foundation
import Testing

/// `ntkscope train` through the real binary ($NTKSCOPE_BIN, else a built one; skipped when there is none).
@Suite struct TrainCommandTests {
    static let binary = RenderCommandTests.binary

    func run(_ args: [String], in dir: URL) throws -> RenderCommandTests.Run {
        try RenderCommandTests().run(args, in: dir)
    }

    func folder() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ntkscope-train-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    func rows(_ url: URL) throws -> [[String]] {
        try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
    }

    /// Epoch 0 of `train` is `sample` with the same seed and sizes: the same eigenvalues, digit for digit.
    @Test(.enabled(if: binary != nil)) func epochZeroEqualsSample() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let sample = try run(["sample", "--n", "60", "--gamma0", "1.25", "--gammas", "1.2,1.5", "--input", "sphere", "--seed", "3",
                              "--activation", "tanh", "-o", "s.csv"], in: dir)
        #expect(sample.status == 0, "\(sample.err)")
        let train = try run(["train", "--n", "60", "--input-dim", "48", "--widths", "50,40", "--epochs", "0", "--seed", "3",
                             "--activation", "tanh", "-o", "t.csv", "--summary", "sum.csv"], in: dir)
        #expect(train.status == 0, "\(train.err)")
        let s = try rows(dir.appendingPathComponent("s.csv")).dropFirst()
        let t = try rows(dir.appendingPathComponent("t.csv")).dropFirst()
        #expect(s.count == 4 * 60 && t.count == s.count)
        // sample: kernel,layer,eigenvalue; train: epoch,kernel,layer,rank,eigenvalue,excess
        #expect(Array(s.map { [$0[0], $0[1], $0[2]] }) == Array(t.map { [$0[1], $0[2], $0[4]] }))
        #expect(t.allSatisfy { $0[0] == "0" })
        #expect(train.out.contains("epoch  kernel"))
    }

    @Test(.enabled(if: binary != nil)) func classificationFromAFileAndItsErrors() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        var csv = "f1,f2,f3,f4,label\n"
        var g = SystemRandomNumberGenerator()
        for a in 0..<80 {
            let c = a % 2 == 0 ? 1.0 : -1.0
            let f = (0..<4).map { k in Double.random(in: -1...1, using: &g) + (k == 0 ? 2 * c : 0) }
            csv += f.map { "\($0)" }.joined(separator: ",") + ",\(c > 0 ? 1 : 0)\n"
        }
        try csv.write(to: dir.appendingPathComponent("d.csv"), atomically: true, encoding: .utf8)
        let ok = try run(["train", "--data", "d.csv", "--labels=-1", "--widths", "32,32", "--epochs", "4",
                          "--summary", "s.csv", "--history", "h.csv", "--vectors", "v.csv", "--format", "json", "-o", "r.json"], in: dir)
        #expect(ok.status == 0, "\(ok.err)")
        #expect(ok.out.contains("test acc"))
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: dir.appendingPathComponent("r.json"))) as? [String: Any]
        #expect(json?["metric"] as? String == "accuracy" && json?["n"] as? Int == 64 && json?["complete"] as? Bool == true)
        #expect(try rows(dir.appendingPathComponent("h.csv")).count == 1 + 5)
        // the output files exist now: refused without --force, before any training
        let again = try run(["train", "--data", "d.csv", "--labels", "5", "--widths", "32,32", "--epochs", "4", "--summary", "s.csv"], in: dir)
        #expect(again.status == 2 && again.err.contains("--summary") && again.err.contains("--force"))
        // three label values
        try (csv + "0.1,0.2,0.3,0.4,7\n").write(to: dir.appendingPathComponent("three.csv"), atomically: true, encoding: .utf8)
        let three = try run(["train", "--data", "three.csv", "--labels", "5"], in: dir)
        #expect(three.status == 2 && three.err.contains("exactly two label values"), "\(three.err)")
        let column = try run(["train", "--data", "d.csv", "--labels", "9"], in: dir)
        #expect(column.status == 2 && column.err.contains("--labels"), "\(column.err)")
        // "-1 = the last column", as the help says, without --labels=-1
        let last = try run(["train", "--data", "d.csv", "--labels", "-1", "--widths", "8", "--epochs", "1"], in: dir)
        #expect(last.status == 0, "\(last.err)")
        let bad = try run(["train", "--lr", "-3"], in: dir)
        #expect(bad.status == 2 && bad.err.contains("--lr"), "\(bad.err)")
    }

    /// Ctrl-C keeps every snapshot taken so far: files complete, exit code 130.
    @Test(.enabled(if: binary != nil), .timeLimit(.minutes(5))) func interruptKeepsTheSnapshots() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: Self.binary!)
        p.arguments = ["train", "--n", "100", "--input-dim", "80", "--width", "80", "--epochs", "100000", "--snapshots", "every:1",
                       "--summary", "s.csv", "-o", "e.csv"]
        p.currentDirectoryURL = dir
        p.standardOutput = FileHandle.nullDevice; p.standardError = FileHandle.nullDevice
        try p.run()
        // Wait (event, not time) until the second snapshot is on disk, then interrupt.
        let summary = dir.appendingPathComponent("s.csv")
        while p.isRunning, ((try? rows(summary).count) ?? 0) < 1 + 5 + 4 { usleep(50_000) }
        #expect(p.isRunning)
        kill(p.processIdentifier, SIGINT)
        p.waitUntilExit()
        #expect(p.terminationReason == .exit && p.terminationStatus == 130)
        let s = try rows(summary)
        #expect(s.count >= 1 + 5 + 4 && s.allSatisfy { $0.count == s[0].count })
        let epochs = Set(s.dropFirst().map { $0[0] })
        #expect(epochs.count == (s.count - 1 - 5) / 4 + 1)
        // the eigenvalue file holds the same snapshots, each whole
        let e = try rows(dir.appendingPathComponent("e.csv")).dropFirst()
        #expect(Set(e.map { $0[0] }) == epochs && e.count == 100 * (5 + 4 * (epochs.count - 1)))
    }
}

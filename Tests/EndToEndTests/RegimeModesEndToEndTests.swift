import Foundation
import Testing

/// The quadratic-scaling and training modes through the real binary: `render --mode quadratic|training`
/// and, in tmux (own socket; a screen counts only when two captures agree), `w` to each mode, a
/// parameter changed, the sampled check / a short training run, and exports whose session reopens
/// the view. Waits poll the screen for the expected text under a generous deadline that only matters
/// when a test fails: nothing depends on how fast a frame arrives.
@Suite(.serialized) struct RegimeModesEndToEndTests {
    static let binary = RenderCommandTests.binary

    func type(_ tmux: TmuxSession, _ text: String) { for c in text { tmux.send(c == " " ? "Space" : String(c)) } }

    func command(_ tmux: TmuxSession, _ text: String) {
        tmux.send(":")
        type(tmux, text)
        tmux.send("Enter")
    }

    static func temporaryDirectory() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ntkscope-modes-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test(.enabled(if: binary != nil)) func renderWritesBothModes() throws {
        let q = try TmuxSession.spawn(Self.binary!, ["render", "--mode", "quadratic", "--gamma1", "0.8", "--gamma2", "0.5",
                                                     "--quadratic-activation", "quadratic", "--check", "--d", "16", "--format", "json"])
        #expect(q.status == 0)
        let root = try #require(try JSONSerialization.jsonObject(with: Data(q.output.utf8)) as? [String: Any])
        let quadratic = try #require(root["quadratic"] as? [String: Any])
        #expect(quadratic["gamma1"] as? Double == 0.8 && quadratic["activation"] as? String == "quadratic")
        // φ = x: c₀ = 0, c₁ = 1 (closed form), so exactly one outlier is set apart
        let constants = try #require(quadratic["constants"] as? [String: Double])
        #expect(constants["c0"] == 0 && abs(constants["c1_squared"]! - 1) < 1e-12)
        let sample = try #require(quadratic["sample"] as? [String: Any])
        #expect((sample["outliers"] as? [Double])?.count == 1)
        let txt = try TmuxSession.spawn(Self.binary!, ["render", "--mode", "quadratic", "--size", "120x40"])
        #expect(txt.output.contains("QUADRATIC SCALING") && txt.output.contains("NTK law"))
        let bad = try TmuxSession.spawn(Self.binary!, ["render", "--mode", "quadratic", "--gamma1", "0"])
        #expect(bad.status == 2)
        let badLaw = try TmuxSession.spawn(Self.binary!, ["render", "--mode", "quadratic", "--output-law", "file:/nonexistent/w.txt"])
        #expect(badLaw.status == 2)

        let t = try TmuxSession.spawn(Self.binary!, ["render", "--mode", "training", "--train", "--train-n", "40", "--train-width", "24",
                                                     "--train-depth", "2", "--epochs", "4", "--format", "csv"])
        #expect(t.status == 0)
        #expect(t.output.contains("epoch,kernel,layer,rank,eigenvalue,excess"))
        // snapshots at epochs 0 and 4 (every 5, and the last): CK ℓ = 1, 2 and the NTK, n eigenvalues each,
        // plus the input Gram at epoch 0
        let rows = t.output.split(separator: "\n").filter { !$0.hasPrefix("#") && !$0.hasPrefix("epoch,") }
        #expect(rows.count == 40 * (4 + 3))
        let badEpoch = try TmuxSession.spawn(Self.binary!, ["render", "--mode", "training", "--epochs", "4", "--show-epoch", "3"])
        #expect(badEpoch.status == 2)
    }

    @Test(.enabled(if: TmuxSession.available), .timeLimit(.minutes(5)))
    func quadraticModeLive() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let tmux = try TmuxSession(width: 160, height: 48, arguments: ["--depth", "2"])
        defer { tmux.kill() }
        _ = try tmux.waitFor("the explorer", timeout: 120) { $0.contains("view: layers") && $0.contains("solved in") }
        tmux.send("w"); tmux.send("w")
        _ = try tmux.waitFor("the quadratic-scaling mode", timeout: 120) { $0.contains("QUADRATIC SCALING") && $0.contains("solved in") }
        tmux.send("k")   // γ₁ × 1.25
        _ = try tmux.waitFor("γ₁ = 0.625 solved", timeout: 120) { $0.contains("γ₁ = 0.625") && $0.contains("solved in") }
        tmux.send("n")   // d = 30: p = 30, n = 0.625·30·30 = 562.5 → 562
        tmux.send("s")
        let done = try tmux.waitFor("the sampled check", timeout: 180) { $0.contains("bulk: KS") && $0.contains("sample d=30 done") }
        #expect(done.contains("31 outliers apart"))
        tmux.send("2")
        _ = try tmux.waitFor("the compare view's outlier list", timeout: 60) { $0.contains("outliers, largest first") }
        let toml = dir.appendingPathComponent("quadratic.toml").path, json = dir.appendingPathComponent("quadratic.json").path
        command(tmux, "export \(toml)")
        _ = try tmux.waitFor("the toml export", timeout: 60) { $0.contains("exported toml") }
        command(tmux, "export \(json)")
        _ = try tmux.waitFor("the json export", timeout: 60) { $0.contains("exported json") }
        tmux.send("q")
        #expect(try tmux.waitForExit() == 0)

        // the session reopens the mode: render from it gives the settings and the same sample
        let exported = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any])
        let live = try #require(exported["quadratic"] as? [String: Any])
        #expect(live["gamma1"] as? Double == 0.625 && live["d"] as? Int == 30)
        let again = try TmuxSession.spawn(Self.binary!, ["render", "--config", toml, "--format", "json"])
        #expect(again.status == 0)
        let rendered = try #require(try JSONSerialization.jsonObject(with: Data(again.output.utf8)) as? [String: Any])
        let r = try #require(rendered["quadratic"] as? [String: Any])
        #expect(r["gamma1"] as? Double == 0.625)
        let a = try #require((live["sample"] as? [String: Any])?["outliers"] as? [Double])
        let b = try #require((r["sample"] as? [String: Any])?["outliers"] as? [Double])
        #expect(a == b, "the same seed and sizes give the same sample")
    }

    @Test(.enabled(if: TmuxSession.available), .timeLimit(.minutes(5)))
    func trainingModeLive() throws {
        let dir = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let tmux = try TmuxSession(width: 160, height: 48, arguments: ["--depth", "2"])
        defer { tmux.kill() }
        _ = try tmux.waitFor("the explorer", timeout: 120) { $0.contains("view: layers") && $0.contains("solved in") }
        tmux.send("w"); tmux.send("w"); tmux.send("w")
        _ = try tmux.waitFor("the training mode", timeout: 60) { $0.contains("│ TRAINING") && $0.contains("not trained yet (s trains)") }
        // a short run: n = 100, width 40, depth 2, 6 epochs, a snapshot every 2
        command(tmux, "n 100"); command(tmux, "width 40"); command(tmux, "epochs 6"); command(tmux, "snapshots 2")
        tmux.send("d")
        _ = try tmux.waitFor("the settings", timeout: 60) { $0.contains("n = 100, d₀ = 320, 2 × 40") && $0.contains("6 epochs") }
        tmux.send("s")
        let trained = try tmux.waitFor("the trained run", timeout: 180) { $0.contains("trained in") && $0.contains("NTK · epoch 6") }
        #expect(trained.contains("epochs 0 2 4 6") && trained.contains("loss (log10)"))
        tmux.send("[")
        _ = try tmux.waitFor("the snapshot at epoch 4", timeout: 60) { $0.contains("shown: epoch 4") && $0.contains("NTK · epoch 4") }
        tmux.send("3")
        _ = try tmux.waitFor("the focus view", timeout: 60) { $0.contains("NTK at epoch 4") && $0.contains("top eigenvectors: label variance") }
        let csv = dir.appendingPathComponent("training.csv").path, toml = dir.appendingPathComponent("training.toml").path
        command(tmux, "export \(csv)")
        _ = try tmux.waitFor("the csv export", timeout: 60) { $0.contains("exported csv") }
        command(tmux, "export \(toml)")
        _ = try tmux.waitFor("the toml export", timeout: 60) { $0.contains("exported toml") }
        // Home as tmux sends it (ESC [ 1 ~, not TERM=xterm-256color's khome): epoch 0, not Esc then `[`
        tmux.send("Home")
        _ = try tmux.waitFor("epoch 0 after Home", timeout: 60) { $0.contains("shown: epoch 0") && $0.contains("NTK at epoch 0") }
        // a parameter change restarts the run (it may already be done when the screen is read: any state counts)
        tmux.send("+")
        _ = try tmux.waitFor("the new run", timeout: 120) {
            $0.contains("12 epochs") && $0.contains("epochs 0 2 4 6 8 10 12") && ($0.contains("training…") || $0.contains("starting") || $0.contains("trained in"))
        }
        // s cancels a run and keeps what it took; a long run (2000 epochs), and a run that finished
        // first is answered as complete, not as cancelled, so the outcome does not hang on timing
        command(tmux, "epochs 2000")
        _ = try tmux.waitFor("the long run", timeout: 60) { $0.contains("2000 epochs") }
        tmux.send("s")
        let stopped = try tmux.waitFor("the cancelled run", timeout: 120) { $0.contains("cancelled at epoch") || $0.contains("this run is complete") }
        if stopped.contains("cancelled at epoch") {
            #expect(stopped.contains("training cancelled (the snapshots taken stay)") && stopped.contains("s trains again"))
        }
        tmux.send("q")
        #expect(try tmux.waitForExit() == 0)

        let text = try String(contentsOfFile: csv, encoding: .utf8)
        #expect(text.contains("the view shows epoch 4, kernel ntk"))
        let rows = text.split(separator: "\n").filter { !$0.hasPrefix("#") && !$0.hasPrefix("epoch,") }
        #expect(rows.count == 100 * (3 * 4 + 1))   // 4 snapshots × (CK 1, CK 2, NTK) + the input Gram at epoch 0
        // the session reproduces the run and the view: render trains it again (the same seed: the same numbers)
        let again = try TmuxSession.spawn(Self.binary!, ["render", "--config", toml, "--format", "csv"])
        #expect(again.status == 0)
        let rendered = again.output.split(separator: "\n").filter { !$0.hasPrefix("#") }
        let live = text.split(separator: "\n").filter { !$0.hasPrefix("#") }
        #expect(rendered == live)
    }
}

import Foundation
import Testing

/// Zoom re-solving through the real binary: a live explorer zoomed with `z` and exported with
/// `:export` writes the same data as `ntkscope render --zoom` for that state. Waits poll the screen
/// (bounded by a generous deadline that only matters if the test fails).
@Suite(.serialized) struct ZoomEndToEndTests {
    static let binary = RenderCommandTests.binary

    /// The `density` rows of a csv export: (kernel, layer, x, density).
    static func densityRows(_ csv: String) -> [(law: String, x: Double, y: Double)] {
        csv.split(separator: "\n").filter { $0.hasPrefix("density,") }.map { line in
            let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            return (f[1] + f[2], Double(f[3])!, Double(f[4]) ?? .nan)
        }
    }

    @Test(.enabled(if: TmuxSession.available), .timeLimit(.minutes(5)))
    func explorerExportOfAZoomEqualsRender() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ntkscope-zoom-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let exported = dir.appendingPathComponent("zoom.csv").path

        // Figure 1, focus view on CK ℓ=1 (the narrow bump near 0), zoomed ×16
        let tmux = try TmuxSession(width: 120, height: 40, arguments: ["--view", "focus"])
        defer { tmux.kill() }
        _ = try tmux.waitFor("the solved focus view", timeout: 120) { $0.contains("view: focus") && $0.contains("solved in") && !$0.contains("solving…") }
        for _ in 0..<4 { tmux.send("z") }
        let zoomed = try tmux.waitFor("the zoom re-solved", timeout: 120) { $0.contains("zoom ×16") && !$0.contains("solving…") }
        #expect(zoomed.contains("(×16)"))
        tmux.send(":")
        for c in "export \(exported)" { tmux.send(String(c)) }
        tmux.send("Enter")
        _ = try tmux.waitFor("the export", timeout: 60) { $0.contains("exported csv") }
        tmux.send("q")
        _ = try tmux.waitForExit()

        let explorer = try String(contentsOfFile: exported, encoding: .utf8)
        let render = try TmuxSession.spawn(Self.binary!, ["render", "--view", "focus", "--select", "ck1", "--zoom", "4", "--format", "csv"])
        #expect(render.status == 0)
        // the same session line and the same rows (the explorer's solves are warm-started, render's cold:
        // equal to the solver's accuracy, not bit for bit)
        #expect(explorer.split(separator: "\n").first == render.output.split(separator: "\n").first)
        let a = Self.densityRows(explorer), b = Self.densityRows(render.output)
        #expect(a.count == 256 && b.count == 256, "\(a.count) and \(b.count) density rows (the window's grid has 256)")
        let peak = b.map(\.y).filter(\.isFinite).max() ?? 1
        for (p, q) in zip(a, b) {
            #expect(p.law == q.law && p.law == "ck1")
            #expect(abs(p.x - q.x) <= 1e-9 * (b.last!.x - b.first!.x))
            #expect(abs(p.y - q.y) <= 1e-7 * peak, "density at \(p.x): explorer \(p.y), render \(q.y)")
        }
    }
}

import Foundation
import Testing

/// The infinite-width mode through the real binary: `render --mode infinite` and, with tmux, the
/// `w` switch in a live explorer. Waits poll the screen for the expected text (bounded by a generous
/// deadline that only matters if the test fails); nothing depends on how fast a frame arrives.
@Suite struct InfiniteWidthModeEndToEndTests {
    static let binary = RenderCommandTests.binary

    /// Runs a command through `TmuxSession.spawn` (no pipes), stdout captured.
    func sh(_ exe: String, _ args: [String]) throws -> (status: Int32, out: String) {
        let r = try TmuxSession.spawn(exe, args)
        return (r.status, r.output)
    }

    @Test(.enabled(if: binary != nil)) func renderWritesTheInfiniteWidthData() throws {
        let r = try sh(Self.binary!, ["render", "--mode", "infinite", "--view", "compare", "--depth", "2", "--dim", "60",
                                      "--points", "30", "--order", "20", "--format", "json"])
        #expect(r.status == 0)
        let root = try #require(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
        let inf = try #require(root["infinite_width"] as? [String: Any])
        #expect(inf["dimension"] as? Int == 60 && inf["points"] as? Int == 30)
        let txt = try sh(Self.binary!, ["render", "--mode", "infinite", "--depth", "2", "--dim", "60", "--points", "30", "--order", "20"])
        #expect(txt.out.contains("INFINITE WIDTH") && txt.out.contains("d = 60 n = 30 order 20 │ input: uniform on S^59"))
        // a bad value exits 2 with a message naming the option
        let helper = RenderCommandTests()
        let dir = try helper.folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        for (args, option) in [(["--dim", "1"], "--dim"), (["--points", "0"], "--points"), (["--order", "2001"], "--order"),
                               (["--weight-variance", "0"], "--weight-variance"), (["--bias-variance", "-1"], "--bias-variance"),
                               (["--centre", "maybe"], "--centre"), (["--normalise", "2"], "--normalise"),
                               (["--view", "kernel-ish"], "--view"), (["--mode", "finite"], "--mode")] {
            let bad = try helper.run(["render", "--mode", "infinite"] + args, in: dir)
            #expect(bad.status == 2 && bad.err.contains(option), "\(args): \(bad.err)")
        }
    }

    @Test(.enabled(if: TmuxSession.available)) func wSwitchesTheModeInALiveExplorer() throws {
        // TmuxSession: its own tmux socket, and no pipes (a tmux server started here would inherit a
        // pipe's write end and a read to EOF would never return).
        let tmux = try TmuxSession(width: 160, height: 48, arguments: ["--depth", "2"])
        defer { tmux.kill() }
        func wait(_ what: String, until ok: (String) -> Bool) throws -> String {
            try tmux.waitFor(what, timeout: 120, ok)
        }
        _ = try wait("the explorer") { $0.contains("ntkscope") && $0.contains("view: layers") }
        tmux.send("w")
        _ = try wait("the infinite-width layers view") { $0.contains("INFINITE WIDTH") && $0.contains("Hermite") && !$0.contains("computing") }
        tmux.send("3")
        let focus = try wait("the focus view's dataset block") { $0.contains("sphere eigenvalues") && $0.contains("r(Θ)/r(XᵀX)") }
        #expect(focus.contains("view: focus"))
        tmux.send("]")
        _ = try wait("d = 500") { $0.contains("INFINITE WIDTH") && $0.contains("d = 500 n = 200 order 200") }
        tmux.send("w")
        _ = try wait("the linear-width view") { !$0.contains("INFINITE WIDTH") && $0.contains("view: focus") }
        tmux.send("q")
    }
}

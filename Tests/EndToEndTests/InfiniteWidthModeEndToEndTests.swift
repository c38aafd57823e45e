import Foundation
import Testing

/// The infinite-width mode through the real binary: `render --mode infinite` and, with tmux, the
/// `w` switch in a live explorer. Waits poll the screen for the expected text (bounded by a generous
/// deadline that only matters if the test fails); nothing depends on how fast a frame arrives.
@Suite struct InfiniteWidthModeEndToEndTests {
    static let binary = RenderCommandTests.binary
    static let tmux: String? = ["/usr/bin/tmux", "/usr/local/bin/tmux", "/bin/tmux"].first { FileManager.default.isExecutableFile(atPath: $0) }

    @discardableResult
    func sh(_ exe: String, _ args: [String]) throws -> (status: Int32, out: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = args
        let out = Pipe()
        p.standardOutput = out; p.standardError = FileHandle.nullDevice
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self))
    }

    @Test(.enabled(if: binary != nil)) func renderWritesTheInfiniteWidthData() throws {
        let r = try sh(Self.binary!, ["render", "--mode", "infinite", "--view", "compare", "--depth", "2", "--dim", "60",
                                      "--points", "30", "--order", "20", "--format", "json"])
        #expect(r.status == 0)
        let root = try #require(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
        let inf = try #require(root["infinite_width"] as? [String: Any])
        #expect(inf["dimension"] as? Int == 60 && inf["points"] as? Int == 30)
        let txt = try sh(Self.binary!, ["render", "--mode", "infinite", "--depth", "2", "--dim", "60", "--points", "30", "--order", "20"])
        #expect(txt.out.contains("INFINITE WIDTH d = 60 n = 30 order 20"))
        let bad = try sh(Self.binary!, ["render", "--mode", "infinite", "--dim", "1"])
        #expect(bad.status != 0)
    }

    @Test(.enabled(if: binary != nil && tmux != nil)) func wSwitchesTheModeInALiveExplorer() throws {
        let tmux = Self.tmux!
        let name = "ntkscope-iw-\(getpid())"
        try sh(tmux, ["new-session", "-d", "-s", name, "-x", "160", "-y", "48",
                      "env TERM=xterm-256color LANG=C.UTF-8 \(Self.binary!) --depth 2"])
        defer { _ = try? sh(tmux, ["kill-session", "-t", name]) }
        func screen() throws -> String { try sh(tmux, ["capture-pane", "-p", "-t", name]).out }
        func wait(_ what: String, until ok: (String) -> Bool) throws -> String {
            let deadline = Date().addingTimeInterval(120)
            var s = try screen()
            while !ok(s) {
                guard Date() < deadline else { Issue.record("timed out waiting for \(what); screen:\n\(s)"); return s }
                Thread.sleep(forTimeInterval: 0.1)
                s = try screen()
            }
            return s
        }
        _ = try wait("the explorer") { $0.contains("ntkscope") && $0.contains("view: layers") }
        try sh(tmux, ["send-keys", "-t", name, "w"])
        _ = try wait("the infinite-width layers view") { $0.contains("INFINITE WIDTH") && $0.contains("Hermite") && !$0.contains("computing") }
        try sh(tmux, ["send-keys", "-t", name, "3"])
        let focus = try wait("the focus view's dataset block") { $0.contains("sphere eigenvalues") && $0.contains("r(Θ)/r(XᵀX)") }
        #expect(focus.contains("view: focus"))
        try sh(tmux, ["send-keys", "-t", name, "]"])
        _ = try wait("d = 500") { $0.contains("INFINITE WIDTH d = 500") }
        try sh(tmux, ["send-keys", "-t", name, "w"])
        _ = try wait("the linear-width view") { !$0.contains("INFINITE WIDTH") && $0.contains("view: focus") }
        try sh(tmux, ["send-keys", "-t", name, "q"])
    }
}

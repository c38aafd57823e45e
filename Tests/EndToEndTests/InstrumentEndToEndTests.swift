import Foundation
import Testing

/// The explorer as an instrument through the real binary in tmux (own socket; a screen counts only
/// when two captures agree): the sample overlay and its read-outs, the new views, the cursor and
/// ranges, the command line, paging, small terminals, colours on 8-colour terminals and under
/// NO_COLOR; and the command-line manners (`--version`, unknown subcommands, `--print` = `render`).
@Suite(.serialized, .enabled(if: TmuxSession.available, "needs tmux and NTKSCOPE_BIN"))
struct InstrumentEndToEndTests {
    func wait(_ tmux: TmuxSession, _ what: String, _ ok: (String) -> Bool) throws -> String {
        try tmux.waitFor(what, timeout: 120, ok)
    }

    func type(_ tmux: TmuxSession, _ text: String) { for c in text { tmux.send(c == " " ? "Space" : String(c)) } }

    @Test func sampleOverlayCursorRangesAndViews() throws {
        let tmux = try TmuxSession(width: 80, height: 24, arguments: ["--depth", "3"])
        defer { tmux.kill() }
        _ = try wait(tmux, "the first frame") { $0.contains("solved in") }
        tmux.send("n"); tmux.send("n")   // n = 250
        tmux.send("s")
        var screen = try wait(tmux, "the sample overlay") { $0.contains("KS 0.") && $0.contains("band 0.") && $0.contains("check n=250: done") }
        #expect(screen.contains("┅┅ sampled network n = 250"))
        tmux.send("3")
        screen = try wait(tmux, "the focus view's sample block") { $0.contains("view: focus") && $0.contains("eigenvalues") }
        tmux.send("x")
        screen = try wait(tmux, "the cursor read-out") { $0.contains("f(x)") && $0.contains("Fₙ(x)") && $0.contains("cursor") }
        tmux.send("4")
        _ = try wait(tmux, "the CDF view") { $0.contains("F(λ): CK ℓ=1") && $0.contains("KS = sup |Fₙ − F|") }
        tmux.send("5")
        _ = try wait(tmux, "the edges view") { $0.contains("support edges and atoms against the layer") }
        tmux.send("3")
        tmux.send(":"); type(tmux, "xlim 0.5 1.5"); tmux.send("Enter")
        _ = try wait(tmux, ":xlim in the header") { $0.contains("x ∈ [0.5, 1.5]") }
        tmux.send("0")
        _ = try wait(tmux, "the full range") { !$0.contains("x ∈ [") && $0.contains("full range") }
        tmux.send("q")
        #expect(try tmux.waitForExit() == 0)
    }

    @Test func commandLineHistoryCompletionPagingAndSmallTerminals() throws {
        let tmux = try TmuxSession(width: 80, height: 24)
        defer { tmux.kill() }
        _ = try wait(tmux, "the first frame") { $0.contains("solved in") }
        tmux.send(":"); type(tmux, "dep"); tmux.send("Tab")
        _ = try wait(tmux, "Tab completes :depth") { $0.contains(":depth █") }
        type(tmux, "8"); tmux.send("Enter")
        _ = try wait(tmux, "depth 8 pages the layers view") { $0.contains("L = 8") && $0.contains("page 1/2") && !$0.contains("too small") }
        tmux.send("PageDown")
        _ = try wait(tmux, "page 2") { $0.contains("page 2/2") }
        tmux.send(":"); tmux.send("Up")
        _ = try wait(tmux, "history") { $0.contains(":depth 8") }
        tmux.send("C-u")
        _ = try wait(tmux, "Ctrl-U clears") { $0.split(separator: "\n").last.map { $0.hasPrefix(":█") } == true }
        type(tmux, "gamma 99 1"); tmux.send("Enter")
        _ = try wait(tmux, "the error names the command") { $0.contains(":gamma: layer 99 out of range") }
        tmux.send("Escape")
        tmux.resize(width: 40, height: 10)
        _ = try wait(tmux, "too small, with the help hint") { $0.contains("terminal too small") && $0.contains("press ? for help") }
        tmux.send("?")
        _ = try wait(tmux, "help at 40×10") { $0.contains("ntkscope keys") }
        tmux.send("Escape"); tmux.send(":")
        _ = try wait(tmux, "the command line at 40×10") { $0.split(separator: "\n").last.map { $0.hasPrefix(":█") } == true }
        tmux.send("Escape"); tmux.send("q")
        #expect(try tmux.waitForExit() == 0)
    }

    /// On 8 colours (TERM=xterm) the dark theme's A and B used to be both white; under NO_COLOR they
    /// differed by bold only. Now A and B get different colours on 8, and different line styles always.
    @Test(arguments: [("xterm", ""), ("xterm-256color", "1")])
    func compareSeriesAreDistinguishable(term: String, noColor: String) throws {
        let tmux = try TmuxSession(width: 120, height: 40, arguments: ["--view", "compare"], term: term, noColor: noColor)
        defer { tmux.kill() }
        let screen = try wait(tmux, "the compare view") { $0.contains("compare: CK ℓ=5 vs NTK") && $0.contains("KS = sup") }
        #expect(screen.contains("━━ A:") && screen.contains("┅┅ B:"))
        let styled = tmux.captureStyled()
        func sgr(before marker: String) -> String? {
            guard let r = styled.range(of: marker) else { return nil }
            let head = styled[..<r.lowerBound]
            guard let esc = head.range(of: "\u{1B}[", options: .backwards) else { return nil }
            return String(head[esc.lowerBound...].prefix { $0 != "m" })
        }
        let a = sgr(before: "━━ A:"), b = sgr(before: "┅┅ B:")
        #expect(a != nil && b != nil && a != b, "A \(a ?? "nil") B \(b ?? "nil")")
        if noColor.isEmpty { #expect(a?.contains("3") == true) }   // a basic foreground colour on 8 colours
        tmux.send("q")
        #expect(try tmux.waitForExit() == 0)
    }

    @Test func versionUnknownSubcommandAndPrintEqualsRender() throws {
        let bin = TmuxSession.binary!
        let v = try TmuxSession.spawn(bin, ["--version"])
        #expect(v.status == 0 && v.output.trimmingCharacters(in: .whitespacesAndNewlines).first?.isNumber == true)
        let (status, out) = try TmuxSession.spawn("/bin/sh", ["-c", "'\(bin)' quadrant 2>&1"])
        #expect(status == 2 && out.contains("unknown subcommand 'quadrant'") && out.contains("explore, density"), "\(out)")
        let args = ["--depth", "3", "--view", "focus", "--width", "200", "--height", "60"]
        let printed = try TmuxSession.spawn(bin, ["explore", "--print"] + args)
        let rendered = try TmuxSession.spawn(bin, ["render", "--depth", "3", "--view", "focus", "--size", "200x60", "--format", "txt"])
        #expect(printed.status == 0 && rendered.status == 0)
        #expect(printed.output == rendered.output)
    }
}

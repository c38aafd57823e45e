import Foundation
import Testing

/// Drives the real binary ($NTKSCOPE_BIN, the release build `make test` passes) inside tmux:
/// send-keys, capture-pane, resize-window. Polls with a generous timeout; asserts content, not speed.
@Suite(.serialized, .enabled(if: TmuxSession.available, "needs tmux and NTKSCOPE_BIN"))
struct TmuxExplorerTests {
    @Test func startsChangesTheModelWithKeysShowsHelpResizesAndQuits() throws {
        let tmux = try TmuxSession(width: 120, height: 40)
        defer { tmux.kill() }
        var screen = try tmux.waitFor("the first solved frame") { $0.contains("ntkscope │") && $0.contains("solved in") }
        #expect(TmuxSession.hasBraille(screen), "no braille plots:\n\(screen)")
        #expect(screen.contains("σ = arctan") && screen.contains("L = 5") && screen.contains("atom 0: 67%"))
        let plotsBefore = TmuxSession.plotRows(screen)

        tmux.send("D")
        screen = try tmux.waitFor("depth 6") { $0.contains("L = 6") && $0.contains("6:γ=0.5") && $0.contains("CK ℓ=6") }

        tmux.send("a")
        screen = try tmux.waitFor("σ = tanh") { $0.contains("σ = tanh") && !$0.contains("solving…") }
        let plotsTanh = TmuxSession.plotRows(screen)
        #expect(plotsTanh != plotsBefore)

        tmux.send("k")   // layer 1 is selected: γ₁ × 1.25
        screen = try tmux.waitFor("γ₁ raised") { $0.contains("1:γ=0.625") && $0.contains("γ₁ = 0.625") && !$0.contains("solving…") }
        #expect(TmuxSession.plotRows(screen) != plotsTanh)

        tmux.send("?")
        _ = try tmux.waitFor("help") { $0.contains("ntkscope keys") && $0.contains("undo the last change") }
        tmux.send("Escape")
        _ = try tmux.waitFor("help closed") { !$0.contains("ntkscope keys") }

        tmux.resize(width: 50, height: 12)
        _ = try tmux.waitFor("too small") { $0.contains("terminal too small") }
        tmux.resize(width: 140, height: 45)
        screen = try tmux.waitFor("relayout") { $0.contains("ntkscope │") && $0.contains("L = 6") }
        #expect(TmuxSession.hasBraille(screen))

        tmux.send(":")
        for c in "depth 3" { tmux.send(String(c)) }
        tmux.send("Enter")
        _ = try tmux.waitFor(":depth 3") { $0.contains("L = 3") && !$0.contains("CK ℓ=4") }

        tmux.send("q")
        let status = try tmux.waitForExit()
        #expect(status == 0)
        let after = tmux.capture()
        #expect(!after.contains("ntkscope │"), "terminal not restored:\n\(after)")
    }

    @Test func helpPagesOnAnEightyColumnTerminal() throws {
        let tmux = try TmuxSession(width: 80, height: 24)
        defer { tmux.kill() }
        _ = try tmux.waitFor("first frame") { $0.contains("ntkscope │") }
        tmux.send("?")
        let first = try tmux.waitFor("help page 1") { $0.contains("ntkscope keys") && $0.contains("page 1/") }
        #expect(first.contains("undo the last change"))
        tmux.send("Space")
        _ = try tmux.waitFor("help page 2") { $0.contains("page 2/") }
        tmux.send("Left")
        _ = try tmux.waitFor("help page 1 again") { $0.contains("page 1/") }
        tmux.send("Escape")
        _ = try tmux.waitFor("help closed") { !$0.contains("ntkscope keys") && $0.contains("ntkscope │") }
        tmux.send("q")
        #expect(try tmux.waitForExit() == 0)
    }

    @Test func sigtermRestoresTheTerminal() throws {
        let tmux = try TmuxSession(width: 100, height: 30)
        defer { tmux.kill() }
        _ = try tmux.waitFor("first frame") { $0.contains("ntkscope │") }
        let pid = tmux.explorerPID()
        try #require(pid > 0)
        kill(pid, SIGTERM)
        let status = try tmux.waitForExit()
        #expect(status == 143, "SIGTERM should exit with 128 + 15")
        #expect(!tmux.capture().contains("ntkscope │"))
    }

    @Test func sigintRestoresTheTerminalAndExits130() throws {
        let tmux = try TmuxSession(width: 100, height: 30)
        defer { tmux.kill() }
        _ = try tmux.waitFor("first frame") { $0.contains("ntkscope │") }
        let pid = tmux.explorerPID()
        try #require(pid > 0)
        kill(pid, SIGINT)
        let status = try tmux.waitForExit()
        #expect(status == 130, "SIGINT should exit with 128 + 2")
        #expect(!tmux.capture().contains("ntkscope │"))
    }

    @Test func sighupRestoresTheTerminalAndExits129() throws {
        let tmux = try TmuxSession(width: 100, height: 30)
        defer { tmux.kill() }
        _ = try tmux.waitFor("first frame") { $0.contains("ntkscope │") }
        let pid = tmux.explorerPID()
        try #require(pid > 0)
        kill(pid, SIGHUP)
        let status = try tmux.waitForExit()
        #expect(status == 129, "SIGHUP should exit with 128 + 1")
        #expect(!tmux.capture().contains("ntkscope │"))
    }

    @Test func ctrlCRestoresTheTerminalAndExits130() throws {
        let tmux = try TmuxSession(width: 100, height: 30)
        defer { tmux.kill() }
        _ = try tmux.waitFor("first frame") { $0.contains("ntkscope │") }
        tmux.send("C-c")   // a key in raw mode, not a signal
        let status = try tmux.waitForExit()
        #expect(status == 130)
        #expect(!tmux.capture().contains("ntkscope │"))
    }

    @Test func notATerminalSaysHowToGetTheViewHeadless() throws {
        // stdout is a file here: the explorer must refuse and explain (the message goes to stderr,
        // so run it through sh to fold stderr into the captured stdout).
        let (status, output) = try TmuxSession.spawn("/bin/sh", ["-c", "'\(TmuxSession.binary!)' 2>&1"])
        #expect(status != 0)
        #expect(output.contains("not a terminal") && output.contains("--print"), "\(output)")
    }
}

/// A detached tmux session running the binary, kept open after exit (remain-on-exit) to read the status.
final class TmuxSession {
    static var binary: String? {
        guard let b = ProcessInfo.processInfo.environment["NTKSCOPE_BIN"], FileManager.default.isExecutableFile(atPath: b) else { return nil }
        return b
    }
    static var tmuxPath: String? {
        ["/usr/bin/tmux", "/usr/local/bin/tmux", "/bin/tmux"].first { FileManager.default.isExecutableFile(atPath: $0) }
    }
    static var available: Bool { binary != nil && tmuxPath != nil }

    let name: String
    let socket: String

    /// - Parameter arguments: the explorer's command-line arguments (plain words, no quoting needed).
    init(width: Int, height: Int, arguments: [String] = [], term: String = "xterm-256color", noColor: String = "") throws {
        name = "ntk-e2e-\(getpid())-\(Int.random(in: 0..<1_000_000))"
        socket = name
        // The shell waits for the explorer and prints its exit status on the restored screen.
        let words = ([TmuxSession.binary!] + arguments).map { "'\($0)'" }.joined(separator: " ")
        let command = "env TERM=\(term) LANG=C.UTF-8 NO_COLOR=\(noColor) \(words); echo EXIT=$?; sleep 600"
        try run(["new-session", "-d", "-s", name, "-x", "\(width)", "-y", "\(height)", command])
    }

    @discardableResult
    func run(_ args: [String]) throws -> String {
        try TmuxSession.spawn(TmuxSession.tmuxPath!, ["-L", socket, "-f", "/dev/null"] + args).output
    }

    /// posix_spawn + waitpid, stdout to a temporary file (no pipes: the tmux server inherits stdio).
    static func spawn(_ path: String, _ args: [String]) throws -> (status: Int32, output: String) {
        let outPath = FileManager.default.temporaryDirectory.appendingPathComponent("ntk-e2e-\(getpid())-\(UInt64.random(in: 0...UInt64.max)).out").path
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + args).map { strdup($0) } + [nil]
        defer { for a in argv { free(a) } }
        // The test runner's thread may block or ignore signals; tmux's server needs SIGCHLD to see
        // the explorer exit, so start it with an empty mask and default dispositions.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var empty = sigset_t(), defaults = sigset_t()
        sigemptyset(&empty)
        sigemptyset(&defaults)
        for sig in [SIGCHLD, SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGWINCH] { sigaddset(&defaults, sig) }
        posix_spawnattr_setsigmask(&attributes, &empty)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, path, &actions, &attributes, argv, environ)
        guard rc == 0 else { throw Timeout(description: "cannot run \(path): \(rc)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let output = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
        unlink(outPath)
        return ((status >> 8) & 0xff, output)
    }

    func send(_ key: String) { _ = try? run(["send-keys", "-t", name, key]) }
    func resize(width: Int, height: Int) { _ = try? run(["resize-window", "-t", name, "-x", "\(width)", "-y", "\(height)"]) }
    func capture() -> String { (try? run(["capture-pane", "-t", name, "-p"])) ?? "" }
    /// The screen with its SGR escapes (colours and attributes as the terminal got them).
    func captureStyled() -> String { (try? run(["capture-pane", "-t", name, "-p", "-e"])) ?? "" }
    func panePID() -> pid_t { pid_t((try? run(["display-message", "-p", "-t", name, "#{pane_pid}"]))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? 0 }
    func kill() { _ = try? run(["kill-server"]) }

    struct Timeout: Error, CustomStringConvertible { let description: String }

    func waitFor(_ what: String, timeout: Double = 60, _ condition: (String) -> Bool) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        var screen = ""
        while Date() < deadline {
            screen = capture()
            // a capture can land while the explorer is writing a frame (the header new, the rest
            // old): a screen counts only when a second capture finds it unchanged
            if condition(screen) {
                usleep(50_000)
                if capture() == screen { return screen }
                continue
            }
            usleep(100_000)
        }
        throw Timeout(description: "timed out waiting for \(what); screen:\n\(screen)")
    }

    func waitForExit(timeout: Double = 30) throws -> Int {
        let screen = try waitFor("the explorer to exit", timeout: timeout) { $0.contains("EXIT=") }
        let status = screen.components(separatedBy: "EXIT=").last?.prefix { $0.isNumber } ?? ""
        return Int(status) ?? -1
    }

    /// The explorer's pid: the child of the pane's shell.
    func explorerPID() -> pid_t {
        let shell = panePID()
        let children = (try? String(contentsOfFile: "/proc/\(shell)/task/\(shell)/children", encoding: .utf8)) ?? ""
        return pid_t(children.split(separator: " ").first ?? "") ?? 0
    }

    static func hasBraille(_ s: String) -> Bool {
        s.unicodeScalars.contains { (0x2801...0x28FF).contains($0.value) }
    }

    /// The braille part of the screen, to see whether plots changed.
    static func plotRows(_ s: String) -> String {
        String(s.unicodeScalars.filter { (0x2800...0x28FF).contains($0.value) || $0 == "\n" }.map(Character.init))
    }
}

import CNcurses
import Dispatch
import ExplorerCore
import Foundation
import LimitLaws
import PlotCanvas
import Synchronization

/// How the explorer starts.
public struct ExplorerConfiguration: Sendable {
    public var model: NetworkModel
    public var inputLabel: String?
    public var theme: String = "dark"
    public var display = DisplaySettings()
    public var view: ExplorerView = .layers
    public var timingLogPath: String?
    /// The empirical check (NetworkSampling); nil until wired: `s` then says it is not available.
    public var empiricalCheck: EmpiricalCheck?
    public var solve: SolveScheduler.Solve = SolveScheduler.engineSolve(gridPoints: SolveScheduler.explorerGridPoints)
    public var environment: [String: String] = ProcessInfo.processInfo.environment
    /// Applied to the initial state (a session file's selections, empirical settings and seed).
    public var adjustInitialState: (@Sendable (inout ExplorerState) -> Void)?

    public init(model: NetworkModel, inputLabel: String? = nil) {
        self.model = model
        self.inputLabel = inputLabel
    }
}

/// Why the explorer did not start interactively.
public enum ExplorerStartProblem: Sendable {
    case notATerminal(String)
}

/// The imperative shell: terminal, signals, background solves, the event loop.
public enum ExplorerApp {
    /// Whether the interactive explorer can run here; nil if it can, else the reason.
    public static func interactiveProblem(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        if isatty(STDOUT_FILENO) == 0 { return "standard output is not a terminal" }
        if isatty(STDIN_FILENO) == 0 { return "standard input is not a terminal" }
        let term = environment["TERM"] ?? ""
        if term.isEmpty { return "TERM is not set" }
        if term == "dumb" { return "TERM=dumb cannot position the cursor" }
        return nil
    }

    /// Runs the explorer until the user quits. Returns the process exit code.
    public static func run(_ configuration: ExplorerConfiguration) throws -> Int32 {
        let wake = WakePipe()
        let signals = SignalWatcher(wake: wake)
        let crashGuard = CrashGuard.install()
        let stderrCapture = StderrCapture()

        let screen: TerminalScreen
        switch TerminalScreen.start() {
        case .success(let s): screen = s
        case .failure(let e):
            stderrCapture.restore()
            crashGuard.uninstall()
            throw e
        }
        defer {
            screen.stop()
            crashGuard.uninstall()
            stderrCapture.restore()
            signals.cancel()
        }
        var loop = EventLoop(configuration: configuration, screen: screen, wake: wake, signals: signals)
        return loop.run()
    }

    /// The shell's convention for a process ended by a signal: 128 + the signal number
    /// (SIGINT → 130, SIGTERM → 143, SIGHUP → 129).
    public static func exitStatus(forSignal signal: Int32) -> Int32 { 128 + signal }
}

/// The event loop's state (main thread only).
struct EventLoop {
    let configuration: ExplorerConfiguration
    let screen: TerminalScreen
    let wake: WakePipe
    let signals: SignalWatcher
    let catalog = ThemeCatalog()
    var state: ExplorerState
    var content: FrameContent
    let scheduler: SolveScheduler
    let empirical: EmpiricalRunner?
    var requestedModel: NetworkModel?
    var displayedModel: NetworkModel?
    var lastLimits: SolveResult?
    var themeLoaded = ""
    /// The theme on screen (the export writers use it).
    var theme = Theme.fallback
    var noColor: Bool
    var timing: TimingLog?
    /// When the oldest key whose model is not on screen yet was read.
    var pendingKeyTime: UInt64?
    var lastKeyTime: UInt64?
    var empiricalKey: (NetworkModel, Int)?
    /// The regimes' background computations, made when a regime is first shown (RegimeEffects.swift).
    var regimeComputations: [RegimeID: RegimeComputation] = [:]
    /// The regime shown at the last turn (the others are told to leave when it changes).
    var shownRegime: RegimeID?
    /// Zoom windows requested and re-solved (ZoomEffects.swift).
    var zoom = ZoomTracker()

    init(configuration: ExplorerConfiguration, screen: TerminalScreen, wake: WakePipe, signals: SignalWatcher) {
        self.configuration = configuration
        self.screen = screen
        self.wake = wake
        self.signals = signals
        let names = catalog.names()
        var themeNames = names
        if !themeNames.contains(configuration.theme) { themeNames.append(configuration.theme) }
        state = ExplorerState(model: configuration.model, inputLabel: configuration.inputLabel, themeNames: themeNames,
                              themeName: configuration.theme, display: configuration.display, view: configuration.view)
        configuration.adjustInitialState?(&state)
        content = FrameContent(summary: ModelSummary(model: configuration.model, inputLabel: configuration.inputLabel))
        let w = wake
        scheduler = SolveScheduler(solve: configuration.solve, notify: { w.signal() })
        empirical = configuration.empiricalCheck.map { EmpiricalRunner(check: $0, notify: { w.signal() }) }
        let env = configuration.environment
        noColor = !(env["NO_COLOR"] ?? "").isEmpty || env["TERM"] == "dumb"
        timing = configuration.timingLogPath.flatMap { TimingLog(path: $0) }
        if !screen.utf8 && state.display.canvas != .ascii {
            state.display.canvas = .ascii
            state.message = StatusMessage("no UTF-8 locale: ASCII canvas (set LANG=C.UTF-8 for braille)")
        }
    }

    static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    mutating func run() -> Int32 {
        loadTheme()
        requestSolve(keyTime: Self.now())
        // Give a fast first solve the chance to appear in the first frame.
        wake.wait(milliseconds: 200)
        var needsDraw = true
        var exitStatus: Int32 = 0
        while !state.shouldQuit {
            if let signal = signals.received {
                exitStatus = ExplorerApp.exitStatus(forSignal: signal)
                state.shouldQuit = true
                break
            }
            wake.drain()
            var keys = screen.readKeys()
            if screen.checkResize() { needsDraw = true }
            if !keys.isEmpty {
                let t = Self.now()
                lastKeyTime = t
                let modelBefore = state.model
                state.screenSize = ScreenSize(width: screen.size.width, height: screen.size.height)
                for key in keys {
                    if key == .resize { needsDraw = true; continue }
                    let resolved: ExplorerAction?
                    if case .mouse(let x, let y) = key {
                        // a click: the panel and x under it, from the layout on screen
                        resolved = state.overlay == nil && state.commandLine == nil
                            ? ScreenLayout.hitTest(state: state, content: content, width: screen.size.width, height: screen.size.height, x: x, y: y)
                            : nil
                    } else {
                        resolved = KeyMap.action(for: key, in: state, screen: screen.size)
                    }
                    guard let action = resolved else { continue }
                    let effects = ExplorerReducer.reduce(&state, action, content: content)
                    for case .quit(let status) in effects { exitStatus = status }
                    perform(effects)
                    if state.shouldQuit { break }
                }
                keys.removeAll()
                needsDraw = true
                if state.model != modelBefore || state.model != requestedModel {
                    requestSolve(keyTime: t)
                    // a fast solve lands in this very frame; a slow one keeps the old plot on screen
                    wake.wait(milliseconds: 14)
                    wake.drain()
                }
                if state.themeName != themeLoaded { loadTheme() }
            }
            if let r = scheduler.takeResult() {
                content.spectra = zoom.attach(to: r.display, model: r.model)
                content.solve = SolveStatus(lastMilliseconds: r.milliseconds, warm: r.warm, pending: r.model != state.model,
                                            failures: r.spectra.spectra.reduce(0) { $0 + $1.failures }, recalled: r.recalled)
                content.summary = ModelSummary(model: r.model, inputLabel: state.inputLabel)
                displayedModel = r.model
                lastLimits = r
                needsDraw = true
            }
            if updateZoom() { needsDraw = true }
            updateEmpirical()
            if updateRegime() { needsDraw = true }
            if let e = empirical {
                let snap = e.snapshot
                if state.empiricalOn { content.empirical = snap; needsDraw = true }
            }
            if needsDraw {
                draw()
                needsDraw = false
            }
            if state.shouldQuit { break }
            // sleep until a key, a finished solve, empirical progress, a signal or a resize
            wake.poll(stdinToo: true, milliseconds: state.empiricalOn ? 250 : 500)
        }
        empirical?.stop()
        timing?.close()
        return exitStatus
    }

    mutating func requestSolve(keyTime: UInt64) {
        guard state.model != requestedModel else { return }
        requestedModel = state.model
        scheduler.request(state.model)
        content.solve.pending = true
        if pendingKeyTime == nil { pendingKeyTime = keyTime }
    }

    mutating func perform(_ effects: [ExplorerEffect]) {
        for effect in effects {
            switch effect {
            case .quit: state.shouldQuit = true
            case .loadInputFile(let path):
                switch InputFile.load(path) {
                case .success(let parsed):
                    _ = ExplorerReducer.reduce(&state, .setInput(.discrete(parsed.law),
                                                                 label: (path as NSString).lastPathComponent))
                    if let notice = parsed.notice { state.message = StatusMessage(notice) }
                case .failure(let error):
                    _ = ExplorerReducer.reduce(&state, .status(error.description, isError: true))
                }
            case .loadDataFile(let path, let pcs):
                ExplorerReducer.loadDataFile(path, pcs: pcs, state: &state)
            case .completePath(let word):
                _ = ExplorerReducer.reduce(&state, .commandEdit(.completions(PathCompletion.candidates(for: word))))
            case .prepareExport, .writeExport:
                performExport(effect)   // ExportEffects.swift
            case .readRegimeFile(let regime, let path, let purpose):
                readRegimeFile(regime, path: path, purpose: purpose)   // RegimeEffects.swift
            }
        }
    }

    /// Loads the state's theme; one that fails is marked failed (the header never names it, `t`
    /// skips it) and the state goes back to a theme that loads.
    mutating func loadTheme() {
        let (theme, error) = catalog.load(state.themeName)
        if let error {
            _ = ExplorerReducer.reduce(&state, .themeFailed(state.themeName, message: error.description))
            if state.themeName != themeLoaded, !state.failedThemes.contains(state.themeName) { loadTheme(); return }
        }
        themeLoaded = state.themeName
        self.theme = error == nil ? theme : (try? catalog.loadThrowing(state.themeName)) ?? Theme.fallback
        screen.apply(theme: self.theme, noColor: noColor)
    }

    /// Starts, restarts or stops the background check to match the state.
    mutating func updateEmpirical() {
        guard state.empiricalOn else {
            if empiricalKey != nil { empirical?.stop(); empiricalKey = nil; content.empirical = EmpiricalSnapshot() }
            return
        }
        guard let runner = empirical else {
            state.empiricalOn = false
            state.message = StatusMessage("the empirical check is not available in this build (NetworkSampling not wired)", isError: true)
            return
        }
        // Restart when the model or n changed; wait for the limit laws of the current model. With a
        // data matrix the network is sampled on it (n = its samples).
        let n = state.data?.matrix.samples ?? state.sampleSize
        if let key = empiricalKey, key.0 == state.model, key.1 == n { return }
        if empiricalKey != nil, let k = empiricalKey, k.0 != state.model || k.1 != n {
            runner.stop()
            content.empirical = EmpiricalSnapshot()
            empiricalKey = nil
        }
        guard let limits = lastLimits, limits.model == state.model else { return }
        runner.start(model: state.model, sampleSize: n, data: state.data?.matrix, limits: limits.spectra)
        empiricalKey = (state.model, n)
    }

    mutating func draw() {
        let t0 = Self.now()
        let (w, h) = screen.size
        content.solve.pending = displayedModel != state.model
        let grid = ScreenLayout.render(state: state, content: content, width: w, height: h)
        let t1 = Self.now()
        screen.draw(grid)
        let t2 = Self.now()
        if let keyTime = lastKeyTime {
            var finished: Double?
            if let p = pendingKeyTime, displayedModel == state.model {
                finished = Double(t2 - p) / 1e6
                pendingKeyTime = nil
            }
            timing?.log(keyToFrame: Double(t2 - keyTime) / 1e6, keyToFinishedFrame: finished,
                        solve: content.solve.recalled ? nil : content.solve.lastMilliseconds, layout: Double(t1 - t0) / 1e6, draw: Double(t2 - t1) / 1e6,
                        warm: content.solve.warm, size: (w, h), view: state.view.rawValue)
            lastKeyTime = nil
        } else if let p = pendingKeyTime, displayedModel == state.model {
            timing?.log(keyToFrame: nil, keyToFinishedFrame: Double(t2 - p) / 1e6,
                        solve: content.solve.recalled ? nil : content.solve.lastMilliseconds,
                        layout: Double(t1 - t0) / 1e6, draw: Double(t2 - t1) / 1e6, warm: content.solve.warm,
                        size: (w, h), view: state.view.rawValue)
            pendingKeyTime = nil
        }
    }
}

/// A self-pipe: background work writes a byte to wake the event loop's poll.
final class WakePipe: Sendable {
    let readFD: Int32
    let writeFD: Int32

    init() {
        var fds: [Int32] = [0, 0]
        pipe(&fds)
        readFD = fds[0]; writeFD = fds[1]
        for fd in fds { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
    }

    func signal() { var b: UInt8 = 1; _ = write(writeFD, &b, 1) }

    func drain() {
        var buf = [UInt8](repeating: 0, count: 256)
        while read(readFD, &buf, 256) > 0 {}
    }

    /// Waits until the pipe (and stdin if asked) is readable, or the timeout passes.
    func poll(stdinToo: Bool, milliseconds: Int32) {
        var fds = [pollfd(fd: readFD, events: Int16(POLLIN), revents: 0)]
        if stdinToo { fds.append(pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)) }
        _ = Glibc.poll(&fds, nfds_t(fds.count), milliseconds)
    }

    func wait(milliseconds: Int32) { poll(stdinToo: false, milliseconds: milliseconds) }
}

/// SIGTERM, SIGHUP, SIGINT → an orderly quit (the loop restores the terminal), then exit with
/// 128 + the signal number. (With raw() Ctrl-C is a key; SIGINT still arrives from `kill -INT`.)
final class SignalWatcher: @unchecked Sendable {
    /// The first signal received, 0 before any.
    private let first = Atomic<Int32>(0)
    private var sources: [DispatchSourceSignal] = []   // main thread only

    init(wake: WakePipe) {
        for sig in [SIGTERM, SIGHUP, SIGINT] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { [self] in
                _ = self.first.compareExchange(expected: 0, desired: sig, ordering: .relaxed)
                wake.signal()
            }
            source.resume()
            sources.append(source)
        }
    }

    /// The first signal received, if any.
    var received: Int32? {
        let s = first.load(ordering: .relaxed)
        return s == 0 ? nil : s
    }

    func cancel() {
        for s in sources { s.cancel() }
        sources.removeAll()
        for sig in [SIGTERM, SIGHUP, SIGINT] { signal(sig, SIG_DFL) }
    }
}

// Crash signals (a Swift trap is SIGILL/SIGTRAP; SIGSEGV, SIGABRT, SIGBUS): restore the terminal with
// async-signal-safe calls only, then chain to the previous handler (the Swift backtracer) and re-raise.
nonisolated(unsafe) private var savedTermios = termios()
nonisolated(unsafe) private var haveTermios = false
nonisolated(unsafe) private var previousActions: [Int32: sigaction] = [:]
private let crashSignals: [Int32] = [SIGILL, SIGTRAP, SIGSEGV, SIGABRT, SIGBUS, SIGFPE]

struct CrashGuard {
    static func install() -> CrashGuard {
        if tcgetattr(STDIN_FILENO, &savedTermios) == 0 { haveTermios = true }
        for sig in crashSignals {
            var action = sigaction()
            action.__sigaction_handler.sa_handler = { sig in
                if haveTermios { tcsetattr(STDIN_FILENO, TCSANOW, &savedTermios) }
                let reset: StaticString = "\u{1B}[0m\u{1B}[?25h\u{1B}[?1049l\r\n"
                _ = write(STDOUT_FILENO, reset.utf8Start, reset.utf8CodeUnitCount)
                if var previous = previousActions[sig] { sigaction(sig, &previous, nil) } else { signal(sig, SIG_DFL) }
                raise(sig)
            }
            sigemptyset(&action.sa_mask)
            var old = sigaction()
            sigaction(sig, &action, &old)
            previousActions[sig] = old
        }
        return CrashGuard()
    }

    func uninstall() {
        for sig in crashSignals { if var old = previousActions[sig] { sigaction(sig, &old, nil) } }
    }
}

/// While curses owns the screen, stderr goes to a temporary file; it is replayed afterwards.
final class StderrCapture {
    private var savedFD: Int32 = -1
    private var path: String?

    init() {
        let directory = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var template = Array("\(directory)/ntkscope-stderr-XXXXXX".utf8CString)
        let fd = mkstemp(&template)
        guard fd >= 0 else { return }
        path = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        savedFD = dup(STDERR_FILENO)
        dup2(fd, STDERR_FILENO)
        close(fd)
    }

    func restore() {
        guard savedFD >= 0, let path else { return }
        dup2(savedFD, STDERR_FILENO)
        close(savedFD)
        savedFD = -1
        if let data = FileManager.default.contents(atPath: path), !data.isEmpty {
            FileHandle.standardError.write(data)
        }
        unlink(path)
        self.path = nil
    }
}

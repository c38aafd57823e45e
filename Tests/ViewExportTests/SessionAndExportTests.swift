import ExplorerCore
import Foundation
import LimitLaws
import PlotCanvas
import Testing
@testable import ViewExport

@Suite struct SessionFileTests {
    func roundTrip(_ state: ExplorerState) throws -> ExplorerState {
        let toml = SessionFile.encode(Session(state: state))
        let session = try SessionFile.session(from: SessionFile.decode(toml))
        return session.makeState(themeNames: state.themeNames)
    }

    func expectSame(_ a: ExplorerState, _ b: ExplorerState) {
        #expect(Session(state: a) == Session(state: b))
        #expect(a.model == b.model)
        #expect(a.selection == b.selection && a.compare == b.compare && a.view == b.view && a.display == b.display)
        #expect(a.themeName == b.themeName && a.allLayers == b.allLayers && a.empiricalOn == b.empiricalOn)
        #expect(a.sampleSize == b.sampleSize && a.seed == b.seed && a.inputLabel == b.inputLabel)
    }

    @Test func defaultStateRoundTrips() throws {
        let s = Fixture.state()
        expectSame(s, try roundTrip(s))
    }

    @Test func everyFieldRoundTrips() throws {
        var s = ExplorerState(model: NetworkModel(activation: try Activation.bFamily(0.123456789), input: .marcenkoPastur(gamma0: 0.1 + 0.2),
                                                  gammas: [1.0 / 3, 2.5, 1e-3], tau: [1, 0.5, 2, 1.0 / 7]),
                              themeNames: ["dark", "light"], themeName: "light",
                              display: DisplaySettings(yScale: .sqrt, zoom: 5, canvas: .block), view: .compare)
        s.selection = 4
        s.compare = [.ck(0), .ck(2)]
        s.allLayers = true
        s.empiricalOn = true
        s.sampleSize = 4000
        s.seed = UInt64(Int64.max)
        expectSame(s, try roundTrip(s))
    }

    /// The instrument's view settings: pan, :xlim/:ylim, grid, rescaling, more than two compared laws.
    @Test func rangesAndCompareLawsRoundTrip() throws {
        var s = ExplorerState(model: .figure1, display: DisplaySettings(yScale: .log, zoom: 3, pan: 0.375, xLimits: 2.72...3.93,
                                                                        yLimits: 0.001...0.5, gridLines: true, rescaleByMean: true),
                              view: .cdf)
        s.compare = [.ck(1), .ck(3), .ck(5), .ntk]
        let text = SessionFile.encode(Session(state: s))
        #expect(text.contains("x_limits = [2.72, 3.93]") && text.contains("pan = 0.375") && text.contains("view = \"cdf\""))
        let back = try SessionFile.session(from: try SessionFile.decode(text))
        #expect(back == Session(state: s))
        #expect(back.display == s.display && back.compare == s.compare)
        do { _ = try SessionFile.decode("[view]\nx_limits = [3, 1]\n"); Issue.record("accepted x_limits [3, 1]") } catch {
            #expect(error.key == "view.x_limits")
        }
    }

    @Test func fileInputsAndParameterisedActivationsRoundTrip() throws {
        for name in ["leaky-relu:0.123456", "elu:2.5", "leaky-relu", "relu", "gelu"] {
            var s = ExplorerState(model: NetworkModel(activation: try Activation.named(name),
                                                      input: .discrete(eigenvalues: [0, 0.5, 1.5, 2, 1e-17]), gammas: [0.5]),
                                  inputLabel: "data \"x\".txt")
            s.selection = 2
            expectSame(s, try roundTrip(s))
            var o = s
            o.model.input = .orthonormal
            o.inputLabel = nil
            expectSame(o, try roundTrip(o))
        }
    }

    @Test func theSameViewAfterReopening() throws {
        var s = Fixture.state(view: .focus)
        s.display.zoom = 2
        s.selection = 3
        let back = try roundTrip(s)
        let a = ViewExport.text(state: s, content: Fixture.content(), width: 90, height: 28)
        let b = ViewExport.text(state: back, content: Fixture.content(), width: 90, height: 28)
        #expect(a == b)
    }

    @Test(arguments: [
        ("schema = 2", "schema"),
        ("colour = 1", "colour"),
        ("[model]\nactivaton = \"tanh\"", "model.activaton"),
        ("[model]\nactivation = \"swoosh\"", "model.activation"),
        ("[model]\ngammas = [0.5, -1]", "model.gammas"),
        ("[model]\ngammas = \"0.5\"", "model.gammas"),
        ("[model]\ninput = \"eigenvalues\"", "model.input_eigenvalues"),
        ("[model]\ngamma0 = 0", "model.gamma0"),
        ("[view]\nview = \"grid\"", "view.view"),
        ("[view]\nzoom = 99", "view.zoom"),
        ("[view]\ny_scale = 3", "view.y_scale"),
        ("[view]\nselected = \"ck9\"", "view.selected"),
        ("[view]\ncompare = [\"ck1\"]", "view.compare"),
        ("[empirical]\nn = 5", "empirical.n"),
        ("[empirical]\nseed = -1", "empirical.seed"),
        ("[empirical]\nsamples = 3", "empirical.samples"),
        ("[model]\ntau = [1, 2]", "model.tau"),
    ])
    func errorsNameTheKey(text: String, key: String) {
        do {
            let file = text.hasPrefix("schema") ? text : "schema = 1\n" + text
            _ = try SessionFile.session(from: SessionFile.decode(file))
            Issue.record("no error for \(text)")
        } catch {
            #expect(error.key == key, "\(error)")
            #expect(error.description.contains("'\(key)'"))
        }
    }

    @Test func syntaxErrorsGiveTheLine() {
        #expect(throws: SessionError.self) { try SessionFile.decode("schema = 1\n[model\n") }
        do { _ = try SessionFile.decode("schema = 1\n\n[model\n") } catch { #expect(error.key.contains("line 3"), "\(error)") }
    }

    /// A file that is not TOML at all (a CSV, JSON, a binary file) is refused with the line where
    /// it stops being TOML and what is there (control characters escaped); a NUL byte, which the
    /// TOML parser would take for the end of the file, and bytes that are not UTF-8 are binary data.
    @Test(arguments: [
        (Data("a,b,c\n1,2,3\n".utf8), 1, "a,b,c", "not valid TOML (error while parsing key-value pair: expected '=', saw ',')"),
        (Data("{\"model\": {}}\n".utf8), 1, "{\"model\": {}}", "not valid TOML"),
        (Data("schema = 1\n\u{1}x\n".utf8), 2, "\\u0001x", "not valid TOML"),
        (Data("schema = 1\n[model]\ndepth = 2\0junk\n".utf8), 3, "binary data", "a NUL byte, so not TOML text"),
        (Data([0x73, 0x3D, 0x31, 0x0A, 0x89, 0x50, 0x4E, 0x47, 0xFF, 0x00]), 2, "binary data", "not UTF-8 text, so not TOML"),
    ])
    func filesThatAreNotTOMLGiveTheLineAndWhatIsThere(bytes: Data, line: Int, value: String, reason: String) throws {
        do {
            _ = try SessionFile.decode(bytes: bytes)
            Issue.record("accepted \(bytes.count) bytes")
        } catch {
            #expect(error.line == line && error.value == value && error.reason.hasPrefix(reason), "\(error)")
            #expect(error.description.hasPrefix("line \(line): '\(value)': "), "\(error)")
        }
        // text with a byte-order mark is TOML as any other
        #expect(try SessionFile.decode(bytes: Data([0xEF, 0xBB, 0xBF] + Array("[model]\ndepth = 2\n".utf8))).model.depth == 2)
    }

    @Test func partialConfigsUseDefaults() throws {
        let s = try SessionFile.session(from: SessionFile.decode("[model]\ndepth = 3\ngamma = 0.25\n"))
        #expect(s.model.gammas == [0.25, 0.25, 0.25])
        #expect(s.model.activation.name == "arctan")
        #expect(s.view == .layers && s.theme == "dark" && s.seed == 1)
    }
}

/// `ntkscope render` builds its state from a config (and options); the explorer builds it with keys.
/// Both go through `ViewExport.export`, so the same state must give the same bytes in every format.
@Suite struct RenderEqualsExportTests {
    @Test func sameStateBothWaysSameOutput() throws {
        // the explorer: keys and commands from the starting state
        var explorer = ExplorerState(model: Fixture.model, themeNames: ["dark", "light"], themeName: "dark")
        for action: ExplorerAction in [.showView(.focus), .selectNext, .zoomIn, .cycleYScale, .nextTheme, .toggleEmpirical] {
            _ = ExplorerReducer.reduce(&explorer, action)
        }
        // render: the same view described by a config file (as `render --config` reads it)
        let config = """
            schema = 1
            [model]
            activation = "tanh"
            gamma0 = 2
            gammas = [0.5, 0.8]
            [view]
            view = "focus"
            selected = "ck2"
            zoom = 1
            y_scale = "linear"
            theme = "light"
            [empirical]
            enabled = true
            """
        let rendered = try SessionFile.session(from: SessionFile.decode(config)).makeState(themeNames: ["dark", "light"])
        #expect(Session(state: explorer) == Session(state: rendered))
        let content = Fixture.content(empirical: true)
        let light = try ThemeCatalog().loadThrowing("light")
        for format in ExportFormat.allCases {
            let a = ViewExport.export(format, state: explorer, content: content, width: 120, height: 36, theme: light)
            let b = ViewExport.export(format, state: rendered, content: content, width: 120, height: 36, theme: light)
            #expect(a == b, "\(format) differs")
        }
    }

    @Test func theExportedSessionReopensTheSameView() throws {
        var explorer = Fixture.state()
        _ = ExplorerReducer.reduce(&explorer, .openCommandLine)
        for c in "compare input ntk" { _ = ExplorerReducer.reduce(&explorer, .commandInput(c)) }
        _ = ExplorerReducer.reduce(&explorer, .commandSubmit)
        #expect(explorer.view == .compare)
        let toml = ViewExport.export(.toml, state: explorer, content: Fixture.content(), width: 100, height: 30, theme: Fixture.theme)
        let reopened = try SessionFile.session(from: SessionFile.decode(toml)).makeState(themeNames: explorer.themeNames)
        for format in ExportFormat.allCases {
            #expect(ViewExport.export(format, state: explorer, content: Fixture.content(), width: 100, height: 30, theme: Fixture.theme)
                    == ViewExport.export(format, state: reopened, content: Fixture.content(), width: 100, height: 30, theme: Fixture.theme))
        }
    }
}

@Suite struct ExportPromptTests {
    @Test func keyOpensPromptAndEnterAsksTheShellToWrite() {
        var s = Fixture.state()
        let effects = ExplorerReducer.reduce(&s, KeyMap.action(for: .character("e"), in: s)!)
        #expect(effects == [.prepareExport])
        let name = ExportPrompt.defaultPath(view: .layers, date: Date(timeIntervalSince1970: 0))
        #expect(name.hasPrefix("ntkscope-layers-19") || name.hasPrefix("ntkscope-layers-20"))
        #expect(name.hasSuffix(".svg"))
        _ = ExplorerReducer.reduce(&s, .exportPrompt(.open(defaultPath: "view.svg")))
        #expect(s.exportPrompt?.format == .svg)
        // Tab cycles the format through the extension
        _ = ExplorerReducer.reduce(&s, KeyMap.action(for: .tab, in: s)!)
        #expect(s.exportPrompt?.path == "view.csv")
        // keys type into the file name (q does not quit while the prompt is open)
        _ = ExplorerReducer.reduce(&s, KeyMap.action(for: .backspace, in: s)!)
        for c in "v" { _ = ExplorerReducer.reduce(&s, KeyMap.action(for: .character(c), in: s)!) }
        #expect(KeyMap.action(for: .character("q"), in: s) == .exportPrompt(.input("q")))
        #expect(s.exportPrompt?.path == "view.csv")
        let write = ExplorerReducer.reduce(&s, KeyMap.action(for: .enter, in: s)!)
        #expect(write == [.writeExport(path: "view.csv", format: .csv, overwrite: false)])
        #expect(s.exportPrompt == nil)
    }

    /// At 80×24 the prompt keeps the format that will be written in view ("[svg]", after Tab Tab
    /// "[json]", "[no format]" for an unknown extension) and the end of the name being typed, the
    /// cursor last: the help gets shorter, then a long name loses its start. Wide, the prompt lists
    /// every format; the question keeps "replace it? y/n".
    @Test func promptKeepsTheFormatMarkerAtEightyColumns() {
        var s = Fixture.state()
        let name = ExportPrompt.defaultPath(view: .layers, date: Date(timeIntervalSince1970: 0))
        func statusLine(_ width: Int = 80, _ height: Int = 24) -> String {
            ScreenLayout.render(state: s, content: Fixture.content(), width: width, height: height).lines().last ?? ""
        }
        _ = ExplorerReducer.reduce(&s, .exportPrompt(.open(defaultPath: name)))
        var line = statusLine()
        #expect(line.count <= 80 && line.hasPrefix("export [svg] ") && line.contains(name + "█"), "\(line)")
        _ = ExplorerReducer.reduce(&s, .exportPrompt(.cycleFormat))
        _ = ExplorerReducer.reduce(&s, .exportPrompt(.cycleFormat))
        line = statusLine()
        #expect(line.hasPrefix("export [json] ") && line.contains(".json█"), "\(line)")
        let long = "/home/someone/figures/a-folder-with-a-rather-long-name/and-another-one/" + name
        s.exportPrompt = ExportPrompt(path: long)
        line = statusLine()
        #expect(line.count == 80 && line.hasPrefix("export [svg] file: …") && line.hasSuffix(name + "█"), "\(line)")
        s.exportPrompt = ExportPrompt(path: "view.png")
        #expect(statusLine().hasPrefix("export [no format] "), "\(statusLine())")
        s.exportPrompt = ExportPrompt(path: "view.csv")
        #expect(statusLine(160, 30).hasPrefix("export (Tab: txt ansi svg [csv] json toml, Enter writes, Esc cancels) file: view.csv█"), "\(statusLine(160, 30))")
        s.exportPrompt = ExportPrompt(path: long, stage: .confirmOverwrite)
        line = statusLine()
        #expect(line.count == 80 && line.hasPrefix("…") && line.hasSuffix(name + " exists: replace it? y/n"), "\(line)")
        // the prompt alone, at widths down to a few columns, never wider than the line
        for width in 1...120 {
            for p in [ExportPrompt(path: long), ExportPrompt(path: ""), ExportPrompt(path: long, stage: .confirmOverwrite)] {
                #expect(p.line(width: width).count <= width, "\(width): \(p.line(width: width))")
            }
        }
    }

    @Test func existingFileNeedsConfirmation() {
        var s = Fixture.state()
        _ = ExplorerReducer.reduce(&s, .exportPrompt(.fileExists("a.txt")))
        #expect(s.exportPrompt?.stage == .confirmOverwrite)
        let grid = ScreenLayout.render(state: s, content: Fixture.content(), width: 100, height: 30)
        #expect(grid.lines().last?.contains("a.txt exists: replace it? y/n") == true)
        #expect(ExplorerReducer.reduce(&s, KeyMap.action(for: .character("y"), in: s)!) == [.writeExport(path: "a.txt", format: .txt, overwrite: true)])
        _ = ExplorerReducer.reduce(&s, .exportPrompt(.fileExists("a.txt")))
        #expect(ExplorerReducer.reduce(&s, KeyMap.action(for: .character("n"), in: s)!) == [])
        #expect(s.exportPrompt == nil && s.message?.text.contains("kept") == true)
    }

    /// A key that is no answer to "replace it? y/n" (say typed ahead before the prompt was drawn)
    /// closes it keeping the file and then does what it does; a resize keeps the prompt.
    @Test func otherKeysAtTheReplacePromptKeepTheFileAndAreNotLost() {
        var s = Fixture.state()
        _ = ExplorerReducer.reduce(&s, .exportPrompt(.fileExists("a.txt")))
        #expect(KeyMap.action(for: .resize, in: s) == nil)
        let help = KeyMap.action(for: .character("?"), in: s)
        #expect(help == .exportPrompt(.declineThen(.toggleHelp)))
        #expect(ExplorerReducer.reduce(&s, help!) == [])
        #expect(s.exportPrompt == nil && s.overlay == .help)
        // a key with no action of its own only closes the prompt
        _ = ExplorerReducer.reduce(&s, .closeOverlay)
        _ = ExplorerReducer.reduce(&s, .exportPrompt(.fileExists("a.txt")))
        let none = KeyMap.action(for: .character("§"), in: s)
        #expect(none == .exportPrompt(.declineThen(nil)))
        #expect(ExplorerReducer.reduce(&s, none ?? .exportPrompt(.confirm)) == [])
        #expect(s.exportPrompt == nil && s.message?.text.contains("kept") == true)
    }

    @Test func unknownExtensionIsAnError() {
        var s = Fixture.state()
        _ = ExplorerReducer.reduce(&s, .exportPrompt(.open(defaultPath: "view.png")))
        #expect(ExplorerReducer.reduce(&s, .exportPrompt(.submit)) == [])
        #expect(s.message?.isError == true)
        #expect(s.exportPrompt != nil)
    }

    @Test func exportCommand() {
        var s = Fixture.state()
        #expect(ExplorerCommand.run("export out.json", state: &s) == [.writeExport(path: "out.json", format: .json, overwrite: false)])
        #expect(ExplorerCommand.run("export", state: &s) == [.prepareExport])
    }
}

@Suite struct AtomicFileTests {
    func folder() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ntkscope-atomic-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Writing to /dev/null (or any non-regular file) must not rename over it: that replaced the
    /// device node with a regular file. Checked on a FIFO of our own (a reader holds it open), which
    /// must still be a FIFO and must have received the text; a symbolic link is followed and stays a link.
    @Test func specialFilesAndLinksAreWrittenInPlace() throws {
        let dir = try folder().path
        let fifo = dir + "/pipe"
        try #require(mkfifo(fifo, 0o600) == 0)
        let reader = open(fifo, O_RDONLY | O_NONBLOCK)
        try #require(reader >= 0)
        defer { close(reader) }
        _ = try AtomicFile.write("through the pipe\n", to: fifo, overwrite: true)
        var st = stat()
        #expect(stat(fifo, &st) == 0 && (st.st_mode & S_IFMT) == S_IFIFO)
        var buffer = [UInt8](repeating: 0, count: 64)
        let n = read(reader, &buffer, 64)
        #expect(n > 0 && String(decoding: buffer[0..<max(0, n)], as: UTF8.self) == "through the pipe\n")
        #expect(throws: FileWriteError.self) { try AtomicFile.write("x", to: fifo, overwrite: false) }
        let target = dir + "/target.txt", link = dir + "/link.txt"
        try "old".write(toFile: target, atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
        _ = try AtomicFile.write("new", to: link, overwrite: true)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == target)
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "new")
    }

    @Test func failingWriteLeavesTheOldFileIntact() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("view.txt").path
        try AtomicFile.write("old contents\n", to: path, overwrite: false)
        let big = String(repeating: "new contents that do not fit\n", count: 10_000)
        do {
            try AtomicFile.write(big, to: path, overwrite: true, failAfterBytes: 4096)
            Issue.record("the simulated full disk did not fail")
        } catch {
            #expect(error.reason == .diskFull)
            #expect(error.description.contains("disk is full"))
        }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "old contents\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["view.txt"])   // no temporary left
    }

    @Test func refusesToReplaceWithoutOverwriteAndReportsMissingFolders() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("v.csv").path
        try AtomicFile.write("a", to: path, overwrite: false)
        #expect(throws: FileWriteError(path: path, reason: .exists)) { try AtomicFile.write("b", to: path, overwrite: false) }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "a")
        try AtomicFile.write("b", to: path, overwrite: true)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "b")
        let missing = dir.appendingPathComponent("no/such/v.csv").path
        #expect(throws: FileWriteError(path: missing, reason: .missingFolder)) { try AtomicFile.write("b", to: missing, overwrite: false) }
        #expect(throws: FileWriteError(path: dir.path, reason: .isDirectory)) { try AtomicFile.write("b", to: dir.path, overwrite: true) }
        // an empty path is said to be empty (it was taken for the current folder: "cannot write : it is a folder")
        #expect(throws: FileWriteError(path: "", reason: .emptyPath)) { try AtomicFile.write("b", to: "", overwrite: true) }
        #expect(FileWriteError(path: "", reason: .emptyPath).description.contains("the output path is empty"))
    }

    /// A file in a folder that exists but takes no new files (/proc): the message says the file
    /// cannot be written or replaced there, with the system's reason, not that /proc is missing.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/proc/version")))
    func aFolderThatTakesNoNewFilesIsNotCalledMissing() throws {
        do {
            try AtomicFile.write("b", to: "/proc/version", overwrite: true)
            Issue.record("expected an error")
        } catch {
            #expect(error.reason != .missingFolder)
            #expect(!error.description.contains("does not exist"), "\(error)")
            #expect(error.description.contains("/proc") && error.description.contains("replace"), "\(error)")
        }
    }
}

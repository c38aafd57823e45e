import Testing
import LimitLaws
import PlotCanvas
@testable import ExplorerCore

/// The key map as state transitions: press keys on a fresh state and look at the result.
@Suite struct KeyMapTests {
    func fresh() -> ExplorerState {
        ExplorerState(model: .figure1, themeNames: ["dark", "light", "high-contrast", "monochrome"])
    }

    @discardableResult
    func press(_ state: inout ExplorerState, _ keys: Key...) -> [ExplorerEffect] {
        var effects: [ExplorerEffect] = []
        for key in keys {
            if let action = KeyMap.action(for: key, in: state) { effects += ExplorerReducer.reduce(&state, action) }
        }
        return effects
    }

    func type(_ state: inout ExplorerState, _ text: String) -> [ExplorerEffect] {
        var effects = press(&state, .character(":"))
        for c in text { effects += press(&state, .character(c)) }
        effects += press(&state, .enter)
        return effects
    }

    @Test func quitKeysAndTheirExitStatus() {
        // q quits with 0; Ctrl-C with 130 (128 + SIGINT), in every mode, as the shell would report it
        for (key, status) in [(Key.character("q"), Int32(0)), (.ctrlC, 130)] {
            var s = fresh()
            #expect(press(&s, key) == [.quit(status: status)])
            #expect(s.shouldQuit)
        }
        var s = fresh()
        press(&s, .character(":"), .character("d"))
        #expect(press(&s, .ctrlC) == [.quit(status: 130)])
        s = fresh()
        #expect(type(&s, "q") == [.quit(status: 0)])
    }

    @Test func layerSelectionIsClamped() {
        var s = fresh()
        #expect(s.selection == 1)
        press(&s, .left, .character("h"), .left)
        #expect(s.selection == 0 && s.selectedKernel == .ck(0))
        for _ in 0..<10 { press(&s, .character("l")) }
        #expect(s.selection == 6 && s.selectedKernel == .ntk)
    }

    @Test func gammaOfTheSelectedLayerOnly() {
        var s = fresh()
        press(&s, .right, .right)                       // layer 3
        press(&s, .up)
        #expect(s.model.gammas == [0.5, 0.5, 0.625, 0.5, 0.5])
        press(&s, .character("j"), .character("j"))
        #expect(s.model.gammas[2] == 0.4)
    }

    @Test func gammaOfAllLayers() {
        var s = fresh()
        press(&s, .shiftUp)
        #expect(s.model.gammas == Array(repeating: 0.625, count: 5))
        press(&s, .character("J"))
        #expect(s.model.gammas == Array(repeating: 0.5, count: 5))
        press(&s, .character("G"), .down)
        #expect(s.allLayers && s.model.gammas == Array(repeating: 0.4, count: 5))
    }

    @Test func upOnLayerZeroChangesGamma0() {
        var s = fresh()
        press(&s, .left, .up)
        #expect(s.model.input == .marcenkoPastur(gamma0: 3.75))
        press(&s, .character("i"))
        #expect(s.model.input == .marcenkoPastur(gamma0: 3))
        press(&s, .character("I"))
        #expect(s.model.input == .marcenkoPastur(gamma0: 3.75))
    }

    @Test func activationCycle() {
        var s = fresh()
        press(&s, .character("a"))
        #expect(s.model.activation.name == Activation.cycle[1])
        press(&s, .character("A"), .character("A"))
        #expect(s.model.activation.name == Activation.cycle.last)
    }

    @Test func bFamilySteps() {
        var s = fresh()
        let b0 = (s.model.activation.b * 20).rounded() / 20
        press(&s, .character("b"))
        #expect(abs(s.model.activation.b - (b0 - 0.05)) < 1e-9)
        press(&s, .character("B"))
        #expect(abs(s.model.activation.b - b0) < 1e-9)
        for _ in 0..<30 { press(&s, .character("B")) }
        #expect(abs(s.model.activation.b - 1) < 1e-9)
    }

    @Test func depthKeepsSelectionValid() {
        var s = fresh()
        for _ in 0..<6 { press(&s, .right) }          // NTK
        press(&s, .character("d"))
        #expect(s.depth == 4 && s.selectedKernel == .ntk)
        press(&s, .character("D"), .character("D"))
        #expect(s.model.gammas == Array(repeating: 0.5, count: 6))
        var one = ExplorerState(model: NetworkModel(activation: NetworkModel.figure1.activation, input: .marcenkoPastur(gamma0: 3), gammas: [0.5]))
        press(&one, .character("d"))
        #expect(one.depth == 1 && one.message?.isError == true)
    }

    @Test func viewsAndToggles() {
        var s = fresh()
        press(&s, .character("2"))
        #expect(s.view == .compare)
        press(&s, .character("3"))
        #expect(s.view == .focus)
        press(&s, .character("1"), .character("y"))
        #expect(s.view == .layers && s.display.yScale == .linear)
        press(&s, .character("z"), .character("z"), .character("Z"))
        #expect(s.display.zoom == 1)
        press(&s, .character("t"))
        #expect(s.themeName == "light")
        press(&s, .character("m"))
        #expect(s.display.canvas == .block)
        #expect(press(&s, .character("e")) == [.prepareExport])
    }

    @Test func empiricalKeys() {
        var s = fresh()
        press(&s, .character("s"))
        #expect(s.empiricalOn)
        press(&s, .character("N"))
        #expect(s.sampleSize == 2000)
        press(&s, .character("n"), .character("n"))
        #expect(s.sampleSize == 500)
        press(&s, .character("s"))
        #expect(!s.empiricalOn)
    }

    @Test func helpOverlayCapturesKeys() {
        var s = fresh()
        press(&s, .character("?"))
        #expect(s.overlay == .help)
        press(&s, .character("d"))                     // closes help, does not change depth
        #expect(s.overlay == nil && s.depth == 5)
        press(&s, .f1, .escape)
        #expect(s.overlay == nil)
    }

    @Test func compareChooser() {
        var s = fresh()
        press(&s, .character("c"))
        #expect(s.overlay == .compareChooser(cursor: 5))
        press(&s, .up, .up, .enter)                    // CK 3 as A
        press(&s, .down, .down, .down, .character("b")) // NTK as B
        #expect(s.compare == [.ck(3), .ntk] && s.view == .compare)
        press(&s, .escape)
        #expect(s.overlay == nil)
    }

    @Test func undoAndReset() {
        var s = fresh()
        press(&s, .character("D"), .up, .character("a"))
        #expect(s.depth == 6)
        press(&s, .character("u"))
        #expect(s.model.activation == NetworkModel.figure1.activation && s.depth == 6)
        press(&s, .character("u"), .character("u"))
        #expect(s.model == NetworkModel.figure1)
        press(&s, .character("u"))
        #expect(s.message?.isError == true)
        press(&s, .character("D"), .character("r"))
        #expect(s.model == NetworkModel.figure1)
        press(&s, .character("u"))
        #expect(s.depth == 6)
    }

    @Test func commandLine() {
        var s = fresh()
        _ = type(&s, "gamma 3 0.25")
        #expect(s.model.gammas == [0.5, 0.5, 0.25, 0.5, 0.5])
        _ = type(&s, "gammas 0.5,0.5,2")
        #expect(s.model.gammas == [0.5, 0.5, 2])
        _ = type(&s, "sigma tanh")
        #expect(s.model.activation.name == "tanh")
        _ = type(&s, "b 0.3")
        #expect(abs(s.model.activation.b - 0.3) < 1e-9)
        _ = type(&s, "depth 7")
        #expect(s.depth == 7 && s.model.gammas.last == 2)
        // the command line's limit (docs/cli.md: --depth 1…64), not a lower one of its own
        _ = type(&s, "depth 64")
        #expect(s.depth == 64 && s.message?.isError != true)
        _ = type(&s, "depth 65")
        #expect(s.depth == 64 && s.message?.isError == true && s.message?.text.contains("from 1 to 64") == true)
        _ = type(&s, "depth 7")
        _ = type(&s, "gamma0 1.5")
        #expect(s.model.input == .marcenkoPastur(gamma0: 1.5))
        #expect(type(&s, "input /tmp/x.txt") == [.loadInputFile("/tmp/x.txt")])
        _ = type(&s, "compare ck2 ntk")
        #expect(s.compare == [.ck(2), .ntk] && s.view == .compare)
        #expect(s.commandLine == nil)
    }

    @Test func commandLineErrors() {
        var s = fresh()
        for bad in ["gamma 9 0.5", "gamma 2 -1", "sigma nope", "depth 0", "gammas 1,x", "b 2", "frobnicate", "gamma0 0"] {
            let before = s.model
            _ = type(&s, bad)
            #expect(s.message?.isError == true, "\(bad) should fail")
            #expect(s.model == before)
        }
        press(&s, .character(":"), .character("x"), .backspace, .backspace)
        #expect(s.commandLine == nil)
        press(&s, .character(":"), .character("q"), .escape)
        #expect(s.commandLine == nil && !s.shouldQuit)
    }

    /// The `:` commands refuse what the command line refuses, with the same range (docs/cli.md,
    /// *Bounds of numeric options*: --x-min/--x-max −1e30…1e30, γ 1e-4…1e4, b_σ −1…1, depth
    /// 1…64), and accept the ends of each range.
    @Test(arguments: [
        ("xlim -1e40 1", "for the left end A: must be a number from -1e30 to 1e30"),
        ("xlim 0 1e31", "for the right end B: must be a number from -1e30 to 1e30"), ("xlim 1 1", "below"),
        ("ylim 1e40", "for the top: must be a number from -1e30 to 1e30"), ("ylim 1e40 2", "for the bottom"), ("ylim nan", "from -1e30 to 1e30"),
        ("gamma 1 1e-5", "from 1e-4 to 1e4"), ("gamma 1 inf", "from 1e-4 to 1e4"), ("gamma0 2e4", "from 1e-4 to 1e4"),
        ("gammas 0.5,inf", "from 1e-4 to 1e4"), ("b 1.5", "from -1 to 1"), ("b nan", "from -1 to 1"),
        ("depth 2.5", "from 1 to 64"), ("depth 0", "from 1 to 64"),
    ])
    func commandValuesHaveTheCommandLinesBounds(command: String, allowed: String) {
        var s = fresh()
        let before = s.undoable
        _ = type(&s, command)
        #expect(s.message?.isError == true && s.message?.text.contains(allowed) == true, "\(command): \(s.message?.text ?? "")")
        #expect(s.undoable == before)
    }

    @Test func commandValuesAtTheEndsOfTheBounds() {
        var s = fresh()
        _ = type(&s, "xlim -1e30 1e30")
        #expect(s.display.xLimits == -1e30...1e30)
        _ = type(&s, "gamma 1 1e-4")
        #expect(s.model.gammas[0] == 1e-4)
        _ = type(&s, "gamma0 1e4")
        #expect(s.model.input == .marcenkoPastur(gamma0: 1e4))
        _ = type(&s, "b -1")
        #expect(s.model.activation.b == -1)
        // the key D stops where :depth does: 64
        _ = type(&s, "depth 63")
        press(&s, .character("D"))
        #expect(s.depth == 64 && s.message?.isError != true)
        press(&s, .character("D"))
        #expect(s.depth == 64 && s.message?.isError == true)
    }

    @Test func keyTableHasNoDuplicatesAndHelpCoversEveryAction() {
        var seen = Set<Key>()
        for b in KeyMap.bindings { for k in b.keys { #expect(!seen.contains(k), "\(k) bound twice"); seen.insert(k) } }
        let documented = KeyMap.helpGroups.flatMap(\.1).count
        #expect(documented >= 25)
        // the issue's conventions
        for c in "q?hlkjaAbBdDiI123csnNyzZteur:G" { #expect(seen.contains(.character(c)), "\(c) not bound") }
        for k in [Key.left, .right, .up, .down, .ctrlC] { #expect(seen.contains(k)) }
    }
}

/// A γ key and its opposite give the model back exactly, so that it is recalled rather than solved
/// again (× 0.8 then × 1.25 took γ₀ = 3 to 3.0000000000000004). Oracle: the starting values.
@Suite struct GammaStepTests {
    @Test func aStepAndItsOppositeGiveTheValueBack() {
        for x in [0.5, 3, 0.3, 2.7, 7, 0.123, 1e-3, 41.5] {
            #expect(ExplorerReducer.stepped(ExplorerReducer.stepped(x, up: true), up: false) == x, "\(x) up, down")
            #expect(ExplorerReducer.stepped(ExplorerReducer.stepped(x, up: false), up: true) == x, "\(x) down, up")
            // 8 steps each way: 0.8⁸ and 1.25⁸ still fit in 12 digits (beyond, the rounding drifts by
            // about 10⁻¹¹ and the model is solved again rather than recalled)
            var y = x
            for _ in 0..<8 { y = ExplorerReducer.stepped(y, up: false) }
            for _ in 0..<8 { y = ExplorerReducer.stepped(y, up: true) }
            #expect(y == x, "\(x) 8 down, 8 up: \(y)")
        }
    }

    @Test func keysReturnToTheSameModel() {
        var s = ExplorerState(model: .figure1)
        let start = s.model
        for (a, b) in [("i", "I"), ("I", "i"), ("k", "j"), ("j", "k"), ("K", "J"), ("J", "K")] {
            for k in [a, b] { if let action = KeyMap.action(for: .character(Character(k)), in: s) { _ = ExplorerReducer.reduce(&s, action) } }
            #expect(s.model == start, "\(a) then \(b)")
        }
    }
}

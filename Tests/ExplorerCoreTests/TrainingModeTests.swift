import Foundation
import LimitLaws
import NetworkSampling
import NetworkTraining
import PlotCanvas
import Testing
@testable import ExplorerCore

/// A tiny real run (float64, one thread: the same settings give the same run bitwise), so the golden
/// screens show what the module produces. Its records' types have no public initialisers to fake.
enum TrainingFixture {
    /// 12 epochs of Adam at learning rate 0.1: the CKs grow outliers beyond their laws' edges.
    static let settings = TrainingModeSettings(n: 60, inputDim: 30, width: 40, depth: 2, epochs: 12, learningRate: 0.1,
                                               snapshotEvery: 4, run: true, panel: 1)

    static func frame(_ s: TrainingModeSettings = settings) throws -> TrainingFrame {
        var t = try s.trainingSettings()
        t.precision = .float64
        t.threads = 1
        t.stepThreads = 1
        t.testCount = 200
        var record = TrainingRecord()
        try Trainer.run(t) { record.apply($0) }
        return TrainingFrame(key: s.runKey, record: record, running: false)
    }

    static func state(_ view: ExplorerView, epoch: Int? = nil) -> ExplorerState {
        var s = ExplorerState(model: .figure1, themeNames: ["dark"], themeName: "dark", view: view)
        s.regime = .training
        s.training = settings
        s.training.epoch = epoch
        return s
    }

    static func content(_ frame: TrainingFrame) -> FrameContent {
        var c = FrameContent(summary: MockSpectra.summary)
        c.training = frame
        return c
    }
}

@Suite struct TrainingModeTests {
    func press(_ state: inout ExplorerState, _ keys: Key...) {
        for k in keys { if let a = KeyMap.action(for: k, in: state) { _ = ExplorerReducer.reduce(&state, a) } }
    }

    @Test func theDefaultIsTheModulesSmallConfiguration() throws {
        // n = 400, widths 320 × 3 (the module's default, under a minute: docs/performance.md), 50 epochs of Adam
        let t = try TrainingModeSettings().trainingSettings()
        let d = TrainingSettings()
        #expect(t.n == d.n && t.inputDim == d.inputDim && t.widths == d.widths && t.epochs == 50 && t.epochs == d.epochs)
        #expect(t.learningRate == d.learningRate && t.batchSize == d.batchSize && t.seed == d.seed && t.activation == d.activation)
        #expect(t.optimizer == d.optimizer && t.task == d.task && t.snapshots == d.snapshots)
        #expect(TrainingModeSettings().snapshotEpochs == [0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50])
    }

    @Test func keysMoveThroughTheSnapshotsAndChangeTheRun() {
        var s = ExplorerState(model: .figure1)
        _ = ExplorerCommand.run("mode training", state: &s)
        press(&s, .character("["))
        #expect(s.training.epoch == 45)   // from the latest, one back
        press(&s, .character("["), .character("]"), .character("]"))
        #expect(s.training.epoch == 50)
        press(&s, .home)
        #expect(s.training.epoch == 0)
        press(&s, .end)
        #expect(s.training.epoch == nil)
        press(&s, .character("+"))
        #expect(s.training.epochs == 100)
        press(&s, .character("n"))
        #expect(s.training.n == 200)
        press(&s, .up)
        #expect(s.training.width == 400)
        press(&s, .character("d"))
        #expect(s.training.depth == 2 && s.training.panel == 2)   // the panel follows the depth
        press(&s, .character("o"))
        #expect(s.training.optimizer == "gd" && s.training.batchSize == 0)
        press(&s, .character("s"))
        #expect(s.training.run)
        // the view (epoch shown, panel) is not part of the run: moving through it does not restart anything
        var moved = s.training
        moved.epoch = 10; moved.panel = 0
        #expect(moved.runKey == s.training.runKey)
        for _ in 0..<20 { press(&s, .character("u")) }
        #expect(s.training == TrainingModeSettings())
    }

    @Test func snapshotKeysStepFromTheSnapshotOnScreenAndSDoesNotCancelAFinishedRun() throws {
        // the fixture's run replayed up to its second snapshot (epochs 0 and 4 of 0 4 8 12 taken)
        var t = try TrainingFixture.settings.trainingSettings()
        t.precision = .float64; t.threads = 1; t.stepThreads = 1; t.testCount = 200
        var events: [TrainingEvent] = []
        try Trainer.run(t) { events.append($0) }
        var partial = TrainingRecord(), complete = TrainingRecord()
        for e in events {
            complete.apply(e)
            if partial.snapshots.count < 2 { partial.apply(e) }
        }
        try #require(partial.snapshots.map(\.epoch) == [0, 4] && complete.isComplete)
        let running = TrainingFixture.content(TrainingFrame(key: TrainingFixture.settings.runKey, record: partial, running: true))
        let finished = TrainingFixture.content(TrainingFrame(key: TrainingFixture.settings.runKey, record: complete, running: false))
        var s = TrainingFixture.state(.layers)   // following the latest
        func press(_ key: Key, _ content: FrameContent) {
            if let a = KeyMap.action(for: key, in: s) { _ = ExplorerReducer.reduce(&s, a, content: content) }
        }
        press(.character("["), running)
        #expect(s.training.epoch == 0, "one back from epoch 4 on screen, not from the planned 12")
        press(.character("]"), running)
        #expect(s.training.epoch == nil, "onto the newest snapshot of a running run: following it again")
        press(.character("]"), running)
        #expect(s.training.epoch == nil && s.message?.text == "no later snapshot yet" && s.message?.isError == false)
        // a finished run: `]` at the end stays, `s` says the run is complete instead of "cancelled"
        press(.character("["), finished)
        #expect(s.training.epoch == 8)
        press(.character("s"), finished)
        #expect(s.training.run && s.message!.text.contains("complete"))
        // without what is on screen (a session file, a test) the plan decides
        s.training.epoch = nil
        _ = ExplorerReducer.reduce(&s, .training(.snapshot(step: -1)))
        #expect(s.training.epoch == 8)
    }

    @Test func commandsNameWhatTheyAccept() {
        var s = ExplorerState(model: .figure1)
        _ = ExplorerCommand.run("mode training", state: &s)
        _ = ExplorerCommand.run("epochs 6", state: &s)
        _ = ExplorerCommand.run("snapshots 2", state: &s)
        _ = ExplorerCommand.run("n 80", state: &s)
        _ = ExplorerCommand.run("batch full", state: &s)
        #expect(s.training.epochs == 6 && s.training.snapshotEvery == 2 && s.training.n == 80 && s.training.batchSize == 0)
        _ = ExplorerCommand.run("epoch 3", state: &s)
        #expect(s.message?.isError == true && s.message!.text.contains("0 2 4 6"))
        _ = ExplorerCommand.run("epoch 4", state: &s)
        #expect(s.training.epoch == 4)
        _ = ExplorerCommand.run("lr -1", state: &s)
        #expect(s.message?.isError == true && s.training.learningRate == 0.01)
        // :n is the linear-width sample size outside the training mode
        s.regime = .linearWidth
        _ = ExplorerCommand.run("n 500", state: &s)
        #expect(s.sampleSize == 500 && s.training.n == 80)
    }

    @Test func outliersAreMarkedWithTheirLabelShare() throws {
        let f = try TrainingFixture.frame()
        let last = try #require(f.record.snapshots.last)
        #expect(f.record.snapshots.map(\.epoch) == TrainingFixture.settings.snapshotEpochs)
        #expect(last.kernels.contains { !$0.outliers.isEmpty }, "the fixture's run has outliers to mark")
        for k in last.kernels {
            // an outlier's share is the top pair's with the same eigenvalue (largest first in both lists)
            for i in k.outliers.indices {
                if let share = TrainingLayout.labelShare(k, outlier: i) {
                    // the pair's eigenvalue (xSYEVR) and the spectrum's (xSTERF) agree to rounding
                    #expect(share == k.top[i].labelShare && abs(k.top[i].value - k.outliers[i].value) <= 1e-6 * k.outliers[i].value)
                } else {
                    #expect(i >= k.top.count)
                }
            }
            #expect(k.outliers.allSatisfy { $0.value > k.edge! })
        }
        // the selected kernel (CK ℓ=2) lists each outlier with λ/edge and its share; its panel marks them
        let k = try #require(last.kernels.first { $0.kernel == .ck(2) })
        let text = ScreenLayout.render(state: TrainingFixture.state(.focus), content: TrainingFixture.content(f), width: 200, height: 60).plainText()
        #expect(text.contains("outliers beyond the edge: \(k.outliers.count)") && text.contains("λ/edge  label share"))
        #expect(text.contains("▲ \(k.outliers.count) outlier") && text.contains(TrainingLayout.outlierText(k, 0)))
    }

    @Test func theTimelineShowsTheEpochChosenAndWhatIsNotReachedYet() throws {
        let f = try TrainingFixture.frame()
        // a chosen epoch not taken (yet) shows the latest snapshot before it
        #expect(f.snapshot(at: 4)?.epoch == 4)
        #expect(f.snapshot(at: nil)?.epoch == 12)
        #expect(f.snapshot(at: 7)?.epoch == 4)
        let text = ScreenLayout.render(state: TrainingFixture.state(.layers, epoch: 4), content: TrainingFixture.content(f), width: 120, height: 40).plainText()
        #expect(text.contains("epochs 0 4 8 12"))
        #expect(text.contains("CK ℓ=1 · epoch 4") && text.contains("NTK · epoch 4"))
        #expect(text.contains("shown: epoch 4 (4)"))
    }

    @Test func beforeARunThePlanIsShown() {
        var s = TrainingFixture.state(.layers)
        s.training.run = false
        let text = ScreenLayout.render(state: s, content: FrameContent(summary: MockSpectra.summary), width: 120, height: 40).plainText()
        #expect(text.contains("not trained yet (s trains)"))
        #expect(text.contains("snapshots at epochs 0 4 8 12"))
    }

    @Test func goldenScreens() throws {
        let f = try TrainingFixture.frame()
        for (view, name) in [(ExplorerView.layers, "layers"), (.focus, "focus"), (.compare, "compare")] {
            for (w, h) in [(200, 60), (80, 24)] {
                let g = ScreenLayout.render(state: TrainingFixture.state(view), content: TrainingFixture.content(f), width: w, height: h)
                // row 0 ends with the run's wall-clock time: the golden starts at row 1
                let text = g.plainText().split(separator: "\n", omittingEmptySubsequences: false).dropFirst().joined(separator: "\n") + "\n"
                let file = "training-\(name)-\(w)x\(h).txt"
                #expect(text == InfiniteFixture.golden(file, text), "golden \(file) differs (NTKSCOPE_RECORD_GOLDEN=1 rewrites it)")
            }
        }
    }
}

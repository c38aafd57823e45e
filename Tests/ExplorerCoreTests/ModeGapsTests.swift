import Foundation
import LimitLaws
import NetworkSampling
import NetworkTraining
import PlotCanvas
import QuadraticScaling
import Testing
@testable import ExplorerCore

/// The quadratic-scaling mode's titles and facts at small sizes and its choice of inputs X.
@Suite struct QuadraticModeFitAndInputTests {
    func press(_ state: inout ExplorerState, _ keys: Key...) {
        for k in keys { if let a = KeyMap.action(for: k, in: state) { _ = ExplorerReducer.reduce(&state, a) } }
    }

    @Test func panelTitlesAreWholeAtEveryWidth() {
        // every title drawn is one of its forms, whole: never cut inside a bracket
        for (w, h) in [(80, 24), (90, 30), (100, 30), (120, 40), (200, 60)] {
            let state = QuadraticFixture.state(.layers)
            let rows = ScreenLayout.render(state: state, content: QuadraticFixture.content(), width: w, height: h).plainText()
                .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            for p in QuadraticPanel.allCases {
                let forms = QuadraticLayout.titles(p, settings: state.quadratic)
                let panelWidth = w / 3 - 1
                let expected = QuadraticLayout.title(p, settings: state.quadratic, width: panelWidth - 2)
                #expect(expected.count <= panelWidth - 2 || expected == forms.last, "\(p) at \(w)")
                #expect(rows.contains { $0.contains(" \(expected) ") || $0.hasSuffix(" \(expected)") }, "\(p) at \(w)×\(h): ' \(expected) ' not on screen\n\(rows.prefix(6).joined(separator: "\n"))")
            }
            for row in rows where row.contains("NTK law") || row.contains("MP(") {
                #expect(row.filter { $0 == "(" }.count == row.filter { $0 == ")" }.count, "unbalanced brackets at \(w)×\(h): \(row)")
            }
        }
        // the forms themselves: the longest for 200 columns, "NTK law (MP ⊠ H)" in a 25-cell panel
        #expect(QuadraticLayout.title(.ntk, settings: QuadraticModeSettings(), width: 23) == "NTK law (MP ⊠ H)")
        #expect(QuadraticLayout.title(.ntk, settings: QuadraticModeSettings(), width: 5) == "NTK law")
    }

    @Test func theOutlierLinesFitAt80x24() {
        // the fixture's check: 41 outliers, the largest 16.5, the smallest 3.5 (QuadraticFixture.check)
        let text = ScreenLayout.render(state: QuadraticFixture.state(.layers), content: QuadraticFixture.content(), width: 80, height: 24).plainText()
        let right = text.split(separator: "\n").map { String($0.dropFirst(40)).trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
        #expect(right.contains("41 outliers apart"), "\(text)")
        #expect(right.contains("largest 16.5"), "\(text)")
        #expect(right.contains("smallest 3.5"), "\(text)")
    }

    @Test func theInputsXAreChosenByKeyCommandAndFile() throws {
        var s = ExplorerState(model: .figure1)
        _ = ExplorerCommand.run("mode quadratic", state: &s)
        #expect(s.quadratic.input == "gaussian" && s.quadratic.checkKey?.request.input == .gaussian)
        press(&s, .character("i"))
        #expect(s.quadratic.input == "rademacher" && s.quadratic.checkKey?.request.input == .rademacher)
        press(&s, .character("i"))
        #expect(s.quadratic.input == "gaussian")
        // the help is written from the same key table
        let help = HelpOverlay.layout(width: 200, height: 80, regime: .quadratic).pages.flatMap { $0 }.flatMap { $0 }.map(\.text)
        #expect(help.contains { $0.contains("i / I") && $0.contains("rademacher") }, "\(help)")
        #expect(help.contains { $0.contains(":input X / :data FILE") })
        _ = ExplorerCommand.run("input rademacher", state: &s)
        #expect(s.quadratic.input == "rademacher")
        _ = ExplorerCommand.run("input uniform", state: &s)
        #expect(s.message?.isError == true && s.message!.text.contains("gaussian|rademacher|data:FILE"))
        // :data FILE is read by the shell; its rows are n and its columns d (p = round(γ₂ d))
        let effects = ExplorerCommand.run("data x.csv", state: &s)
        #expect(effects == [.readRegimeFile(regime: .quadratic, path: "x.csv", purpose: "input")])
        func entry(_ i: Int, _ j: Int) -> Double { Double((i * 7 + j * 3) % 11) - 5 }
        let rows: [String] = (0..<30).map { (i: Int) -> String in (0..<6).map { (j: Int) -> String in String(entry(i, j)) }.joined(separator: ",") }
        let read = RegimeFileRead(path: "x.csv", contents: Data(rows.joined(separator: "\n").utf8), error: nil, purpose: "input")
        _ = ExplorerReducer.reduce(&s, .regime(AnyRegimeAction(.quadratic, read)))
        #expect(s.quadratic.input == "data:x.csv" && s.quadratic.sampleDimension == 6)
        #expect(s.quadratic.sampleShape.n == 30 && s.quadratic.sampleShape.p == 6)
        let request = try #require(s.quadratic.checkKey?.request)
        #expect(request.sampleCount == 30 && request.dimension == 6)
        guard case .data(let m) = request.input else { Issue.record("not the file's matrix"); return }
        #expect(m.samples == 30 && m.features == 6 && m.values[7] == entry(1, 1))
        // i cycles through the file too, and undo goes back
        press(&s, .character("i"))
        #expect(s.quadratic.input == "gaussian")
        press(&s, .character("I"))
        #expect(s.quadratic.input == "data:x.csv")
        // :data pcs K is the linear-width mode's preprocessing: refused here with the reason
        _ = ExplorerCommand.run("data x.csv pcs 2", state: &s)
        #expect(s.message?.isError == true && s.message!.text.contains("pcs"))
        // the sampled check runs on the file (n = its rows: bulk + outliers)
        s.quadratic.check = true
        s.quadratic.gamma2 = 1
        var c = FrameContent(summary: MockSpectra.summary)
        QuadraticRegime().computeNow(state: s, content: &c)
        let r = try #require(c.quadratic?.check?.result, "\(c.quadratic?.check?.error ?? "")")
        #expect(r.n == 30 && r.d == 6 && r.bulk.count + r.outliers.count == 30)
        // in the linear-width regime :data keeps its meaning
        s.regime = .linearWidth
        #expect(ExplorerCommand.run("data y.csv", state: &s) == [.loadDataFile("y.csv", pcs: 0)])
    }
}

/// The training mode's snapshot schedule, its classification task on a data file, the loss panel's
/// metric at the epoch shown and outliers whose eigenvector was not kept.
@Suite struct TrainingModeGapsTests {
    @Test func logSpacedSnapshotsAsTheCommandLineHasThem() {
        var s = ExplorerState(model: .figure1)
        _ = ExplorerCommand.run("mode training", state: &s)
        _ = ExplorerCommand.run("snapshots log:6", state: &s)
        // about 6 epochs spaced geometrically between 1 and 50: round(50^(i/5)) = 1, 2.19, 4.78, 10.5, 22.9, 50
        #expect(s.training.snapshotEpochs == [0, 1, 2, 5, 10, 23, 50])
        #expect(s.training.schedule == .logSpaced(6) && (try? s.training.trainingSettings().snapshots) == .logSpaced(6))
        _ = ExplorerCommand.run("snapshots every:25", state: &s)
        #expect(s.training.snapshotEpochs == [0, 25, 50] && s.training.snapshotLog == 0)
        _ = ExplorerCommand.run("snapshots log:0", state: &s)
        #expect(s.message?.isError == true && s.message!.text.contains("log:K"))
        #expect(SnapshotSchedule.parse("log:12") == .logSpaced(12) && SnapshotSchedule.parse("0,5,50") == .epochs([0, 5, 50]))
        #expect(SnapshotSchedule.parse("every:x") == nil && SnapshotSchedule.logSpaced(12).text == "log:12")
    }

    /// 40 samples × 3 features and a label column: class +1 when the first feature is positive.
    static let csv: String = (0..<40).map { i -> String in
        let x = Double(i % 8) - 3.5, y = Double((i * 5) % 7) - 3, z = Double((i * 3) % 5) - 2
        return "\(x),\(y),\(z),\(x > 0 ? 1 : 0)"
    }.joined(separator: "\n")

    @Test func classificationOnADataFileFromTheCommandLine() throws {
        var s = ExplorerState(model: .figure1)
        _ = ExplorerCommand.run("mode training", state: &s)
        _ = ExplorerCommand.run("task classification", state: &s)
        #expect(s.message?.isError == true && s.message!.text.contains(":data FILE") && s.training.task == "single-neuron")
        #expect(ExplorerCommand.run("data points.csv", state: &s) == [.readRegimeFile(regime: .training, path: "points.csv", purpose: "data")])
        _ = ExplorerReducer.reduce(&s, .regime(AnyRegimeAction(.training, RegimeFileRead(path: "points.csv", contents: Data(Self.csv.utf8), error: nil, purpose: "data"))))
        #expect(s.training.dataPath == "points.csv" && s.training.task == "single-neuron" && s.message!.text.contains(":labels"))
        _ = ExplorerCommand.run("labels -1", state: &s)
        #expect(s.training.task == "classification" && s.training.labels == "-1")
        let data = try s.training.labeledData()
        // the last column became the labels; the features are the other three columns
        #expect(data.features.samples == 40 && data.features.features == 3 && data.labels.filter { $0 == 1 }.count == 20)
        let t = try s.training.trainingSettings()
        #expect(t.n == nil && t.task == .classification(data))
        // a labels file instead of a column
        #expect(ExplorerCommand.run("labels y.txt", state: &s) == [.readRegimeFile(regime: .training, path: "y.txt", purpose: "labels")])
        let short = RegimeFileRead(path: "y.txt", contents: Data("1\n0\n".utf8), error: nil, purpose: "labels")
        _ = ExplorerReducer.reduce(&s, .regime(AnyRegimeAction(.training, short)))
        #expect(s.message?.isError == true && s.message!.text.contains("2 rows, the data 40"))
        // a real run on it: the metric is the test accuracy
        s.training.labels = "4"; s.training.labelsFile = nil
        s.training.epochs = 3; s.training.width = 16; s.training.depth = 1; s.training.snapshotEvery = 3; s.training.run = true
        var c = FrameContent(summary: MockSpectra.summary)
        TrainingRegime().computeNow(state: s, content: &c)
        let f = try #require(c.training)
        #expect(f.error == nil, "\(f.error ?? "")")
        #expect(f.record.plan?.metric == .accuracy && f.record.snapshots.map(\.epoch) == [0, 3])
        #expect(f.record.plan.map { $0.n + $0.testCount } == 40)
    }

    @Test func theLossTitleCarriesTheShownEpochsMetric() throws {
        let f = try TrainingFixture.frame()
        let at4 = try #require(f.record.snapshots.first { $0.epoch == 4 }?.testMetric)
        let last = try #require(f.record.snapshots.last?.testMetric)
        #expect(TrainingLayout.sig(at4) != TrainingLayout.sig(last), "the fixture's metric changes between epochs 4 and 12")
        let text = ScreenLayout.render(state: TrainingFixture.state(.layers, epoch: 4), content: TrainingFixture.content(f), width: 200, height: 60).plainText()
        #expect(text.contains("test R² \(TrainingLayout.sig(at4)) at epoch 4"), "\(text)")
        #expect(!text.contains("test R² \(TrainingLayout.sig(last)) at epoch"))
    }

    @Test func anOutlierBeyondTheKeptEigenvectorsSaysSo() throws {
        // the fixture's run keeping one eigenpair per kernel: outliers past the first have no share
        var t = try TrainingFixture.settings.trainingSettings()
        t.precision = .float64; t.threads = 1; t.stepThreads = 1; t.testCount = 200; t.topK = 1
        var record = TrainingRecord()
        try Trainer.run(t) { record.apply($0) }
        let f = TrainingFrame(key: TrainingFixture.settings.runKey, record: record, running: false)
        let snap = try #require(record.snapshots.last)
        let k = try #require(snap.kernels.first { $0.outliers.count >= 2 }, "a kernel with two outliers")
        #expect(TrainingLayout.labelShare(k, outlier: 1) == nil && k.top.count == 1)
        #expect(TrainingLayout.outlierText(k, 1).hasSuffix("(—)"))
        var state = TrainingFixture.state(.focus)
        state.training.panel = TrainingLayout.kernels(depth: 2).firstIndex(of: k.kernel)!
        let text = ScreenLayout.render(state: state, content: TrainingFixture.content(f), width: 200, height: 60).plainText()
        #expect(text.contains("beyond the top 1 eigenvectors kept"), "\(text)")
        #expect(TrainingLayout.outlierCount(1) == "1 outlier" && TrainingLayout.outlierCount(2) == "2 outliers")
    }
}

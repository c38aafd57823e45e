import ExplorerCore
import Foundation
import LimitLaws
import NetworkTraining
import PlotCanvas
import QuadraticScaling
import Testing
#if canImport(FoundationXML)
import FoundationXML
#endif
@testable import ViewExport

/// The quadratic-scaling and training modes in session files and exports: their tables round-trip,
/// bad values name the key, and csv/json/svg carry what the view shows.
@Suite struct RegimeModesSessionTests {
    func roundTrip(_ state: ExplorerState) throws -> Session {
        try SessionFile.session(from: SessionFile.decode(SessionFile.encode(Session(state: state))))
    }

    @Test func quadraticTableRoundTrips() throws {
        var s = ExplorerState(model: .figure1)
        s.regime = .quadratic
        s.quadratic = QuadraticModeSettings(gamma1: 1.0 / 3, gamma2: 0.7, activation: "leaky-relu:0.2", normalised: true,
                                            outputLaw: "two-point:0.5,1.5,0.25", d: 64, seed: 12345, check: true, panel: .population)
        let text = SessionFile.encode(Session(state: s))
        #expect(text.contains("[quadratic]\nenabled = true\ngamma1 = 0.3333333333333333"))
        let back = try roundTrip(s)
        #expect(back.regime == .quadratic)
        #expect(back.regimeSettings.get(.quadratic, default: QuadraticModeSettings()) == s.quadratic)
        #expect(try back.makeState().quadratic.lawSettings() == s.quadratic.lawSettings())
    }

    @Test func aFileLawIsNamedAndReadAgain() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ntkscope-nu-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("weights.txt").path
        try "0.5\n-1.5\n0.5\n".write(toFile: path, atomically: true, encoding: .utf8)
        var s = ExplorerState(model: .figure1)
        s.regime = .quadratic
        s.quadratic.outputLaw = "file:\(path)"
        s.quadratic.fileLaw = try QuadraticOutputLawFile.load(path: path)
        let back = try roundTrip(s).makeState().quadratic
        // the file's values are not in the session: the path is, and is read again by the caller
        #expect(back.outputLaw == "file:\(path)" && back.fileLaw == nil && back.pendingFile == path)
        var read = back
        read.fileLaw = try QuadraticOutputLawFile.load(path: path)
        // E D² of {0.5, −1.5, 0.5} with equal weights, computed by hand: (0.25 + 2.25 + 0.25)/3
        #expect(abs(try read.lawSettings().outputLaw.evenMoment(1) - 2.75 / 3) < 1e-15)
        #expect(read == s.quadratic)
        do { _ = try QuadraticOutputLawFile.load(path: dir.appendingPathComponent("none.txt").path); Issue.record("read a missing file") } catch {
            #expect(error.description.contains("none.txt") && error.description.contains("does not exist"))
        }
    }

    @Test func trainingTableRoundTrips() throws {
        var s = ExplorerState(model: .figure1)
        s.regime = .training
        s.training = TrainingModeSettings(activation: "tanh", n: 123, inputDim: 45, width: 67, depth: 4, epochs: 89, learningRate: 0.003,
                                          optimizer: "gd", batchSize: 0, seed: 987, snapshotEvery: 7, task: "linear", run: true, epoch: 14, panel: 2)
        let back = try roundTrip(s)
        #expect(back.regime == .training)
        #expect(back.regimeSettings.get(.training, default: TrainingModeSettings()) == s.training)
        s.training.epoch = nil   // following the latest is written as -1
        #expect(try roundTrip(s).regimeSettings.get(.training, default: TrainingModeSettings()).epoch == nil)
    }

    @Test func badValuesNameTheirKey() {
        for (toml, key) in [("[quadratic]\ngamma1 = 0\n", "quadratic.gamma1"), ("[quadratic]\noutput_law = \"gauss\"\n", "quadratic.output_law"),
                            ("[quadratic]\nactivation = \"linear\"\n", "quadratic.activation"), ("[quadratic]\npanel = \"h\"\n", "quadratic.panel"),
                            ("[training]\noptimizer = \"sgd\"\n", "training.optimizer"), ("[training]\nwidth = 0\n", "training.width"),
                            ("[training]\nepochs = 1.5\n", "training.epochs"), ("[training]\nlearning_rate = -1\n", "training.learning_rate"),
                            ("[training]\nspeed = 3\n", "training.speed")] {
            do { _ = try SessionFile.decode(toml); Issue.record("accepted \(toml)") } catch {
                #expect(error.key == key, "\(toml): \(error)")
            }
        }
        // one regime at a time
        do { _ = try SessionFile.decode("[quadratic]\nenabled = true\n[training]\nenabled = true\n"); Issue.record("two regimes enabled") } catch {
            #expect(error.key == "training.enabled")
        }
    }
}

@Suite struct RegimeModesExportTests {
    static let quadraticState: ExplorerState = {
        var s = ExplorerState(model: .figure1, themeNames: ["dark"], themeName: "dark")
        s.regime = .quadratic
        s.quadratic = QuadraticModeSettings(d: 12, check: true)
        return s
    }()
    /// A real solve and a real sample (relu, γ₁ = 0.5, γ₂ = 1, d = 12: p = 12, n = 72).
    static let quadraticContent: FrameContent = {
        var c = FrameContent(summary: ModelSummary(model: .figure1))
        ExplorerCore.QuadraticRegime().computeNow(state: quadraticState, content: &c)
        return c
    }()

    func rows(_ csv: String, _ kind: String) -> [[String]] {
        csv.split(separator: "\n").filter { $0.hasPrefix(kind + ",") }.map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
    }

    @Test func quadraticCSVHoldsTheLawsAndTheSample() throws {
        let csv = ViewExport.export(.csv, state: Self.quadraticState, content: Self.quadraticContent, width: 200, height: 60, theme: .fallback)
        #expect(csv.contains("# gamma1 = 0.5, gamma2 = 1.0, activation = relu (raw), output_law = rademacher"))
        #expect(csv.contains("mode=quadratic"))
        #expect(csv.contains(ViewExport.quadraticCSVHeader))
        let f = try #require(Self.quadraticContent.quadratic)
        let law = try #require(f.law), r = try #require(f.check?.result)
        for name in ["population", "marcenko_pastur", "ntk"] {
            #expect(rows(csv, "density").filter { $0[1] == name }.count == QuadraticCompute.gridPoints)
        }
        // the atom of H at a² of mass 1 − 1/(2γ₂) = 1/2 (D = ±1, γ₂ = 1: docs/quadratic.md)
        let atom = try #require(rows(csv, "atom").first { $0[1] == "population" })
        #expect(abs(Double(atom[2])! - law.constants.a2) < 1e-12 && abs(Double(atom[4])! - 0.5) < 1e-9)
        // every eigenvalue of the n × n NTK, bulk and outliers apart: d + 1 outliers for relu (c₀, c₁ ≠ 0)
        #expect(rows(csv, "bulk").count + rows(csv, "outlier").count == 72)
        #expect(rows(csv, "outlier").count == 13)
        let counts = rows(csv, "histogram").map { Int($0[6])! }
        let h = try #require(r.histogram)
        #expect(counts.reduce(0, +) + h.below + h.above == r.bulk.count)
        #expect(csv.contains("bulk KS = \(ViewExport.number(r.ks))"))
    }

    @Test func quadraticJSONParsesAndLeavesTheLinearLawsOut() throws {
        let text = ViewExport.export(.json, state: Self.quadraticState, content: Self.quadraticContent, width: 200, height: 60, theme: .fallback)
        let root = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect((root["laws"] as? [Any])?.isEmpty == true)
        let q = try #require(root["quadratic"] as? [String: Any])
        #expect(q["gamma1"] as? Double == 0.5 && q["checks_passed"] as? Bool == true)
        let constants = try #require(q["constants"] as? [String: Double])
        #expect(abs(constants["c0"]! - 0.5) < 1e-12 && abs(constants["c1_squared"]! - 1 / (2 * Double.pi)) < 1e-12)
        let sample = try #require(q["sample"] as? [String: Any])
        #expect((sample["outliers"] as? [Double])?.count == 13 && (sample["bulk"] as? [Double])?.count == 59)
        let config = try #require(root["config"] as? [String: Any])
        #expect((config["quadratic"] as? [String: Any])?["enabled"] as? Bool == true)
    }

    @Test func quadraticSVGIsWellFormedWithThreePanels() throws {
        let svg = ViewExport.export(.svg, state: Self.quadraticState, content: Self.quadraticContent, width: 200, height: 60, theme: .fallback)
        let parser = XMLParser(data: Data(svg.utf8))
        #expect(parser.parse())
        #expect(svg.components(separatedBy: "class=\"title\"").count - 1 == 3)
        #expect(svg.contains("[quadratic]\nenabled = true"))   // the session, embedded
    }

    @Test func trainingExportsUseTheRecordsWriters() throws {
        var s = ExplorerState(model: .figure1, themeNames: ["dark"], themeName: "dark")
        s.regime = .training
        s.training = TrainingModeSettings(n: 40, inputDim: 20, width: 24, depth: 2, epochs: 4, snapshotEvery: 2, run: true, epoch: 2)
        var c = FrameContent(summary: ModelSummary(model: .figure1))
        TrainingRegime().computeNow(state: s, content: &c)
        let f = try #require(c.training)
        #expect(f.error == nil && f.record.isComplete)
        let csv = ViewExport.export(.csv, state: s, content: c, width: 120, height: 40, theme: .fallback)
        #expect(csv.hasSuffix(f.record.eigenvalueCSV()))
        #expect(csv.contains("the view shows epoch 2, kernel ntk"))
        let json = ViewExport.export(.json, state: s, content: c, width: 120, height: 40, theme: .fallback)
        let root = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let t = try #require(root["training"] as? [String: Any])
        let record = try #require(t["record"] as? [String: Any])
        #expect((record["snapshots"] as? [Any])?.count == 3)   // epochs 0, 2, 4
        #expect((t["view"] as? [String: Any])?["epoch"] as? Int == 2)
        let laws = try #require(t["laws_at_initialisation"] as? [[String: Any]])
        #expect(laws.map { $0["kernel"] as? String } == ["ck", "ck", "ntk"])
        let svg = ViewExport.export(.svg, state: s, content: c, width: 120, height: 40, theme: .fallback)
        #expect(XMLParser(data: Data(svg.utf8)).parse())
        // the toml session reproduces the view: the same settings, the run, the epoch shown
        let toml = ViewExport.export(.toml, state: s, content: c, width: 120, height: 40, theme: .fallback)
        let back = try SessionFile.session(from: SessionFile.decode(toml)).makeState()
        #expect(back.regime == .training && back.training == s.training)
    }
}

/// The new settings of the quadratic and training modes in session files, and the shared svg panel's
/// labels.
@Suite struct ModeGapsExportTests {
    @Test func theInputsAndTheTrainingDataRoundTrip() throws {
        var s = ExplorerState(model: .figure1)
        s.regime = .quadratic
        s.quadratic.input = "rademacher"
        var back = try SessionFile.session(from: SessionFile.decode(SessionFile.encode(Session(state: s)))).makeState()
        #expect(back.quadratic.input == "rademacher" && back.quadratic.checkKey?.request.input == .rademacher)
        s.quadratic.input = "data:/somewhere/x.csv"
        back = try SessionFile.session(from: SessionFile.decode(SessionFile.encode(Session(state: s)))).makeState()
        // the file is named, and read again by the caller
        #expect(back.quadratic.input == "data:/somewhere/x.csv" && back.quadratic.pendingInputFile == "/somewhere/x.csv" && back.quadratic.checkKey == nil)
        do { _ = try SessionFile.decode("[quadratic]\ninput = \"uniform\"\n"); Issue.record("accepted input = uniform") } catch {
            #expect(error.key == "quadratic.input")
        }
        var t = ExplorerState(model: .figure1)
        t.regime = .training
        t.training.snapshotLog = 12
        t.training.dataPath = "/data/points.csv"; t.training.labels = "/data/labels.txt"
        let tb = try SessionFile.session(from: SessionFile.decode(SessionFile.encode(Session(state: t)))).makeState().training
        #expect(tb.snapshotLog == 12 && tb.schedule == .logSpaced(12))
        #expect(tb.pendingFiles.map(\.path) == ["/data/points.csv", "/data/labels.txt"] && tb.pendingFiles.map(\.purpose) == ["data", "labels"])
    }

    /// Text boxes of the svg's tick and axis labels (font size × 0.62 per character, the size high).
    func labelBoxes(_ svg: String) -> [(text: String, x0: Double, x1: Double, y0: Double, y1: Double)] {
        let tag = try! NSRegularExpression(pattern: #"<text ([^>]*)>([^<]*)</text>"#)
        let ns = svg as NSString
        func attribute(_ name: String, _ attrs: String) -> String? {
            guard let r = attrs.range(of: " \(name)=\"") ?? (attrs.hasPrefix("\(name)=\"") ? attrs.range(of: "\(name)=\"") : nil) else { return nil }
            return String(attrs[r.upperBound...].prefix { $0 != "\"" })
        }
        return tag.matches(in: svg, range: NSRange(location: 0, length: ns.length)).compactMap { m in
            let attrs = ns.substring(with: m.range(at: 1)), text = ns.substring(with: m.range(at: 2))
            guard let cls = attribute("class", attrs), cls == "tick-label" || cls == "axis-label",
                  let x = attribute("x", attrs).flatMap(Double.init), let y = attribute("y", attrs).flatMap(Double.init) else { return nil }
            let size = attribute("font-size", attrs).flatMap(Double.init) ?? 12
            let w = Double(text.count) * size * 0.62
            let x0: Double
            switch attribute("text-anchor", attrs) { case "middle": x0 = x - w / 2; case "end": x0 = x - w; default: x0 = x }
            return (text, x0, x0 + w, y - size, y)
        }
    }

    @Test func tickLabelsAndTheAxisLabelDoNotOverlap() {
        var svg = SVGBuilder(theme: .fallback)
        // wide tick labels at the right end, where the axis label used to sit on the same row
        ViewExport.xyPanel(&svg, rect: (0, 0, 220, 140), title: "loss", xLabel: "epoch", logX: false,
                           series: [(.theory, [(0, -1), (1234.5, -2), (2469, -3)])])
        let boxes = labelBoxes(svg.out)
        // at least two ticks on each axis (the shared tick model) and the x label
        #expect(boxes.filter { $0.text == "epoch" }.count == 1, "\(boxes)")
        #expect(boxes.filter { $0.y0 >= 100 && $0.text != "epoch" && $0.x0 >= 46 }.count >= 2, "x ticks: \(boxes)")
        #expect(boxes.filter { $0.x1 <= 46 }.count >= 2, "y ticks: \(boxes)")
        for i in boxes.indices {
            for j in boxes.indices where j > i {
                let a = boxes[i], b = boxes[j]
                let overlap = a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1
                #expect(!overlap, "'\(a.text)' overlaps '\(b.text)'")
            }
            // inside the panel
            #expect(boxes[i].x0 >= 0 && boxes[i].x1 <= 220 && boxes[i].y1 <= 140, "'\(boxes[i].text)' outside the panel")
        }
    }

    @Test func trainingSVGTitlesCountOutliersInGoodGrammar() throws {
        var s = ExplorerState(model: .figure1, themeNames: ["dark"], themeName: "dark")
        s.regime = .training
        s.training = TrainingModeSettings(n: 60, inputDim: 30, width: 40, depth: 2, epochs: 12, learningRate: 0.1, snapshotEvery: 4, run: true, panel: 1)
        var c = FrameContent(summary: ModelSummary(model: .figure1))
        TrainingRegime().computeNow(state: s, content: &c)
        let f = try #require(c.training)
        let svg = ViewExport.export(.svg, state: s, content: c, width: 120, height: 40, theme: .fallback)
        #expect(!svg.contains(" 1 outliers"))
        for k in try #require(f.record.snapshots.last).kernels where k.edge != nil {
            #expect(svg.contains("· \(TrainingLayout.outlierCount(k.outliers.count))"), "\(k.kernel)")
        }
    }
}

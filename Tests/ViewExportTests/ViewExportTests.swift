import ExplorerCore
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import LimitLaws
import PlotCanvas
import Testing
@testable import ViewExport

@Suite struct TextAndDataGoldenTests {
    @Test func txtGolden() {
        for view in ExplorerView.allCases {
            let text = ViewExport.text(state: Fixture.state(view: view), content: Fixture.content(), width: 100, height: 30)
            let g = Fixture.golden("\(view.rawValue)-100x30.txt", text)
            #expect(text == g.expected, "txt of the \(view.rawValue) view differs from Golden/\(view.rawValue)-100x30.txt")
        }
    }

    @Test func csvGolden() {
        var state = Fixture.state(view: .focus)
        state.empiricalOn = true
        state.sampleSize = 200
        state.seed = 7
        state.selection = 0
        let csv = ViewExport.csv(state: state, content: Fixture.content(empirical: true))
        let g = Fixture.golden("focus-input-empirical.csv", csv)
        #expect(csv == g.expected)
        let layers = ViewExport.csv(state: Fixture.state(), content: Fixture.content())
        #expect(layers == Fixture.golden("layers.csv", layers).expected)
    }

    @Test func txtIsTheScreenWithoutTimingOrPrompt() {
        var state = Fixture.state()
        let screen = ScreenLayout.render(state: state, content: Fixture.content(), width: 120, height: 30).plainText()
        #expect(screen.contains("solved in 12 ms"))
        state.exportPrompt = ExportPrompt(path: "x.svg")
        state.message = StatusMessage("hello")
        let text = ViewExport.text(state: state, content: Fixture.content(), width: 120, height: 30)
        #expect(!text.contains("solved in"))
        #expect(!text.contains("x.svg") && !text.contains("hello"))
        // everything else is the screen, row for row
        let a = screen.split(separator: "\n", omittingEmptySubsequences: false), b = text.dropLast().split(separator: "\n", omittingEmptySubsequences: false)
        #expect(a.count == b.count)
        #expect(Array(a.dropFirst()) == Array(b.dropFirst()))
    }

    @Test func ansiHasTheThemeColoursAndTheSameText() {
        let state = Fixture.state()
        let ansi = ViewExport.ansi(state: state, content: Fixture.content(), width: 100, height: 30, theme: Fixture.theme)
        // dark theme: theory #89dceb, background #1c1c24
        #expect(ansi.contains("38;2;137;220;235"))
        #expect(ansi.contains("48;2;28;28;36"))
        let stripped = ansi.replacingOccurrences(of: "\u{1B}\\[[0-9;]*m", with: "", options: .regularExpression)
        let plain = stripped.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            var s = String(line); while s.last == " " { s.removeLast() }; return s
        }.joined(separator: "\n")
        #expect(plain == ViewExport.text(state: state, content: Fixture.content(), width: 100, height: 30))
        #expect(ansi.split(separator: "\n").allSatisfy { $0.hasSuffix("\u{1B}[0m") })
    }

    @Test func jsonParsesAndHoldsTheConfigurationAndData() throws {
        var state = Fixture.state(view: .compare)
        state.empiricalOn = true
        let json = ViewExport.json(state: state, content: Fixture.content(empirical: true), width: 100, height: 30, theme: Fixture.theme)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let config = try #require(object["config"] as? [String: Any])
        let model = try #require(config["model"] as? [String: Any])
        #expect(model["activation"] as? String == "tanh")
        #expect(model["gammas"] as? [Double] == [0.5, 0.8])
        let laws = try #require(object["laws"] as? [[String: Any]])
        #expect(laws.map { $0["kernel"] as? String } == ["ck", "ntk"])
        let empirical = try #require(object["empirical"] as? [String: Any])
        let kernels = try #require(empirical["kernels"] as? [[String: Any]])
        #expect(kernels.count == 2)
        #expect((kernels[0]["eigenvalues"] as? [Double])?.count == 200)
    }
}

@Suite struct SVGTests {
    final class Collector: NSObject, XMLParserDelegate {
        var elements: [(name: String, attributes: [String: String])] = []
        var texts: [String] = []
        var current = ""
        func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                    attributes: [String: String] = [:]) {
            elements.append((name, attributes)); current = ""
        }
        func parser(_ parser: XMLParser, foundCharacters string: String) { current += string }
        func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
            if name == "text" { texts.append(current) }
        }
    }

    func parse(_ svg: String) throws -> Collector {
        let parser = XMLParser(data: Data(svg.utf8))
        let c = Collector()
        parser.delegate = c
        #expect(parser.parse(), "SVG is not well-formed XML: \(String(describing: parser.parserError))")
        return c
    }

    func count(_ c: Collector, _ name: String, cls: String) -> Int {
        c.elements.filter { $0.name == name && $0.attributes["class"] == cls }.count
    }

    @Test(arguments: ExplorerView.allCases)
    func wellFormedWithTheExpectedElements(view: ExplorerView) throws {
        var state = Fixture.state(view: view)
        state.empiricalOn = true
        let svg = ViewExport.svg(state: state, content: Fixture.content(empirical: true), width: 100, height: 30, theme: Fixture.theme)
        let c = try parse(svg)
        #expect(c.elements.first?.name == "svg")
        if view == .cdf || view == .edges {
            // line plots of F and Fₙ, or of the edges and atoms against ℓ
            #expect(count(c, "polyline", cls: "line") >= 2)
            return
        }
        let (densities, panels, histograms): (Int, Int, Int) = switch view {
        case .layers: (4, 4, 4)      // input, CK 1, CK 2, NTK
        case .compare: (4, 3, 2)     // A and B together, then each alone (with its histogram)
        case .focus: (1, 1, 1)
        case .cdf, .edges: (0, 0, 0)
        }
        #expect(count(c, "path", cls: "density") == densities)
        #expect(count(c, "g", cls: "panel") == panels)
        #expect(count(c, "text", cls: "title") == panels)
        #expect(count(c, "path", cls: "histogram") == histograms)
        #expect(count(c, "g", cls: "legend") == panels)
        #expect(count(c, "text", cls: "tick-label") >= 4 * panels)
        // the input law's atom at 0 is a marked point where the input law is shown
        let atoms = count(c, "circle", cls: "atom")
        #expect(atoms == (view == .compare ? 0 : (view == .focus ? 0 : 1)))
        // theme colours: background, theory / series, empirical
        #expect(svg.contains("fill=\"#1c1c24\""))
        #expect(svg.contains(view == .compare ? "#a6e3a1" : "#89dceb"))
        #expect(svg.contains("#f9a825"))
        #expect(svg.contains("font-family=\"'DejaVu Sans'"))
        // the session travels in the metadata
        #expect(svg.contains("[view]") && svg.contains("schema = 1"))
    }

    @Test func focusOnTheInputShowsItsAtom() throws {
        var state = Fixture.state(view: .focus)
        state.selection = 0
        let c = try parse(ViewExport.svg(state: state, content: Fixture.content(), width: 100, height: 30, theme: Fixture.theme))
        #expect(count(c, "circle", cls: "atom") == 1)
        #expect(c.texts.contains { $0.contains("25%") })
    }

    @Test func escapesText() throws {
        var state = Fixture.state()
        state.inputLabel = "a<b&c\".txt"
        state.model.input = .discrete(eigenvalues: [1, 1])
        var content = Fixture.content()
        content.summary = ModelSummary(model: state.model, inputLabel: state.inputLabel)
        _ = try parse(ViewExport.svg(state: state, content: content, width: 100, height: 30, theme: Fixture.theme))
    }

    /// Renders with rsvg-convert when it is installed (Debian: librsvg2-bin); skipped otherwise.
    @Test func rsvgConvertAcceptsIt() throws {
        let rsvg = ["/usr/bin/rsvg-convert", "/usr/local/bin/rsvg-convert"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let rsvg else { return }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ntkscope-svg-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var state = Fixture.state(view: .layers)
        state.empiricalOn = true
        let svgURL = dir.appendingPathComponent("v.svg"), png = dir.appendingPathComponent("v.png")
        try ViewExport.svg(state: state, content: Fixture.content(empirical: true), width: 100, height: 30, theme: Fixture.theme)
            .write(to: svgURL, atomically: true, encoding: .utf8)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: rsvg)
        p.arguments = [svgURL.path, "-o", png.path]
        p.standardError = FileHandle.nullDevice
        try p.run(); p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        let bytes = try Data(contentsOf: png)
        #expect(bytes.starts(with: [0x89, 0x50, 0x4E, 0x47]))
    }
}

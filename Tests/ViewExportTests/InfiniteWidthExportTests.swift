import ExplorerCore
import Foundation
import InfiniteWidth
import LimitLaws
import PlotCanvas
import Testing
@testable import ViewExport

@Suite struct InfiniteWidthExportTests {
    static func state(_ view: ExplorerView) -> ExplorerState {
        var s = Fixture.state(view: view)
        s.regime = .infiniteWidth
        s.infinite = InfiniteWidthSettings(dimension: 40, points: 30, order: 24)
        s.seed = 5
        return s
    }

    static func content(_ state: ExplorerState) -> FrameContent {
        var c = Fixture.content()
        c.infinite = InfiniteWidthCompute.compute(InfiniteWidthRequest(state: state))
        return c
    }

    @Test func sessionRoundTripKeepsTheModeAndItsSettings() throws {
        let s = Self.state(.focus)
        let text = SessionFile.encode(Session(state: s))
        #expect(text.contains("[infinite]\nenabled = true\ndimension = 40\npoints = 30\norder = 24"))
        let back = try SessionFile.session(from: try SessionFile.decode(text))
        #expect(back == Session(state: s))
        let state = back.makeState()
        #expect(state.regime == .infiniteWidth && state.infinite == s.infinite)
        // a linear-width session says so, and files without the table keep the defaults
        #expect(SessionFile.encode(Session(state: Fixture.state())).contains("[infinite]\nenabled = false"))
        #expect(try SessionFile.session(from: try SessionFile.decode("schema = 1\n")).regime == .linearWidth)
    }

    @Test func badInfiniteKeysNameTheKey() {
        #expect(throws: SessionError.self) { try SessionFile.decode("[infinite]\ndimension = 1\n") }
        do { _ = try SessionFile.decode("[infinite]\nsize = 3\n") } catch { #expect(error.key == "infinite.size") }
        do { _ = try SessionFile.decode("[infinite]\npoints = 99999\n") } catch { #expect(error.key == "infinite.points") }
    }

    @Test func csvHasCoefficientsSphereAndGramRows() {
        let s = Self.state(.focus)
        let csv = ViewExport.export(.csv, state: s, content: Self.content(s), width: 120, height: 36, theme: Fixture.theme)
        #expect(csv.contains("\n" + ViewExport.infiniteCSVHeader + "\n"))
        #expect(csv.contains("mode=infinite dimension=40 points=30 order=24"))
        for kind in ["hermite,", "coefficient,", "sphere,", "gram,input,", "gram,ntk,"] { #expect(csv.contains("\n" + kind)) }
        #expect(csv.split(separator: "\n").filter { $0.hasPrefix("gram,ntk,") }.count == 30)
        let compare = Self.state(.compare)
        let c = ViewExport.export(.csv, state: compare, content: Self.content(compare), width: 120, height: 36, theme: Fixture.theme)
        #expect(c.contains("\nlaw,ntk,2,") && c.contains("\ngamma_limit,ntk,2,"))
        #expect(c.split(separator: "\n").filter { $0.hasPrefix("sampled,ntk,2,") }.count == 30)
        #expect(c.contains("# sampled network (widths 40, "))
        #expect(!csv.contains("\nsampled,"))   // only in the compare view
    }

    @Test func jsonHasTheInfiniteWidthObject() throws {
        let s = Self.state(.compare)
        let json = ViewExport.export(.json, state: s, content: Self.content(s), width: 120, height: 36, theme: Fixture.theme)
        let root = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let inf = try #require(root["infinite_width"] as? [String: Any])
        #expect(inf["dimension"] as? Int == 40)
        let kernels = try #require(inf["kernels"] as? [[String: Any]])
        #expect(kernels.count == 5)   // K_0, K_1, K_2, Θ_1, Θ_2
        #expect((kernels[0]["coefficients"] as? [Any])?.count == 25)
        let gram = try #require(inf["gram"] as? [String: Any])
        #expect(((gram["ntk"] as? [String: Any])?["eigenvalues"] as? [Any])?.count == 30)
        #expect((inf["comparison"] as? [String: Any])?["gamma_limit"] != nil)
        let sample = try #require(inf["sample"] as? [String: Any])
        #expect((sample["eigenvalues"] as? [Any])?.count == 30)
        #expect(sample["ks_to_gram"] as? Double != nil && sample["ks_to_law"] as? Double != nil)
        #expect((root["config"] as? [String: Any])?["infinite"] != nil)
    }

    @Test(arguments: [ExplorerView.layers, .focus, .compare])
    func svgAndTextExportsWork(_ view: ExplorerView) {
        let s = Self.state(view)
        let c = Self.content(s)
        let svg = ViewExport.export(.svg, state: s, content: c, width: 120, height: 36, theme: Fixture.theme)
        #expect(svg.hasPrefix("<?xml") && svg.hasSuffix("</svg>\n"))
        #expect(svg.contains("<polyline"))
        #expect(svg.contains("[infinite]"))
        let txt = ViewExport.export(.txt, state: s, content: c, width: 120, height: 36, theme: Fixture.theme)
        #expect(txt.contains("INFINITE WIDTH") && txt.contains("d = 40 n = 30 order 24 │ input: uniform on S^39"))
    }
}

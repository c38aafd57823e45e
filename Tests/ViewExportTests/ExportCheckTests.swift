import ExplorerCore
import Foundation
@testable import LimitLaws
import PlotCanvas
import Testing
@testable import ViewExport

/// Every export format carries each law's self-check and notices (issue 10: a law that failed its
/// check was marked ✗ on screen and in the txt export only). The failing law is built here with a
/// known check (exact variance 2, solved 2.5), so the expected failure is fixed by the test, not
/// by whichever laws the engine happens to fail today.
@Suite struct ExportCheckTests {
    /// A table law on [1, 6] whose check failed on its variance, and the frame with it as the NTK.
    static func content(failing: Bool) -> FrameContent {
        var law = LimitSpectrum(kernel: .ntk, x: [1, 3.5, 6], density: [0, 0.4, 0], atoms: [], support: [1...6],
                                mean: 3.5, secondMoment: 14.25, continuousMass: 1, numericalMoments: [3.5, 14.75, 0, 0],
                                statistics: SolverStatistics(), cdfX: [1, 6], cdfF: [0, 1])
        law.exactVariance = 2
        law.check = SolverCheck(exactMean: 3.5, exactVariance: 2, mass: 1, meanDifference: 0,
                                variance: failing ? 2.5 : 2, tolerance: 1e-6)
        var c = Fixture.content()
        c.spectra[.ntk] = DisplaySpectrum(law)
        return c
    }

    static func ntkLaw(inJSON text: String) throws -> [String: Any] {
        let root = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let laws = try #require(root["laws"] as? [[String: Any]])
        return try #require(laws.first { $0["kernel"] as? String == "ntk" })
    }

    @Test func aFailedCheckIsInEveryFormat() throws {
        let state = Fixture.state(), content = Self.content(failing: true)
        // JSON: check, its failure, the notice, and the exact variance
        let ntk = try Self.ntkLaw(inJSON: ViewExport.json(state: state, content: content, width: 100, height: 30, theme: Fixture.theme))
        let check = try #require(ntk["check"] as? [String: Any])
        #expect(check["passed"] as? Bool == false)
        #expect((check["failure"] as? String)?.contains("variance 2.5 (exact 2.0)") == true, "\(check)")
        #expect((check["exact_variance"] as? Double) == 2 && (check["variance"] as? Double) == 2.5)
        let notices = try #require(ntk["notices"] as? [String])
        #expect(notices.contains { $0.hasPrefix("WARNING: solver self-check failed") && $0.contains("do not trust") }, "\(notices)")
        #expect(ntk["variance"] as? Double == 2)
        // the other laws (tables without a check) say nothing
        let root = try #require(try JSONSerialization.jsonObject(with: Data(ViewExport.json(state: state, content: content, width: 100, height: 30, theme: Fixture.theme).utf8)) as? [String: Any])
        for law in try #require(root["laws"] as? [[String: Any]]) where law["kernel"] as? String != "ntk" {
            #expect(law["check"] is NSNull && (law["notices"] as? [String])?.isEmpty == true)
        }
        // CSV: a comment line, before the table
        let csv = ViewExport.csv(state: state, content: content)
        let comment = try #require(csv.split(separator: "\n").first { $0.hasPrefix("# check NTK") })
        #expect(comment.contains("WARNING: solver self-check failed: variance 2.5"), "\(comment)")
        #expect(csv.range(of: "# check NTK")!.lowerBound < csv.range(of: ViewExport.csvHeader)!.lowerBound)
        // SVG: a text element marked ✗
        let svg = ViewExport.svg(state: state, content: content, width: 100, height: 30, theme: Fixture.theme)
        let notice = try #require(svg.split(separator: "\n").first { $0.contains("class=\"notice\"") })
        #expect(notice.contains("✗ NTK") && notice.contains("variance 2.5"), "\(notice)")
    }

    @Test func aPassedCheckIsSaidToo() throws {
        let state = Fixture.state(), content = Self.content(failing: false)
        let ntk = try Self.ntkLaw(inJSON: ViewExport.json(state: state, content: content, width: 100, height: 30, theme: Fixture.theme))
        let check = try #require(ntk["check"] as? [String: Any])
        #expect(check["passed"] as? Bool == true && check["failure"] is NSNull)
        #expect((ntk["notices"] as? [String])?.isEmpty == true)
        let csv = ViewExport.csv(state: state, content: content)
        #expect(csv.contains("# check NTK: self-check passed"), "\(csv.prefix(600))")
        let svg = ViewExport.svg(state: state, content: content, width: 100, height: 30, theme: Fixture.theme)
        // 3 tables without a check and the checked NTK
        #expect(svg.contains("solver self-check passed for 1 of the 4 laws shown"), "\(svg.prefix(1500))")
    }
}

import Testing
import LimitLaws
@testable import ExplorerCore

/// The support caption under a layers-view panel: both edges are always readable. At 80×24 the
/// panels are 20 cells wide and "[2.72, 54.2] in 2 parts" (23 characters) was cut to "… in 2 p".
@Suite struct EdgesCaptionTests {
    static func twoParts() -> DisplaySpectrum {
        DisplaySpectrum(kernel: .ntk, x: [2.72, 10, 54.2], density: [0, 0.1, 0], atoms: [],
                        support: [2.72...20, 30...54.2], mean: 20, secondMoment: 500)
    }

    @Test func theLongestWordingThatFitsIsChosen() {
        let s = Self.twoParts()
        #expect(LinearWidthLayout.edgesText(s) == "[2.72, 54.2] in 2 parts")
        #expect(LinearWidthLayout.edgesText(s, width: 23) == "[2.72, 54.2] in 2 parts")
        #expect(LinearWidthLayout.edgesText(s, width: 20) == "[2.72, 54.2] 2 parts")
        #expect(LinearWidthLayout.edgesText(s, width: 19) == "[2.72,54.2] 2 parts")
        #expect(LinearWidthLayout.edgesText(s, width: 18) == "[2.72, 54.2]")          // the count goes first
        #expect(LinearWidthLayout.edgesText(s, width: 11) == "[2.72,54.2]")
        #expect(LinearWidthLayout.edgesText(s, width: 5) == "[2.72,54.2]")   // nothing fits: the shortest, cut by the grid
        let one = MockSpectra.marcenkoPastur(.ck(1), gamma: 0.5)
        #expect(LinearWidthLayout.edgesText(one, width: 12)?.hasPrefix("[") == true)
        #expect(LinearWidthLayout.edgesText(one, width: 12)?.contains(", ") == false)
    }

    @Test func aNarrowPanelShowsBothEdgesWhole() {
        var content = MockSpectra.content()
        content.spectra[.ntk] = Self.twoParts()
        let panel = LinearWidthLayout.panel(kernel: .ntk, state: MockSpectra.state(), content: content, width: 20, height: 8, selected: false)
        let caption = String(panel.row(7).map { Character($0.scalar) })
        #expect(caption.trimmingCharacters(in: .whitespaces) == "[2.72, 54.2] 2 parts")
    }
}

import ExplorerCore
import Foundation
import InfiniteWidth
import LimitLaws
import Testing
@testable import ViewExport

/// The [infinite] table carries the initialisation and a data file's path.
@Suite struct InitialisationSessionTests {
    @Test func initialisationAndDataPathRoundTrip() throws {
        var s = ExplorerState(model: .figure1)
        s.regime = .infiniteWidth
        s.infinite.initialisation = Initialisation(weightVariance: 0.64, biasVariance: 0.36, centre: false, normalise: true)
        let text = SessionFile.encode(Session(state: s))
        #expect(text.contains("weight_variance = 0.64\nbias_variance = 0.36\ncentre = false\nnormalise = true"))
        let back = try SessionFile.session(from: try SessionFile.decode(text))
        #expect(back.makeState().infinite == s.infinite)
        // a data file is named by its path (d and n are read from it again, not written)
        let pts = try InputPoints.make(.uniformSphere(n: 5, dimension: 3, seed: 1))
        s.infinite.data = InfiniteWidthData(source: "my data.npy", points: pts, notice: "")
        let withData = SessionFile.encode(Session(state: s))
        #expect(withData.contains("data = \"my data.npy\"") && !withData.contains("\ndimension = "))
        #expect(try SessionFile.session(from: try SessionFile.decode(withData)).infiniteDataPath == "my data.npy")
    }

    @Test func badInitialisationKeysNameTheKey() {
        for (text, key) in [("[infinite]\nweight_variance = 0\n", "infinite.weight_variance"),
                            ("[infinite]\nbias_variance = -1\n", "infinite.bias_variance"),
                            ("[infinite]\ncentre = 3\n", "infinite.centre")] {
            do { _ = try SessionFile.decode(text); Issue.record("accepted \(text)") } catch { #expect(error.key == key) }
        }
    }
}

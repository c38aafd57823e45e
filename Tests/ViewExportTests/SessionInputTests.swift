import ExplorerCore
import Foundation
import LimitLaws
import Testing
@testable import ViewExport

/// Session files hold what the command line holds, with the same rules.
@Suite struct SessionInputTests {
    func decodeError(_ text: String) -> SessionError? {
        do { _ = try SessionFile.session(from: SessionFile.decode(text)); return nil } catch { return error }
    }

    /// `gammas` of length 2 with `depth = 7` gave L = 2 silently; the command line calls it an error.
    @Test func depthMustAgreeWithGammas() throws {
        let e = decodeError("[model]\ngammas = [0.5, 2]\ndepth = 7\n")
        #expect(e?.key == "model.depth")
        #expect(e?.reason.contains("(2)") == true)
        let ok = try SessionFile.session(from: SessionFile.decode("[model]\ngammas = [0.5, 2]\ndepth = 2\n"))
        #expect(ok.model.gammas == [0.5, 2])
    }

    @Test func tauIsBounded() {
        #expect(decodeError("[model]\ndepth = 1\ntau = [1, 1e100]\n")?.key == "model.tau")
        #expect(decodeError("[model]\ndepth = 1\ntau = [1, 1e-9]\n")?.key == "model.tau")
    }

    /// A compressed (weighted) input law is written as points and weights and read back equal.
    @Test func weightedInputLawsRoundTrip() throws {
        let values = (0..<30_000).map { 0.1 + Double($0) * 1e-4 }
        let law = DiscreteLaw(eigenvalues: values.map { $0 / (values.reduce(0, +) / Double(values.count)) }).compressed()
        #expect(law.compression != nil)
        let state = ExplorerState(model: NetworkModel(activation: NetworkModel.figure1.activation, input: .discrete(law), gammas: [0.5]),
                                  themeNames: ["dark"])
        let toml = SessionFile.encode(Session(state: state))
        #expect(toml.contains("input_weights = ["))
        let back = try SessionFile.session(from: SessionFile.decode(toml))
        guard case .discrete(let read) = back.model.input else { Issue.record("not discrete"); return }
        #expect(read.values == law.values && read.weights == law.weights)
        // bad weights are refused with the key
        #expect(decodeError("[model]\ninput = \"eigenvalues\"\ninput_eigenvalues = [1, 2]\ninput_weights = [1]\n")?.key == "model.input_weights")
        #expect(decodeError("[model]\ninput = \"eigenvalues\"\ninput_eigenvalues = [1, 2]\ninput_weights = [1, -1]\n")?.key == "model.input_weights")
        // equal weights with ties are written as the eigenvalues themselves
        let ties = ExplorerState(model: NetworkModel(activation: NetworkModel.figure1.activation, input: .discrete(eigenvalues: [0.5, 0.5, 2]), gammas: [0.5]),
                                 themeNames: ["dark"])
        let t = SessionFile.encode(Session(state: ties))
        #expect(t.contains("input_eigenvalues = [0.5, 0.5, 2") && !t.contains("input_weights"))
    }

    /// `input = "file"` reads the file with the same parser as --input-spectrum (CRLF, BOM).
    @Test func inputFilesAreReadLikeTheCommandLine() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ntkscope-session-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("spec.csv").path
        try Data([0xEF, 0xBB, 0xBF] + Array("lambda\r\n1\r\n3\r\n".utf8)).write(to: URL(fileURLWithPath: path))
        let s = try SessionFile.session(from: SessionFile.decode("[model]\ninput = \"file\"\ninput_file = \"\(path)\"\ndepth = 1\n"))
        guard case .discrete(let law) = s.model.input else { Issue.record("not discrete"); return }
        #expect(law.values == [0.5, 1.5])
        try "1\n-3\n".write(toFile: path, atomically: true, encoding: .utf8)
        let e = decodeError("[model]\ninput = \"file\"\ninput_file = \"\(path)\"\ndepth = 1\n")
        #expect(e?.key == "model.input_file" && e?.reason.contains("line 2") == true)
    }
}

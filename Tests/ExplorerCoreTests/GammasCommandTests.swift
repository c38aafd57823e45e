import Testing
import LimitLaws
@testable import ExplorerCore

/// `:gammas` reads its list as the command line reads `--gammas`: an empty item is an error
/// (it was dropped silently: `:gammas 0.5,,2` gave depth 2).
@Suite struct GammasCommandTests {
    func run(_ command: String) -> ExplorerState {
        var s = ExplorerState(model: .figure1, themeNames: ["dark"])
        for c in ":" + command {
            if let a = KeyMap.action(for: .character(c), in: s) { _ = ExplorerReducer.reduce(&s, a) }
        }
        if let a = KeyMap.action(for: .enter, in: s) { _ = ExplorerReducer.reduce(&s, a) }
        return s
    }

    @Test(arguments: ["gammas 0.5,,2", "gammas 0.5,2,", "gammas ,0.5", "gammas 0.5,x", "gammas 0.5,0", "gammas 1e5", "gammas 1,nan"])
    func badListsAreRefusedAndChangeNothing(command: String) {
        let s = run(command)
        #expect(s.message?.isError == true, "\(command)")
        #expect(s.model == .figure1, "\(command)")
    }

    @Test(arguments: [("gammas 0.5,0.7,2", [0.5, 0.7, 2.0]), ("gammas 0.5, 0.7", [0.5, 0.7]), ("gammas 0.5 0.7 3", [0.5, 0.7, 3])])
    func listsWithCommasOrSpaces(command: String, gammas: [Double]) {
        let s = run(command)
        #expect(s.message?.isError != true, "\(command)")
        #expect(s.model.gammas == gammas)
    }
}

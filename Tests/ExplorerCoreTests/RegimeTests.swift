import Testing
import LimitLaws
import PlotCanvas
@testable import ExplorerCore

/// The regime abstraction: every registered regime is reachable by `w` and `:mode`, keeps its settings
/// through undo, claims only its own keys, and draws every view at every size.
@Suite struct RegimeTests {
    func press(_ state: inout ExplorerState, _ key: Key) {
        if let a = KeyMap.action(for: key, in: state) { _ = ExplorerReducer.reduce(&state, a) }
    }

    @Test func wCyclesThroughEveryRegimeAndBack() {
        var s = ExplorerState(model: .figure1)
        var seen: [RegimeID] = [s.regime]
        for _ in 1..<Regimes.all.count { press(&s, .character("w")); seen.append(s.regime) }
        #expect(seen == RegimeID.allCases)
        press(&s, .character("w"))
        #expect(s.regime == .linearWidth)
        #expect(s.undoStack.isEmpty)   // the regime is a view choice
    }

    @Test func modeCommandNamesEveryRegime() {
        for id in RegimeID.allCases {
            var s = ExplorerState(model: .figure1)
            _ = ExplorerCommand.run("mode \(id.rawValue)", state: &s)
            #expect(s.regime == id)
            #expect(s.message?.isError != true)
        }
        var s = ExplorerState(model: .figure1)
        _ = ExplorerCommand.run("mode quadratic-nonsense", state: &s)
        #expect(s.message?.isError == true && s.message!.text.contains(RegimeID.allCases.map(\.rawValue).joined(separator: "|")))
        #expect(RegimeID(rawValue: "nonsense") == nil)
    }

    @Test func regimeKeysOnlyWhileTheRegimeIsShownAndNoDuplicateKeys() {
        let shared = Set(KeyMap.bindings.flatMap(\.keys))
        for r in Regimes.all {
            let keys = r.bindings.flatMap(\.keys)
            #expect(Set(keys).count == keys.count, "\(r.id): a key bound twice")
            var s = ExplorerState(model: .figure1)
            s.regime = r.id
            for b in r.bindings { for k in b.keys { #expect(KeyMap.action(for: k, in: s) == b.action) } }
            // in another regime the shared meaning (or nothing) applies
            s.regime = Regimes.next(after: r.id)
            for b in r.bindings where !Regimes.regime(s.regime).bindings.contains(where: { $0.keys.contains(b.keys[0]) }) {
                #expect(KeyMap.action(for: b.keys[0], in: s) == KeyMap.normal[b.keys[0]])
            }
            _ = shared
        }
    }

    @Test func regimeSettingsAreUndoneAndResetLikeTheModel() {
        var s = ExplorerState(model: .figure1)
        let fresh = s.regimeSettings
        _ = ExplorerCommand.run("dim 37", state: &s)
        #expect(s.regimeSettings != fresh)
        // setting a value back to the default compares equal to a fresh store
        var t = s.regimeSettings
        t.set(.infiniteWidth, InfiniteWidthSettings())
        #expect(t == fresh)
        press(&s, .character("r"))
        #expect(s.regimeSettings == fresh)
        press(&s, .character("u"))
        #expect(s.infinite.dimension == 37)
    }

    @Test func sessionKeysReadAndWriteTheirSettings() {
        for r in Regimes.all {
            guard let section = r.session else { continue }
            var store = RegimeSettingsStore()
            for key in section.keys where key.isWritten(store) {   // a key not written for the defaults has no default value
                let v = key.get(store)
                #expect(key.kind.check(v) == v, "\(section.table).\(key.name): the default is not allowed by its kind")
                key.set(&store, v)
            }
            #expect(store == RegimeSettingsStore())
        }
    }

    @Test func everyRegimeDrawsEveryViewAtEverySize() {
        for r in Regimes.all {
            for view in ExplorerView.allCases {
                var s = MockSpectra.state(view: view)
                s.regime = r.id
                for (w, h) in [(1, 1), (40, 10), (80, 24), (200, 60)] {
                    let g = ScreenLayout.render(state: s, content: MockSpectra.content(empirical: true), width: w, height: h)
                    #expect(g.width == w && g.height == h)
                }
            }
        }
    }
}

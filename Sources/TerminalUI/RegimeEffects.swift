import ExplorerCore

extension EventLoop {
    /// The shown regime's background computation (Regimes/Regime.swift): made the first time the
    /// regime is shown, then asked on every turn to follow the state. Returns whether the screen changed.
    mutating func updateRegime() -> Bool {
        let id = state.regime
        // when the shown regime changes, the others stop what only matters on screen
        if shownRegime != id {
            for (other, computation) in regimeComputations where other != id { computation.leave() }
            shownRegime = id
        }
        if regimeComputations[id] == nil {
            let wake = self.wake
            guard let made = state.currentRegime.makeComputation(notify: { wake.signal() }) else { return false }
            regimeComputations[id] = made
        }
        var changed = regimeComputations[id]!.update(state: state, content: &content)
        for m in regimeComputations[id]!.takeMessages() {
            _ = ExplorerReducer.reduce(&state, .status(m.text, isError: m.isError))
            changed = true
        }
        return changed
    }
}

extension EventLoop {
    /// Reads a file a regime asked for (`ExplorerEffect.readRegimeFile`) and hands it the bytes or
    /// the reason they could not be read.
    mutating func readRegimeFile(_ regime: RegimeID, path: String, purpose: String) {
        _ = ExplorerReducer.reduce(&state, .regime(AnyRegimeAction(regime, RegimeFileRead.read(path: path, purpose: purpose))))
    }
}

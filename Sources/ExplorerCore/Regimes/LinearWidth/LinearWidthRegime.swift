import PlotCanvas

/// The linear-width regime (Fan & Wang 2020), the default: the limit laws of the CK layers and the
/// NTK from `LimitLawEngine`, solved by the event loop's shared `SolveScheduler` (with zoom windows)
/// and checked against a sampled network (`s`). Its keys are the shared table's (KeyMap.bindings) and
/// its settings are the model's, so it has no table of its own in session files.
public struct LinearWidthRegime: ExplorerRegime {
    public init() {}
    public var id: RegimeID { .linearWidth }
    public var title: String { "linear width" }

    public func enterMessage(state: ExplorerState) -> StatusMessage {
        StatusMessage("linear width (w: \(Regimes.next(after: id).title))")
    }

    public var footerKeys: String { ScreenLayout.footerKeys }

    public func bodyFits(state: ExplorerState, width: Int, bodyHeight: Int) -> (fits: Bool, needed: String) {
        guard state.view == .layers else { return (true, "") }
        let fits = ScreenLayout.panelArrangement(count: state.depth + 2, width: width, height: bodyHeight) != nil
        return (fits, ScreenLayout.neededForPanels(state.depth + 2, minimumPanel: ScreenLayout.minimumPanel))
    }

    public func drawBody(_ body: inout ScreenGrid, state: ExplorerState, content: FrameContent) {
        switch state.view {
        case .layers:
            guard let arrangement = ScreenLayout.panelArrangement(count: state.depth + 2, width: body.width, height: body.height) else { return }
            ScreenLayout.drawLayers(&body, state: state, content: content, arrangement: arrangement)
        case .compare: ScreenLayout.drawCompare(&body, state: state, content: content)
        case .focus: ScreenLayout.drawFocus(&body, state: state, content: content)
        }
    }
}

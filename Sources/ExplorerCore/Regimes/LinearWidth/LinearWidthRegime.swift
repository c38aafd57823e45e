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
        // the layers view pages its panels: it needs room for one
        let fits = ScreenLayout.layersPaging(count: state.laws.count, width: width, height: bodyHeight - (state.empiricalOn ? 1 : 0)) != nil
        return (fits, "\(ScreenLayout.minimumPanel.width)×\(ScreenLayout.minimumPanel.height + 4 + (state.empiricalOn ? 1 : 0)) for one panel")
    }

    public func drawBody(_ body: inout ScreenGrid, state: ExplorerState, content: FrameContent) {
        switch state.view {
        case .layers: LinearWidthLayout.drawLayers(&body, state: state, content: content)
        case .compare: LinearWidthLayout.drawCompare(&body, state: state, content: content)
        case .focus: LinearWidthLayout.drawFocus(&body, state: state, content: content)
        case .cdf: LinearWidthLayout.drawCDF(&body, state: state, content: content)
        case .edges: LinearWidthLayout.drawEdges(&body, state: state, content: content)
        }
    }
}

import ExplorerCore

extension EventLoop {
    /// Zoom re-solving (ExplorerCore/ZoomResolve.swift): sends the scheduler the windows the view
    /// needs when they change, and attaches the re-solved grids as they arrive. Until then the plots
    /// show the full-range grid magnified. Returns whether what is drawn changed.
    mutating func updateZoom() -> Bool {
        let wake = self.wake
        // as after a model change, a fast window solve lands in this very frame
        return zoom.sync(scheduler: scheduler, state: state, content: &content, displayedModel: displayedModel,
                         waitBriefly: { wake.wait(milliseconds: 14) }).changed
    }
}

import ExplorerCore

extension EventLoop {
    /// In the infinite-width mode: asks the background scheduler for the frame of the current
    /// settings (once per change) and takes finished frames. Returns whether the screen changed.
    mutating func updateInfiniteWidth() -> Bool {
        guard state.mode == .infiniteWidth else { return false }
        let request = InfiniteWidthRequest(state: state)
        if request != infiniteRequested {
            infiniteRequested = request
            infiniteScheduler.request(request)
        }
        guard let frame = infiniteScheduler.takeResult() else { return false }
        content.infinite = frame
        return true
    }
}

import ExplorerCore
import Foundation
import ViewExport

extension EventLoop {
    /// The export effects: open the prompt with a default name, or write the view and report on the
    /// status line. A failure is a status-line error; the explorer keeps running either way.
    mutating func performExport(_ effect: ExplorerEffect) {
        switch effect {
        case .prepareExport:
            let path = ExportPrompt.defaultPath(view: state.view, date: Date())
            _ = ExplorerReducer.reduce(&state, .exportPrompt(.open(defaultPath: path)))
        case .writeExport(let path, let format, let overwrite):
            let (w, h) = screen.size
            var exported = state
            exported.exportPrompt = nil
            // what is on screen: the laws displayed (possibly of an older model while a solve runs)
            let text = ViewExport.export(format, state: exported, content: content, width: w, height: h, theme: theme)
            do {
                let absolute = try AtomicFile.write(text, to: path, overwrite: overwrite)
                var note = ""
                if displayedModel != state.model { note = " (the plots were still being solved for the latest change)" }
                else if content.solve.zoomPending { note = " (the zoomed ranges were still being solved: magnified curves)" }
                _ = ExplorerReducer.reduce(&state, .status("exported \(format.rawValue) to \(absolute)\(note)", isError: false))
            } catch {
                if error.reason == .exists {
                    _ = ExplorerReducer.reduce(&state, .exportPrompt(.fileExists(path)))
                } else {
                    _ = ExplorerReducer.reduce(&state, .status("export failed: \(error.description)", isError: true))
                }
            }
        default:
            break
        }
    }
}

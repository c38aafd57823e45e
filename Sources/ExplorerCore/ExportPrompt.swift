import Foundation
import PlotCanvas

/// The formats `e` (and `ntkscope render`) can write. The file name's extension picks the format.
public enum ExportFormat: String, Sendable, Hashable, CaseIterable {
    case txt, ansi, svg, csv, json, toml

    public var fileExtension: String { rawValue }

    /// The format of a file name from its extension (`.ans` is accepted for ansi).
    public static func from(path: String) -> ExportFormat? {
        let ext = (path as NSString).pathExtension.lowercased()
        if ext == "ans" { return .ansi }
        return ExportFormat(rawValue: ext)
    }

    /// What a format holds, for the prompt and help.
    public var summary: String {
        switch self {
        case .txt: return "the screen as text"
        case .ansi: return "the screen with colours (cat shows it)"
        case .svg: return "a vector figure"
        case .csv: return "the data of every curve and histogram"
        case .json: return "the data and the configuration"
        case .toml: return "a session file (ntkscope --config FILE reopens the view)"
        }
    }
}

/// The `e` prompt: a file name whose extension picks the format (Tab cycles it), then, if the file
/// exists, a y/n confirmation. The file is written by the shell (`ExplorerEffect.writeExport`).
public struct ExportPrompt: Sendable, Hashable {
    public enum Stage: Sendable, Hashable {
        case editing
        /// The file exists: `y` replaces it.
        case confirmOverwrite
    }
    public var path: String
    public var stage: Stage = .editing

    public init(path: String, stage: Stage = .editing) { self.path = path; self.stage = stage }

    public var format: ExportFormat? { ExportFormat.from(path: path) }

    /// The file name with its extension replaced by `format`'s.
    public static func replacingExtension(_ path: String, with format: ExportFormat) -> String {
        let ns = path as NSString
        let base = ns.pathExtension.isEmpty ? path : ns.deletingPathExtension
        return base + "." + format.fileExtension
    }

    /// The default file name in the current folder: `ntkscope-<view>-<yyyyMMdd-HHmmss>.svg`.
    public static func defaultPath(view: ExplorerView, date: Date, format: ExportFormat = .svg) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone.current
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        let stamp = String(format: "%04d%02d%02d-%02d%02d%02d", c.year ?? 0, c.month ?? 0, c.day ?? 0,
                           c.hour ?? 0, c.minute ?? 0, c.second ?? 0)
        return "ntkscope-\(view.rawValue)-\(stamp).\(format.fileExtension)"
    }

    /// The status-line text of the prompt, whole.
    public var line: String { line(width: .max) }

    /// The status-line text of the prompt in `width` columns. While editing, the format that will
    /// be written ("[svg]") stays in view: the help gets shorter first, then the file name loses
    /// its start ("…", the end being typed stays); the question keeps its end the same way.
    public func line(width: Int) -> String {
        guard width > 0 else { return "" }
        let file = path + "█"
        func leftElided(_ head: String, _ text: String, _ tail: String = "") -> String? {
            let room = width - head.count - tail.count
            guard room >= 2 else { return nil }
            return head + (text.count <= room ? text : "…" + String(text.suffix(room - 1))) + tail
        }
        switch stage {
        case .editing:
            let formats = ExportFormat.allCases.map { $0 == format ? "[\($0.rawValue)]" : $0.rawValue }.joined(separator: " ")
            let marker = format.map { "[\($0.rawValue)]" } ?? "[no format]"
            for head in ["export \(format == nil ? marker + " " : "")(Tab: \(formats), Enter writes, Esc cancels) file: ",
                         "export \(marker) (Tab: next format, Enter writes, Esc cancels) file: ",
                         "export \(marker) (Tab: format) file: "] where head.count + file.count <= width {
                return head + file
            }
            return leftElided("export \(marker) file: ", file) ?? leftElided("\(marker) ", file) ?? String(marker.prefix(width))
        case .confirmOverwrite:
            let question = " exists: replace it? y/n"
            return leftElided("", path, question) ?? String(("…" + question).suffix(width))
        }
    }
}

/// What the keys do while the export prompt is open, and what the shell reports back.
public enum ExportPromptAction: Sendable, Hashable {
    /// From the shell: open the prompt with this default file name.
    case open(defaultPath: String)
    case input(Character), backspace, cycleFormat, submit, cancel
    /// From the shell: the file exists; ask before replacing it.
    case fileExists(String)
    case confirm, decline
    /// A key that is no answer to "replace it? y/n" (typed ahead, or a change of mind): the prompt
    /// closes keeping the file, then the key does what it does without the prompt (nil: nothing).
    indirect case declineThen(ExplorerAction?)
}

public enum ExportPromptReducer {
    /// The key → action mapping while the prompt is open.
    public static func action(for key: Key, prompt: ExportPrompt) -> ExplorerAction? {
        switch prompt.stage {
        case .editing:
            switch key {
            case .enter: return .exportPrompt(.submit)
            case .escape: return .exportPrompt(.cancel)
            case .backspace: return .exportPrompt(.backspace)
            case .tab: return .exportPrompt(.cycleFormat)
            case .character(let c): return .exportPrompt(.input(c))
            default: return nil
            }
        case .confirmOverwrite:
            switch key {
            case .character("y"), .character("Y"): return .exportPrompt(.confirm)
            case .character("n"), .character("N"), .escape, .enter: return .exportPrompt(.decline)
            default: return nil
            }
        }
    }

    public static func reduce(_ state: inout ExplorerState, _ action: ExportPromptAction) -> [ExplorerEffect] {
        switch action {
        case .open(let path):
            state.overlay = nil
            state.commandLine = nil
            state.exportPrompt = ExportPrompt(path: path)
        case .input(let c):
            state.exportPrompt?.path.append(c)
        case .backspace:
            if let p = state.exportPrompt, !p.path.isEmpty { state.exportPrompt?.path.removeLast() }
        case .cycleFormat:
            guard let p = state.exportPrompt else { return [] }
            let all = ExportFormat.allCases
            let next = p.format.map { all[(all.firstIndex(of: $0)! + 1) % all.count] } ?? .svg
            state.exportPrompt?.path = ExportPrompt.replacingExtension(p.path, with: next)
        case .submit:
            guard let p = state.exportPrompt else { return [] }
            let path = p.path.trimmingCharacters(in: .whitespaces)
            guard !path.isEmpty else {
                state.message = StatusMessage("export: give a file name", isError: true)
                return []
            }
            guard let format = ExportFormat.from(path: path) else {
                state.message = StatusMessage("export: unknown format '.\((path as NSString).pathExtension)' — use "
                    + ExportFormat.allCases.map { "." + $0.rawValue }.joined(separator: " ") + " (Tab cycles)", isError: true)
                return []
            }
            state.exportPrompt = nil
            return [.writeExport(path: path, format: format, overwrite: false)]
        case .cancel:
            state.exportPrompt = nil
            state.message = StatusMessage("export cancelled")
        case .fileExists(let path):
            state.exportPrompt = ExportPrompt(path: path, stage: .confirmOverwrite)
        case .confirm:
            guard let p = state.exportPrompt, let format = p.format else { return [] }
            state.exportPrompt = nil
            return [.writeExport(path: p.path, format: format, overwrite: true)]
        case .decline:
            state.exportPrompt = nil
            state.message = StatusMessage("export cancelled: the existing file was kept")
        case .declineThen:   // ExplorerReducer runs the key's own action after the decline
            return reduce(&state, .decline)
        }
        return []
    }

    /// `:export [FILE]`: without a file opens the prompt, with one writes it (asking before replacing).
    public static func command(_ args: [String], state: inout ExplorerState) -> [ExplorerEffect] {
        guard !args.isEmpty else { return [.prepareExport] }
        let path = args.joined(separator: " ")
        guard let format = ExportFormat.from(path: path) else {
            state.message = StatusMessage("usage: :export [FILE.txt|.ansi|.svg|.csv|.json|.toml]", isError: true)
            return []
        }
        return [.writeExport(path: path, format: format, overwrite: false)]
    }
}

extension ScreenLayout {
    /// The export prompt on the status line (drawn over the footer while it is open).
    static func drawExportPrompt(_ grid: inout ScreenGrid, prompt: ExportPrompt) {
        let y = grid.height - 1
        guard y >= 0 else { return }
        grid.fill(x: 0, y: y, width: grid.width, height: 1, with: Cell(" ", role: .statusBar))
        grid.write(prompt.line(width: grid.width), x: 0, y: y, role: prompt.stage == .confirmOverwrite ? .warning : .statusBar,
                   attributes: prompt.stage == .confirmOverwrite ? [.bold] : [])
    }
}

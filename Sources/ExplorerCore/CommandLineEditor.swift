import Foundation
import LimitLaws
import PlotCanvas

/// The `:` command line's editing state: the cursor in the text, the history of commands run
/// (↑/↓, kept for the session), and what Tab last offered. Pure; the text itself is
/// `ExplorerState.commandLine`.
public struct CommandLineEditor: Sendable, Hashable {
    /// Cursor position in the text, in characters (0 … count).
    public var cursor = 0
    /// Commands run, oldest first (at most `historyLimit`, no immediate repeats).
    public var history: [String] = []
    /// While browsing the history: the entry shown, and the line that was being typed.
    public var historyIndex: Int?
    public var draft = ""
    public static let historyLimit = 100

    public init() {}

    /// What a key does on the command line.
    public enum Edit: Sendable, Hashable {
        case insert(Character), backspace, delete, left, right, home, end, clear, deleteWord
        case historyPrevious, historyNext
        case complete
        /// The shell's answer to a path completion: the entries that start with the word typed.
        case completions([String])
    }

    /// Applies `edit` to `line`; returns the new line and, for Tab on a file name, the word whose
    /// completions the shell must list (it reads the folder; the reducer does no I/O).
    public mutating func apply(_ edit: Edit, to line: inout String, message: inout StatusMessage?) -> String? {
        var chars = Array(line)
        cursor = min(max(0, cursor), chars.count)
        switch edit {
        case .insert(let c):
            chars.insert(c, at: cursor); cursor += 1
        case .backspace:
            if cursor > 0 { chars.remove(at: cursor - 1); cursor -= 1 }
        case .delete:
            if cursor < chars.count { chars.remove(at: cursor) }
        case .left: cursor = max(0, cursor - 1)
        case .right: cursor = min(chars.count, cursor + 1)
        case .home: cursor = 0
        case .end: cursor = chars.count
        case .clear:
            chars.removeSubrange(0..<cursor); cursor = 0
        case .deleteWord:
            var i = cursor
            while i > 0, chars[i - 1] == " " { i -= 1 }
            while i > 0, chars[i - 1] != " " { i -= 1 }
            chars.removeSubrange(i..<cursor); cursor = i
        case .historyPrevious, .historyNext:
            guard !history.isEmpty else { break }
            if historyIndex == nil { draft = String(chars) }
            let current = historyIndex ?? history.count
            let next = edit == .historyPrevious ? max(0, current - 1) : current + 1
            if next >= history.count {
                historyIndex = nil
                chars = Array(draft)
            } else {
                historyIndex = next
                chars = Array(history[next])
            }
            cursor = chars.count
        case .complete:
            let (start, word) = Self.wordBeforeCursor(chars, cursor)
            let position = chars[..<start].split(separator: " ").count   // 0 = the command name
            let command = position == 0 ? "" : String(chars.split(separator: " ").first ?? []).lowercased()
            if position > 0, Self.pathCommands.contains(command) {
                line = String(chars)
                return Self.expandHome(word)
            }
            let candidates = Self.candidates(command: command, position: position).filter { $0.hasPrefix(word.lowercased()) }
            applyCompletion(candidates, word: word, start: start, chars: &chars, message: &message)
        case .completions(let paths):
            let (start, word) = Self.wordBeforeCursor(chars, cursor)
            applyCompletion(paths, word: word, start: start, chars: &chars, message: &message)
        }
        line = String(chars)
        return nil
    }

    /// Replaces the word with the candidates' common prefix (and a space after a unique command or
    /// value); lists them when there are several.
    mutating func applyCompletion(_ candidates: [String], word: String, start: Int, chars: inout [Character], message: inout StatusMessage?) {
        guard let first = candidates.first else {
            message = StatusMessage("no completion for '\(word)'", isError: true)
            return
        }
        var common = first
        for c in candidates.dropFirst() { while !c.hasPrefix(common) { common.removeLast() } }
        if common.count < word.count { common = word }
        var replacement = common
        if candidates.count == 1, !first.hasSuffix("/") { replacement += " " }
        chars.replaceSubrange(start..<cursor, with: Array(replacement))
        cursor = start + replacement.count
        if candidates.count > 1 {
            let shown = candidates.prefix(12).map { ($0 as NSString).lastPathComponent + ($0.hasSuffix("/") ? "/" : "") }
            message = StatusMessage(shown.joined(separator: "  ") + (candidates.count > 12 ? "  … (\(candidates.count))" : ""))
        }
    }

    /// Records a command that was run and leaves history browsing.
    public mutating func commit(_ line: String) {
        let t = line.trimmingCharacters(in: .whitespaces)
        if !t.isEmpty, history.last != t { history.append(t) }
        if history.count > Self.historyLimit { history.removeFirst(history.count - Self.historyLimit) }
        historyIndex = nil; draft = ""; cursor = 0
    }

    /// Where the word before the cursor starts, and the word.
    static func wordBeforeCursor(_ chars: [Character], _ cursor: Int) -> (Int, String) {
        var start = cursor
        while start > 0, chars[start - 1] != " " { start -= 1 }
        return (start, String(chars[start..<cursor]))
    }

    /// Commands whose arguments are file names (Tab lists the folder).
    public static let pathCommands: Set<String> = ["input", "data", "export"]

    /// Every command name the line accepts (for Tab and for "unknown command" suggestions).
    public static let commandNames = ["gamma", "gammas", "sigma", "b", "depth", "gamma0", "input", "data", "n", "compare", "view",
                                      "theme", "yscale", "canvas", "zoom", "xlim", "ylim", "grid", "rescale", "export", "mode",
                                      "help", "q"] + Regimes.all.flatMap { r in r.commands.flatMap { Self.names(in: $0.0) } }

    /// "dim", "points", "order" from ":dim D / :points N / :order N".
    static func names(in usage: String) -> [String] {
        usage.split(separator: ":").compactMap { $0.split(separator: " ").first.map(String.init) }.filter { !$0.isEmpty }
    }

    /// The values Tab offers for the word at `position` (0 = the command name) of `command`.
    static func candidates(command: String, position: Int) -> [String] {
        if position == 0 { return commandNames }
        switch command {
        case "sigma", "activation": return Activation.builtinNames + ["b-family:"]
        case "view": return ExplorerView.allCases.map(\.rawValue)
        case "yscale", "y": return YScale.allCases.map(\.rawValue)
        case "canvas": return CanvasMode.allCases.map(\.rawValue)
        case "mode", "regime": return RegimeID.allCases.map(\.rawValue)
        case "compare": return ["input", "ntk"] + (1...NetworkModel.maxDepth).map { "ck\($0)" }
        case "grid", "rescale": return ["on", "off"]
        case "xlim", "ylim": return ["off"]
        default: return []
        }
    }

    /// `~` and `~/…` become the home folder (from HOME); other words are unchanged.
    public static func expandHome(_ path: String, home: String? = ProcessInfo.processInfo.environment["HOME"]) -> String {
        guard let home, !home.isEmpty else { return path }
        if path == "~" { return home }
        if path.hasPrefix("~/") { return home + path.dropFirst(1) }
        return path
    }
}

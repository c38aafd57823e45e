import Foundation
import PlotCanvas
import TOMLKit

/// A colour in a theme.
public enum ThemeColor: Sendable, Hashable {
    /// The terminal's own foreground/background.
    case terminalDefault
    case rgb(UInt8, UInt8, UInt8)
    /// One of the 16 ANSI colours (0–15).
    case ansi(Int)

    static let names = ["black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"]

    /// Parses "#rrggbb", "#rgb", "default", "red", "bright-red".
    public static func parse(_ text: String) -> ThemeColor? {
        let t = text.trimmingCharacters(in: .whitespaces).lowercased()
        if t == "default" || t.isEmpty { return .terminalDefault }
        if let i = names.firstIndex(of: t) { return .ansi(i) }
        if t.hasPrefix("bright-"), let i = names.firstIndex(of: String(t.dropFirst(7))) { return .ansi(i + 8) }
        guard t.hasPrefix("#") else { return nil }
        let hex = Array(t.dropFirst())
        guard hex.allSatisfy(\.isHexDigit) else { return nil }
        if hex.count == 6 {
            let v = UInt32(String(hex), radix: 16)!
            return .rgb(UInt8(v >> 16), UInt8((v >> 8) & 0xff), UInt8(v & 0xff))
        }
        if hex.count == 3 {
            let d = hex.map { UInt8(String($0), radix: 16)! * 17 }
            return .rgb(d[0], d[1], d[2])
        }
        return nil
    }

    /// RGB approximation (used to map to 256 or 8 colours).
    public var rgbValue: (Int, Int, Int)? {
        switch self {
        case .terminalDefault: return nil
        case .rgb(let r, let g, let b): return (Int(r), Int(g), Int(b))
        case .ansi(let i):
            let base = [(0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205), (0, 205, 205), (229, 229, 229),
                        (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0), (92, 92, 255), (255, 0, 255), (0, 255, 255), (255, 255, 255)]
            return base[max(0, min(15, i))]
        }
    }

    /// Nearest xterm-256 colour index (6×6×6 cube or grey ramp).
    public var xterm256: Int? {
        if case .ansi(let i) = self { return i }
        guard let (r, g, b) = rgbValue else { return nil }
        func cube(_ v: Int) -> Int { v < 48 ? 0 : v < 115 ? 1 : (v - 35) / 40 }
        let levels = [0, 95, 135, 175, 215, 255]
        let (cr, cg, cb) = (cube(r), cube(g), cube(b))
        let cubeIndex = 16 + 36 * cr + 6 * cg + cb
        let cubeDist = sq(levels[cr] - r) + sq(levels[cg] - g) + sq(levels[cb] - b)
        let grey = (r + g + b) / 3
        let gi = grey > 238 ? 23 : max(0, (grey - 3) / 10)
        let gv = 8 + gi * 10
        let greyDist = sq(gv - r) + sq(gv - g) + sq(gv - b)
        return greyDist < cubeDist ? 232 + gi : cubeIndex
    }

    /// Nearest of the 8 basic colours.
    public var ansi8: Int? {
        if case .ansi(let i) = self { return i % 8 }
        guard let (r, g, b) = rgbValue else { return nil }
        var best = 0, bestDist = Int.max
        for i in 0..<8 {
            let (cr, cg, cb) = ThemeColor.ansi(i).rgbValue!
            let d = sq(cr - r) + sq(cg - g) + sq(cb - b)
            if d < bestDist { bestDist = d; best = i }
        }
        return best
    }
}

private func sq(_ v: Int) -> Int { v * v }

/// Colours of the explorer: one per screen element, read from a TOML file in `Themes/`.
public struct Theme: Sendable, Hashable {
    public var name: String
    public var monochrome: Bool
    public var background: ThemeColor
    public var text: ThemeColor
    public var dim: ThemeColor
    public var axes: ThemeColor
    public var title: ThemeColor
    public var theory: ThemeColor
    public var empirical: ThemeColor
    public var compareA: ThemeColor
    public var compareB: ThemeColor
    public var highlight: ThemeColor
    public var statusBar: ThemeColor
    public var statusText: ThemeColor
    public var warning: ThemeColor

    /// Keys of the `[colors]` table, in file order.
    public static let colorKeys = ["background", "text", "dim", "axes", "title", "theory", "empirical", "compare_a",
                                   "compare_b", "highlight", "status_bar", "status_text", "warning"]
    public static let requiredKeys = ["background", "text", "axes", "theory", "empirical", "compare_a", "compare_b",
                                      "highlight", "status_bar"]

    /// Foreground and background of a role.
    public func colors(for role: ColorRole) -> (fg: ThemeColor, bg: ThemeColor) {
        switch role {
        case .text: return (text, background)
        case .dim: return (dim, background)
        case .axis: return (axes, background)
        case .title: return (title, background)
        case .theory: return (theory, background)
        case .empirical: return (empirical, background)
        case .seriesA: return (compareA, background)
        case .seriesB: return (compareB, background)
        case .highlight: return (highlight, background)
        case .statusBar: return (statusText, statusBar)
        case .warning: return (warning, statusBar)
        }
    }

    /// Attributes used for a role when colours are off (NO_COLOR, TERM without colours, monochrome theme).
    public static func monochromeAttributes(for role: ColorRole) -> CellAttributes {
        switch role {
        case .title, .highlight, .theory, .seriesA: return [.bold]
        case .dim, .axis, .empirical: return [.dim]
        case .statusBar, .warning: return [.reverse]
        case .text, .seriesB: return []
        }
    }

    /// The built-in default (the embedded dark theme).
    public static let fallback: Theme = try! ThemeParser.parse(EmbeddedThemes.files[0].text, source: "dark.toml")
}

/// A theme file problem, with where it is.
public struct ThemeError: Error, CustomStringConvertible, Equatable {
    public var file: String
    public var line: Int?
    public var key: String?
    public var reason: String
    public var description: String {
        var s = "theme \(file)"
        if let line { s += ", line \(line)" }
        if let key { s += ", key '\(key)'" }
        return s + ": " + reason
    }
}

public enum ThemeParser {
    /// Parses a theme file; `source` names it in errors. Missing optional keys fall back to related ones.
    public static func parse(_ text: String, source: String) throws(ThemeError) -> Theme {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let e as TOMLParseError {
            throw ThemeError(file: source, line: e.source.begin.line, key: nil, reason: e.description)
        } catch {
            throw ThemeError(file: source, line: nil, key: nil, reason: "\(error)")
        }
        func lineOf(_ key: String) -> Int? {
            for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let t = line.trimmingCharacters(in: .whitespaces)
                if t.hasPrefix(key + " ") || t.hasPrefix(key + "=") { return i + 1 }
            }
            return nil
        }
        let name = table["name"]?.string ?? (source as NSString).lastPathComponent.replacingOccurrences(of: ".toml", with: "")
        let monochrome = table["monochrome"]?.bool ?? false
        guard let colors = table["colors"]?.table else {
            throw ThemeError(file: source, line: nil, key: "colors", reason: "missing [colors] table")
        }
        var parsed: [String: ThemeColor] = [:]
        for key in colors.keys {
            guard Theme.colorKeys.contains(key) else {
                throw ThemeError(file: source, line: lineOf(key), key: key,
                                 reason: "unknown colour key (known: \(Theme.colorKeys.joined(separator: ", ")))")
            }
            guard let s = colors[key]?.string else {
                throw ThemeError(file: source, line: lineOf(key), key: key, reason: "value must be a string such as \"#rrggbb\"")
            }
            guard let c = ThemeColor.parse(s) else {
                throw ThemeError(file: source, line: lineOf(key), key: key,
                                 reason: "invalid colour \"\(s)\" (use \"#rrggbb\", \"#rgb\", a colour name or \"default\")")
            }
            parsed[key] = c
        }
        for key in Theme.requiredKeys where parsed[key] == nil {
            throw ThemeError(file: source, line: nil, key: key, reason: "missing colour")
        }
        let text = parsed["text"]!
        return Theme(name: name, monochrome: monochrome, background: parsed["background"]!, text: text,
                     dim: parsed["dim"] ?? parsed["axes"]!, axes: parsed["axes"]!, title: parsed["title"] ?? parsed["highlight"]!,
                     theory: parsed["theory"]!, empirical: parsed["empirical"]!, compareA: parsed["compare_a"]!,
                     compareB: parsed["compare_b"]!, highlight: parsed["highlight"]!, statusBar: parsed["status_bar"]!,
                     statusText: parsed["status_text"] ?? text, warning: parsed["warning"] ?? parsed["highlight"]!)
    }
}

/// Finds themes: user themes in $XDG_CONFIG_HOME/ntkscope/themes (or ~/.config/…), the repository's
/// `Themes/` folder, and the embedded copies of the bundled ones (so the binary works anywhere).
public struct ThemeCatalog: Sendable {
    public var directories: [String]

    public init(environment: [String: String] = ProcessInfo.processInfo.environment, repositoryThemes: String? = ThemeCatalog.repositoryThemesDirectory) {
        var dirs: [String] = []
        if let xdg = environment["XDG_CONFIG_HOME"], !xdg.isEmpty {
            dirs.append(xdg + "/ntkscope/themes")
        } else if let home = environment["HOME"], !home.isEmpty {
            dirs.append(home + "/.config/ntkscope/themes")
        }
        if let repositoryThemes { dirs.append(repositoryThemes) }
        directories = dirs
    }

    /// `Themes/` next to the package, found from this source file's path (works in the repository).
    public static var repositoryThemesDirectory: String? {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Themes")
        return FileManager.default.fileExists(atPath: url.path) ? url.path : nil
    }

    /// Every theme name, bundled ones first.
    public func names() -> [String] {
        var names = EmbeddedThemes.files.map(\.name)
        for dir in directories {
            let files = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
            for f in files.sorted() where f.hasSuffix(".toml") {
                let n = String(f.dropLast(5))
                if !names.contains(n) { names.append(n) }
            }
        }
        return names
    }

    /// Loads a theme by name or path. On any problem returns the default theme and the error.
    public func load(_ nameOrPath: String) -> (theme: Theme, error: ThemeError?) {
        do {
            return (try loadThrowing(nameOrPath), nil)
        } catch {
            return (Theme.fallback, error)
        }
    }

    public func loadThrowing(_ nameOrPath: String) throws(ThemeError) -> Theme {
        if nameOrPath.contains("/") || nameOrPath.hasSuffix(".toml") {
            return try loadFile(nameOrPath)
        }
        for dir in directories {
            let path = dir + "/" + nameOrPath + ".toml"
            if FileManager.default.fileExists(atPath: path) { return try loadFile(path) }
        }
        if let embedded = EmbeddedThemes.files.first(where: { $0.name == nameOrPath }) {
            return try ThemeParser.parse(embedded.text, source: "\(nameOrPath) (built in)")
        }
        throw ThemeError(file: nameOrPath, line: nil, key: nil,
                         reason: "no such theme (available: \(names().joined(separator: ", ")))")
    }

    func loadFile(_ path: String) throws(ThemeError) -> Theme {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw ThemeError(file: path, line: nil, key: nil, reason: "cannot read the file")
        }
        return try ThemeParser.parse(text, source: path)
    }
}

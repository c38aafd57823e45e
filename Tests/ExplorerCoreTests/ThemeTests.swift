import Foundation
import Testing
import PlotCanvas
@testable import ExplorerCore

@Suite struct ThemeTests {
    static let themes = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Themes")

    @Test func bundledThemesParseAndMatchTheEmbeddedCopies() throws {
        for (name, text) in EmbeddedThemes.files {
            let file = try String(contentsOf: Self.themes.appendingPathComponent(name + ".toml"), encoding: .utf8)
            #expect(file == text + "\n" || file == text, "Themes/\(name).toml differs from EmbeddedThemes")
            let theme = try ThemeParser.parse(text, source: name)
            #expect(theme.name == name)
        }
        #expect(Set(EmbeddedThemes.files.map(\.name)) == ["dark", "light", "high-contrast", "monochrome"])
        #expect(try ThemeParser.parse(EmbeddedThemes.files[3].text, source: "m").monochrome)
    }

    @Test func badValueNamesFileLineAndKey() {
        let text = "name = \"x\"\n[colors]\nbackground = \"#000000\"\ntext = \"#zzzzzz\"\n"
        #expect(throws: ThemeError.self) { try ThemeParser.parse(text, source: "x.toml") }
        do { _ = try ThemeParser.parse(text, source: "x.toml") } catch {
            #expect(error.file == "x.toml" && error.line == 4 && error.key == "text")
            #expect(error.description.contains("x.toml, line 4, key 'text'"))
        }
    }

    @Test func syntaxErrorHasALine() {
        do { _ = try ThemeParser.parse("name = \"x\"\n[colors\n", source: "bad.toml"); Issue.record("no error") } catch {
            #expect(error.line == 2)
        }
    }

    @Test func unknownKeyAndMissingKey() {
        do { _ = try ThemeParser.parse("[colors]\nbackgruond = \"#000\"\n", source: "t.toml"); Issue.record("no error") } catch {
            #expect(error.key == "backgruond" && error.line == 2)
        }
        do { _ = try ThemeParser.parse("[colors]\nbackground = \"#000\"\n", source: "t.toml"); Issue.record("no error") } catch {
            #expect(error.reason == "missing colour")
        }
    }

    @Test func catalogFallsBackToTheDefault() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ntkscope-themes-\(getpid())")
        let themes = dir.appendingPathComponent("ntkscope/themes")
        try FileManager.default.createDirectory(at: themes, withIntermediateDirectories: true)
        try "[colors]\ntext = 3\n".write(to: themes.appendingPathComponent("broken.toml"), atomically: true, encoding: .utf8)
        let mine = EmbeddedThemes.files[1].text.replacingOccurrences(of: "name = \"light\"", with: "name = \"mine\"")
        try mine.write(to: themes.appendingPathComponent("mine.toml"), atomically: true, encoding: .utf8)
        let catalog = ThemeCatalog(environment: ["XDG_CONFIG_HOME": dir.path], repositoryThemes: nil)
        #expect(catalog.names().contains("mine") && catalog.names().contains("broken"))
        #expect(catalog.load("mine").theme.name == "mine")
        let (theme, error) = catalog.load("broken")
        #expect(theme == Theme.fallback && error?.key == "text" && error?.file.hasSuffix("broken.toml") == true)
        #expect(catalog.load("nonexistent").error != nil)
        #expect(catalog.load("dark").error == nil)
        try? FileManager.default.removeItem(at: dir)
    }

    @Test func colourFallbacks() {
        #expect(ThemeColor.parse("#ff0000")?.xterm256 == 196)
        #expect(ThemeColor.parse("#808080")?.xterm256 == 244)
        #expect(ThemeColor.parse("#ff0000")?.ansi8 == 1)
        #expect(ThemeColor.parse("#fff") == .rgb(255, 255, 255))
        #expect(ThemeColor.parse("bright-blue") == .ansi(12))
        #expect(ThemeColor.parse("default") == .terminalDefault)
        #expect(ThemeColor.parse("#12") == nil)
    }
}

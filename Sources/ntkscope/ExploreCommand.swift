import ArgumentParser
import ExplorerCore
import Foundation
import LimitLaws
import PlotCanvas
import TerminalUI
import ViewExport

/// `ntkscope explore`: the interactive explorer (the default subcommand).
struct ExploreCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explore",
        abstract: "Explore the CK and NTK limit spectra interactively in the terminal.",
        discussion: "Keys: ? shows them all, q quits. See docs/explorer.md.")

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var dataOptions: DataOptions

    // Optional so that --config can tell them apart from defaults (dark, braille, log, layers).
    @Option(help: "Theme name (dark, light, high-contrast, monochrome, or one in $XDG_CONFIG_HOME/ntkscope/themes) or a path to a .toml theme. (default: dark)")
    var theme: String?

    @Option(help: "Plot canvas: braille, block or ascii. (default: braille)")
    var canvas: String?

    @Option(name: .customLong("y-scale"), help: "Initial y axis: log, linear or sqrt. (default: log)")
    var yScale: String?

    @Option(help: "Initial view: layers, compare, focus, cdf, edges, or kernels (infinite width). (default: layers)")
    var view: String?

    @Option(help: "Initial mode: linear (the linear-width limit laws), infinite (infinite-width kernels), quadratic or training; key w cycles them. (default: linear)")
    var mode: String?

    @OptionGroup var infinite: InfiniteWidthViewOptions

    @Option(name: .customLong("timing-log"), help: "Append frame and solve times (ms) to FILE.")
    var timingLog: String?

    /// Columns and rows of a printed or rendered frame (`--width`, `--height`, `render --size`).
    static let widthBound = NumberBound(20...2000)
    static let heightBound = NumberBound(8...1000)

    @Flag(help: "Print one frame as plain text to standard output and exit (no terminal needed).")
    var print = false

    @Option(help: "Width of the --print frame (20…2000).", transform: CommandLineValues.integer(Self.widthBound))
    var width: Int = 120

    @Option(help: "Height of the --print frame (8…1000).", transform: CommandLineValues.integer(Self.heightBound))
    var height: Int = 40

    func validate() throws {
        if let canvas, CanvasMode(rawValue: canvas) == nil { throw ValidationError("invalid value '\(canvas)' for --canvas: must be braille, block or ascii") }
        if let yScale, YScale(rawValue: yScale) == nil { throw ValidationError("invalid value '\(yScale)' for --y-scale: must be log, linear or sqrt") }
        if let view, ExplorerView(rawValue: view) == nil, view != "kernels" {
            throw ValidationError("invalid value '\(view)' for --view: must be \(ExplorerView.allCases.map(\.rawValue).joined(separator: ", ")) or kernels")
        }
        for (name, v, bound) in [("--width", width, Self.widthBound), ("--height", height, Self.heightBound)] where !bound.contains(Double(v)) {
            throw ValidationError(ModelError(field: name, value: "\(v)", allowed: bound.allowed).description)
        }
    }

    func run() throws {
        let options = try modelOptions.model()
        // the session: --config's keys, then these options over them (ViewOverrides in RenderCommand.swift)
        let overrides = ViewOverrides(view: view, yScale: yScale, canvas: canvas, theme: theme, mode: mode,
                                      regimeOptions: infinite.regimeOptions, initialisation: infinite.initialisation)
        var configured = try overrides.session(model: options, modelOptions: modelOptions)
        try dataOptions.apply(to: &configured, modelOptions: modelOptions)
        try configured.readRegimeFiles()   // a session's ν file, training data and labels
        let session = configured
        let model = session.model
        let display = session.display
        let explorerView = session.view
        let inputLabel = session.inputLabel
        let theme = session.theme

        if print {
            // the frame `render --format txt` writes and the explorer's `e` exports at this size:
            // the same solve (the explorer's grid, zoom windows re-solved), the same layout
            let state = session.makeState(themeNames: [theme])
            let content = try ViewRendering.content(state: state, progress: isatty(2) == 1)
            LawNoticeReport.print(state.laws.compactMap { content.spectra[$0]?.law })
            try StandardStreams.output(ViewExport.text(state: state, content: content, width: width, height: height))
            return
        }

        if let problem = ExplorerApp.interactiveProblem() {
            let args = CommandLine.arguments.dropFirst().filter { $0 != "explore" }.joined(separator: " ")
            StandardStreams.error("""
                ntkscope: not starting the interactive explorer: \(problem).
                To get the same view as text without a terminal, run:
                  ntkscope explore --print --width 200 --height 60\(args.isEmpty ? "" : " " + args)

                """)
            throw ExitCode(2)
        }

        var configuration = ExplorerConfiguration(model: model, inputLabel: inputLabel)
        configuration.theme = theme
        configuration.display = display
        configuration.view = explorerView
        configuration.timingLogPath = timingLog
        // the rest of the session (selections, zoom, empirical settings, seed)
        configuration.adjustInitialState = { state in
            let s = session.makeState(themeNames: state.themeNames)
            state.selection = s.selection; state.compare = s.compare; state.allLayers = s.allLayers
            state.empiricalOn = s.empiricalOn; state.sampleSize = s.sampleSize; state.seed = s.seed
            state.regime = s.regime; state.regimeSettings = s.regimeSettings
            state.data = s.data; state.initial.data = s.data
            state.initial.regimeSettings = s.regimeSettings   // `r` goes back to the options' d, n, order and data
        }
        // The empirical check (`s`): a sampled network from NetworkSampling, seeded from the session.
        configuration.empiricalCheck = SampledNetworkCheck(seed: session.makeState(themeNames: []).seed)
        do {
            let code = try ExplorerApp.run(configuration)
            if code != 0 { throw ExitCode(code) }
        } catch let error as TerminalError {
            throw ValidationError("cannot start the explorer: \(error.description)")
        }
    }
}

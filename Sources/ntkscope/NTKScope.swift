import ArgumentParser
import Foundation
import LimitLaws

/// The root command. With no subcommand it starts the explorer.
struct NTKScope: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ntkscope",
        abstract: "Explore the eigenvalue spectra of the Conjugate Kernel and the Neural Tangent Kernel of deep random networks.",
        discussion: "Linear-width limit laws after Fan & Wang (2020): the CK of each layer is an iterated Marcenko–Pastur map, the NTK solves recursive fixed-point equations.",
        version: NTKScope.version,
        subcommands: [ExploreCommand.self, DensityCommand.self, ActivationsCommand.self, SeriesCommand.self, SphereCommand.self, KernelCommand.self, SampleCommand.self, TrainCommand.self, RenderCommand.self, QuadraticCommand.self],
        defaultSubcommand: ExploreCommand.self)

    /// `ntkscope --version`.
    static let version = "0.1.0"

    /// The subcommands' names, for the "unknown subcommand" error.
    static var subcommandNames: [String] {
        configuration.subcommands.compactMap { $0.configuration.commandName }
    }

    /// A first argument that is a word but no subcommand: without this check it would be taken as an
    /// argument of the default `explore` ("Unexpected argument"). Nil when the arguments are fine.
    static func unknownSubcommand(_ arguments: [String]) -> String? {
        guard let first = arguments.first, !first.hasPrefix("-"), first != "help", !subcommandNames.contains(first) else { return nil }
        return "unknown subcommand '\(first)'. The subcommands are: \(subcommandNames.joined(separator: ", ")) (explore is the default). See 'ntkscope --help'."
    }
}

@main
enum Main {
    static func main() {
        if let message = NTKScope.unknownSubcommand(Array(CommandLine.arguments.dropFirst())) {
            FileHandle.standardError.write(Data("ntkscope: error: \(message)\n".utf8))
            finish(2)
        }
        do {
            var command = try NTKScope.parseAsRoot()
            try command.run()
            finish(0)
        } catch let code as ExitCode {
            // a status chosen by a command that already said what it had to (the explorer: 130
            // after Ctrl-C or SIGINT, 143 after SIGTERM, 129 after SIGHUP; 2 when it cannot start)
            finish(code.rawValue)
        } catch let error as ModelError {
            FileHandle.standardError.write(Data("ntkscope: error: \(error)\n".utf8))
            finish(2)
        } catch {
            let code = NTKScope.exitCode(for: error)
            if code == .success {
                print(NTKScope.fullMessage(for: error))
                finish(0)
            }
            let message = NTKScope.fullMessage(for: error)
            FileHandle.standardError.write(Data("ntkscope: \(message)\n".utf8))
            finish(code == ExitCode(130) ? 130 : 2)
        }
    }

    /// Flushes the standard streams and ends the process without running library destructors:
    /// OpenBLAS's exit handler joins its worker threads and can deadlock there (a race in its
    /// thread shutdown), which left a quit explorer running with the shell never getting back.
    /// Every file ntkscope writes is complete (written and renamed) before this point.
    static func finish(_ code: Int32) -> Never {
        fflush(nil)   // every open output stream
        _exit(code)
    }
}

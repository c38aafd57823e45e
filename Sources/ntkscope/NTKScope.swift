import ArgumentParser
import Foundation
import LimitLaws
import NetworkSampling

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

    /// The arguments with every negative number that follows a long option attached to it
    /// (`--bias-variance -1` becomes `--bias-variance=-1`), so that it reaches the option as its
    /// value and its own range check, instead of being taken for an unknown short option
    /// ("Missing value"). One rule for every option of every subcommand; a flag given a number
    /// this way is refused as a flag with a value. Nothing after `--` is touched.
    static func attachingNegativeValues(_ arguments: [String]) -> [String] {
        var out = [String]()
        var k = 0
        while k < arguments.count {
            let a = arguments[k]
            if a == "--" { out += arguments[k...]; break }
            if a.hasPrefix("--"), a.count > 2, !a.contains("="), k + 1 < arguments.count, isNegativeNumber(arguments[k + 1]) {
                out.append(a + "=" + arguments[k + 1])
                k += 2
            } else {
                out.append(a)
                k += 1
            }
        }
        return out
    }

    /// The line for an error, in one style whoever raised it: "ntkscope: error: …" (the argument
    /// parser's own messages begin "Error: ").
    static func errorLine(_ message: String) -> String {
        let text = message.hasPrefix("Error: ") ? String(message.dropFirst("Error: ".count)) : message
        return "ntkscope: error: \(text)\n"
    }

    /// "-1", "-0.1", "-.5", "-1e-3", "-inf", "-nan" and lists starting with one ("-1,0,2").
    static func isNegativeNumber(_ s: String) -> Bool {
        guard s.hasPrefix("-"), s.count > 1 else { return false }
        let rest = s.dropFirst()
        if let c = rest.first, c.isASCII, c.isNumber || (c == "." && rest.dropFirst().first?.isNumber == true) { return true }
        return Double(s.split(separator: ",", omittingEmptySubsequences: false).first ?? "") != nil
    }
}

@main
enum Main {
    static func main() {
        BLASKernels.restartWithBetterKernelsIfNeeded()
        StandardStreams.prepare()
        let arguments = NTKScope.attachingNegativeValues(Array(CommandLine.arguments.dropFirst()))
        if let message = NTKScope.unknownSubcommand(arguments) {
            StandardStreams.error(NTKScope.errorLine(message))
            finish(2)
        }
        do {
            var command = try NTKScope.parseAsRoot(arguments)
            try command.run()
            finish(0)
        } catch let code as ExitCode {
            // a status chosen by a command that already said what it had to (the explorer: 130
            // after Ctrl-C or SIGINT, 143 after SIGTERM, 129 after SIGHUP; 2 when it cannot start)
            finish(code.rawValue)
        } catch let error as ModelError {
            StandardStreams.error(NTKScope.errorLine(error.description))
            finish(2)
        } catch let error as StandardOutputError {
            StandardStreams.error(NTKScope.errorLine(error.description))
            finish(2)
        } catch {
            let code = NTKScope.exitCode(for: error)
            if code == .success {
                do {
                    try StandardStreams.output(NTKScope.fullMessage(for: error) + "\n")
                } catch {
                    StandardStreams.error(NTKScope.errorLine(error.description))
                    finish(2)
                }
                finish(0)
            }
            StandardStreams.error(NTKScope.errorLine(NTKScope.fullMessage(for: error)))
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

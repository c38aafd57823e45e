import ArgumentParser

// TEMP (explorer branch): the lead owns this file and will make `explore` the default subcommand.
struct NTKScope: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ntkscope",
        abstract: "Spectra of the Conjugate Kernel and Neural Tangent Kernel of deep random networks.",
        subcommands: [ExploreCommand.self],
        defaultSubcommand: ExploreCommand.self)
}

NTKScope.main()

// swift-tools-version:6.1
import PackageDescription

let numerics = Target.Dependency.product(name: "Numerics", package: "swift-numerics")

let package = Package(
    name: "ntkscope",
    products: [
        .executable(name: "ntkscope", targets: ["ntkscope"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.0.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        .package(url: "https://github.com/attaswift/BigInt", from: "6.0.1"),
        .package(url: "https://github.com/yaslab/CSV.swift", from: "2.5.2"),
    ],
    targets: [
        // Pure math: activations, input laws, the limit-law solvers. No I/O, no globals.
        // Optimised in debug builds too: the solver's tests (sweeps of random models) would
        // otherwise take 20 times longer.
        .target(name: "LimitLaws", dependencies: [numerics], swiftSettings: [.unsafeFlags(["-O"], .when(configuration: .debug))]),
        // The two-layer NTK in the quadratic scaling n ~ d·p: φ = σ′ constants, the law H = μ_{ν,φ},
        // the NTK law as one Marcenko–Pastur map over H (solved by LimitLaws' machinery). Pure.
        .target(name: "QuadraticScaling", dependencies: ["LimitLaws", numerics]),
        // Reading users' files: eigenvalue spectra (text, CSV, .npy) and data matrices (CSV, .npy).
        // Pure parsers from bytes to values with errors naming the file and line; no globals.
        .target(name: "InputFiles", dependencies: [
            "LimitLaws", .product(name: "CSV", package: "CSV.swift"),
        ]),
        // OpenBLAS (CBLAS) and LAPACKE through a module map and a shim header.
        .systemLibrary(name: "CLinearAlgebra", path: "Sources/CLinearAlgebra"),
        // Sampling a network and computing its CK/NTK spectra; comparison with the limit laws.
        .target(name: "NetworkSampling", dependencies: ["LimitLaws", "InputFiles", "QuadraticScaling", "CLinearAlgebra"]),
        // Training the network of eq. (1) (gradient descent, Adam) with CK/NTK snapshots over training.
        .target(name: "NetworkTraining", dependencies: ["LimitLaws", "NetworkSampling", "CLinearAlgebra", "COptimizerKernels"]),
        // The Adam update in explicit SIMD vectors (C: Swift does not vectorise the square root).
        .target(name: "COptimizerKernels"),
        // Infinite-width kernels as power series; sphere and dataset spectra.
        .target(name: "InfiniteWidth", dependencies: ["LimitLaws", "NetworkSampling",
                                                      .product(name: "BigInt", package: "BigInt")]),
        // Braille / block / ASCII plot canvas: pure functions to a grid of cells.
        .target(name: "PlotCanvas"),
        // Explorer state, key map, themes and screen layout: pure functions from state to cells.
        .target(name: "ExplorerCore", dependencies: [
            "LimitLaws", "NetworkSampling", "InfiniteWidth", "PlotCanvas", "InputFiles",
            "QuadraticScaling", "NetworkTraining",
            .product(name: "TOMLKit", package: "TOMLKit"),
        ]),
        // Pure export writers (txt, ansi, svg, csv, json) and the session file codec (toml).
        .target(name: "ViewExport", dependencies: [
            "ExplorerCore", "PlotCanvas", "LimitLaws", "InfiniteWidth", "InputFiles",
            "QuadraticScaling", "NetworkTraining",
            .product(name: "TOMLKit", package: "TOMLKit"),
        ]),
        // ncurses through a module map and static inline shims.
        .systemLibrary(name: "CNcurses", path: "Sources/CNcurses"),
        // The only module that talks to the terminal.
        .target(name: "TerminalUI", dependencies: ["ExplorerCore", "ViewExport", "CNcurses"]),
        .executableTarget(name: "ntkscope", dependencies: [
            "LimitLaws", "NetworkSampling", "NetworkTraining", "InfiniteWidth", "ExplorerCore", "TerminalUI", "ViewExport", "InputFiles", "QuadraticScaling", "PlotCanvas",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "ntkscope-bench", dependencies: [
            "LimitLaws", "NetworkSampling", "NetworkTraining", "ExplorerCore", "InputFiles", "QuadraticScaling", "CLinearAlgebra",
        ]),
        .testTarget(name: "LimitLawsTests", dependencies: [
            "LimitLaws", numerics, .product(name: "PropertyBased", package: "swift-property-based"),
        ]),
        .testTarget(name: "InputFilesTests", dependencies: ["InputFiles", "LimitLaws"]),
        .testTarget(name: "QuadraticScalingTests", dependencies: ["QuadraticScaling", "LimitLaws", "NetworkSampling", numerics]),
        .testTarget(name: "NetworkSamplingTests", dependencies: ["NetworkSampling", "LimitLaws"]),
        .testTarget(name: "NetworkTrainingTests", dependencies: ["NetworkTraining", "NetworkSampling", "LimitLaws"]),
        .testTarget(name: "InfiniteWidthTests", dependencies: ["InfiniteWidth", "LimitLaws", "NetworkSampling",
                                                            .product(name: "BigInt", package: "BigInt")]),
        .testTarget(name: "PlotCanvasTests", dependencies: ["PlotCanvas"]),
        .testTarget(name: "ExplorerCoreTests", dependencies: ["ExplorerCore", "LimitLaws", "PlotCanvas", "InfiniteWidth", "NetworkSampling",
                                                              "QuadraticScaling", "NetworkTraining"], exclude: ["Golden"]),
        .testTarget(name: "ViewExportTests", dependencies: ["ViewExport", "ExplorerCore", "PlotCanvas", "LimitLaws", "InfiniteWidth",
                                                            "QuadraticScaling", "NetworkTraining"], exclude: ["Golden"]),
        .testTarget(name: "EndToEndTests", dependencies: []),
    ],
    swiftLanguageModes: [.v6]
)

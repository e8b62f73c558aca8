// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "Sortie",
    platforms: [.macOS(.v15)],
    products: [
        // The engine other services embed: depends on the toolchain and libyaml only.
        .library(name: "Sortie", targets: ["Sortie"]),
        .executable(name: "sortie", targets: ["sortie"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        // libyaml, from Debian's libyaml-dev (pkg-config yaml-0.1).
        .systemLibrary(
            name: "CLibYAML",
            pkgConfig: "yaml-0.1",
            providers: [.apt(["libyaml-dev"]), .brew(["libyaml"])]
        ),
        // libyaml events -> positioned node tree, with Sortie's strict YAML rules.
        .target(name: "SortieYAML", dependencies: ["CLibYAML"]),
        // The engine: diagnostics, model, compiler stages, lint rules (and later the evaluator).
        .target(name: "Sortie", dependencies: ["SortieYAML"],
                exclude: ["Evaluator/Destination/country-calling-codes.txt"]),
        // The verbs of the `sortie` command, testable in-process.
        .target(name: "SortieCLI", dependencies: [
            "Sortie",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "sortie", dependencies: ["SortieCLI"]),
        // examples/: built with the package and run by a test, so it cannot go stale.
        .executableTarget(name: "sortie-embedding-example", dependencies: ["Sortie"], path: "examples/embedding"),

        .testTarget(name: "SortieYAMLTests", dependencies: ["SortieYAML"]),
        .testTarget(name: "SortieTests", dependencies: ["Sortie"], exclude: ["Fixtures"]),
        .testTarget(name: "SortieCLITests", dependencies: ["SortieCLI", "Sortie"], exclude: ["validate_sarif.py"]),
    ],
    swiftLanguageModes: [.v6]
)

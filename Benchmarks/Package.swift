// swift-tools-version: 6.1
// Benchmarks live in their own package so that building and testing Sortie does not build
// the benchmark framework. Run: cd Benchmarks && swift package benchmark
import Foundation
import PackageDescription

/// SwiftPM names a path dependency after its folder, which is the clone's folder name.
let sortiePackage = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent

let package = Package(
    name: "SortieBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.0", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "LintBenchmark",
            dependencies: [
                .product(name: "Sortie", package: sortiePackage),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/LintBenchmark",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "EvaluateBenchmark",
            dependencies: [
                .product(name: "Sortie", package: sortiePackage),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/EvaluateBenchmark",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ],
    swiftLanguageModes: [.v6]
)

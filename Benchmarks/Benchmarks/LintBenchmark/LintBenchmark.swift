import Foundation
import Benchmark
import Sortie

/// `sortie lint`'s work (load, decode, link, check, lower) on 10,000 profiles and 50,000 entry
/// points in 100 files, from bytes already in memory. Targets: < 1 s and < 300 MB on one core.
let benchmarks: @Sendable () -> Void = {
    let sources = SyntheticPolicySet.make()
    let bytes = sources.reduce(0) { $0 + $1.bytes.count }
    print("lint benchmark input: \(sources.count) files, \(bytes) bytes (\(String(format: "%.1f", Double(bytes) / 1_048_576)) MiB)")

    Benchmark("Lint 10k profiles + 50k entry points",
              configuration: .init(metrics: [.wallClock, .cpuTotal, .peakMemoryResident, .mallocCountTotal, .throughput],
                                   scalingFactor: .one, maxDuration: .seconds(30), maxIterations: 10)) { benchmark in
        for _ in benchmark.scaledIterations {
            let result = Compiler.compile(sources: sources, root: "set/")
            precondition(result.errorCount == 0 && result.policy != nil, "the synthetic set must compile")
            blackHole(result)
        }
    }
}

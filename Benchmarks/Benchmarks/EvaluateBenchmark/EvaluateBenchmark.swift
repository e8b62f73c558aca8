import Benchmark
import Sortie

/// Decisions on 200 profiles and 1,000 entry points for a stream of 100,000 mixed requests,
/// already decoded. Targets: median <= 150 ns per decision, no heap allocation inside
/// `evaluate` for `start`.
let benchmarks: @Sendable () -> Void = {
    let evaluator = EvaluateFixture.evaluator()
    let requests = EvaluateFixture.requests(count: 100_000)
    let starts = requests.filter { $0.action == .start }
    let preparedStarts = starts.map(evaluator.prepare)
    let withRules = EvaluateFixture.evaluator(recipientRules: true)
    let ruleStarts = EvaluateFixture.withRecipientFacts(starts)
    let preparedRuleStarts = ruleStarts.map(withRules.prepare)

    Benchmark("evaluate prepared start, per decision",
              configuration: .init(metrics: [.wallClock, .mallocCountTotal, .throughput], scalingFactor: .kilo,
                                   maxDuration: .seconds(10), maxIterations: 200)) { benchmark in
        var i = 0
        for _ in benchmark.scaledIterations {
            blackHole(evaluator.evaluate(preparedStarts[i]))
            i = i + 1 == preparedStarts.count ? 0 : i + 1
        }
    }

    Benchmark("evaluate prepared start with contact hours, destinations and consent, per decision",
              configuration: .init(metrics: [.wallClock, .mallocCountTotal, .throughput], scalingFactor: .kilo,
                                   maxDuration: .seconds(10), maxIterations: 200)) { benchmark in
        var i = 0
        for _ in benchmark.scaledIterations {
            blackHole(withRules.evaluate(preparedRuleStarts[i]))
            i = i + 1 == preparedRuleStarts.count ? 0 : i + 1
        }
    }

    Benchmark("prepare + evaluate start, per decision",
              configuration: .init(metrics: [.wallClock, .mallocCountTotal, .throughput], scalingFactor: .kilo,
                                   maxDuration: .seconds(10), maxIterations: 200)) { benchmark in
        var i = 0
        for _ in benchmark.scaledIterations {
            blackHole(evaluator.evaluate(starts[i]))
            i = i + 1 == starts.count ? 0 : i + 1
        }
    }

    Benchmark("prepare + evaluate start with contact hours, destinations and consent, per decision",
              configuration: .init(metrics: [.wallClock, .mallocCountTotal, .throughput], scalingFactor: .kilo,
                                   maxDuration: .seconds(10), maxIterations: 200)) { benchmark in
        var i = 0
        for _ in benchmark.scaledIterations {
            blackHole(withRules.evaluate(ruleStarts[i]))
            i = i + 1 == ruleStarts.count ? 0 : i + 1
        }
    }

    Benchmark("evaluate, 100k mixed requests",
              configuration: .init(metrics: [.wallClock, .mallocCountTotal, .throughput], scalingFactor: .one,
                                   maxDuration: .seconds(10), maxIterations: 50)) { benchmark in
        for _ in benchmark.scaledIterations {
            for request in requests where request.action != .options { blackHole(evaluator.evaluate(request)) }
        }
    }

    Benchmark("decide (evaluate + messages), 100k mixed requests",
              configuration: .init(metrics: [.wallClock, .mallocCountTotal, .throughput], scalingFactor: .one,
                                   maxDuration: .seconds(20), maxIterations: 20)) { benchmark in
        for _ in benchmark.scaledIterations {
            for request in requests { blackHole(evaluator.decide(request)) }
        }
    }
}

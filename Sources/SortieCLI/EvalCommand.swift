import ArgumentParser
import Foundation
import Sortie

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `sortie eval --policies DIR [FILE|-] [--format json|text]`: decides a JSON Lines stream.
struct EvalCommand: Verb {
    enum Format: String, ExpressibleByArgument, CaseIterable { case json, text }

    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Decide a JSON Lines stream of requests: one decision per non-blank line, in order.",
        discussion: "Reads FILE, or standard input for '-' or no FILE, in constant memory. Exit status: 0 whatever the decisions, 1 the policy does not compile (diagnostics on stderr), 2 a usage or I/O error.")

    @Option(help: "The policy directory, YAML file, or bundle written by `sortie compile`.")
    var policies: String = "policies/"

    @Argument(help: "A JSON Lines file of requests, or '-' for standard input.")
    var input: String = "-"

    @Option(help: "Output format: json (one decision per line) or text (for people).")
    var format: Format = .json

    @Flag(help: "Show every check with its inputs and outcome (json: an \"explain\" array; text: one line per check; options: per channel).")
    var explain = false

    func run(io: CommandIO) -> ExitStatus {
        let evaluator: Evaluator
        switch PolicyLoading.evaluator(policies, io: io) {
        case .success(let loaded): evaluator = loaded
        case .failure(let status): return status
        }
        let fd: Int32 = input == "-" ? 0 : open(input, O_RDONLY)
        guard fd >= 0 else {
            io.stderr("sortie: \(input): cannot open the file\n")
            return .usage
        }
        defer { if fd != 0 { close(fd) } }
        var reader = LineReader(fd: fd)
        if format == .json && !explain {
            // The hot path: bytes in, bytes out, flushed in large writes.
            let lines = LineEvaluator(evaluator: evaluator)
            var out: [UInt8] = []
            out.reserveCapacity(1 << 20)
            while reader.next({ line in
                guard !JSONLines.isBlank(line) else { return }
                lines.decide(line: line, into: &out)
            }) {
                if out.count >= 1 << 19 {
                    out.withUnsafeBufferPointer(io.stdoutBytes)
                    out.removeAll(keepingCapacity: true)
                }
            }
            out.withUnsafeBufferPointer(io.stdoutBytes)
            return .success
        }
        var out = ""
        out.reserveCapacity(1 << 16)
        while reader.next({ line in
            guard !JSONLines.isBlank(line) else { return }
            let request = Request.decode(json: line)
            let decision: Decision
            switch request {
            case .success(let r): decision = evaluator.decide(r)
            case .failure(let invalid): decision = evaluator.decide(invalid, locale: nil)
            }
            var steps: [ExplainStep] = []
            if explain, case .success(let r) = request { steps = evaluator.explain(r) }
            if format == .json {
                var w = JSONWriter(capacity: 1024)
                decision.write(&w, explain: explain ? steps : nil)
                out += String(decoding: w.bytes, as: UTF8.self) + "\n"
            } else {
                out += Self.text(decision)
                out += Self.text(steps)
            }
        }) {
            if out.utf8.count >= 1 << 16 {
                io.stdout(out)
                out.removeAll(keepingCapacity: true)
            }
        }
        io.stdout(out)
        return .success
    }

    /// An explanation for people: one line per check; an `options` request's per-channel
    /// checks under a line naming their channel.
    static func text(_ steps: [ExplainStep]) -> String {
        var out = ""
        var channel: Channel?
        for step in steps {
            if let stepChannel = step.channel, stepChannel != channel { out += "    \(stepChannel.rawValue):\n" }
            channel = step.channel
            let indent = step.channel == nil ? "    " : "      "
            let inputs = step.inputs.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value == .null ? "null" : $0.value.description)" }.joined(separator: " ")
            out += "\(indent)\(step.outcome.rawValue.padding(7)) \(step.check.name) (\(inputs))\(step.because.map { ": \($0)" } ?? "")\n"
        }
        return out
    }

    /// One decision for people: `ID: allowed …` or `ID: denied`, then one line per reason.
    static func text(_ d: Decision) -> String {
        var out = "\(d.id ?? "-"): \(d.allowed ? "allowed" : "denied")"
        if let profile = d.profile { out += " (profile \(profile))" }
        if let destination = d.destination { out += " to \(destination)" }
        out += "\n"
        for reason in d.reasons { out += "  \(reason.code.name): \(reason.message)\n" }
        for warning in d.warnings { out += "  warning \(warning.code.name): \(warning.message)\n" }
        for channel in d.channels ?? [] {
            out += "  \(channel.channel.rawValue): \(channel.allowed ? "open" : "closed"), \(channel.active)/\(channel.limit.map(String.init) ?? "-"), entry points: \(channel.entryPoints.joined(separator: ", "))\n"
            for reason in channel.reasons { out += "    \(reason.code.name): \(reason.message)\n" }
        }
        return out
    }
}

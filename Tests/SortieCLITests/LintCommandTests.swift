import Foundation
import Testing
@testable import SortieCLI
import Sortie

private let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

private func run(_ arguments: [String]) -> (code: Int32, out: String, err: String) {
    let captured = CapturedOutput()
    let code = SortieCommand.run(arguments, io: captured.io)
    return (code, captured.stdout, captured.stderr)
}

private func path(_ relative: String) -> String { packageRoot.appendingPathComponent(relative).path }

/// A temporary directory with the given files, removed at the end of `body`.
private func withPolicySet(_ files: [String: String], _ body: (String) throws -> Void) throws {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sortie-cli-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    for (name, text) in files {
        let url = dir.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
    }
    try body(dir.path)
}

private let tenant = """
    apiVersion: sortie/v1
    kind: Tenant
    metadata: { name: acme }
    spec: { digitalChannels: true, licenses: { premium: { outbound: true } }, agentStates: [available], defaultProfile: digital }
    ---
    apiVersion: sortie/v1
    kind: OutboundPolicy
    metadata: { name: outbound }
    spec: { allowedAgentStates: [available], wrapUpReasons: [resolved] }
    ---
    apiVersion: sortie/v1
    kind: MultimediaProfile
    metadata: { name: digital }
    spec: { channels: { sms: { maxOutboundTasks: 2 } } }

    """

@Suite struct LintCommandTests {
    @Test func shippedPoliciesLintCleanEvenWithStrict() {
        let result = run(["lint", "--strict", path("policies")])
        #expect(result.code == 0, "\(result.out)")
        #expect(result.out.isEmpty)
        #expect(result.err == "no problems found\n")
    }

    @Test func exitCodesAreZeroOneTwo() throws {
        try withPolicySet(["set.yaml": tenant]) { dir in
            #expect(run(["lint", dir]).code == 0)
        }
        try withPolicySet(["set.yaml": tenant + "---\napiVersion: sortie/v1\nkind: MultimediaProfile\nmetadata: { name: orphan }\nspec: { channels: { sms: { maxOutboundTasks: 1 } } }\n"]) { dir in
            let plain = run(["lint", dir])
            #expect(plain.code == 0, "a warning alone passes")
            #expect(plain.out.contains("[unused-profile]"))
            #expect(run(["lint", "--strict", dir]).code == 1, "--strict fails on warnings")
        }
        try withPolicySet(["set.yaml": tenant.replacingOccurrences(of: "maxOutboundTasks: 2", with: "maxOutboundTasks: \"2\"")]) { dir in
            let result = run(["lint", dir])
            #expect(result.code == 1)
            #expect(result.out.contains("[wrong-type]"))
        }
        let missing = run(["lint", "/nonexistent/policies"])
        #expect(missing.code == 2)
        #expect(missing.err.contains("/nonexistent/policies: no such file or directory"))
        #expect(run(["lint", "--no-such-flag"]).code == 2)
        #expect(run(["lint", "--format", "xml", path("policies")]).code == 2)
        #expect(run(["frobnicate"]).code == 2)
    }

    @Test func helpAndVersionExitZero() {
        let help = run(["--help"])
        #expect(help.code == 0)
        #expect(help.out.contains("lint"))
        let version = run(["--version"])
        #expect(version.code == 0)
        #expect(version.out.contains(SortieVersion.current))
    }

    @Test func everyFileIsReportedInOneRunAndABrokenFileHidesNothing() throws {
        try withPolicySet([
            "a-broken.yaml": "kind: [unclosed\n",
            "b-tenant.yaml": tenant,
            "c-entry.yaml": "apiVersion: sortie/v1\nkind: EntryPoint\nmetadata: { name: sms }\nspec: { channel: sms, address: \"0186950000\" }\n",
        ]) { dir in
            let result = run(["lint", "--format", "json", dir])
            #expect(result.code == 1)
            #expect(result.out.contains("\"rule\":\"yaml-syntax\""))
            #expect(result.out.contains("\"rule\":\"invalid-address\""))
        }
    }

    @Test func filesOrderAndHiddenFilesDoNotMatter() throws {
        try withPolicySet(["z.yaml": tenant, ".hidden/broken.yaml": "{", "notes.txt": "{", ".x.yaml": "{"]) { dir in
            let result = run(["lint", dir])
            #expect(result.code == 0, "\(result.out)")
        }
        try withPolicySet(["set.yml": tenant]) { dir in
            #expect(run(["lint", dir]).code == 0, ".yml files are read too")
        }
    }

    @Test func wholeSetProblemsUseTheRootPathAndNoLine() throws {
        try withPolicySet(["entry.yaml": "apiVersion: sortie/v1\nkind: EntryPoint\nmetadata: { name: sms }\nspec: { channel: sms, address: \"+33186950000\" }\n"]) { dir in
            let result = run(["lint", "--format", "json", dir])
            let json = try JSONSerialization.jsonObject(with: Data(result.out.utf8)) as? [String: Any]
            let diagnostics = json?["diagnostics"] as? [[String: Any]] ?? []
            let tenant = try #require(diagnostics.first { $0["rule"] as? String == "missing-tenant" })
            #expect(tenant["file"] as? String == dir)
            for key in ["line", "column", "endLine", "endColumn"] { #expect(tenant[key] is NSNull, "\(key) is null") }
            #expect(json?["errors"] as? Int == 2)
            #expect(json?["warnings"] as? Int == 0)
            let text = run(["lint", dir])
            #expect(text.out.contains("\(dir): error: the policy set has no Tenant; add one document of kind Tenant [missing-tenant]\n"))
        }
    }

    @Test func sarifOutputValidatesAgainstTheSARIF210Schema() throws {
        let result = run(["lint", "--format", "sarif", path("examples/broken-policies")])
        #expect(result.code == 1)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("sortie-\(UUID().uuidString).sarif")
        try result.out.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let validator = Process()
        validator.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        validator.arguments = ["python3", path("Tests/SortieCLITests/validate_sarif.py"), file.path]
        let pipe = Pipe()
        validator.standardOutput = pipe
        validator.standardError = pipe
        try validator.run()
        validator.waitUntilExit()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(validator.terminationStatus == 0, "\(output)")
        #expect(output.contains("valid SARIF 2.1.0"))
        // Each rule carries its description.
        #expect(result.out.contains("\"shortDescription\""))
        #expect(result.out.contains(Rules.UnknownField.rule.summary))
    }

    @Test func brokenExampleOutputInReadmeIsCurrent() throws {
        let result = run(["lint", "examples/broken-policies"], in: packageRoot)
        let readme = try String(contentsOf: packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        #expect(result.code == 1)
        #expect(readme.contains(result.out), "README's lint output of examples/broken-policies is stale; paste:\n\(result.out)")
    }

    @Test func lintConfigChecksAServerConfigurationAlone() throws {
        let config = """
            apiVersion: sortie/v1
            kind: ServerConfig
            metadata: { name: dev }
            spec:
              issuers:
                - issuer: sortie-dev
                  audiences: [sortie]
                  hmacSecretFile: dev.key
              webhooks: { secretFile: gateway.secret, toleranceSeconds: 300 }

            """
        try withPolicySet(["server.yaml": config, "dev.key": String(repeating: "k", count: 32) + "\n",
                           "gateway.secret": "whsec_" + Data(repeating: 7, count: 32).base64EncodedString() + "\n"]) { dir in
            let good = run(["lint", "--config", dir + "/server.yaml"])
            #expect(good.code == 0, "\(good.out)\(good.err)")

            // Every problem, positioned, without the secret.
            try (config.replacingOccurrences(of: "audiences", with: "audience")
                .replacingOccurrences(of: "toleranceSeconds: 300", with: "toleranceSeconds: 0"))
                .write(toFile: dir + "/server.yaml", atomically: true, encoding: .utf8)
            let broken = run(["lint", "--config", dir + "/server.yaml", "--format", "json"])
            #expect(broken.code == 1)
            let report = try #require(try JSONSerialization.jsonObject(with: Data(broken.out.utf8)) as? [String: Any])
            let rules = (report["diagnostics"] as? [[String: Any]] ?? []).map { "\($0["line"]!):\($0["rule"]!)" }
            #expect(rules == ["7:unknown-field", "9:limit-out-of-range"], "\(broken.out)")

            // A key too short to be an HS256 secret, reported where the file is named.
            try config.write(toFile: dir + "/server.yaml", atomically: true, encoding: .utf8)
            try "short\n".write(toFile: dir + "/dev.key", atomically: true, encoding: .utf8)
            let weak = run(["lint", "--config", dir + "/server.yaml"])
            #expect(weak.code == 1)
            #expect(weak.out.contains("server.yaml:6:7: error: spec.issuers[0]:"), "\(weak.out)")
            #expect(!weak.out.contains("short"), "the secret is never printed")

            #expect(run(["lint", "--config", dir + "/missing.yaml"]).code == 2)
        }
    }

    @Test func rulesVerbListsEveryRule() {
        let result = run(["rules"])
        #expect(result.code == 0)
        for rule in Rules.all { #expect(result.out.contains(rule.id)) }
    }
}

/// Runs with the working directory set to `directory`, so paths print relative.
private func run(_ arguments: [String], in directory: URL) -> (code: Int32, out: String, err: String) {
    let previous = FileManager.default.currentDirectoryPath
    _ = FileManager.default.changeCurrentDirectoryPath(directory.path)
    defer { _ = FileManager.default.changeCurrentDirectoryPath(previous) }
    return run(arguments)
}

@Suite struct TestCommandTests {
    @Test func shippedPolicyTestsPass() {
        let result = run(["test", path("policies")])
        #expect(result.code == 0, "\(result.out)")
        #expect(result.out.hasSuffix(" passed, 0 failed\n"))
    }

    @Test func aFailingCaseShowsWhereAndWhatWasExpectedAndDecided() throws {
        let wrong = tenant + """
            ---
            apiVersion: sortie/v1
            kind: PolicyTest
            metadata: { name: limits }
            spec:
              cases:
                - name: the third SMS is refused
                  request: { agent: { id: a, license: premium, state: available }, activeOutbound: { sms: 1 }, channel: sms, to: "+33612345678", entryPoint: null }
                  expect: { allowed: false, reasons: [OUTBOUND_LIMIT_REACHED] }

            """
        try withPolicySet(["set.yaml": wrong]) { dir in
            let result = run(["test", dir])
            #expect(result.code == 1)
            #expect(result.out.contains("FAIL \(dir)/set.yaml:21: limits / the third SMS is refused"))
            #expect(result.out.contains("expected: allowed: false, reasons: [OUTBOUND_LIMIT_REACHED]"))
            // The set has no entry point: NO_ENTRY_POINT_CONFIGURED alone (it skips the other entry-point codes).
            #expect(result.out.contains("decided:  allowed: false, reasons: [NO_ENTRY_POINT_CONFIGURED], warnings: []"))
            #expect(result.out.hasSuffix("0 passed, 1 failed\n"))
        }
    }

    @Test func failOnEmptyAndBrokenSets() throws {
        try withPolicySet(["set.yaml": tenant]) { dir in
            #expect(run(["test", dir]).code == 0)
            let empty = run(["test", "--fail-on-empty", dir])
            #expect(empty.code == 1)
            #expect(empty.out == "0 passed, 0 failed\n")
        }
        try withPolicySet(["set.yaml": "kind: [\n"]) { dir in
            let broken = run(["test", dir])
            #expect(broken.code == 1)
            #expect(broken.err.contains("does not compile"))
        }
        #expect(run(["test", "/nonexistent"]).code == 2)
    }
}

@Suite struct EvalCommandTests {
    private func withRequests(_ lines: [String], _ body: (String) throws -> Void) throws {
        try withPolicySet(["requests.jsonl": lines.joined(separator: "\n") + "\n"]) { dir in try body(dir + "/requests.jsonl") }
    }

    @Test func oneDecisionPerNonBlankLineInOrderEvenForMalformedLines() throws {
        let ok = #"{"id":"r-1","agent":{"id":"a","license":"premium","state":"available"},"channel":"sms","to":"+33 6 12 34 56 78","entryPoint":"support-sms-fr"}"#
        let refused = #"{"id":"r-2","agent":{"id":"a","license":"standard","state":"available"},"channel":"sms","to":"+33612345678","entryPoint":"support-sms-fr"}"#
        try withRequests([ok, "", "   ", "not json", #"{"id":"r-3","agent":{"id":"a"},"destinationActiv":true}"#, refused]) { file in
            let result = run(["eval", "--policies", path("policies"), file])
            #expect(result.code == 0)
            let lines = result.out.split(separator: "\n").map(String.init)
            #expect(lines.count == 4)
            #expect(lines[0].contains(#""allowed":true"#) && lines[0].contains(#""id":"r-1""#) && lines[0].contains(#""destination":"+33612345678""#))
            #expect(lines[1].contains("INVALID_REQUEST") && lines[1].contains(#""id":null"#))
            #expect(lines[2].contains("INVALID_REQUEST") && lines[2].contains(#""id":"r-3""#) && lines[2].contains("destinationActiv: unknown field"))
            #expect(lines[3].contains("LICENSE_NOT_ELIGIBLE") && lines[3].contains(#""id":"r-2""#))
        }
    }

    @Test func textFormatIsForPeople() throws {
        try withRequests([#"{"id":"r-9","locale":"en","agent":{"id":"a","license":"premium","state":"idle"},"channel":"sms","to":"+33612345678","entryPoint":"support-sms-fr"}"#]) { file in
            let result = run(["eval", "--policies", path("policies"), "--format", "text", file])
            #expect(result.out == "r-9: denied (profile digital-default) to +33612345678\n  AGENT_STATE_NOT_ALLOWED: Switch to Available to start an outbound conversation (current state: idle).\n")
        }
    }

    @Test func aBrokenPolicyExitsOneWithItsDiagnostics() throws {
        try withPolicySet(["set.yaml": "kind: [\n", "requests.jsonl": "{}\n"]) { dir in
            let result = run(["eval", "--policies", dir, dir + "/requests.jsonl"])
            #expect(result.code == 1)
            #expect(result.err.contains("[yaml-syntax]"))
            #expect(result.out.isEmpty)
        }
        #expect(run(["eval", "--policies", path("policies"), "/nonexistent.jsonl"]).code == 2)
    }
}

@Suite struct CompileCommandTests {
    @Test func compileWritesABundleThatEvalLoads() throws {
        try withPolicySet(["requests.jsonl": #"{"id":"r","agent":{"id":"a","license":"premium","state":"available"},"channel":"sms","to":"+33612345678","entryPoint":"support-sms-fr"}"# + "\n"]) { dir in
            let bundle = dir + "/policy.bundle"
            let compiled = run(["compile", "--policies", path("policies"), "-o", bundle])
            #expect(compiled.code == 0, "\(compiled.err)")
            #expect(compiled.out.contains("sha256:"))
            let fromBundle = run(["eval", "--policies", bundle, dir + "/requests.jsonl"])
            let fromYAML = run(["eval", "--policies", path("policies"), dir + "/requests.jsonl"])
            #expect(fromBundle.code == 0)
            #expect(fromBundle.out == fromYAML.out)
            #expect(fromBundle.out.contains(#""allowed":true"#))
        }
    }

    @Test func brokenSetsAndBadBundlesFailClearly() throws {
        try withPolicySet(["set.yaml": "kind: [\n", "bad.bundle": "SORTIEPB\u{0}\u{0}"]) { dir in
            let compiled = run(["compile", "--policies", dir + "/set.yaml", "-o", dir + "/out.bundle"])
            #expect(compiled.code == 1)
            #expect(!FileManager.default.fileExists(atPath: dir + "/out.bundle"), "a broken set writes nothing")
            let eval = run(["eval", "--policies", dir + "/bad.bundle", "-"])
            #expect(eval.code == 1)
            #expect(eval.err.contains("truncated"))
        }
        #expect(run(["compile", "--policies", path("policies")]).code == 2, "-o is required")
    }
}

/// The embedding example under examples/ is built with the package and run here.
@Suite struct EmbeddingExampleTests {
    @Test func theExampleRunsOnTheShippedPolicies() throws {
        let testBinary = URL(fileURLWithPath: CommandLine.arguments[0])
        var directory = testBinary.deletingLastPathComponent()
        // The test runner lives in .build/<triple>/debug (possibly inside an .xctest bundle).
        while !FileManager.default.fileExists(atPath: directory.appendingPathComponent("sortie-embedding-example").path),
              directory.path != "/" {
            directory.deleteLastPathComponent()
        }
        let example = directory.appendingPathComponent("sortie-embedding-example")
        try #require(FileManager.default.fileExists(atPath: example.path), "build the package first (swift build)")
        let process = Process()
        process.executableURL = example
        process.arguments = [path("policies")]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        process.waitUntilExit()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 0)
        #expect(output.contains("policy sha256:"))
        #expect(output.contains("allowed: false\nOUTBOUND_LIMIT_REACHED: "))
        #expect(output.contains(#""id":"r-2","profile":"conseillers-vip""#))
    }
}

@Suite struct EvalExplainTests {
    @Test func explainShowsEveryCheckWithItsOutcome() throws {
        try withPolicySet(["r.jsonl": #"{"id":"r","agent":{"id":"a","license":"premium","state":"idle"},"channel":"sms","to":"+33612345678","entryPoint":"support-sms-fr"}"# + "\n"]) { dir in
            let text = run(["eval", "--policies", path("policies"), "--format", "text", "--explain", dir + "/r.jsonl"])
            #expect(text.out.contains("    failed  AGENT_STATE_NOT_ALLOWED (state=idle)\n"))
            #expect(text.out.contains("    passed  LICENSE_NOT_ELIGIBLE (license=premium)\n"))
            #expect(text.out.contains("    skipped EMAIL_SUBJECT_REQUIRED (subject=null): subjects are ignored on SMS\n"))
            let json = run(["eval", "--policies", path("policies"), "--explain", dir + "/r.jsonl"])
            #expect(json.out.contains(#""explain":[{"check":"DIGITAL_CHANNELS_DISABLED""#))
            #expect(json.out.contains(#"{"check":"AGENT_STATE_NOT_ALLOWED","inputs":{"state":"idle"},"outcome":"failed"}"#))
        }
    }
}

extension EvalExplainTests {
    @Test func explainShowsOptionsChecksPerChannel() throws {
        let request = #"{"id":"o","action":"options","agent":{"id":"a","license":"premium","state":"available","site":"lyon"},"activeOutbound":{"email":5}}"#
        try withPolicySet(["r.jsonl": request + "\n"]) { dir in
            let text = run(["eval", "--policies", path("policies"), "--format", "text", "--explain", dir + "/r.jsonl"])
            // lyon-sinistres: email only, limit 5.
            #expect(text.out.hasSuffix("""
                    passed  DIGITAL_CHANNELS_DISABLED (digitalChannels=true)
                    passed  LICENSE_NOT_ELIGIBLE (license=premium)
                    passed  NO_MULTIMEDIA_PROFILE (agent=a profile=lyon-sinistres site=lyon team=null)
                    passed  AGENT_STATE_NOT_ALLOWED (state=available)
                    sms:
                      failed  CHANNEL_NOT_IN_PROFILE (channel=sms profile=lyon-sinistres)
                      skipped OUTBOUND_LIMIT_REACHED (active=0 channel=sms limit=null): the profile lacks the channel
                      passed  NO_ENTRY_POINT_CONFIGURED (channel=sms entryPoints=relances-sms,support-sms-fr)
                    email:
                      passed  CHANNEL_NOT_IN_PROFILE (channel=email profile=lyon-sinistres)
                      failed  OUTBOUND_LIMIT_REACHED (active=5 channel=email limit=5)
                      passed  NO_ENTRY_POINT_CONFIGURED (channel=email entryPoints=service-client,sinistres)

                """), "\(text.out)")
            let json = run(["eval", "--policies", path("policies"), "--explain", dir + "/r.jsonl"])
            #expect(json.out.contains(#"{"channel":"email","check":"OUTBOUND_LIMIT_REACHED","inputs":{"active":5,"channel":"email","limit":5},"outcome":"failed"}"#))
            #expect(json.out.contains(#"{"check":"AGENT_STATE_NOT_ALLOWED","inputs":{"state":"available"},"outcome":"passed"}"#), "agent-level steps name no channel")
        }
    }

    @Test func explainWithoutAProfileSkipsTheProfileChecks() throws {
        try withPolicySet(["set.yaml": tenant.replacingOccurrences(of: ", defaultProfile: digital", with: ""),
                           "r.jsonl": #"{"id":"o","action":"options","agent":{"id":"a","license":"premium","state":"available"}}"# + "\n"]) { dir in
            let text = run(["eval", "--policies", dir + "/set.yaml", "--format", "text", "--explain", dir + "/r.jsonl"])
            #expect(text.out.contains("    failed  NO_MULTIMEDIA_PROFILE (agent=a profile=null site=null team=null)\n"), "\(text.err)")
            #expect(text.out.contains("      skipped CHANNEL_NOT_IN_PROFILE (channel=email profile=null): no profile resolves\n"))
            #expect(text.out.contains("      skipped OUTBOUND_LIMIT_REACHED (active=0 channel=sms limit=null): no profile resolves\n"))
        }
    }
}

@Suite struct HelpTests {
    @Test(arguments: ["lint", "test", "eval", "compile", "rules"])
    func verbHelpIsTheVerbs(verb: String) {
        for arguments in [[verb, "--help"], ["help", verb]] {
            let result = run(arguments)
            #expect(result.code == 0)
            #expect(result.out.contains("USAGE: sortie \(verb)"), "\(arguments): \(result.out.prefix(200))")
        }
    }
}

/// The README's `sortie eval` example is run here, so it cannot go stale.
@Suite struct ReadmeExampleTests {
    @Test func readmeEvalExampleIsCurrent() throws {
        let readme = try String(contentsOf: packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let request = #"{"id":"r-1","agent":{"id":"a","license":"premium","state":"idle"},"channel":"sms","to":"06 12 34 56 78","entryPoint":"support-sms-fr"}"#
        #expect(readme.contains("$ echo '\(request)'"))
        try withPolicySet(["r.jsonl": request + "\n"]) { dir in
            let result = run(["eval", "--policies", path("policies"), "--format", "text", dir + "/r.jsonl"])
            #expect(readme.contains(result.out), "README's eval example output is stale; it should read:\n\(result.out)")
        }
    }
}

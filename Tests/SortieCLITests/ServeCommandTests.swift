import Foundation
import Testing
@testable import SortieCLI
import SortieServer

/// `sortie serve`'s flags for the service's hygiene, read into its configuration.
@Suite struct ServeCommandTests {
    static func parse(_ arguments: [String]) throws -> ServeCommand {
        try #require(try SortieCommand.parseAsRoot(["serve"] + arguments) as? ServeCommand)
    }

    @Test func hygieneFlagsReachTheConfiguration() throws {
        let defaults = try Self.parse([]).serverConfiguration
        #expect(defaults.idleTimeout == .seconds(30) && defaults.maxConnections == 512 && !defaults.decisionLogRedact)
        let set = try Self.parse(["--idle-timeout", "2.5", "--max-connections", "4", "--decision-log-redact"]).serverConfiguration
        #expect(set.idleTimeout == .milliseconds(2500) && set.maxConnections == 4 && set.decisionLogRedact)
        #expect(set.decisionLogRedactKey == nil, "the key comes from the --config file, never a flag")
    }

    @Test func theDecisionLogIsWrittenBeforeEachAnswerUnlessAFlushIntervalIsGiven() throws {
        #expect(try Self.parse([]).serverConfiguration.decisionLogFlushInterval == nil)
        #expect(try Self.parse(["--decision-log-flush-ms", "0"]).serverConfiguration.decisionLogFlushInterval == nil)
        #expect(try Self.parse(["--decision-log-flush-ms", "25"]).serverConfiguration.decisionLogFlushInterval == .milliseconds(25))
    }

    @Test(arguments: [["--idle-timeout", "0"], ["--idle-timeout", "-1"], ["--max-connections", "0"],
                      ["--decision-log-flush-ms", "-1"], ["--decision-log-flush-ms", "60001"]])
    func outOfRangeValuesAreUsageErrors(_ arguments: [String]) {
        let captured = CapturedOutput()
        #expect(SortieCommand.run(["serve"] + arguments, io: captured.io) == 2, "\(arguments)")
    }

    @Test func helpNamesTheFlagsAndNeverAPassword() {
        let captured = CapturedOutput()
        #expect(SortieCommand.run(["serve", "--store", "postgres://sortie:Pa55w0rdS3cret@127.0.0.1/db", "--help"], io: captured.io) == 0)
        let help = captured.stdout + captured.stderr
        for flag in ["--idle-timeout", "--max-connections", "--decision-log-redact"] { #expect(help.contains(flag), "\(flag)") }
        #expect(!help.contains("Pa55w0rdS3cret"))
    }

    @Test func maxMessagesPerConversationIsAFlag() throws {
        let serve = try #require(try SortieCommand.parseAsRoot(["serve", "--max-messages-per-conversation", "3"]) as? ServeCommand)
        #expect(serve.serverConfiguration.maxMessagesPerConversation == 3)
        let defaults = try #require(try SortieCommand.parseAsRoot(["serve"]) as? ServeCommand)
        #expect(defaults.serverConfiguration.maxMessagesPerConversation == 10_000)
        for bad in ["0", "-1"] {
            #expect(throws: (any Error).self) { try SortieCommand.parseAsRoot(["serve", "--max-messages-per-conversation", bad]) }
        }
    }
}

import ArgumentParser
@testable import SortieCLI
import Testing

/// `sortie serve`'s flags reach the server's configuration, and bad values are usage errors.
@Suite struct ServeCommandTests {
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

import Sortie
import Testing

/// How a JSON Lines batch splits: the rule `sortie eval` and the C ABI's batch call share.
@Suite struct JSONLinesTests {
    static func lines(_ text: String) -> [String] {
        var out: [String] = []
        Array(text.utf8).withUnsafeBufferPointer { batch in
            JSONLines.forEachLine(in: batch) { out.append(String(decoding: $0, as: UTF8.self)) }
        }
        return out
    }

    @Test func linesEndAtLineFeedsWithoutTheCarriageReturnBefore() {
        #expect(Self.lines("{\"a\":1}\n{\"b\":2}\r\n{\"c\":3}\n") == ["{\"a\":1}", "{\"b\":2}", "{\"c\":3}"])
    }

    @Test func aLastLineWithoutALineFeedIsReadAndKeepsItsCarriageReturn() {
        #expect(Self.lines("{\"a\":1}\n{\"b\":2}") == ["{\"a\":1}", "{\"b\":2}"])
        #expect(Self.lines("{\"a\":1}\n{\"b\":2}\r") == ["{\"a\":1}", "{\"b\":2}\r"])
    }

    @Test func blankLinesAreSkipped() {
        #expect(Self.lines("\n  \t\r\n{\"a\":1}\n\r\n\n \t") == ["{\"a\":1}"])
        #expect(Self.lines("").isEmpty)
        #expect(Self.lines("\r\n").isEmpty)
    }

    @Test func aLoneCarriageReturnLineIsBlank() {
        #expect(Array("\r".utf8).withUnsafeBufferPointer(JSONLines.isBlank))
        #expect(!Array(" x ".utf8).withUnsafeBufferPointer(JSONLines.isBlank))
    }
}

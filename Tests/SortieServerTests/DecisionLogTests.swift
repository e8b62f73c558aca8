import Foundation
import Sortie
import SortieService
import Testing

@Suite struct DecisionLogTests {
    static func decision(_ n: Int) throws -> Decision {
        let evaluator = try Evaluator.load(path: examplePolicies)
        return evaluator.decide(json: Array(#"{"id":"r-\#(n)","agent":{"id":"a","license":"premium","state":"available"},"channel":"sms","to":"+33612345678","entryPoint":"support-sms-fr"}"#.utf8))
    }

    @Test func rotatesBySizeWithoutSplittingOrLosingLines() async throws {
        let folder = try TemporaryFolder.make()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("decisions.jsonl").path
        let log = try DecisionLog(path: path, maxBytes: 2_000, keep: 3)
        let decision = try Self.decision(1)
        for _ in 0..<40 { #expect(await log.append(request: nil, raw: "{}", decision: decision) == nil) }
        log.close()
        let files = [path, path + ".1", path + ".2", path + ".3"]
        var lines = 0
        for file in files {
            let text = try String(contentsOfFile: file, encoding: .utf8)
            #expect(text.utf8.count <= 2_000, "\(file)")
            for line in text.split(separator: "\n") {
                #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) != nil, "a split line in \(file)")
                lines += 1
            }
        }
        #expect(!FileManager.default.fileExists(atPath: path + ".4"))
        // Older files beyond `keep` are dropped; the newest lines are all there, in order.
        let lineSize = try String(contentsOfFile: path + ".1", encoding: .utf8).split(separator: "\n").first.map { $0.utf8.count + 1 } ?? 1
        let perFile = 2_000 / lineSize
        let inCurrent = 40 % perFile == 0 ? perFile : 40 % perFile
        #expect(lines == min(40, inCurrent + 3 * perFile))
    }

    @Test func appendsToAnExistingLog() async throws {
        let folder = try TemporaryFolder.make()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("decisions.jsonl").path
        let decision = try Self.decision(2)
        for _ in 0..<2 {
            let log = try DecisionLog(path: path)
            await log.append(request: nil, raw: "x", decision: decision)
            log.close()
        }
        #expect(try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").count == 2)
    }

    /// A buffered log writes when it is flushed, when its buffer fills and when it is closed,
    /// each time every line waiting, in the order appended; until then the file has none of them.
    @Test func aBufferedLogWritesOnFlushOnAFullBufferAndOnClose() async throws {
        let folder = try TemporaryFolder.make()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("decisions.jsonl").path
        let log = try DecisionLog(path: path, flushInterval: .seconds(3600))
        func lines() throws -> [String] { try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init) }
        func line(_ n: Int) -> [UInt8] { Array("{\"n\":\(n)}\n".utf8) }
        for n in 0..<3 { #expect(await log.append(line: line(n)) == nil) }
        #expect(try lines().isEmpty, "nothing is written before a flush")
        #expect(log.flush() == nil)
        #expect(try lines() == ["{\"n\":0}", "{\"n\":1}", "{\"n\":2}"])
        // A full buffer is written by the appender that fills it.
        let big = Array(repeating: UInt8(ascii: " "), count: DecisionLog.bufferBytes) + Array("{\"n\":3}\n".utf8)
        #expect(await log.append(line: big) == nil)
        #expect(try lines().count == 4)
        #expect(await log.append(line: line(4)) == nil)
        log.close()
        #expect(try lines().last == "{\"n\":4}", "close writes what waits")
    }
}


import Testing
@testable import Sortie

@Suite struct PolicyBundleTests {
    static func policy(seed: UInt64 = 1) throws -> CompiledPolicy {
        var rng = SeededGenerator(seed: seed)
        let text = DifferentialTests.randomSet(&rng)
        let result = Compiler.compile(sources: [PolicySource(path: "set.yaml", text: text)], root: "set/")
        return try #require(result.policy)
    }

    @Test func aBundleDecidesExactlyAsTheSetItCameFrom() throws {
        var rng = SeededGenerator(seed: 99)
        for seed in 1...60 {
            let original = try Self.policy(seed: UInt64(seed))
            let loaded = try PolicyBundle.decode(PolicyBundle.encode(original))
            #expect(loaded.revision == original.revision)
            let a = Evaluator(policy: original), b = Evaluator(policy: loaded)
            for _ in 0..<50 {
                let request = DifferentialTests.randomRequest(&rng)
                let da: Decision, db: Decision
                switch Request.decode(request) {
                case .success(let r): da = a.decide(r); db = b.decide(r)
                case .failure(let e): da = a.decide(e, locale: nil); db = b.decide(e, locale: nil)
                }
                #expect(da.json == db.json)
            }
        }
    }

    @Test func theShippedPoliciesRoundTrip() throws {
        let result = try Compiler.compile(paths: [TestPaths.packageRoot.appendingPathComponent("policies").path])
        let policy = try #require(result.policy)
        let bytes = try PolicyBundle.encode(policy)
        #expect(bytes.starts(with: Array("SORTIEPB".utf8)))
        #expect(try PolicyBundle.decode(bytes).revision == policy.revision)
    }

    @Test func truncatedBundlesAreRefusedAtEveryLength() throws {
        let bytes = try PolicyBundle.encode(try Self.policy())
        for length in Set(Array(0..<80) + stride(from: 80, to: bytes.count, by: 97).map { $0 } + [bytes.count - 1]) {
            #expect(throws: PolicyBundle.LoadError.self, "length \(length)") { try PolicyBundle.decode(Array(bytes[..<length])) }
        }
    }

    @Test func corruptedForeignAndFutureBundlesAreRefusedClearly() throws {
        let bytes = try PolicyBundle.encode(try Self.policy())
        func reason(_ b: [UInt8]) -> String {
            do { _ = try PolicyBundle.decode(b); return "loaded" } catch { return error.reason }
        }
        var flipped = bytes
        flipped[bytes.count - 10] ^= 0x20
        #expect(reason(flipped).contains("checksum"))
        var future = bytes
        future[11] = UInt8(PolicyBundle.formatVersion + 1)
        #expect(reason(future).contains("unsupported bundle format version \(PolicyBundle.formatVersion + 1)"))
        #expect(reason(Array("apiVersion: sortie/v1\n".utf8)).contains("not a Sortie policy bundle"))
        #expect(reason(bytes + [0]).contains("trailing"))
        #expect(reason(bytes) == "loaded")
    }
}

import Testing
@testable import SortieYAML

private func load(_ text: String) -> YAMLFile {
    YAMLLoader().load(bytes: Array(text.utf8), path: "t.yaml")
}

private func kinds(_ file: YAMLFile) -> [YAMLIssue.Kind] { file.issues.map(\.kind) }

@Suite struct LoaderTests {
    @Test func keysAndValuesCarryStartAndEndPositions() throws {
        let file = load("kind: Tenant\nspec:\n  limit: 12\n  name: \"NO\"\n")
        #expect(file.issues.isEmpty)
        guard case .mapping(let root) = try #require(file.documents.first?.root) else { Issue.record("not a mapping"); return }
        let spec = try #require(root["spec"])
        guard case .mapping(let specMap) = spec.value else { Issue.record("spec not a mapping"); return }
        let limit = try #require(specMap["limit"])
        #expect(limit.key.span.start == SourcePosition(line: 3, column: 3))
        #expect(limit.key.span.end == SourcePosition(line: 3, column: 8))
        guard case .scalar(let value) = limit.value else { Issue.record("limit not a scalar"); return }
        #expect(value.value == "12")
        #expect(!value.isQuoted)
        #expect(value.span.start == SourcePosition(line: 3, column: 10))
        #expect(value.span.end == SourcePosition(line: 3, column: 12))
        guard case .scalar(let name) = try #require(specMap["name"]).value else { Issue.record("name"); return }
        #expect(name.value == "NO")
        #expect(name.isQuoted)
        #expect(spec.value.span.end == SourcePosition(line: 4, column: 13))
    }

    @Test func columnsCountCharactersNotBytes() throws {
        let file = load("é: { à: x }\n")
        guard case .mapping(let root) = try #require(file.documents.first?.root),
              case .mapping(let inner) = try #require(root["é"]).value else { Issue.record("shape"); return }
        #expect(try #require(inner["à"]).key.span.start == SourcePosition(line: 1, column: 6))
    }

    @Test func scalarsStayStringsWhateverTheyLookLike() throws {
        let file = load("a: NO\nb: 0123\nc: yes\nd: 1.0\ne: ~\n")
        guard case .mapping(let root) = try #require(file.documents.first?.root) else { return }
        let values = root.entries.compactMap { entry -> String? in
            if case .scalar(let s) = entry.value { return s.value }
            return nil
        }
        #expect(values == ["NO", "0123", "yes", "1.0", "~"])
    }

    @Test func duplicateKeysAreReportedAtTheSecondWithTheFirstPosition() {
        let file = load("a: 1\nb: 2\na: 3\n")
        #expect(file.issues.count == 1)
        guard case .duplicateKey(let key, let first) = file.issues[0].kind else { Issue.record("kind"); return }
        #expect(key == "a")
        #expect(first.start.line == 1)
        #expect(file.issues[0].span.start == SourcePosition(line: 3, column: 1))
    }

    @Test func quotedAndPlainKeysAreTheSameKey() {
        #expect(kinds(load("a: 1\n\"a\": 2\n")).count == 1)
    }

    @Test func anchorsAliasesMergeKeysAndTagsAreRejected() {
        let file = load("a: &x { b: 1 }\nc: *x\nd:\n  <<: { e: 1 }\nf: !!str 3\ng: !local 4\n")
        let found = kinds(file)
        #expect(found.contains(.anchor(name: "x")))
        #expect(found.contains(.alias(name: "x")))
        #expect(found.contains(.mergeKey))
        #expect(found.contains(.explicitTag(tag: "tag:yaml.org,2002:str")))
        #expect(found.contains(.explicitTag(tag: "!local")))
        #expect(file.untrustedDocuments == [0], "an alias makes its document untrusted")
    }

    @Test func quotedMergeKeyIsAnOrdinaryKey() {
        #expect(load("\"<<\": 1\n").issues.isEmpty)
    }

    @Test func complexKeysAreRejected() {
        #expect(kinds(load("? [a, b]\n: 1\nc: 2\n")) == [.complexKey])
    }

    @Test func depthLimitCountsTheRootAsLevelOne() {
        let ok = "a: " + String(repeating: "[", count: 63) + String(repeating: "]", count: 63) + "\n"
        let deep = "a: " + String(repeating: "[", count: 64) + String(repeating: "]", count: 64) + "\n"
        #expect(load(ok).issues.isEmpty)
        let file = load(deep)
        #expect(kinds(file) == [.nestingTooDeep(limit: 64)])
        #expect(file.issues[0].span.start == SourcePosition(line: 1, column: 67))
        #expect(file.untrustedDocuments == [0])
        #expect(!file.isComplete, "reading stops at the too-deep document")
    }

    @Test func veryDeepNestingIsAnErrorNotACrashOrAHang() {
        let deep = String(repeating: "[", count: 200_000)
        let file = load(deep)
        #expect(file.issues.map(\.kind) == [.nestingTooDeep(limit: 64)])
    }

    @Test func sizeLimitIsEightMebibytes() {
        var loader = YAMLLoader()
        loader.maxFileSize = 100
        let file = loader.load(bytes: Array(repeating: UInt8(ascii: "#"), count: 101), path: "big.yaml")
        #expect(kinds(file) == [.fileTooLarge(bytes: 101, limit: 100)])
        #expect(!file.isComplete)
        #expect(YAMLLoader().maxFileSize == 8 * 1024 * 1024)
    }

    @Test func nonUTF8IsRejectedAtTheFirstBadByte() {
        let bytes = Array("a: 1\nb: caf".utf8) + [0xE9] + Array("\n".utf8)
        let file = YAMLLoader().load(bytes: bytes, path: "latin1.yaml")
        #expect(kinds(file) == [.invalidEncoding(byteOffset: 11)])
        #expect(file.issues[0].span.start == SourcePosition(line: 2, column: 7))
        let utf16 = YAMLLoader().load(bytes: [0xFF, 0xFE, 0x61, 0x00], path: "utf16.yaml")
        #expect(kinds(utf16) == [.invalidEncoding(byteOffset: 0)])
    }

    @Test func overlongAndSurrogateEncodingsAreInvalid() {
        #expect(UTF8Check.firstInvalidByte(in: [0xC0, 0x80]) == 0)
        #expect(UTF8Check.firstInvalidByte(in: [0x61, 0xED, 0xA0, 0x80]) == 1)
        #expect(UTF8Check.firstInvalidByte(in: [0xF4, 0x90, 0x80, 0x80]) == 0)
        #expect(UTF8Check.firstInvalidByte(in: Array("héllo €𝄞".utf8)) == nil)
    }

    @Test func syntaxErrorsAreReportedAtLibyamlsProblemPosition() {
        let file = load("a: 1\nb: [1, 2\nc: 3\n")
        #expect(file.issues.count == 1)
        guard case .syntax(let problem, _) = file.issues[0].kind else { Issue.record("kind"); return }
        #expect(problem.contains("did not find expected ',' or ']'"))
        #expect(file.issues[0].span.start.line == 3)
        #expect(!file.isComplete)
    }

    @Test func controlCharactersAreASyntaxErrorWithAPosition() {
        let file = YAMLLoader().load(bytes: Array("a: 1\nb: x\u{01}y\n".utf8), path: "ctl.yaml")
        guard case .syntax = file.issues.first?.kind else { Issue.record("expected a syntax error"); return }
        #expect(file.issues[0].span.start == SourcePosition(line: 2, column: 5))
    }

    @Test func emptyFilesAndDocuments() {
        #expect(kinds(load("")) == [.emptyFile])
        #expect(kinds(load("# only a comment\n")) == [.emptyFile])
        #expect(kinds(load("---\n...\n")) == [.emptyFile])
        let file = load("a: 1\n---\n---\nb: 2\n")
        #expect(kinds(file) == [.emptyDocument])
        #expect(file.documents.count == 3)
    }

    @Test func multipleDocumentsKeepTheirIndexAndSpan() {
        let file = load("a: 1\n---\nb: 2\n")
        #expect(file.documents.map(\.index) == [0, 1])
        #expect(file.documents[1].span.start.line == 3)
    }
}

@Suite struct SourceLinesTests {
    @Test func splitsOnEveryLineBreakLibyamlKnows() {
        #expect(SourceLines.split("a\nb\r\nc\rd\u{85}e\u{2028}f").map(String.init) == ["a", "b", "c", "d", "e", "f"])
        #expect(SourceLines.split("").count == 1)
        #expect(SourceLines.split("a\n").map(String.init) == ["a", ""])
    }

    @Test func libyamlLinesMatchTheSplit() {
        let file = YAMLLoader().load(bytes: Array("a: 1\rb: 2\r\nc: [\n".utf8), path: "cr.yaml")
        #expect(file.issues.first?.span.start.line == 4)
    }
}

import CLibYAML

/// Reads YAML text into positioned node trees with libyaml's event parser, strictly:
/// no anchors, aliases, merge keys or tags, no duplicate keys, UTF-8 only, bounded size and depth.
///
/// The loader never throws and never traps: every problem becomes a `YAMLIssue`.
///
/// ```swift
/// let file = YAMLLoader().load(bytes: Array(text.utf8), path: "policies/tenant.yaml")
/// for doc in file.documents { ... }
/// ```
public struct YAMLLoader: Sendable {
    /// Files larger than this are refused unread (8 MiB).
    public var maxFileSize: Int = 8 * 1024 * 1024
    /// Deepest accepted nesting of collections; the document's root collection is level 1.
    public var maxDepth: Int = 64

    public init() {}

    public func load(bytes input: [UInt8], path: String) -> YAMLFile {
        // A UTF-8 byte-order mark is allowed (editors on Windows write one) and is not content.
        let bytes = input.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(input.dropFirst(3)) : input
        var file = YAMLFile(path: path, documents: [], issues: [], isComplete: true, untrustedDocuments: [])
        let origin = SourceSpan(file: path, start: .init(line: 1, column: 1), end: .init(line: 1, column: 1))
        if bytes.count > maxFileSize {
            file.issues.append(YAMLIssue(kind: .fileTooLarge(bytes: bytes.count, limit: maxFileSize), span: origin))
            file.isComplete = false
            return file
        }
        if let bad = UTF8Check.firstInvalidByte(in: bytes) {
            let pos = UTF8Check.position(ofByte: bad, in: bytes)
            let span = SourceSpan(file: path, start: pos, end: .init(line: pos.line, column: pos.column + 1))
            file.issues.append(YAMLIssue(kind: .invalidEncoding(byteOffset: bad), span: span))
            file.isComplete = false
            return file
        }
        var builder = TreeBuilder(path: path, maxDepth: maxDepth)
        if !bytes.isEmpty {
            bytes.withUnsafeBufferPointer { buffer in
                builder.run(buffer, bytes: bytes)
            }
        }
        file.documents = builder.documents
        file.issues = builder.issues
        file.isComplete = builder.isComplete
        file.untrustedDocuments = builder.untrusted
        let nonEmpty = file.documents.contains { $0.root != nil } || !file.untrustedDocuments.isEmpty
        if !nonEmpty && file.isComplete {
            file.issues.append(YAMLIssue(kind: .emptyFile, span: origin))
        } else {
            for doc in file.documents where doc.root == nil && !file.untrustedDocuments.contains(doc.index) {
                file.issues.append(YAMLIssue(kind: .emptyDocument, span: doc.span))
            }
        }
        return file
    }
}

/// Turns libyaml's event stream into `YAMLDocument`s, applying the strict rules as it goes.
private struct TreeBuilder {
    let path: String
    let maxDepth: Int
    var documents: [YAMLDocument] = []
    var issues: [YAMLIssue] = []
    var isComplete = true
    var untrusted: Set<Int> = []

    private enum KeyState {
        case expectingKey
        case haveKey(YAMLScalar)
        /// The key was rejected (merge key, duplicate, complex): its value is dropped.
        case dropValue
    }

    /// An open collection. A class, so appending to it never copies its items (a value type
    /// here would make long lists quadratic).
    private final class Frame {
        let isMapping: Bool
        let start: SourcePosition
        var entries: [YAMLEntry] = []
        var items: [YAMLNode] = []
        var keyState = KeyState.expectingKey
        var hasRejectedKeys = false
        /// Key index for duplicate detection, built only for large mappings (small ones are
        /// scanned: hashing every key of every small mapping is most of the cost otherwise).
        var index: [String: SourceSpan]?

        func firstOccurrence(of key: String) -> SourceSpan? {
            if let index { return index[key] }
            if entries.count < 12 { return entries.first { $0.key.value == key }?.key.span }
            var built: [String: SourceSpan] = [:]
            for entry in entries where built[entry.key.value] == nil { built[entry.key.value] = entry.key.span }
            index = built
            return built[key]
        }

        init(isMapping: Bool, start: SourcePosition) {
            self.isMapping = isMapping
            self.start = start
        }
    }

    private var stack: [Frame] = []
    private var documentRoot: YAMLNode?
    private var documentStart = SourcePosition(line: 1, column: 1)
    /// Set when the current document broke a rule that makes its content meaningless.
    private var documentUntrusted = false
    /// While skipping the rest of a too-deep document.
    private var skippingDocument = false

    init(path: String, maxDepth: Int) {
        self.path = path
        self.maxDepth = maxDepth
    }

    mutating func run(_ buffer: UnsafeBufferPointer<UInt8>, bytes: [UInt8]) {
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) != 0 else {
            fail(problem: "out of memory", context: nil, at: SourcePosition(line: 1, column: 1))
            return
        }
        defer { yaml_parser_delete(&parser) }
        yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
        yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)

        var event = yaml_event_t()
        while true {
            guard yaml_parser_parse(&parser, &event) != 0 else {
                reportParserError(parser, bytes: bytes)
                return
            }
            let done = event.type == YAML_STREAM_END_EVENT
            handle(event)
            yaml_event_delete(&event)
            if done { return }
            if skippingDocument {
                // Too deep: stop reading this file. libyaml's scanner is quadratic in the
                // flow nesting depth, so reading on through 100,000 `[` would take minutes.
                isComplete = false
                untrusted.insert(documents.count)
                return
            }
        }
    }

    private mutating func reportParserError(_ parser: yaml_parser_t, bytes: [UInt8]) {
        let problem = parser.problem.map { String(cString: $0) } ?? "invalid YAML"
        let context = parser.context.map { String(cString: $0) }
        let position: SourcePosition
        if parser.error == YAML_READER_ERROR {
            position = UTF8Check.position(ofByte: min(parser.problem_offset, bytes.count), in: bytes)
        } else {
            position = Self.clamp(Self.position(parser.problem_mark), to: bytes)
        }
        fail(problem: problem, context: context, at: position)
    }

    private mutating func fail(problem: String, context: String?, at position: SourcePosition) {
        let span = SourceSpan(file: path, start: position, end: .init(line: position.line, column: position.column + 1))
        issues.append(YAMLIssue(kind: .syntax(problem: problem, context: context), span: span))
        isComplete = false
    }

    /// At the end of a file without a final newline, libyaml moves its mark to a virtual next
    /// line; report such a position at the end of the last real line instead.
    private static func clamp(_ position: SourcePosition, to bytes: [UInt8]) -> SourcePosition {
        let lines = SourceLines.split(String(decoding: bytes, as: UTF8.self))
        guard position.line > lines.count, let last = lines.last else { return position }
        return SourcePosition(line: lines.count, column: last.unicodeScalars.count + 1)
    }

    private static func position(_ mark: yaml_mark_t) -> SourcePosition {
        SourcePosition(line: Int(mark.line) + 1, column: Int(mark.column) + 1)
    }

    private func span(_ start: yaml_mark_t, _ end: yaml_mark_t) -> SourceSpan {
        SourceSpan(file: path, start: Self.position(start), end: Self.position(end))
    }

    private static func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        guard let pointer else { return nil }
        return String(cString: UnsafeRawPointer(pointer).assumingMemoryBound(to: CChar.self))
    }

    private mutating func handle(_ event: yaml_event_t) {
        switch event.type {
        case YAML_DOCUMENT_START_EVENT:
            documentRoot = nil
            stack.removeAll()
            documentUntrusted = false
            skippingDocument = false
            documentStart = Self.position(event.start_mark)
        case YAML_DOCUMENT_END_EVENT:
            let index = documents.count
            let end = documentRoot?.span.end ?? Self.position(event.end_mark)
            let spanStart = documentRoot?.span.start ?? documentStart
            documents.append(YAMLDocument(
                root: documentUntrusted ? nil : documentRoot,
                span: SourceSpan(file: path, start: spanStart, end: end),
                index: index))
            if documentUntrusted { untrusted.insert(index) }
        case YAML_ALIAS_EVENT:
            guard !skippingDocument else { return }
            let name = Self.string(event.data.alias.anchor) ?? ""
            let span = span(event.start_mark, event.end_mark)
            issues.append(YAMLIssue(kind: .alias(name: name), span: span))
            documentUntrusted = true
            attach(.scalar(YAMLScalar(value: "", isQuoted: false, span: span)))
        case YAML_SCALAR_EVENT:
            guard !skippingDocument else { return }
            let data = event.data.scalar
            let span = span(event.start_mark, event.end_mark)
            checkProperties(anchor: data.anchor, tag: data.tag, span: span)
            let value: String
            if let raw = data.value {
                value = String(decoding: UnsafeBufferPointer(start: raw, count: Int(data.length)), as: UTF8.self)
            } else {
                value = ""
            }
            attach(.scalar(YAMLScalar(value: value, isQuoted: data.style != YAML_PLAIN_SCALAR_STYLE, span: span)))
        case YAML_MAPPING_START_EVENT, YAML_SEQUENCE_START_EVENT:
            guard !skippingDocument else { return }
            let isMapping = event.type == YAML_MAPPING_START_EVENT
            let anchor = isMapping ? event.data.mapping_start.anchor : event.data.sequence_start.anchor
            let tag = isMapping ? event.data.mapping_start.tag : event.data.sequence_start.tag
            let start = Self.position(event.start_mark)
            checkProperties(anchor: anchor, tag: tag, span: span(event.start_mark, event.end_mark))
            if stack.count + 1 > maxDepth {
                let span = SourceSpan(file: path, start: start, end: .init(line: start.line, column: start.column + 1))
                issues.append(YAMLIssue(kind: .nestingTooDeep(limit: maxDepth), span: span))
                documentUntrusted = true
                skippingDocument = true
                stack.removeAll()
                return
            }
            stack.append(Frame(isMapping: isMapping, start: start))
        case YAML_MAPPING_END_EVENT, YAML_SEQUENCE_END_EVENT:
            guard !skippingDocument, let frame = stack.popLast() else { return }
            let endMark = Self.position(event.end_mark)
            let start = frame.start
            if frame.isMapping {
                // A block mapping "ends" where the next token starts; end it at its last value instead.
                let end = frame.entries.last.map { max($0.value.span.end, $0.key.span.end) } ?? endMark
                attach(.mapping(YAMLMapping(entries: frame.entries, span: SourceSpan(file: path, start: start, end: max(end, start)),
                                            hasRejectedKeys: frame.hasRejectedKeys)))
            } else {
                let end = frame.items.last?.span.end ?? endMark
                attach(.sequence(YAMLSequence(items: frame.items, span: SourceSpan(file: path, start: start, end: max(end, start)))))
            }
        default:
            break
        }
    }

    private mutating func checkProperties(anchor: UnsafeMutablePointer<yaml_char_t>?, tag: UnsafeMutablePointer<yaml_char_t>?, span: SourceSpan) {
        if let name = Self.string(anchor) {
            // The event spans the whole node; the anchor is the `&name` token at its start.
            let end = SourcePosition(line: span.start.line, column: span.start.column + 1 + name.unicodeScalars.count)
            issues.append(YAMLIssue(kind: .anchor(name: name), span: SourceSpan(file: span.file, start: span.start, end: end)))
        }
        if let tag = Self.string(tag) {
            issues.append(YAMLIssue(kind: .explicitTag(tag: tag), span: span))
        }
    }

    /// Hands a finished node to its parent collection, or makes it the document's root.
    private mutating func attach(_ node: YAMLNode) {
        guard let top = stack.last else {
            documentRoot = Self.isNullScalar(node) ? nil : node
            return
        }
        guard top.isMapping else {
            top.items.append(node)
            return
        }
        switch top.keyState {
        case .expectingKey:
            guard case .scalar(let key) = node else {
                issues.append(YAMLIssue(kind: .complexKey, span: node.span))
                top.keyState = .dropValue
                top.hasRejectedKeys = true
                return
            }
            if key.value == "<<" && !key.isQuoted {
                issues.append(YAMLIssue(kind: .mergeKey, span: key.span))
                top.keyState = .dropValue
                top.hasRejectedKeys = true
            } else if let first = top.firstOccurrence(of: key.value) {
                issues.append(YAMLIssue(kind: .duplicateKey(key: key.value, first: first), span: key.span))
                top.keyState = .dropValue
                top.hasRejectedKeys = true
            } else {
                top.keyState = .haveKey(key)
            }
        case .haveKey(let key):
            top.entries.append(YAMLEntry(key: key, value: node))
            if top.index != nil, top.index?[key.value] == nil { top.index?[key.value] = key.span }
            top.keyState = .expectingKey
        case .dropValue:
            top.keyState = .expectingKey
        }
    }

    private static func isNullScalar(_ node: YAMLNode) -> Bool {
        if case .scalar(let s) = node { return s.isNull }
        return false
    }
}

/// UTF-8 validation with the offset of the first bad byte, and offset-to-position mapping.
enum UTF8Check {
    static func firstInvalidByte(in bytes: [UInt8]) -> Int? {
        var i = 0
        let n = bytes.count
        while i < n {
            let b = bytes[i]
            if b < 0x80 { i += 1; continue }
            let length: Int
            var minimum: UInt32
            var scalar: UInt32
            switch b {
            case 0xC2...0xDF: length = 2; minimum = 0x80; scalar = UInt32(b & 0x1F)
            case 0xE0...0xEF: length = 3; minimum = 0x800; scalar = UInt32(b & 0x0F)
            case 0xF0...0xF4: length = 4; minimum = 0x10000; scalar = UInt32(b & 0x07)
            default: return i
            }
            guard i + length <= n else { return i }
            for k in 1..<length {
                let c = bytes[i + k]
                guard c & 0xC0 == 0x80 else { return i }
                scalar = scalar << 6 | UInt32(c & 0x3F)
            }
            if scalar < minimum || scalar > 0x10FFFF || (0xD800...0xDFFF).contains(scalar) { return i }
            minimum = 0
            i += length
        }
        return nil
    }

    /// The 1-based line and column (in Unicode scalars) of byte `offset`, counting line breaks
    /// as libyaml does (see `SourceLines`).
    static func position(ofByte offset: Int, in bytes: [UInt8]) -> SourcePosition {
        var line = 1
        var column = 1
        var i = 0
        let end = min(offset, bytes.count)
        while i < end {
            let b = bytes[i]
            var breakLength = 0
            if b == 0x0A {
                breakLength = 1
            } else if b == 0x0D {
                breakLength = (i + 1 < bytes.count && bytes[i + 1] == 0x0A) ? 2 : 1
            } else if b == 0xC2, i + 1 < bytes.count, bytes[i + 1] == 0x85 {
                breakLength = 2
            } else if b == 0xE2, i + 2 < bytes.count, bytes[i + 1] == 0x80, bytes[i + 2] == 0xA8 || bytes[i + 2] == 0xA9 {
                breakLength = 3
            }
            if breakLength > 0 {
                line += 1
                column = 1
                i += breakLength
                continue
            }
            if b & 0xC0 != 0x80 { column += 1 }
            i += 1
        }
        return SourcePosition(line: line, column: column)
    }
}

/// A problem found while reading YAML. The loader only says *what* and *where*; the wording of
/// each message lives with its lint rule in the `Sortie` module.
public struct YAMLIssue: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        /// libyaml could not parse the text; `problem` and `context` are libyaml's words.
        case syntax(problem: String, context: String?)
        /// The file is not UTF-8; `byteOffset` is the first offending byte.
        case invalidEncoding(byteOffset: Int)
        /// The file is larger than the loader accepts.
        case fileTooLarge(bytes: Int, limit: Int)
        /// A collection nested deeper than the limit (the document's root is level 1).
        case nestingTooDeep(limit: Int)
        /// A mapping key seen earlier in the same mapping.
        case duplicateKey(key: String, first: SourceSpan)
        /// `&anchor` on a node.
        case anchor(name: String)
        /// `*alias`.
        case alias(name: String)
        /// `<<: ...`.
        case mergeKey
        /// `!tag` or `!!type`.
        case explicitTag(tag: String)
        /// A key that is a mapping or a list.
        case complexKey
        /// No document, or only empty ones.
        case emptyFile
        /// An empty document between `---` markers in a file that has others.
        case emptyDocument
    }

    public var kind: Kind
    public var span: SourceSpan

    public init(kind: Kind, span: SourceSpan) {
        self.kind = kind
        self.span = span
    }
}

/// One loaded YAML file: its documents and the problems met while reading it.
public struct YAMLFile: Sendable {
    public var path: String
    /// Documents read in full; an empty document has a nil root.
    public var documents: [YAMLDocument]
    public var issues: [YAMLIssue]
    /// False when a fatal problem (syntax, encoding, size) stopped reading before the end, so
    /// the file may hold documents the set never saw.
    public var isComplete: Bool
    /// Indexes (into `documents`) of documents whose content could not be trusted (an alias or
    /// too-deep nesting): they are reported but not interpreted further.
    public var untrustedDocuments: Set<Int>
}

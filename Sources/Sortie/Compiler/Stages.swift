/// The state a compilation carries from stage to stage.
public struct Compilation: Sendable {
    /// The set's root path as given, where whole-set problems are reported.
    public var root: String
    public var sources: [PolicySource]
    public var files: [YAMLFile] = []
    public var set: DecodedSet
    public var diagnostics = Diagnostics()
    /// Set by the last stage when no stage reported an error.
    public var policy: CompiledPolicy?

    init(root: String, sources: [PolicySource]) {
        self.root = root
        self.sources = sources.sorted { $0.path < $1.path }
        self.set = DecodedSet(root: root, documents: [], isComplete: true)
    }
}

/// What compiling a set gives: every diagnostic, sorted, and the compiled policy when the set
/// has no errors.
public struct CompileResult: Sendable {
    public var diagnostics: [Diagnostic]
    public var policy: CompiledPolicy?
    /// The files' bytes by path, so renderers can show source lines.
    public var sources: [String: [UInt8]]
    /// How long each stage took, in stage order (`sortie lint --timings` prints them).
    public var stageDurations: [(stage: String, duration: Duration)] = []

    public var errorCount: Int { diagnostics.count { $0.severity == .error } }
    public var warningCount: Int { diagnostics.count { $0.severity == .warning } }
}

/// The policy compiler: one ordered list of named stages. `sortie lint`, `sortie test`, the
/// evaluator and the server all compile through `Compiler.compile`; there is no second way.
public enum Compiler {
    public struct Stage: Sendable {
        public let name: String
        let run: @Sendable (inout Compilation) -> Void
    }

    public static let stages: [Stage] = [
        // Bytes -> YAML node trees, with the strict YAML rules. Each file on its own, so a
        // broken file never hides the problems of the others.
        Stage(name: "load", run: load),
        // Node trees -> typed documents (schema walker). Needs every file's nodes.
        Stage(name: "decode", run: decode),
        // Names and references across documents. Needs every document decoded, so that a
        // reference can be resolved whatever file or order it is in.
        Stage(name: "link", run: link),
        // Meaning: addresses, limits, unused or duplicate things, messages. Runs after link so it
        // can rely on unique names and resolved references.
        Stage(name: "check", run: check),
        // Decoded documents -> the immutable compiled policy. Only when no stage found an error.
        Stage(name: "lower", run: lower),
    ]

    /// Compiles files already read. `root` names the set in whole-set diagnostics.
    public static func compile(sources: [PolicySource], root: String) -> CompileResult {
        var compilation = Compilation(root: root, sources: sources)
        var durations: [(stage: String, duration: Duration)] = []
        let clock = ContinuousClock()
        for stage in stages {
            let start = clock.now
            stage.run(&compilation)
            durations.append((stage.name, clock.now - start))
        }
        var bytes: [String: [UInt8]] = [:]
        for source in compilation.sources { bytes[source.path] = source.bytes }
        return CompileResult(diagnostics: compilation.diagnostics.sorted, policy: compilation.policy, sources: bytes,
                             stageDurations: durations)
    }

    /// Reads the set at `paths` (directories or files) and compiles it. Throws only when a path
    /// cannot be read; policy problems are diagnostics.
    public static func compile(paths: [String]) throws(PolicyReadError) -> CompileResult {
        let sources = try PolicySetReader.read(paths: paths)
        return compile(sources: sources, root: paths.first ?? ".")
    }

    // MARK: The stages

    static func load(_ c: inout Compilation) {
        let loader = YAMLLoader()
        c.files = c.sources.map { loader.load(bytes: $0.bytes, path: $0.path) }
        for file in c.files {
            for issue in file.issues { c.diagnostics.append(Rules.diagnostic(for: issue)) }
        }
    }

    static func decode(_ c: inout Compilation) {
        var complete = true
        var documents: [PolicyDocument] = []
        for file in c.files {
            if !file.isComplete || !file.untrustedDocuments.isEmpty { complete = false }
            for yaml in file.documents {
                guard let root = yaml.root else { continue }
                let context = DecodeContext()
                if var document = PolicyDocument.decode(root, context: context) {
                    document.hasErrors = context.diagnostics.hasErrors
                    // A document whose name is unreadable may be what a reference names.
                    if document.metadata.name == nil { complete = false }
                    documents.append(document)
                } else {
                    complete = false
                }
                c.diagnostics.append(contentsOf: context.diagnostics.items)
            }
        }
        c.set = DecodedSet(root: c.root, documents: documents, isComplete: complete)
        // The node trees are not needed after decoding (PolicyTest requests keep their own
        // subtrees); free them now rather than at the end, to lower peak memory.
        for i in c.files.indices { c.files[i].documents = [] }
    }

    static func link(_ c: inout Compilation) {
        for check in Rules.linkChecks { check(c.set, &c.diagnostics) }
    }

    static func check(_ c: inout Compilation) {
        for check in Rules.meaningChecks { check(c.set, &c.diagnostics) }
    }

    static func lower(_ c: inout Compilation) {
        guard !c.diagnostics.hasErrors else { return }
        c.policy = CompiledPolicy(lowering: c.set)
    }
}

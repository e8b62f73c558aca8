import Sortie

/// How the verbs that need a policy get one: `.usage` for a path that cannot be read, `.failure`
/// (after printing the set's errors with their source lines) for a set that does not compile.
enum PolicyLoading {
    static func compile(_ paths: [String], io: CommandIO) -> Result<CompiledPolicy, ExitStatus> {
        let result: CompileResult
        do {
            result = try Compiler.compile(paths: paths)
        } catch {
            io.stderr("sortie: \(error)\n")
            return .failure(.usage)
        }
        guard let policy = result.policy else {
            reportErrors(result.diagnostics, sources: result.sources, io: io)
            return .failure(.failure)
        }
        return .success(policy)
    }

    /// A directory, YAML files or a bundle, for evaluation.
    static func evaluator(_ path: String, io: CommandIO) -> Result<Evaluator, ExitStatus> {
        do {
            return .success(try Evaluator.load(path: path))
        } catch let error as PolicyCompileError {
            reportErrors(error.diagnostics, sources: error.sources, io: io)
            return .failure(.failure)
        } catch let error as PolicyBundle.LoadError {
            io.stderr("sortie: \(path): \(error)\n")
            return .failure(.failure)
        } catch {
            io.stderr("sortie: \(error)\n")
            return .failure(.usage)
        }
    }

    static func reportErrors(_ diagnostics: [Diagnostic], sources: [String: [UInt8]], io: CommandIO) {
        io.stderr(DiagnosticFormat.text.render(diagnostics.filter { $0.severity == .error }, sources: sources))
    }
}

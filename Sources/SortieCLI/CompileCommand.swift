import ArgumentParser
import Foundation
import Sortie

/// `sortie compile --policies DIR -o FILE`: writes the compiled policy as a bundle.
struct CompileCommand: Verb {
    static let configuration = CommandConfiguration(
        commandName: "compile",
        abstract: "Compile a policy set into a bundle that the library and server load without YAML.",
        discussion: "The bundle is stamped with the set's revision. Exit status: 0 written, 1 the set does not compile, 2 a usage or I/O error.")

    @Option(help: "The policy directory (or file).")
    var policies: String = "policies/"

    @Option(name: .shortAndLong, help: "The bundle to write.")
    var output: String

    func run(io: CommandIO) -> ExitStatus {
        let policy: CompiledPolicy
        switch PolicyLoading.compile([policies], io: io) {
        case .success(let compiled): policy = compiled
        case .failure(let status): return status
        }
        let bytes: [UInt8]
        do {
            bytes = try PolicyBundle.encode(policy)
        } catch {
            io.stderr("sortie: \(output): the compiled policy could not be encoded: \(error)\n")
            return .usage
        }
        // Write beside the target and rename, so a reader never sees half a bundle.
        let temporary = output + ".tmp-\(getpid())"
        guard FileManager.default.createFile(atPath: temporary, contents: Data(bytes)) else {
            io.stderr("sortie: \(output): cannot write the bundle\n")
            return .usage
        }
        guard rename(temporary, output) == 0 else {
            unlink(temporary)
            io.stderr("sortie: \(output): cannot write the bundle\n")
            return .usage
        }
        io.stdout("\(output): \(policy.revision) (\(bytes.count) bytes)\n")
        return .success
    }
}

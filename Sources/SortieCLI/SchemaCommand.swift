import ArgumentParser
import Sortie

/// `sortie schema`: prints the JSON Schema of policy documents (docs/sortie-policy.schema.json).
struct SchemaCommand: Verb {
    static let configuration = CommandConfiguration(
        commandName: "schema",
        abstract: "Print the JSON Schema (draft 2020-12) of policy documents, for editors.")

    func run(io: CommandIO) -> ExitStatus {
        io.stdout(PolicySchema.json())
        return .success
    }
}

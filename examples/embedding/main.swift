// Embedding Sortie in a service: compile the policy set once, then decide requests.
// Run: swift run sortie-embedding-example [POLICY_DIR]   (a test runs it on policies/)
import Sortie
#if canImport(Glibc)
import Glibc
#endif

let directory = CommandLine.arguments.dropFirst().first ?? "policies/"

// 1. Compile (or load a bundle written by `sortie compile`): a set with errors is refused
//    with its diagnostics, never half-loaded.
let evaluator: Evaluator
do {
    evaluator = try Evaluator.load(path: directory)
} catch let error as PolicyCompileError {
    for diagnostic in error.diagnostics where diagnostic.severity == .error {
        print("\(diagnostic.file):\(diagnostic.start?.line ?? 0): \(diagnostic.message) [\(diagnostic.rule)]")
    }
    exit(1)
} catch {
    print("cannot load \(directory): \(error)")
    exit(2)
}
print("policy \(evaluator.revision)")

// 2. Decide a request built in code...
let request = Request(
    agent: .init(id: "agent-100", license: "premium", state: "available", team: "support-fr", site: "paris"),
    activeOutbound: ["sms": 2],
    channel: "sms",
    to: "+33 6 12 34 56 78",
    entryPoint: "support-sms-fr")
let decision = evaluator.decide(request)
print("allowed: \(decision.allowed)")
for reason in decision.reasons { print("\(reason.code.name): \(reason.message)") }

// 3. ...or straight from JSON, and answer with the contract's decision JSON.
let line = #"{"id":"r-2","locale":"en","agent":{"id":"agent-007","license":"premium","state":"rona"},"channel":"email","to":"Client@Exemple.fr","entryPoint":"service-client","subject":"Votre devis"}"#
print(evaluator.decide(json: Array(line.utf8)).json)

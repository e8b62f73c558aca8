/// SARIF 2.1.0 for code-scanning upload: one run, the driver's rules with their descriptions,
/// one result per diagnostic. Columns are counted in Unicode code points, like libyaml's.
public enum SARIFRenderer {
    struct Log: Encodable {
        var schema = "https://json.schemastore.org/sarif-2.1.0.json"
        var version = "2.1.0"
        var runs: [Run]
        enum CodingKeys: String, CodingKey { case schema = "$schema", version, runs }
    }

    struct Run: Encodable {
        var tool: Tool
        var results: [Result]
        var columnKind = "unicodeCodePoints"
    }

    struct Tool: Encodable { var driver: Driver }

    struct Driver: Encodable {
        var name = "sortie"
        var informationUri = "https://github.com/sortie-policy/sortie"
        var version = SortieVersion.current
        var rules: [Rule]
    }

    struct Rule: Encodable {
        var id: String
        var name: String
        var shortDescription: Message
        var fullDescription: Message
        var defaultConfiguration: Configuration
        var helpUri: String
    }

    struct Configuration: Encodable { var level: String }
    struct Message: Encodable { var text: String }

    struct Result: Encodable {
        var ruleId: String
        var ruleIndex: Int
        var level: String
        var message: Message
        var locations: [Location]
    }

    struct Location: Encodable { var physicalLocation: PhysicalLocation }

    struct PhysicalLocation: Encodable {
        var artifactLocation: ArtifactLocation
        var region: Region?
    }

    struct ArtifactLocation: Encodable { var uri: String }

    struct Region: Encodable {
        var startLine: Int
        var startColumn: Int
        var endLine: Int
        var endColumn: Int
    }

    public static func render(_ diagnostics: [Diagnostic]) -> String {
        let rules = Rules.all
        let driverRules = rules.map { rule in
            Rule(id: rule.id, name: rule.id, shortDescription: Message(text: rule.summary),
                 fullDescription: Message(text: rule.summary),
                 defaultConfiguration: Configuration(level: rule.severity.rawValue),
                 helpUri: "https://github.com/sortie-policy/sortie/blob/main/docs/lint-rules.md#\(rule.id)")
        }
        let results = diagnostics.map { d in
            let region = d.start.map { start in
                let end = d.end ?? start
                return Region(startLine: start.line, startColumn: start.column, endLine: end.line,
                              endColumn: max(end.column, end.line == start.line ? start.column + 1 : end.column))
            }
            return Result(ruleId: d.rule, ruleIndex: rules.firstIndex { $0.id == d.rule } ?? 0,
                          level: d.severity.rawValue, message: Message(text: d.message),
                          locations: [Location(physicalLocation: PhysicalLocation(artifactLocation: ArtifactLocation(uri: uri(d.file)), region: region))])
        }
        let log = Log(runs: [Run(tool: Tool(driver: Driver(rules: driverRules)), results: results)])
        // A SARIF log holds only strings, integers and arrays of them, which always encode.
        return try! encodeJSON(log, pretty: true) + "\n"
    }

    /// A relative URI reference for a path: unreserved characters and `/` kept, the rest %-encoded.
    static func uri(_ path: String) -> String {
        var out = ""
        for byte in path.utf8 {
            let c = Character(UnicodeScalar(byte))
            if c.isASCII && (c.isLetter || c.isNumber || "-._~/".contains(c)) {
                out.append(c)
            } else {
                out += "%" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true)
            }
        }
        return out
    }
}

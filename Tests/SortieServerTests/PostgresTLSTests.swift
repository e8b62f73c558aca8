import Foundation
import Logging
import PostgresNIO
@testable import SortiePostgres
import SortieServer
import SortieStore
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// TLS to PostgreSQL as libpq reads it from the URL (`sslmode`, `sslrootcert`), and a URL's
/// password that never reaches a message, a log line or `--help`.
@Suite struct PostgresTLSTests {
    static func tls(_ query: String) throws(StoreError) -> PostgresTLS {
        try PostgresTLS.parse(URLComponents(string: "postgres://sortie@127.0.0.1/db" + query)!)
    }

    @Test func eachSSLModeMapsAsLibpqReadsIt() throws {
        let none: CertificateVerification = .none
        let cases: [(String, PostgresTLS)] = [
            ("", PostgresTLS(use: .preferred, verification: none, rootCertificates: nil)),
            ("?sslmode=disable", PostgresTLS(use: .never, verification: none, rootCertificates: nil)),
            ("?sslmode=allow", PostgresTLS(use: .preferred, verification: none, rootCertificates: nil)),
            ("?sslmode=prefer", PostgresTLS(use: .preferred, verification: none, rootCertificates: nil)),
            ("?sslmode=require", PostgresTLS(use: .required, verification: none, rootCertificates: nil)),
            ("?sslmode=require&sslrootcert=/ca.pem", PostgresTLS(use: .required, verification: .noHostnameVerification, rootCertificates: "/ca.pem")),
            ("?sslmode=verify-ca", PostgresTLS(use: .required, verification: .noHostnameVerification, rootCertificates: nil)),
            ("?sslmode=verify-ca&sslrootcert=/ca.pem", PostgresTLS(use: .required, verification: .noHostnameVerification, rootCertificates: "/ca.pem")),
            ("?sslmode=verify-full", PostgresTLS(use: .required, verification: .fullVerification, rootCertificates: nil)),
            ("?sslrootcert=/ca.pem&sslmode=verify-full", PostgresTLS(use: .required, verification: .fullVerification, rootCertificates: "/ca.pem")),
            ("?sslmode=verify-full&sslrootcert=system", PostgresTLS(use: .required, verification: .fullVerification, rootCertificates: nil)),
            ("?application_name=sortie&sslmode=disable", PostgresTLS(use: .never, verification: none, rootCertificates: nil)),
        ]
        for (query, expected) in cases { #expect(try Self.tls(query) == expected, "\(query)") }
    }

    @Test(arguments: ["?sslmode=verify_full", "?sslmode=", "?sslmode=VERIFY-FULL", "?sslmode=on"])
    func anUnknownSSLModeIsAnErrorNamingIt(_ query: String) {
        #expect {
            try Self.tls(query)
        } throws: { error in
            "\(error)".contains("sslmode=") && "\(error)".contains("verify-full")
        }
    }

    @Test func aMissingRootCertificateFileStopsTheStart() {
        #expect {
            try PostgresStore.configuration("postgres://sortie@127.0.0.1/db?sslmode=verify-full&sslrootcert=/nonexistent/ca.pem")
        } throws: { error in
            "\(error)".contains("sslrootcert=/nonexistent/ca.pem")
        }
    }

    @Test func aMalformedURLIsNamedWithoutItsPassword() {
        #expect {
            try PostgresStore.configuration("postgres://sortie:Pa55w0rdS3cret@/nohost")
        } throws: { error in
            !"\(error)".contains("Pa55w0rdS3cret") && "\(error)".contains("***")
        }
    }

    // MARK: A real server with TLS

    /// A CA, and a server certificate it signs for the name `localhost` only (no IP address),
    /// and a second CA that signed nothing, made with openssl.
    static func certificates(in folder: String) async throws {
        let script = """
            cd \(folder) && \
            openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 1 -subj '/CN=Sortie test CA' \
              -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null && \
            openssl req -x509 -newkey rsa:2048 -nodes -keyout other-ca.key -out other-ca.crt -days 1 -subj '/CN=Another CA' \
              -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null && \
            openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj '/CN=localhost' 2>/dev/null && \
            printf 'subjectAltName=DNS:localhost\\nbasicConstraints=CA:FALSE\\nextendedKeyUsage=serverAuth\\n' > server.ext && \
            openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -out server.crt -days 1 -extfile server.ext 2>/dev/null && \
            chmod 600 server.key && chmod 644 server.crt ca.crt other-ca.crt
            """
        try await PrivatePostgres.shell(script)
        if getuid() == 0 { try await PrivatePostgres.shell("chown postgres \(folder)/server.key \(folder)/server.crt") }
    }

    /// Whether the store opens (connects and migrates) on `url` within `timeout`, and why not
    /// when it does not. A refused handshake is retried until the timeout, as a real start is.
    static func open(_ url: String, timeout: Duration) async -> (opens: Bool, error: String) {
        var logger = Logger(label: "sortie-test")
        logger.logLevel = .critical
        do {
            _ = try await PostgresStore(url: url, logger: logger, connectTimeout: timeout, callTimeout: timeout)
            return (true, "")
        } catch {
            return (false, "\(error)")
        }
    }

    /// Expects the store to open on `url`, with the error in the failure when it does not.
    static func expectOpens(_ url: String, _ why: String = "", sourceLocation: SourceLocation = #_sourceLocation) async {
        let result = await open(url, timeout: .seconds(60))
        #expect(result.opens, "\(why) \(result.error)", sourceLocation: sourceLocation)
    }

    /// Expects the store to refuse `url`.
    static func expectRefuses(_ url: String, _ why: String = "", sourceLocation: SourceLocation = #_sourceLocation) async {
        #expect(!(await open(url, timeout: .seconds(5))).opens, "\(why)", sourceLocation: sourceLocation)
    }

    @Test(.enabled(if: PrivatePostgres.isAvailable)) func verifyFullConnectsToATLSOnlyServerAndChecksItsCertificate() async throws {
        let folder = try TemporaryFolder.make()
        defer { try? FileManager.default.removeItem(at: folder) }
        let certificates = folder.path
        try await Self.certificates(in: certificates)
        // TLS only: a connection without it is refused.
        let cluster = try await PrivatePostgres.start(
            settings: ["ssl=on", "ssl_cert_file=\(certificates)/server.crt", "ssl_key_file=\(certificates)/server.key"],
            hba: "local all all trust\nhostssl all all 127.0.0.1/32 trust\n")
        let base = "postgres://sortie@127.0.0.1:\(cluster.port)/postgres"
        let byName = "postgres://sortie@localhost:\(cluster.port)/postgres"
        let ca = "sslrootcert=\(certificates)/ca.crt", otherCA = "sslrootcert=\(certificates)/other-ca.crt"
        // The first open creates the tables, the slowest step under the full suite's load.
        await Self.expectOpens("\(base)?sslmode=require")
        await Self.expectOpens("\(byName)?sslmode=verify-full&\(ca)")
        await Self.expectRefuses("\(base)?sslmode=verify-full&\(ca)", "the certificate names localhost, not 127.0.0.1")
        await Self.expectOpens("\(base)?sslmode=verify-ca&\(ca)", "verify-ca does not check the host name")
        await Self.expectRefuses("\(byName)?sslmode=verify-full&\(otherCA)", "a certificate from a CA not trusted")
        await Self.expectRefuses("\(base)?sslmode=verify-ca&\(otherCA)")
        await Self.expectOpens(base, "prefer, libpq's default, uses TLS when the server offers it")
        await Self.expectRefuses("\(base)?sslmode=disable", "the server takes TLS connections only")
        await cluster.destroy()
    }
}

/// A PostgreSQL URL's password in `sortie serve`'s output: never, whether it starts or fails.
@Suite struct StorePasswordTests {
    static let password = "Pa55w0rdS3cret"

    func run(_ arguments: [String]) async throws -> (status: Int32, stderr: String) {
        let process = try ServeProcessTests.ServeProcess(arguments)
        let status = try await process.exitStatus()
        return (status, process.stderr)
    }

    @Test func theConfigurationAsLogsShowItHasNoPasswordAndNoKey() {
        var configuration = ServerConfiguration(store: "postgres://sortie:\(Self.password)@127.0.0.1/db")
        configuration.decisionLogRedactKey = Array("KeyOfTheLog".utf8)
        var dumped = ""
        dump(configuration, to: &dumped)
        for text in [String(describing: configuration), String(reflecting: configuration), dumped] {
            #expect(!text.contains(Self.password) && !text.contains("75, 101, 121") && text.contains("sortie:***@"), "\(text)")
        }
    }

    @Test func aStoreThatCannotBeReachedFailsWithoutShowingThePassword() async throws {
        let port = try PrivatePostgres.freePort()
        let (status, stderr) = try await run(["--policies", examplePolicies, "--port", "0", "--no-decision-log", "--log-level", "trace",
                                              "--store", "postgres://sortie:\(Self.password)@127.0.0.1:\(port)/postgres"])
        #expect(status == 2)
        #expect(stderr.contains("127.0.0.1:\(port)"), "\(stderr)")
        #expect(!stderr.contains(Self.password), "\(stderr)")
    }

    @Test(arguments: ["postgres://sortie:\(password)@/nohost", "postgres://sortie:\(password)@127.0.0.1:1/db?sslmode=bogus",
                      "postgresq://sortie:\(password)@127.0.0.1/db"])
    func aStoreURLThatIsWrongIsRefusedWithoutShowingThePassword(_ url: String) async throws {
        let (status, stderr) = try await run(["--policies", examplePolicies, "--port", "0", "--no-decision-log", "--store", url])
        #expect(status == 2)
        #expect(!stderr.contains(Self.password), "\(stderr)")
        if url.contains("sslmode") { #expect(stderr.contains("sslmode=bogus"), "\(stderr)") }
    }

    @Test(.enabled(if: StoreKind.postgresURL != nil)) func aServerOnPostgresNeverShowsThePassword() async throws {
        let url = try #require(StoreKind.postgresURL).replacingOccurrences(of: "postgres://sortie@", with: "postgres://sortie:\(Self.password)@")
        let process = try ServeProcessTests.ServeProcess(["--policies", examplePolicies, "--port", "0", "--no-decision-log",
                                                           "--log-level", "trace", "--store", url])
        let port = try await process.port()
        #expect(try await ServeProcessTests.http(port, .get, "/healthz").0 == 200)
        process.process.terminate()
        _ = try await process.exitStatus()
        #expect(process.stderr.contains("store postgres://sortie:***@"), "\(process.stderr)")
        #expect(!process.stderr.contains(Self.password), "\(process.stderr)")
    }
}

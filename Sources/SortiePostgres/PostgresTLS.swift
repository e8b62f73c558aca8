import Foundation
import NIOSSL
import PostgresNIO
import SortieStore

/// The connection's TLS, read from the URL as libpq reads it: `sslmode` (`disable`, `allow`,
/// `prefer`, the default, `require`, `verify-ca`, `verify-full`) and `sslrootcert` (a PEM file
/// of trusted certificates, or `system` for the system's roots).
///
/// `allow` and `prefer` use TLS when the server offers it without checking its certificate
/// (postgres-nio tries TLS first where libpq's `allow` tries plain text first; both take either);
/// `require` insists on TLS, checking the certificate only when `sslrootcert` is given, as libpq
/// does; `verify-ca` checks the certificate against the roots; `verify-full` checks the host
/// name too. Without `sslrootcert`, the `verify-*` modes trust the system's roots.
struct PostgresTLS: Equatable {
    enum Use: Equatable {
        case never, preferred, required
    }

    var use: Use
    var verification: CertificateVerification
    /// `sslrootcert`: nil for the system's roots.
    var rootCertificates: String?

    static let modes = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"]

    /// The TLS of `url`'s query; an `sslmode` libpq does not know is an error naming it.
    static func parse(_ components: URLComponents) throws(StoreError) -> PostgresTLS {
        let items = components.queryItems ?? []
        let mode = items.last { $0.name == "sslmode" }.map { $0.value ?? "" } ?? "prefer"
        var roots = items.last { $0.name == "sslrootcert" }?.value
        let rootsGiven = roots?.isEmpty == false
        if roots == "system" || roots?.isEmpty == true { roots = nil }
        switch mode {
        case "disable": return PostgresTLS(use: .never, verification: .none, rootCertificates: nil)
        case "allow", "prefer": return PostgresTLS(use: .preferred, verification: .none, rootCertificates: nil)
        case "require":
            return PostgresTLS(use: .required, verification: rootsGiven ? .noHostnameVerification : .none, rootCertificates: roots)
        case "verify-ca": return PostgresTLS(use: .required, verification: .noHostnameVerification, rootCertificates: roots)
        case "verify-full": return PostgresTLS(use: .required, verification: .fullVerification, rootCertificates: roots)
        default:
            throw .unavailable("sslmode=\(mode) in the PostgreSQL URL is not one of \(modes.joined(separator: ", "))")
        }
    }

    /// postgres-nio's TLS setting; the roots file is read now, so a missing or broken one stops
    /// the start rather than every connection.
    func configuration() throws(StoreError) -> PostgresClient.Configuration.TLS {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.certificateVerification = verification
        if let rootCertificates {
            do {
                tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(rootCertificates))
            } catch {
                throw .unavailable("sslrootcert=\(rootCertificates) in the PostgreSQL URL cannot be read: \(error)")
            }
        }
        switch use {
        case .never: return .disable
        case .preferred: return .prefer(tls)
        case .required: return .require(tls)
        }
    }
}

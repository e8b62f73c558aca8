#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A compiled policy written to one file, which the library and the server load without
/// reading YAML (`sortie compile -o FILE`).
///
/// Layout (all integers big-endian):
/// ```
/// 8 bytes   magic "SORTIEPB"
/// 4 bytes   format version (2)
/// 4 bytes   revision length R, then R bytes: the revision ("sha256:…")
/// 8 bytes   payload length P
/// 32 bytes  SHA-256 of the payload
/// P bytes   payload: the CompiledPolicy as JSON (sorted keys)
/// ```
/// Loading checks every part — magic, version, lengths, checksum, and that the payload's
/// revision is the stamped one — so a truncated, corrupted or foreign file is refused with a
/// clear error, never half-loaded.
public enum PolicyBundle {
    public static let magic = Array("SORTIEPB".utf8)
    public static let formatVersion: UInt32 = 2

    /// Why a bundle could not be loaded.
    public struct LoadError: Error, Sendable, CustomStringConvertible, Equatable {
        public var reason: String
        public var description: String { reason }
    }

    /// The bytes of a bundle for `policy`; throws when the policy cannot be encoded, so no
    /// bundle is ever written with a placeholder payload.
    public static func encode(_ policy: CompiledPolicy) throws -> [UInt8] {
        let payload = Array(try encodeJSON(policy, pretty: false).utf8)
        var out = magic
        append(formatVersion, to: &out)
        let revision = Array(policy.revision.utf8)
        append(UInt32(revision.count), to: &out)
        out += revision
        append(UInt64(payload.count), to: &out)
        out += hexBytes(SHA256.hex(payload))
        out += payload
        return out
    }

    /// Loads a bundle; throws a `LoadError` saying what is wrong with it.
    public static func decode(_ bytes: [UInt8]) throws(LoadError) -> CompiledPolicy {
        var reader = ByteReader(bytes: bytes)
        guard let head = reader.take(8), head.elementsEqual(magic) else {
            throw LoadError(reason: "not a Sortie policy bundle (bad magic number)")
        }
        guard let version = reader.uint32() else { throw LoadError(reason: "the bundle is truncated (no format version)") }
        guard version == formatVersion else {
            throw LoadError(reason: "unsupported bundle format version \(version); this sortie reads version \(formatVersion): recompile the policy with `sortie compile`")
        }
        guard let revisionLength = reader.uint32(), revisionLength <= 1024, let revisionBytes = reader.take(Int(revisionLength)) else {
            throw LoadError(reason: "the bundle is truncated or corrupted (revision)")
        }
        let revision = String(decoding: revisionBytes, as: UTF8.self)
        guard let payloadLength = reader.uint64(), let checksum = reader.take(32) else {
            throw LoadError(reason: "the bundle is truncated (header)")
        }
        guard payloadLength == UInt64(reader.remaining) else {
            throw LoadError(reason: "the bundle is truncated or has trailing bytes (payload of \(reader.remaining) bytes, header says \(payloadLength))")
        }
        let payload = Array(bytes[reader.offset...])
        guard Array(checksum) == hexBytes(SHA256.hex(payload)) else {
            throw LoadError(reason: "the bundle is corrupted (checksum mismatch)")
        }
        let policy: CompiledPolicy
        do {
            policy = try JSONDecoder().decode(CompiledPolicy.self, from: Data(payload))
        } catch {
            throw LoadError(reason: "the bundle's policy cannot be read: \(error)")
        }
        guard policy.revision == revision else {
            throw LoadError(reason: "the bundle's policy does not match its stamped revision \(revision)")
        }
        return policy
    }

    /// True when `bytes` start like a bundle (used to tell a bundle from a YAML file).
    public static func looksLikeBundle(_ bytes: [UInt8]) -> Bool { bytes.starts(with: magic) }

    private static func append<T: FixedWidthInteger>(_ value: T, to out: inout [UInt8]) {
        withUnsafeBytes(of: value.bigEndian) { out += $0 }
    }

    private static func hexBytes(_ hex: String) -> [UInt8] {
        var out: [UInt8] = []
        var chars = hex.utf8.makeIterator()
        while let hi = chars.next(), let lo = chars.next() {
            func v(_ c: UInt8) -> UInt8 { c >= 97 ? c - 87 : c - 48 }
            out.append(v(hi) << 4 | v(lo))
        }
        return out
    }

    private struct ByteReader {
        let bytes: [UInt8]
        var offset = 0
        var remaining: Int { bytes.count - offset }

        mutating func take(_ n: Int) -> ArraySlice<UInt8>? {
            guard n >= 0, remaining >= n else { return nil }
            defer { offset += n }
            return bytes[offset..<offset + n]
        }

        mutating func uint32() -> UInt32? { take(4).map { $0.reduce(0) { $0 << 8 | UInt32($1) } } }
        mutating func uint64() -> UInt64? { take(8).map { $0.reduce(0) { $0 << 8 | UInt64($1) } } }
    }
}

extension Evaluator {
    /// Loads a policy for evaluation from a directory (or YAML files), or from a bundle written
    /// by `sortie compile`. Throws with the diagnostics when the set does not compile.
    public static func load(path: String) throws -> Evaluator {
        if let data = FileManager.default.contents(atPath: path), PolicyBundle.looksLikeBundle(Array(data)) {
            return Evaluator(policy: try PolicyBundle.decode(Array(data)))
        }
        let result = try Compiler.compile(paths: [path])
        guard let policy = result.policy else { throw PolicyCompileError(diagnostics: result.diagnostics, sources: result.sources) }
        return Evaluator(policy: policy)
    }
}

/// A policy set that has errors; `diagnostics` says which.
public struct PolicyCompileError: Error, Sendable, CustomStringConvertible {
    public var diagnostics: [Diagnostic]
    /// The files' bytes, to render the diagnostics with their source lines.
    public var sources: [String: [UInt8]]
    public var description: String {
        let errors = diagnostics.filter { $0.severity == .error }
        return "the policy set has \(errors.count) error\(errors.count == 1 ? "" : "s"); run `sortie lint` for details"
    }
}

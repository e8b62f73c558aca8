import Foundation
import Sortie

/// The C ABI over the engine (`include/sortie.h`): a policy handle, decisions from JSON bytes
/// to JSON bytes, and buffers the caller frees. Nothing here throws across the boundary.

/// `sortie_status`, as the header numbers it.
private enum Status: Int32 {
    case ok = 0, invalidArgument = 1, policyError = 2, bufferTooSmall = 3, outOfMemory = 4
}

/// What a `sortie_policy *` points to: immutable, so any number of threads may decide on it.
private final class PolicyHandle: Sendable {
    let evaluator: Evaluator
    let lines: LineEvaluator

    init(_ evaluator: Evaluator) {
        self.evaluator = evaluator
        lines = LineEvaluator(evaluator: evaluator)
    }

    static func from(_ pointer: OpaquePointer?) -> PolicyHandle? {
        pointer.map { Unmanaged<PolicyHandle>.fromOpaque(UnsafeRawPointer($0)).takeUnretainedValue() }
    }
}

/// Copies `bytes` into a malloc'd buffer for the caller (NUL-terminated, which a length-carrying
/// caller may ignore); nil when memory runs out.
private func mallocCopy(_ bytes: some Collection<UInt8>) -> UnsafeMutablePointer<UInt8>? {
    guard let buffer = malloc(bytes.count + 1)?.assumingMemoryBound(to: UInt8.self) else { return nil }
    _ = UnsafeMutableBufferPointer(start: buffer, count: bytes.count).initialize(from: bytes)
    buffer[bytes.count] = 0
    return buffer
}

/// Hands `bytes` to the caller through `out` and `length`.
private func give(_ bytes: [UInt8], _ out: UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>?,
                  _ length: UnsafeMutablePointer<Int>?) -> Int32 {
    guard let out else { return Status.invalidArgument.rawValue }
    guard let copy = mallocCopy(bytes) else { return Status.outOfMemory.rawValue }
    out.pointee = copy
    length?.pointee = bytes.count
    return Status.ok.rawValue
}

/// The request's bytes as a buffer; an empty one for a zero length (a NULL pointer allowed then).
private func input(_ bytes: UnsafePointer<UInt8>?, _ length: Int) -> UnsafeBufferPointer<UInt8>? {
    if length == 0 { return UnsafeBufferPointer(start: nil, count: 0) }
    guard let bytes, length > 0 else { return nil }
    return UnsafeBufferPointer(start: bytes, count: length)
}

/// One decision line without its line break.
private func decideOne(_ policy: PolicyHandle, _ line: UnsafeBufferPointer<UInt8>) -> [UInt8] {
    var out: [UInt8] = []
    out.reserveCapacity(512)
    policy.lines.decide(line: line, into: &out)
    if out.last == 0x0A { out.removeLast() }
    return out
}

@_cdecl("sortie_abi_version")
public func sortieABIVersion() -> UInt32 { 1 }

/// What `sortie_policy_load` reports when it fails: `{"diagnostics":[…],"error":"…"}`, the
/// diagnostics as `sortie lint --format json` writes them.
private struct LoadFailure: Encodable {
    var diagnostics: [JSONRenderer.Entry] = []
    var error: String
}

@_cdecl("sortie_policy_load")
public func sortiePolicyLoad(_ path: UnsafePointer<CChar>?, _ policy: UnsafeMutablePointer<OpaquePointer?>?,
                             _ message: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    func fail(_ status: Status, _ failure: LoadFailure) -> Int32 {
        if let message {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            // Strings, integers and nulls only: the encoding cannot fail.
            let data = (try? encoder.encode(failure)) ?? Data(#"{"diagnostics":[],"error":"unknown"}"#.utf8)
            message.pointee = mallocCopy(data).map { UnsafeMutableRawPointer($0).assumingMemoryBound(to: CChar.self) }
        }
        return status.rawValue
    }
    message?.pointee = nil
    guard let path, let policy else { return fail(.invalidArgument, LoadFailure(error: "path and policy must not be NULL")) }
    guard let text = String(validatingCString: path) else { return fail(.invalidArgument, LoadFailure(error: "the path is not UTF-8")) }
    do {
        let evaluator = try Evaluator.load(path: text)
        policy.pointee = OpaquePointer(Unmanaged.passRetained(PolicyHandle(evaluator)).toOpaque())
        return Status.ok.rawValue
    } catch let error as PolicyCompileError {
        let errors = error.diagnostics.filter { $0.severity == .error }
        return fail(.policyError, LoadFailure(diagnostics: JSONRenderer.report(errors).diagnostics,
                                              error: "\(text): the policy set does not compile"))
    } catch {
        return fail(.policyError, LoadFailure(error: "\(text): \(error)"))
    }
}

@_cdecl("sortie_policy_free")
public func sortiePolicyFree(_ policy: OpaquePointer?) {
    guard let policy else { return }
    Unmanaged<PolicyHandle>.fromOpaque(UnsafeRawPointer(policy)).release()
}

@_cdecl("sortie_policy_revision")
public func sortiePolicyRevision(_ policy: OpaquePointer?, _ revision: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    guard let handle = PolicyHandle.from(policy), let revision else { return Status.invalidArgument.rawValue }
    guard let copy = mallocCopy(Array(handle.evaluator.revision.utf8)) else { return Status.outOfMemory.rawValue }
    revision.pointee = UnsafeMutableRawPointer(copy).assumingMemoryBound(to: CChar.self)
    return Status.ok.rawValue
}

@_cdecl("sortie_decide")
public func sortieDecide(_ policy: OpaquePointer?, _ request: UnsafePointer<UInt8>?, _ length: Int,
                         _ out: UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>?, _ outLength: UnsafeMutablePointer<Int>?) -> Int32 {
    guard let handle = PolicyHandle.from(policy), let line = input(request, length) else { return Status.invalidArgument.rawValue }
    return give(decideOne(handle, line), out, outLength)
}

@_cdecl("sortie_decide_into")
public func sortieDecideInto(_ policy: OpaquePointer?, _ request: UnsafePointer<UInt8>?, _ length: Int,
                             _ buffer: UnsafeMutablePointer<UInt8>?, _ capacity: Int, _ written: UnsafeMutablePointer<Int>?) -> Int32 {
    guard let handle = PolicyHandle.from(policy), let line = input(request, length), let written else { return Status.invalidArgument.rawValue }
    let decision = decideOne(handle, line)
    written.pointee = decision.count
    guard decision.count <= capacity else { return Status.bufferTooSmall.rawValue }
    guard let buffer else { return Status.invalidArgument.rawValue }
    decision.withUnsafeBufferPointer { buffer.update(from: $0.baseAddress!, count: decision.count) }
    return Status.ok.rawValue
}

@_cdecl("sortie_decide_lines")
public func sortieDecideLines(_ policy: OpaquePointer?, _ lines: UnsafePointer<UInt8>?, _ length: Int,
                              _ out: UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>?, _ outLength: UnsafeMutablePointer<Int>?) -> Int32 {
    guard let handle = PolicyHandle.from(policy), let batch = input(lines, length) else { return Status.invalidArgument.rawValue }
    guard let out else { return Status.invalidArgument.rawValue }
    // One copy of the line evaluator for the batch, not one per line through the handle.
    let evaluator = handle.lines
    // Each line is written into a small reused array, then copied into a buffer that grows
    // with realloc (which moves large blocks by remapping pages, not copying them): the batch's
    // output is written once, not copied at every growth and again at the end.
    var decisions = GrowingBuffer(capacity: Swift.max(4096, batch.count * 2))
    var line: [UInt8] = []
    line.reserveCapacity(16_384)
    var failed = false
    JSONLines.forEachLine(in: batch) { text in
        guard !failed else { return }
        line.removeAll(keepingCapacity: true)
        evaluator.decide(line: text, into: &line)
        failed = !line.withUnsafeBufferPointer { decisions.append($0) }
    }
    if failed {
        decisions.release()
        return Status.outOfMemory.rawValue
    }
    guard let bytes = decisions.finish() else { return Status.outOfMemory.rawValue }
    out.pointee = bytes.base
    outLength?.pointee = bytes.count
    return Status.ok.rawValue
}

/// A malloc'd byte buffer that grows with realloc and is handed to the caller, who frees it
/// with `sortie_free`.
private struct GrowingBuffer {
    private var base: UnsafeMutablePointer<UInt8>?
    private var count = 0
    private var capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
        base = malloc(capacity)?.assumingMemoryBound(to: UInt8.self)
    }

    /// Appends `bytes`; false when memory runs out.
    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard base != nil else { return false }
        if count + bytes.count + 1 > capacity {
            let wanted = Swift.max(capacity * 2, count + bytes.count + 1)
            guard let grown = realloc(base, wanted) else { return false }
            base = grown.assumingMemoryBound(to: UInt8.self)
            capacity = wanted
            }
        if let source = bytes.baseAddress { (base! + count).update(from: source, count: bytes.count) }
        count += bytes.count
        return true
    }

    /// The bytes, NUL-terminated, for the caller; nil when memory ran out.
    mutating func finish() -> (base: UnsafeMutablePointer<UInt8>, count: Int)? {
        guard let base else { return nil }
        base[count] = 0
        self.base = nil
        return (base, count)
    }

    /// Frees the bytes after a failure.
    mutating func release() {
        free(base)
        base = nil
    }
}

@_cdecl("sortie_explain")
public func sortieExplain(_ policy: OpaquePointer?, _ request: UnsafePointer<UInt8>?, _ length: Int,
                          _ out: UnsafeMutablePointer<UnsafeMutablePointer<UInt8>?>?, _ outLength: UnsafeMutablePointer<Int>?) -> Int32 {
    guard let handle = PolicyHandle.from(policy), let line = input(request, length) else { return Status.invalidArgument.rawValue }
    let evaluator = handle.evaluator
    var w = JSONWriter(capacity: 1024)
    switch Request.decode(json: line) {
    case .success(let r): evaluator.decide(r).write(&w, explain: evaluator.explain(r))
    case .failure(let invalid): evaluator.decide(invalid, locale: nil).write(&w, explain: [])
    }
    return give(w.bytes, out, outLength)
}

@_cdecl("sortie_free")
public func sortieFree(_ buffer: UnsafeMutableRawPointer?) { free(buffer) }

/// Appends JSON to a byte buffer: the engine's one string escaper and number writer.
///
/// Strings are escaped as `JSONEncoder` escapes them with `.withoutEscapingSlashes` (`"`, `\`,
/// the short escapes `\n \r \t \b \f`, other control characters as `\u00xx`), so output is
/// byte-stable and, where the tests compare, byte-identical to Foundation's.
public struct JSONWriter: Sendable {
    public var bytes: [UInt8]

    public init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    public init(appendingTo bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Appends text that is already JSON (punctuation, keys, literals).
    @inline(__always)
    public mutating func raw(_ text: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// Appends bytes that are already JSON.
    @inline(__always)
    public mutating func raw(_ json: UnsafeBufferPointer<UInt8>) {
        bytes.append(contentsOf: json)
    }

    @inline(__always)
    public mutating func raw(_ json: [UInt8]) {
        bytes.append(contentsOf: json)
    }

    /// A quoted, escaped string.
    public mutating func string(_ text: String) {
        bytes.append(0x22)
        stringContent(text)
        bytes.append(0x22)
    }

    /// A quoted string, or `null`.
    public mutating func string(_ text: String?) {
        if let text { string(text) } else { raw("null") }
    }

    /// A string's escaped content, without the quotes.
    public mutating func stringContent(_ text: String) {
        var text = text
        text.withUTF8 { escape($0) }
    }

    /// Escaped content of UTF-8 bytes, without quotes.
    public mutating func escape(_ utf8: UnsafeBufferPointer<UInt8>) {
        var clean = 0
        for (index, byte) in utf8.enumerated() where byte < 0x20 || byte == 0x22 || byte == 0x5C {
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[clean..<index]))
            clean = index + 1
            switch byte {
            case 0x22: raw("\\\"")
            case 0x5C: raw("\\\\")
            case 0x0A: raw("\\n")
            case 0x0D: raw("\\r")
            case 0x09: raw("\\t")
            case 0x08: raw("\\b")
            case 0x0C: raw("\\f")
            default:
                raw("\\u00")
                bytes.append(Self.hexDigit(byte >> 4))
                bytes.append(Self.hexDigit(byte & 0x0F))
            }
        }
        bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[clean...]))
    }

    private static func hexDigit(_ n: UInt8) -> UInt8 { n < 10 ? 48 + n : 87 + n }

    public mutating func bool(_ value: Bool) {
        if value { raw("true") } else { raw("false") }
    }

    /// An integer, in decimal, without allocating.
    public mutating func integer(_ n: Int) {
        if n < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = n.magnitude
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var count = 0
            repeat {
                digits[19 - count] = UInt8(magnitude % 10) + 48
                magnitude /= 10
                count += 1
            } while magnitude > 0
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: digits[(20 - count)...]))
        }
    }

    /// Writes `{"key":…,…}`: `body` is called once and writes the members through `member`.
    public mutating func object(_ body: (inout ObjectWriter) -> Void) {
        bytes.append(UInt8(ascii: "{"))
        var members = ObjectWriter(writer: self)
        bytes = []
        body(&members)
        self = members.writer
        bytes.append(UInt8(ascii: "}"))
    }

    /// The members of an object being written; keys must be given in sorted order by the caller.
    public struct ObjectWriter {
        var writer: JSONWriter
        var first = true

        /// Writes `"key":` (and the comma before it), then the value through `value`.
        public mutating func member(_ key: StaticString, _ value: (inout JSONWriter) -> Void) {
            if !first { writer.bytes.append(UInt8(ascii: ",")) }
            first = false
            writer.bytes.append(0x22)
            writer.raw(key)
            writer.raw("\":")
            value(&writer)
        }

        /// A member whose key is known only at run time.
        public mutating func member(_ key: String, _ value: (inout JSONWriter) -> Void) {
            if !first { writer.bytes.append(UInt8(ascii: ",")) }
            first = false
            writer.string(key)
            writer.bytes.append(UInt8(ascii: ":"))
            value(&writer)
        }
    }

    /// The text of `text` as a JSON string literal (quotes included).
    public static func quoted(_ text: String) -> String {
        var writer = JSONWriter(capacity: text.utf8.count + 2)
        writer.string(text)
        return String(decoding: writer.bytes, as: UTF8.self)
    }
}

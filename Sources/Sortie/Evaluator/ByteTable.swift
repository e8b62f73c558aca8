/// Names → integers, looked up by their UTF-8 bytes (FNV-1a, open addressing): how
/// `LineEvaluator` interns a name while it is still bytes in the input line.
///
/// Swift compares `String`s by canonical equivalence, bytes are compared as bytes: the two agree
/// on ASCII, and every ASCII string is equivalent only to itself except where a non-ASCII key could
/// be equivalent to it (the Kelvin sign is "K"). So when some key is not ASCII, a miss is not
/// certain: `certainMisses` is false and the caller takes the `String` path.
struct ByteTable: Sendable {
    static let absent = -1

    private var slots: [Int32]
    private var keyBytes: [UInt8] = []
    private var keyRanges: [Range<Int>] = []
    private var values: [Int] = []
    let certainMisses: Bool

    /// The first value of a repeated key wins, as `Dictionary(_:uniquingKeysWith: { a, _ in a })`.
    init(_ pairs: some Sequence<(String, Int)>) {
        var entries: [(String, Int)] = []
        var seen = Set<String>()
        for (key, value) in pairs where seen.insert(key).inserted { entries.append((key, value)) }
        var capacity = 4
        while capacity < entries.count * 2 { capacity *= 2 }
        slots = [Int32](repeating: -1, count: capacity)
        var ascii = true
        for (key, value) in entries {
            let utf8 = Array(key.utf8)
            if utf8.contains(where: { $0 >= 0x80 }) { ascii = false }
            var slot = utf8.withUnsafeBufferPointer { Self.hash($0) } & (capacity - 1)
            while slots[slot] >= 0 { slot = (slot + 1) & (capacity - 1) }
            slots[slot] = Int32(values.count)
            keyRanges.append(keyBytes.count..<keyBytes.count + utf8.count)
            keyBytes += utf8
            values.append(value)
        }
        certainMisses = ascii
    }

    /// Eight bytes at a time: names are hashed once per lookup, on every line.
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        let n = bytes.count
        var h: UInt64 = 0xcbf2_9ce4_8422_2325 ^ UInt64(n)
        guard let base = bytes.baseAddress else { return Int(truncatingIfNeeded: h) }
        let raw = UnsafeRawPointer(base)
        var i = 0
        while i + 8 <= n {
            h = (h ^ raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0x9E37_79B9_7F4A_7C15
            h ^= h >> 32
            i += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while i < n {
            tail |= UInt64(base[i]) << shift
            shift += 8
            i += 1
        }
        h = (h ^ tail) &* 0x9E37_79B9_7F4A_7C15
        return Int(truncatingIfNeeded: h ^ (h >> 29))
    }

    /// The value of `key`, or `absent`.
    func value(_ key: UnsafeBufferPointer<UInt8>) -> Int {
        let mask = slots.count - 1
        var slot = Self.hash(key) & mask
        return keyBytes.withUnsafeBufferPointer { stored in
            while true {
                let entry = Int(slots[slot])
                if entry < 0 { return Self.absent }
                let range = keyRanges[entry]
                if range.count == key.count, key.count == 0 || memcmpEqual(stored.baseAddress! + range.lowerBound, key.baseAddress!, key.count) {
                    return values[entry]
                }
                slot = (slot + 1) & mask
            }
        }
    }
}

/// Whether `count` bytes at `a` and `b` are the same, compared eight at a time.
@inline(__always)
func memcmpEqual(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ count: Int) -> Bool {
    var i = 0
    while i + 8 <= count {
        if UnsafeRawPointer(a).loadUnaligned(fromByteOffset: i, as: UInt64.self)
            != UnsafeRawPointer(b).loadUnaligned(fromByteOffset: i, as: UInt64.self) { return false }
        i += 8
    }
    while i < count {
        if a[i] != b[i] { return false }
        i += 1
    }
    return true
}

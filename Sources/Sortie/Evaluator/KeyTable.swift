/// A few fixed names (an object's keys, an enum's raw values) → their position in the list they
/// were given in, looked up by bytes.
///
/// A name's slot comes from its length and its first and last bytes, times a multiplier searched
/// once so that no two names of the list share a slot: a lookup hashes three bytes and compares
/// one name. Names that no multiplier separates still work (the slots are probed in turn), only
/// slower. The lists come from the declarations (`RequestField`, `Request.Action`, `Channel`).
struct KeyTable: Sendable {
    /// Position in `ranges` per slot, -1 for an empty slot.
    private let slots: [Int16]
    private let bytes: [UInt8]
    private let ranges: [Range<Int>]
    private let multiplier: UInt32
    private let shift: UInt32

    init(_ names: [String]) {
        var bytes: [UInt8] = []
        var ranges: [Range<Int>] = []
        for name in names {
            ranges.append(bytes.count..<bytes.count + name.utf8.count)
            bytes += name.utf8
        }
        var bits: UInt32 = 2
        while 1 << bits < names.count * 4 { bits += 1 }
        let keys = bytes.withUnsafeBufferPointer { b in ranges.map { Self.key(UnsafeBufferPointer(rebasing: b[$0])) } }
        var multiplier: UInt32 = 0x9E37_79B1
        // Try some multipliers for one without collisions; any of them is correct.
        for attempt in 0..<1000 {
            let candidate = 0x9E37_79B1 &+ UInt32(attempt) &* 0x0002_0002
            let used = Set(keys.map { ($0 &* candidate) >> (32 - bits) })
            if used.count == keys.count {
                multiplier = candidate
                break
            }
        }
        var slots = [Int16](repeating: -1, count: 1 << bits)
        for (index, key) in keys.enumerated() {
            var slot = Int((key &* multiplier) >> (32 - bits))
            while slots[slot] >= 0 { slot = (slot + 1) & (slots.count - 1) }
            slots[slot] = Int16(index)
        }
        self.slots = slots
        self.bytes = bytes
        self.ranges = ranges
        self.multiplier = multiplier
        self.shift = 32 - bits
    }

    /// What a name's slot is computed from: its length, first and last bytes.
    @inline(__always)
    private static func key(_ name: UnsafeBufferPointer<UInt8>) -> UInt32 {
        guard let last = name.last else { return 0 }
        return UInt32(truncatingIfNeeded: name.count) | UInt32(name[0]) << 8 | UInt32(last) << 16
    }

    /// The position of the name spelled `name`, or nil.
    @inline(__always)
    func index(_ name: UnsafeBufferPointer<UInt8>) -> Int? {
        let mask = slots.count - 1
        var slot = Int((Self.key(name) &* multiplier) >> shift)
        return bytes.withUnsafeBufferPointer { stored in
            while true {
                let entry = Int(slots[slot])
                if entry < 0 { return nil }
                let range = ranges[entry]
                if range.count == name.count, name.isEmpty || memcmpEqual(stored.baseAddress! + range.lowerBound, name.baseAddress!, name.count) {
                    return entry
                }
                slot = (slot + 1) & mask
            }
        }
    }
}

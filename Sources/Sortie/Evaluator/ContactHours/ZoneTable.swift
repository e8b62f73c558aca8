import Foundation

/// Time zones lowered for the evaluator: per zone, its UTC offsets and the instants from which
/// each applies, for the years around the moment the evaluator was built (`ZoneTable.span`).
///
/// Built from the system's tz database through Foundation's `TimeZone`, once per loaded policy
/// that has contact hours; read without Foundation and without allocating, so that deciding a
/// request stays allocation-free. Before the span a zone keeps its first offset and after it
/// its last: the table is rebuilt at every reload and at every `sortie` run, so "now" is always
/// well inside it. A class, so that the evaluator reads it through one reference rather than
/// copying (and retaining) its arrays on every decision.
final class ZoneTable: Sendable {
    /// Zone names, by index.
    let names: [String]
    /// Per zone, its entries in `starts` and `offsets`.
    private let ranges: [Range<Int>]
    /// UTC seconds from which the matching offset applies; each zone's first is `Int64.min`.
    private let starts: [Int64]
    /// Seconds east of UTC.
    private let offsets: [Int32]
    /// Per zone, its entry in force when the table was built: where most instants fall.
    private let current: [Int]
    private let indexByName: [String: Int]
    /// Zone index by country calling code (`CountryCallingCodes`' layout: code + 0, 10 or 110
    /// by its length), -1 for a code with no single zone.
    private let byCallingCode: [Int32]

    /// The years lowered before and after the moment the table is built.
    static let span = (before: 6, after: 15)

    /// Every zone the tz database names (Foundation's list, the tz database's links when
    /// `/usr/share/zoneinfo/tzdata.zi` is there, the calling codes' zones), plus `extra`.
    init(extra: [String] = [], now: Date = Date()) {
        let sorted = Set(Self.knownNames() + extra.filter(ZoneTable.isZoneName)).sorted()
        let year = 365.25 * 86_400
        let from = now.addingTimeInterval(-Double(Self.span.before) * year)
        let to = now.addingTimeInterval(Double(Self.span.after) * year)
        var ranges: [Range<Int>] = [], starts: [Int64] = [], offsets: [Int32] = [], index: [String: Int] = [:]
        for name in sorted {
            guard let zone = TimeZone(identifier: name) else { continue }
            let first = starts.count
            starts.append(Int64.min)
            offsets.append(Int32(zone.secondsFromGMT(for: from)))
            var t = from
            while let next = zone.nextDaylightSavingTimeTransition(after: t), next < to {
                let offset = Int32(zone.secondsFromGMT(for: next))
                if offset != offsets[offsets.count - 1] {
                    starts.append(Int64(next.timeIntervalSince1970.rounded(.down)))
                    offsets.append(offset)
                }
                t = next
            }
            index[name] = ranges.count
            ranges.append(first..<starts.count)
        }
        self.names = Array(index.keys).sorted { index[$0]! < index[$1]! }
        self.ranges = ranges
        self.starts = starts
        self.offsets = offsets
        let built = Int64(now.timeIntervalSince1970.rounded(.down))
        current = ranges.map { range in range.last { starts[$0] <= built } ?? range.lowerBound }
        indexByName = index
        var byCode = [Int32](repeating: -1, count: 1110)
        for (code, zone) in CountryTimeZones.zones {
            guard let zoneIndex = index[zone] else { continue }
            let length = code < 10 ? 1 : code < 100 ? 2 : 3
            byCode[code + (length == 1 ? 0 : length == 2 ? 10 : 110)] = Int32(zoneIndex)
        }
        byCallingCode = byCode
    }

    /// Every zone name the system knows, sorted: Foundation's list, the tz database's links
    /// (when `/usr/share/zoneinfo/tzdata.zi` is there), the calling codes' zones, and `UTC`.
    static func knownNames() -> [String] {
        var names = Set(TimeZone.knownTimeZoneIdentifiers)
        names.formUnion(CountryTimeZones.zones.map(\.zone))
        names.formUnion(tzdataLinks())
        names.insert("UTC")
        return names.filter(isZoneName).sorted()
    }

    /// Whether `name` is an IANA zone the system knows under that very name (so `GMT+1`, which
    /// Foundation reads as `GMT+0100`, and lower-case spellings are not). `UTC` is one.
    static func isZoneName(_ name: String) -> Bool {
        if name == "UTC" { return true }
        guard let first = name.utf8.first, first >= UInt8(ascii: "A"), first <= UInt8(ascii: "Z") else { return false }
        return TimeZone(identifier: name)?.identifier == name
    }

    /// The alias names of the tz database's links (`L TARGET ALIAS` lines of tzdata.zi).
    private static func tzdataLinks() -> [String] {
        guard let text = try? String(contentsOfFile: "/usr/share/zoneinfo/tzdata.zi", encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap { line in
            let parts = line.split(separator: " ")
            return parts.count == 3 && parts[0] == "L" ? String(parts[2]) : nil
        }
    }

    /// The index of the zone called `name`, or nil.
    func index(of name: String) -> Int? { indexByName[name] }

    /// The zone's offset east of UTC, in seconds, at the UTC instant `t`.
    @inline(__always)
    func offset(zone: Int, at t: Int64) -> Int32 {
        offsets[entry(zone: zone, at: t)]
    }

    /// The index of the zone's last entry that starts at or before `t` (its first starts at
    /// `Int64.min`): the entry in force at build time when it still is, else a binary search
    /// (a zone has a few dozen transitions in the span).
    @inline(__always)
    private func entry(zone: Int, at t: Int64) -> Int {
        let range = ranges[zone]
        let now = current[zone]
        if starts[now] <= t, now + 1 == range.upperBound || starts[now + 1] > t { return now }
        var low = range.lowerBound, high = range.upperBound - 1
        while low < high {
            let middle = (low + high + 1) / 2
            if starts[middle] <= t { low = middle } else { high = middle - 1 }
        }
        return low
    }

    /// The first instant (UTC seconds) whose local time in `zone` is `local` (local seconds), and
    /// the offset then: of a time that occurs twice (clocks going back) the first; of a time that
    /// does not occur (clocks going forward) the instant the clocks jump, the first that exists
    /// after it.
    func instant(local: Int64, zone: Int) -> (utc: Int64, offset: Int32) {
        // Offsets never pass ±14 h, so the offsets 15 h before and after are the two around `local`.
        let before = offset(zone: zone, at: local - 54_000), after = offset(zone: zone, at: local + 54_000)
        // The larger offset first: it names the earlier instant.
        let first = max(before, after), second = min(before, after)
        if offset(zone: zone, at: local - Int64(first)) == first { return (local - Int64(first), first) }
        if offset(zone: zone, at: local - Int64(second)) == second { return (local - Int64(second), second) }
        // In the gap: the jump is the start of the offset in force just after `local - before`.
        let i = entry(zone: zone, at: local - Int64(before))
        return (starts[i], offsets[i])
    }

    /// The zone of the country calling code that the SMS number's digits begin with, or nil
    /// when that code has several zones (or none).
    @inline(__always)
    func zone(callingCodeOf number: SMSNumber) -> Int? {
        guard number.count >= 3 else { return nil }
        // The first three digits once; the code is one, two or all three of them.
        let three = Int(number.leading(3))
        guard let length = CountryCallingCodes.prefixLength(digit0: three / 100, digit1: three / 10 % 10, digit2: three % 10) else { return nil }
        let zone = byCallingCode[length == 1 ? three / 100 : length == 2 ? three / 10 + 10 : three + 110]
        return zone >= 0 ? Int(zone) : nil
    }
}

/// A normalized SMS destination's digits (after the `+`), held in an integer: E.164 numbers
/// have at most 15 digits.
struct SMSNumber: Sendable, Equatable {
    let value: UInt64
    let count: Int

    init(value: UInt64, count: Int) {
        self.value = value
        self.count = count
    }

    /// The digits of a normalized number `+d…`, or nil.
    init?(normalized bytes: some Collection<UInt8>) {
        guard bytes.first == UInt8(ascii: "+") else { return nil }
        var value: UInt64 = 0, count = 0
        for byte in bytes.dropFirst() {
            guard byte >= 48, byte <= 57, count < 19 else { return nil }
            value = value &* 10 &+ UInt64(byte - 48)
            count += 1
        }
        guard count > 0 else { return nil }
        self.value = value
        self.count = count
    }

    /// The number made of the first `length` digits.
    @inline(__always)
    func leading(_ length: Int) -> UInt64 {
        value / Self.powersOfTen[count - length]
    }

    /// 10⁰ … 10¹⁹, the divisors of `leading`.
    private static let powersOfTen: [UInt64] = (0...19).map { (0..<$0).reduce(1) { value, _ in value * 10 } }

    /// Whether `prefix` is a prefix of this number's digits.
    @inline(__always)
    func hasPrefix(_ prefix: SMSNumber) -> Bool {
        prefix.count <= count && leading(prefix.count) == prefix.value
    }
}

extension SMSNumber {
    /// The digits of a destination that is valid on SMS, as written.
    init?(valid to: String) {
        // One pass over the bytes of an ASCII string without a "(0)" trunk prefix: its digits
        // are the number's. Anything else is normalized first.
        let ascii = to.utf8.withContiguousStorageIfAvailable { bytes -> SMSNumber?? in
            var value: UInt64 = 0, count = 0
            for byte in bytes {
                if byte >= 48, byte <= 57 {
                    guard count < 19 else { continue }
                    value = value &* 10 &+ UInt64(byte - 48)
                    count += 1
                } else if byte >= 0x80 || byte == 40 {
                    return bytes.allSatisfy { $0 < 0x80 } ? .some(SMSNumber(validASCII: bytes)) : nil
                }
            }
            return .some(count > 0 ? SMSNumber(value: value, count: count) : nil)
        }
        if let number = ascii ?? nil {
            guard let number else { return nil }
            self = number
            return
        }
        guard case .success(let normalized) = Destination.normalize(to, channel: .sms) else { return nil }
        self.init(normalized: normalized.utf8)
    }

    /// The digits of an ASCII destination that is valid on SMS, without building its text.
    init?(validASCII bytes: UnsafeBufferPointer<UInt8>) {
        var value: UInt64 = 0, count = 0
        Destination.writeNormalized(ascii: bytes, channel: .sms) { byte in
            guard byte >= 48, byte <= 57, count < 19 else { return }
            value = value &* 10 &+ UInt64(byte - 48)
            count += 1
        }
        guard count > 0 else { return nil }
        self.value = value
        self.count = count
    }
}

extension ZoneTable {
    /// The current time, in whole seconds since 1970 (UTC).
    static func now() -> Int64 { Int64(Date().timeIntervalSince1970.rounded(.down)) }
}

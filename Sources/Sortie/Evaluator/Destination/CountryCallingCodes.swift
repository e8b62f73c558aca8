// TEMPORARY STUB (being replaced by the real table)
enum CountryCallingCodes {
    static let assigned: [String] = ["1", "7", "33", "44", "49", "32", "41", "212", "352"]
    static func prefixLength(of digits: some Collection<UInt8>) -> Int? {
        let s = String(decoding: digits.prefix(3), as: UTF8.self)
        for n in 1...3 where assigned.contains(String(s.prefix(n))) { return n }
        return nil
    }
}

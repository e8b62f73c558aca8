/// The two outbound channels. Identifiers are case-sensitive: `"SMS"` is not a channel.
public enum Channel: String, Sendable, CaseIterable, Codable, Hashable {
    case sms
    case email
}

/// Why a destination did not normalize (the `problem` detail of `INVALID_DESTINATION`).
public enum DestinationProblem: String, Error, Sendable, Codable, Hashable, CaseIterable {
    case missingCountryCode = "missing-country-code"
    case invalidPhoneNumber = "invalid-phone-number"
    case unknownCountryCode = "unknown-country-code"
    case invalidEmail = "invalid-email"
}

/// Destination normalization, exactly as docs/reference.md ("Destinations") states it. Two destinations that normalize
/// alike are the same customer address.
public enum Destination {
    /// The normalized form of `raw` on `channel`, or why it is not a valid destination.
    public static func normalize(_ raw: String, channel: Channel) -> Result<String, DestinationProblem> {
        switch channel {
        case .sms: normalizePhone(raw)
        case .email: normalizeEmail(raw)
        }
    }

    /// Whether `raw` is a valid destination of `channel`, and if not why — the same answer as
    /// `normalize`, computed without allocating (the evaluator's hot path).
    public static func problem(_ raw: String, channel: Channel) -> DestinationProblem? {
        let ascii = raw.utf8.withContiguousStorageIfAvailable { problem(ascii: $0, channel: channel) }
            ?? Array(raw.utf8).withUnsafeBufferPointer { problem(ascii: $0, channel: channel) }
        // Valid by the ASCII rules means all ASCII; a problem in text that is not ASCII may be
        // Unicode whitespace, which the rules trim or skip: rare, and `normalize` knows.
        guard ascii != nil, !raw.utf8.allSatisfy({ $0 < 0x80 }) else { return ascii }
        if case .failure(let problem) = normalize(raw, channel: channel) { return problem }
        return nil
    }

    /// The rules on UTF-8 bytes, whitespace being ASCII whitespace: `problem`'s answer for ASCII
    /// text. Non-ASCII bytes are never valid here (`problem` rechecks such a refusal).
    static func problem(ascii bytes: UnsafeBufferPointer<UInt8>, channel: Channel) -> DestinationProblem? {
        switch channel {
        case .sms:
            switch scanPhone(bytes, stopAtBracket: true) {
            case .checked(let problem): problem
            case .bracket: withoutTrunkPrefixes(ascii: bytes) { cleaned in
                if case .checked(let problem) = scanPhone(cleaned, stopAtBracket: false) { return problem }
                return nil
            }
            }
        case .email: emailProblem(ascii: bytes)
        }
    }

    /// The normalized form of a valid ASCII destination (`problem(ascii:channel:)` is nil),
    /// byte by byte: what `normalize` returns, without building a String.
    static func writeNormalized(ascii bytes: UnsafeBufferPointer<UInt8>, channel: Channel, _ emit: (UInt8) -> Void) {
        switch channel {
        case .sms:
            // Valid means: after the separators, "+" then digits only.
            withoutTrunkPrefixes(ascii: bytes) { cleaned in
                emit(43)
                for b in cleaned where b >= 48 && b <= 57 { emit(b) }
            }
        case .email:
            for b in trimmedASCII(bytes) { emit(b >= 65 && b <= 90 ? b + 32 : b) }
        }
    }

    /// Calls `body` with `bytes` less every "(0)", removed again until none is left (as
    /// `normalizePhone` does). Most numbers have no bracket: they are passed as they are.
    /// Trimming first changes nothing for the SMS rules: whitespace is skipped.
    private static func withoutTrunkPrefixes<R>(ascii bytes: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        if !bytes.contains(40) { return body(bytes) }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: bytes.count) { buffer in
            var n = 0
            for b in bytes { buffer[n] = b; n += 1 }
            var changed = true
            while changed {
                changed = false
                var out = 0, i = 0
                while i < n {
                    if buffer[i] == 40, i + 2 < n, buffer[i + 1] == 48, buffer[i + 2] == 41 {
                        i += 3
                        changed = true
                    } else {
                        buffer[out] = buffer[i]
                        out += 1
                        i += 1
                    }
                }
                n = out
            }
            return body(UnsafeBufferPointer(rebasing: buffer[0..<n]))
        }
    }

    private enum PhoneScan { case checked(DestinationProblem?), bracket }

    /// The SMS rules on ASCII bytes from which every "(0)" is already removed: separators
    /// (whitespace, `-`, `.`, `(`, `)`) skipped, then `+` and 8–15 digits with a known code.
    /// With `stopAtBracket`, a "(" ends the scan: there may be a "(0)" to remove first.
    private static func scanPhone(_ bytes: UnsafeBufferPointer<UInt8>, stopAtBracket: Bool) -> PhoneScan {
        var i = 0
        let n = bytes.count
        // Separators, then the first kept character must be "+".
        while true {
            guard i < n else { return .checked(.missingCountryCode) }
            let b = bytes[i]
            i += 1
            if b == 43 { break }
            if b == 40 && stopAtBracket { return .bracket }
            if !isPhoneSeparator(b) { return .checked(.missingCountryCode) }
        }
        var digits = 0, lead = 0, badCharacter = false
        while i < n {
            let b = bytes[i]
            i += 1
            let digit = b &- 48
            if digit < 10 {
                if digits < 3 { lead = lead * 10 + Int(digit) }
                digits += 1
            } else if b == 40 && stopAtBracket {
                return .bracket
            } else if !isPhoneSeparator(b) {
                badCharacter = true
            }
        }
        guard !badCharacter, (8...15).contains(digits) else { return .checked(.invalidPhoneNumber) }
        let known = CountryCallingCodes.prefixLength(digit0: lead / 100, digit1: lead / 10 % 10, digit2: lead % 10) != nil
        return .checked(known ? nil : .unknownCountryCode)
    }

    private static func isPhoneSeparator(_ b: UInt8) -> Bool {
        b == 32 || b == 45 || b == 46 || b == 40 || b == 41 || (b >= 0x09 && b <= 0x0D)
    }

    private static func emailProblem(ascii bytes: UnsafeBufferPointer<UInt8>) -> DestinationProblem? {
        let text = trimmedASCII(bytes)
        guard text.count <= 254, let at = text.firstIndex(of: 64) else { return .invalidEmail }
        let domain = UnsafeBufferPointer(rebasing: text[(at + 1)...])
        // Validity does not depend on letter case, so the text is checked as it is. A second "@"
        // is not a letter, digit or "-": the domain check refuses it.
        return isValidLocalPart(UnsafeBufferPointer(rebasing: text[..<at])) && isValidDomain(domain) ? nil : .invalidEmail
    }

    /// SMS: trim; drop the trunk prefix `(0)`; remove whitespace, `-`, `.`, `(` and `)`; then
    /// `+` and 8–15 digits starting with an assigned E.164 country calling code.
    public static func normalizePhone(_ raw: String) -> Result<String, DestinationProblem> {
        var bytes = isASCII(raw) ? trimASCII(Array(raw.utf8)) : Array(String(Substring(raw).trimmingWhitespace()).utf8)
        removeTrunkPrefixes(&bytes)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b < 0x80 {
                if !(isASCIIWhitespace(b) || b == UInt8(ascii: "-") || b == UInt8(ascii: ".") || b == UInt8(ascii: "(") || b == UInt8(ascii: ")")) {
                    out.append(b)
                }
                i += 1
            } else {
                // A non-ASCII character: dropped if it is whitespace (a no-break space, say).
                let length = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : 2
                let end = min(bytes.count, i + length)
                let scalar = String(decoding: bytes[i..<end], as: UTF8.self)
                if !(scalar.count == 1 && scalar.first!.isWhitespace) { out.append(contentsOf: bytes[i..<end]) }
                i = end
            }
        }
        guard out.first == UInt8(ascii: "+") else { return .failure(.missingCountryCode) }
        let digits = out.dropFirst()
        guard (8...15).contains(digits.count), digits.allSatisfy({ $0 >= 48 && $0 <= 57 }) else {
            return .failure(.invalidPhoneNumber)
        }
        guard CountryCallingCodes.prefixLength(of: digits) != nil else { return .failure(.unknownCountryCode) }
        return .success(String(decoding: out, as: UTF8.self))
    }

    /// Removes every `(0)`, again and again until none is left (`((0)0)` leaves nothing).
    private static func removeTrunkPrefixes(_ bytes: inout [UInt8]) {
        let open = UInt8(ascii: "("), zero = UInt8(ascii: "0"), close = UInt8(ascii: ")")
        var changed = true
        while changed {
            changed = false
            var out: [UInt8] = []
            out.reserveCapacity(bytes.count)
            var i = 0
            while i < bytes.count {
                if bytes[i] == open, i + 2 < bytes.count, bytes[i + 1] == zero, bytes[i + 2] == close {
                    i += 3
                    changed = true
                } else {
                    out.append(bytes[i])
                    i += 1
                }
            }
            bytes = out
        }
    }

    /// Email: trim, lower-case, then ASCII `local@domain` (docs/reference.md, "Email").
    public static func normalizeEmail(_ raw: String) -> Result<String, DestinationProblem> {
        guard isASCII(raw) else {
            // Non-ASCII is invalid, but trimming may remove non-ASCII whitespace first.
            let trimmed = String(Substring(raw).trimmingWhitespace())
            return isASCII(trimmed) ? normalizeEmail(trimmed) : .failure(.invalidEmail)
        }
        let bytes = trimASCII(Array(raw.utf8)).map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }
        if bytes.withUnsafeBufferPointer({ emailProblem(ascii: $0) }) != nil { return .failure(.invalidEmail) }
        return .success(String(decoding: bytes, as: UTF8.self))
    }

    private static func isASCII(_ s: String) -> Bool { s.utf8.allSatisfy { $0 < 0x80 } }

    private static func isASCIIWhitespace(_ b: UInt8) -> Bool { b == 0x20 || (b >= 0x09 && b <= 0x0D) }

    private static func trimmedASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
        var first = 0, last = bytes.count
        while first < last, isASCIIWhitespace(bytes[first]) { first += 1 }
        while last > first, isASCIIWhitespace(bytes[last - 1]) { last -= 1 }
        return UnsafeBufferPointer(rebasing: bytes[first..<last])
    }

    private static func trimASCII(_ bytes: [UInt8]) -> [UInt8] {
        guard let first = bytes.firstIndex(where: { !isASCIIWhitespace($0) }),
              let last = bytes.lastIndex(where: { !isASCIIWhitespace($0) }) else { return [] }
        return Array(bytes[first...last])
    }

    /// Bit `b` set for each of ``!#$%&'*+/=?^_`{|}~.-`` (all below 128).
    private static let localSpecials: (low: UInt64, high: UInt64) = {
        var mask: (low: UInt64, high: UInt64) = (0, 0)
        for b in "!#$%&'*+/=?^_`{|}~.-".utf8 {
            if b < 64 { mask.low |= 1 << UInt64(b) } else { mask.high |= 1 << UInt64(b - 64) }
        }
        return mask
    }()

    private static func isLocalSpecial(_ b: UInt8, _ mask: (low: UInt64, high: UInt64)) -> Bool {
        b < 64 ? mask.low & (1 << UInt64(b)) != 0 : b < 128 && mask.high & (1 << UInt64(b - 64)) != 0
    }

    private static func isValidLocalPart(_ local: UnsafeBufferPointer<UInt8>) -> Bool {
        guard (1...64).contains(local.count) else { return false }
        guard local[0] != UInt8(ascii: "."), local[local.count - 1] != UInt8(ascii: ".") else { return false }
        let specials = localSpecials
        var previousDot = false
        for b in local {
            if isLetter(b) || b &- 48 < 10 {
                previousDot = false
            } else if b == UInt8(ascii: ".") {
                if previousDot { return false }
                previousDot = true
            } else if !isLocalSpecial(b, specials) {
                return false
            }
        }
        return true
    }

    /// Labels of letters, digits and "-" (not at a label's ends), at least two; the last one
    /// 2+ characters, letters only or "xn--…". One pass, no allocation.
    private static func isValidDomain(_ domain: UnsafeBufferPointer<UInt8>) -> Bool {
        guard domain.count <= 253 else { return false }
        var labelCount = 0
        var labelStart = 0
        var lettersOnly = true
        for index in 0...domain.count {
            if index < domain.count {
                let b = domain[index]
                if isLetter(b) { continue }
                if b &- 48 < 10 || b == UInt8(ascii: "-") {
                    lettersOnly = false
                    continue
                }
                guard b == UInt8(ascii: ".") else { return false }
            }
            // The end of a label.
            guard index > labelStart, domain[labelStart] != UInt8(ascii: "-"), domain[index - 1] != UInt8(ascii: "-") else { return false }
            labelCount += 1
            if index == domain.count {
                let last = UnsafeBufferPointer(rebasing: domain[labelStart..<index])
                guard labelCount >= 2, last.count >= 2 else { return false }
                return lettersOnly || (last.count >= 4 && last[0] == 120 && last[1] == 110 && last[2] == 45 && last[3] == 45) // "xn--"
            }
            labelStart = index + 1
            lettersOnly = true
        }
        return false
    }

    /// An ASCII letter (setting bit 5 maps "A"–"Z" onto "a"–"z", and nothing else onto them).
    private static func isLetter(_ b: UInt8) -> Bool {
        (b | 0x20) &- 97 < 26
    }
}

extension Substring {
    /// The text without leading and trailing whitespace (Unicode whitespace, as `Character` sees
    /// it): the engine's one trimming rule, which the stores use for what they keep.
    public func trimmingWhitespace() -> Substring {
        var s = self
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return s
    }
}

/// The two outbound channels. Identifiers are case-sensitive: `"SMS"` is not a channel.
public enum Channel: String, Sendable, CaseIterable, Codable, Hashable {
    case sms
    case email
}

/// Why a destination did not normalize (the `problem` detail of `INVALID_DESTINATION`).
public enum DestinationProblem: String, Error, Sendable, Codable, Hashable {
    case missingCountryCode = "missing-country-code"
    case invalidPhoneNumber = "invalid-phone-number"
    case unknownCountryCode = "unknown-country-code"
    case invalidEmail = "invalid-email"
}

/// Destination normalization, exactly as SPEC §2 states it. Two destinations that normalize
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
        switch channel {
        case .sms: phoneProblem(raw)
        case .email: emailProblem(raw)
        }
    }

    /// `problem` on the UTF-8 of a destination that is all ASCII (the case `LineEvaluator` handles
    /// without allocating; `problem(_:channel:)` sends the rest through `normalize`).
    static func problem(ascii bytes: UnsafeBufferPointer<UInt8>, channel: Channel) -> DestinationProblem? {
        switch channel {
        case .sms: withoutTrunkPrefixes(ascii: bytes) { phoneProblem(ascii: $0) }
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

    private static func phoneProblem(_ raw: String) -> DestinationProblem? {
        var raw = raw
        return raw.withUTF8 { bytes -> DestinationProblem? in
            guard bytes.allSatisfy({ $0 < 0x80 }), bytes.count <= 512 else {
                // Rare: non-ASCII separators or very long input take the allocating path.
                if case .failure(let problem) = normalizePhone(String(decoding: bytes, as: UTF8.self)) { return problem }
                return nil
            }
            return withoutTrunkPrefixes(ascii: bytes) { phoneProblem(ascii: $0) }
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

    /// The SMS rules on ASCII bytes from which every "(0)" is already removed: separators
    /// (whitespace, `-`, `.`, `(`, `)`) skipped, then `+` and 8–15 digits with a known code.
    private static func phoneProblem(ascii bytes: UnsafeBufferPointer<UInt8>) -> DestinationProblem? {
        var digits = 0, sawPlus = false, firstKept = true, badCharacter = false
        var d0 = 0, d1 = 0, d2 = 0
        for b in bytes {
            if isASCIIWhitespace(b) || b == 45 || b == 46 || b == 40 || b == 41 { continue }
            if firstKept {
                firstKept = false
                if b == 43 { sawPlus = true; continue }
                return .missingCountryCode
            }
            if b >= 48 && b <= 57 {
                switch digits { case 0: d0 = Int(b - 48); case 1: d1 = Int(b - 48); case 2: d2 = Int(b - 48); default: break }
                digits += 1
            } else {
                badCharacter = true
            }
        }
        guard sawPlus else { return .missingCountryCode }
        guard !badCharacter, (8...15).contains(digits) else { return .invalidPhoneNumber }
        return CountryCallingCodes.prefixLength(digit0: d0, digit1: d1, digit2: d2) == nil ? .unknownCountryCode : nil
    }

    private static func emailProblem(_ raw: String) -> DestinationProblem? {
        var raw = raw
        return raw.withUTF8 { bytes -> DestinationProblem? in
            guard bytes.allSatisfy({ $0 < 0x80 }) else {
                if case .failure(let problem) = normalizeEmail(String(decoding: bytes, as: UTF8.self)) { return problem }
                return nil
            }
            return emailProblem(ascii: bytes)
        }
    }

    private static func emailProblem(ascii bytes: UnsafeBufferPointer<UInt8>) -> DestinationProblem? {
        let text = trimmedASCII(bytes)
        guard text.count <= 254, let at = text.firstIndex(of: 64), text[(at + 1)...].firstIndex(of: 64) == nil else { return .invalidEmail }
        // Validity does not depend on letter case, so the text is checked as it is.
        return isValidLocalPart(text[..<at]) && isValidDomain(text[(at + 1)...]) ? nil : .invalidEmail
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

    /// Email: trim, lower-case, then ASCII `local@domain` (SPEC §2's rules).
    public static func normalizeEmail(_ raw: String) -> Result<String, DestinationProblem> {
        guard isASCII(raw) else {
            // Non-ASCII is invalid, but trimming may remove non-ASCII whitespace first.
            let trimmed = String(Substring(raw).trimmingWhitespace())
            return isASCII(trimmed) ? normalizeEmail(trimmed) : .failure(.invalidEmail)
        }
        let bytes = trimASCII(Array(raw.utf8)).map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }
        guard bytes.count <= 254 else { return .failure(.invalidEmail) }
        guard let at = bytes.firstIndex(of: UInt8(ascii: "@")), bytes[(at + 1)...].firstIndex(of: UInt8(ascii: "@")) == nil else {
            return .failure(.invalidEmail)
        }
        guard isValidLocalPart(bytes[..<at]), isValidDomain(bytes[(at + 1)...]) else { return .failure(.invalidEmail) }
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

    private static let localSpecials = Set("!#$%&'*+/=?^_`{|}~.-".utf8)

    private static func isValidLocalPart(_ local: some BidirectionalCollection<UInt8>) -> Bool {
        guard (1...64).contains(local.count) else { return false }
        guard local.first != UInt8(ascii: "."), local.last != UInt8(ascii: ".") else { return false }
        var previousDot = false
        for b in local {
            guard isLetterOrDigit(b) || localSpecials.contains(b) else { return false }
            let dot = b == UInt8(ascii: ".")
            if dot && previousDot { return false }
            previousDot = dot
        }
        return true
    }

    private static func isValidDomain<C: BidirectionalCollection<UInt8>>(_ domain: C) -> Bool {
        guard domain.count <= 253 else { return false }
        // Walk the labels without splitting (no allocation).
        var labelCount = 0
        var labelStart = domain.startIndex
        var index = domain.startIndex
        var lastLabel = domain[domain.startIndex..<domain.startIndex]
        while true {
            let atEnd = index == domain.endIndex
            if atEnd || domain[index] == UInt8(ascii: ".") {
                let label = domain[labelStart..<index]
                guard let first = label.first, let last = label.last,
                      first != UInt8(ascii: "-"), last != UInt8(ascii: "-"),
                      label.allSatisfy({ isLetterOrDigit($0) || $0 == UInt8(ascii: "-") }) else { return false }
                labelCount += 1
                lastLabel = label
                if atEnd { break }
                labelStart = domain.index(after: index)
            }
            index = domain.index(after: index)
        }
        guard labelCount >= 2, lastLabel.count >= 2 else { return false }
        if lastLabel.starts(with: "xn--".utf8) { return true }
        return lastLabel.allSatisfy { isLetter($0) }
    }

    private static func isLetter(_ b: UInt8) -> Bool {
        (b >= 65 && b <= 90) || (b >= 97 && b <= 122)
    }

    private static func isLetterOrDigit(_ b: UInt8) -> Bool {
        isLetter(b) || (b >= 48 && b <= 57)
    }
}

extension Substring {
    /// The text without leading and trailing whitespace (Unicode whitespace, as `Character` sees it).
    func trimmingWhitespace() -> Substring {
        var s = self
        while let f = s.first, f.isWhitespace { s.removeFirst() }
        while let l = s.last, l.isWhitespace { s.removeLast() }
        return s
    }
}

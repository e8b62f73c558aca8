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

    /// SMS: trim; drop the trunk prefix `(0)`; remove whitespace, `-`, `.`, `(` and `)`; then
    /// `+` and 8–15 digits starting with an assigned E.164 country calling code.
    public static func normalizePhone(_ raw: String) -> Result<String, DestinationProblem> {
        var text = Substring(raw).trimmingWhitespace()
        while let range = text.firstRange(of: "(0)") {
            text.removeSubrange(range)
        }
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for ch in text {
            if ch.isWhitespace || ch == "-" || ch == "." || ch == "(" || ch == ")" { continue }
            out.append(contentsOf: ch.utf8)
        }
        guard out.first == UInt8(ascii: "+") else { return .failure(.missingCountryCode) }
        let digits = out.dropFirst()
        guard (8...15).contains(digits.count), digits.allSatisfy({ $0 >= 48 && $0 <= 57 }) else {
            return .failure(.invalidPhoneNumber)
        }
        guard CountryCallingCodes.prefixLength(of: digits) != nil else { return .failure(.unknownCountryCode) }
        return .success(String(decoding: out, as: UTF8.self))
    }

    /// Email: trim, lower-case, then ASCII `local@domain` (SPEC §2's rules).
    public static func normalizeEmail(_ raw: String) -> Result<String, DestinationProblem> {
        let text = String(Substring(raw).trimmingWhitespace()).lowercased()
        let bytes = Array(text.utf8)
        guard bytes.count <= 254, bytes.allSatisfy({ $0 < 0x80 }) else { return .failure(.invalidEmail) }
        let parts = bytes.split(separator: UInt8(ascii: "@"), omittingEmptySubsequences: false)
        guard parts.count == 2 else { return .failure(.invalidEmail) }
        guard isValidLocalPart(parts[0]), isValidDomain(parts[1]) else { return .failure(.invalidEmail) }
        return .success(text)
    }

    private static let localSpecials = Set("!#$%&'*+/=?^_`{|}~.-".utf8)

    private static func isValidLocalPart(_ local: ArraySlice<UInt8>) -> Bool {
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

    private static func isValidDomain(_ domain: ArraySlice<UInt8>) -> Bool {
        guard domain.count <= 253 else { return false }
        let labels = domain.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
        guard labels.count >= 2 else { return false }
        for label in labels {
            guard let first = label.first, let last = label.last else { return false }
            guard first != UInt8(ascii: "-"), last != UInt8(ascii: "-") else { return false }
            guard label.allSatisfy({ isLetterOrDigit($0) || $0 == UInt8(ascii: "-") }) else { return false }
        }
        guard let top = labels.last, top.count >= 2 else { return false }
        if top.starts(with: "xn--".utf8) { return true }
        return top.allSatisfy { isLetter($0) }
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

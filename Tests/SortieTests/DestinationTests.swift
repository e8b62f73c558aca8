import Testing
@testable import Sortie

@Suite struct DestinationTests {
    @Test(arguments: [
        ("+33 (0)6 12 34 56 78", "+33612345678"),
        ("(+33) 6-12-34-56-78", "+33612345678"),
        ("  +33.6.12.34.56.78 ", "+33612345678"),
        ("+33\u{00A0}6 12 34 56 78", "+33612345678"),
        ("+1 (415) 555-0100", "+14155550100"),
        ("+44 20 7946 0958", "+442079460958"),
        ("+352 621 123 456", "+352621123456"),
    ])
    func phoneNumbersNormalize(raw: String, normalized: String) {
        #expect(Destination.normalize(raw, channel: .sms) == .success(normalized))
    }

    @Test(arguments: [
        ("0612345678", DestinationProblem.missingCountryCode),
        ("0033612345678", .missingCountryCode),
        ("", .missingCountryCode),
        ("33612345678", .missingCountryCode),
        ("+3361234", .invalidPhoneNumber),            // 7 digits
        ("+3361234567890123", .invalidPhoneNumber),   // 16 digits
        ("+33 6 12 AB 56 78", .invalidPhoneNumber),
        ("++33612345678", .invalidPhoneNumber),
        ("+2851234567", .unknownCountryCode),         // 285: spare
        ("+999123456789", .unknownCountryCode),       // 999: spare
    ])
    func phoneNumbersFail(raw: String, problem: DestinationProblem) {
        #expect(Destination.normalize(raw, channel: .sms) == .failure(problem))
    }

    @Test func lengthBoundsAreEightToFifteenDigits() {
        #expect(Destination.normalize("+33123456", channel: .sms) == .success("+33123456"))
        #expect(Destination.normalize("+331234567890123", channel: .sms) == .success("+331234567890123"))
    }

    @Test(arguments: [
        (" Client.Name+tag@Example.FR ", "client.name+tag@example.fr"),
        ("a@b.co", "a@b.co"),
        ("x@sub.domain-name.xn--p1ai", "x@sub.domain-name.xn--p1ai"),
        ("o'brien!#$%&*/=?^_`{|}~-@acme.fr", "o'brien!#$%&*/=?^_`{|}~-@acme.fr"),
    ])
    func emailsNormalize(raw: String, normalized: String) {
        #expect(Destination.normalize(raw, channel: .email) == .success(normalized))
    }

    @Test(arguments: [
        "plainaddress", "a@b", "a@@b.fr", "a@b@c.fr", ".a@b.fr", "a.@b.fr", "a..b@c.fr", "@b.fr", "a@.fr",
        "a@b..fr", "a@-b.fr", "a@b-.fr", "a@b.f", "a@b.f1", "é@b.fr", "a b@c.fr", "a@b_c.fr",
        String(repeating: "a", count: 65) + "@b.fr",
        "a@" + String(repeating: "b", count: 250) + ".fr",
    ])
    func emailsFail(raw: String) {
        #expect(Destination.normalize(raw, channel: .email) == .failure(.invalidEmail))
    }
}

@Suite struct CountryCallingCodesTests {
    static let dataFile = TestPaths.packageRoot.appendingPathComponent("Sources/Sortie/Evaluator/Destination/country-calling-codes.txt")

    @Test func swiftTableMatchesTheDataFile() throws {
        let text = try String(contentsOf: Self.dataFile, encoding: .utf8)
        #expect(text.contains("# Source: ITU-T"), "the data file states its source")
        let codes = text.split(separator: "\n").filter { !$0.hasPrefix("#") && !$0.isEmpty }.map { String($0.split(separator: "\t")[0]) }
        #expect(codes.sorted() == CountryCallingCodes.assigned.sorted())
        #expect(codes.count > 200)
    }

    @Test func codesArePrefixFree() {
        for a in CountryCallingCodes.assigned {
            for b in CountryCallingCodes.assigned where a != b {
                #expect(!b.hasPrefix(a), "\(a) is a prefix of \(b)")
            }
        }
    }

    @Test(arguments: [("33612345678", 2), ("14155550100", 1), ("79161234567", 1), ("352621123", 3), ("2125551234", 3), ("8821234567", 3)])
    func prefixLengths(digits: String, length: Int) {
        #expect(CountryCallingCodes.prefixLength(of: Array(digits.utf8)) == length)
    }

    @Test(arguments: ["2801234567", "2891234567", "9991234567", "0123456789", "3881234567", "2101234567", "8011234567"])
    func spareCodesAreUnknown(digits: String) {
        #expect(CountryCallingCodes.prefixLength(of: Array(digits.utf8)) == nil)
    }
}

/// The allocation-free validity check must agree with `normalize` on every input.
@Suite struct DestinationProblemTests {
    @Test func problemAgreesWithNormalizeOnGeneratedInputs() {
        var rng = SeededGenerator(seed: 7)
        let pieces = ["+", "33", "6", " ", "(0)", "(", ")", "-", ".", "0", "1", "9", "99", "28", "a", "@", "b.fr", "x", "é", "\u{00A0}", "..", "-", "xn--p1ai", "A", "ab"]
        for _ in 0..<20_000 {
            let raw = (0..<Int.random(in: 0...12, using: &rng)).map { _ in pieces.randomElement(using: &rng)! }.joined()
            for channel in Channel.allCases {
                let expected: DestinationProblem? = switch Destination.normalize(raw, channel: channel) {
                case .success: nil
                case .failure(let problem): problem
                }
                #expect(Destination.problem(raw, channel: channel) == expected, "\(channel) \(raw)")
            }
        }
    }
}

@Suite struct ReasonCodeTableTests {
    @Test func orderIsTheDeclarationOrder() {
        #expect(ReasonCode.allCases.map(\.order) == Array(0..<ReasonCode.allCases.count))
    }

    @Test func everyCodeHasBuiltInMessagesUsingOnlyItsPlaceholders() {
        for code in ReasonCode.allCases {
            for locale in ReasonCode.builtInLocales {
                let message = code.builtInMessage(locale: locale) ?? ""
                #expect(!message.isEmpty)
                for placeholder in ReasonCatalog.placeholders(in: message) {
                    #expect(code.detailKeys.contains(placeholder.name), "\(code) \(locale) uses {\(placeholder.name)}")
                }
            }
        }
    }
}

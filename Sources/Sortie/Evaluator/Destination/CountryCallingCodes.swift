/// ITU-T E.164 assigned country calling codes: the same list as `country-calling-codes.txt`
/// beside this file, which states its source and date. A test checks the two agree; edit both.
enum CountryCallingCodes {
    /// Every assigned code, digits only, in numeric order.
    static let assigned: [String] = [
        "1", "7", "20", "27", "30", "31", "32", "33", "34", "36", "39", "40", "41", "43", "44", "45",
        "46", "47", "48", "49", "51", "52", "53", "54", "55", "56", "57", "58", "60", "61", "62", "63",
        "64", "65", "66", "81", "82", "84", "86", "90", "91", "92", "93", "94", "95", "98", "211", "212",
        "213", "216", "218", "220", "221", "222", "223", "224", "225", "226", "227", "228", "229", "230", "231", "232",
        "233", "234", "235", "236", "237", "238", "239", "240", "241", "242", "243", "244", "245", "246", "247", "248",
        "249", "250", "251", "252", "253", "254", "255", "256", "257", "258", "260", "261", "262", "263", "264", "265",
        "266", "267", "268", "269", "290", "291", "297", "298", "299", "350", "351", "352", "353", "354", "355", "356",
        "357", "358", "359", "370", "371", "372", "373", "374", "375", "376", "377", "378", "379", "380", "381", "382",
        "383", "385", "386", "387", "389", "420", "421", "423", "500", "501", "502", "503", "504", "505", "506", "507",
        "508", "509", "590", "591", "592", "593", "594", "595", "596", "597", "598", "599", "670", "672", "673", "674",
        "675", "676", "677", "678", "679", "680", "681", "682", "683", "685", "686", "687", "688", "689", "690", "691",
        "692", "800", "808", "850", "852", "853", "855", "856", "870", "878", "880", "881", "882", "883", "886", "888",
        "960", "961", "962", "963", "964", "965", "966", "967", "968", "970", "971", "972", "973", "974", "975", "976",
        "977", "979", "991", "992", "993", "994", "995", "996", "998",
    ]

    /// `table[n]` is true when `n` (as 1, 2 or 3 digits, offset by 0, 10 and 100 so lengths
    /// never collide) is an assigned code: index = code + (length 1: 0, length 2: 10, length 3: 110).
    private static let table: [Bool] = {
        var table = [Bool](repeating: false, count: 1110)
        for code in assigned {
            guard let value = Int(code) else { continue }
            table[value + offset(length: code.count)] = true
        }
        return table
    }()

    private static func offset(length: Int) -> Int {
        switch length {
        case 1: 0
        case 2: 10
        default: 110
        }
    }

    /// The length of the assigned code that the digits `d0 d1 d2` (each 0...9) begin with, or nil.
    /// E.164 codes are prefix-free, so at most one length matches.
    static func prefixLength(digit0 d0: Int, digit1 d1: Int, digit2 d2: Int) -> Int? {
        if table[d0] { return 1 }
        if table[d0 * 10 + d1 + 10] { return 2 }
        if table[d0 * 100 + d1 * 10 + d2 + 110] { return 3 }
        return nil
    }

    /// The length (1...3) of the assigned country calling code that `digits` (ASCII digits)
    /// begins with, or nil. E.164 codes are prefix-free, so at most one length matches.
    static func prefixLength(of digits: some Collection<UInt8>) -> Int? {
        var value = 0
        var length = 0
        for byte in digits.prefix(3) {
            guard byte >= 48, byte <= 57 else { return nil }
            value = value * 10 + Int(byte - 48)
            length += 1
            if table[value + offset(length: length)] { return length }
        }
        return nil
    }
}

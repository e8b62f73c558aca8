/// Dates and times without Foundation: RFC 3339 date-times read from bytes, days since
/// 1970-01-01 to calendar dates and back (proleptic Gregorian), and the texts contact-hour
/// details are written as.
enum CivilTime {
    /// The UTC instant (whole seconds since 1970, rounded down) of an RFC 3339 date-time such as
    /// `2026-12-02T09:30:00Z` or `2026-12-02T10:30:00.250+01:00`, or nil.
    static func instant(rfc3339 text: String) -> Int64? {
        var text = text
        return text.withUTF8 { instant(rfc3339: $0) }
    }

    static func instant(rfc3339 b: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard b.count >= 20, b.count <= 64 else { return nil }
        func number(_ at: Int, _ digits: Int) -> Int? {
            var n = 0
            for i in at..<(at + digits) {
                guard b[i] >= 48, b[i] <= 57 else { return nil }
                n = n * 10 + Int(b[i] - 48)
            }
            return n
        }
        guard let year = number(0, 4), b[4] == 0x2D, let month = number(5, 2), b[7] == 0x2D, let day = number(8, 2),
              b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: "t"),
              let hour = number(11, 2), b[13] == 0x3A, let minute = number(14, 2), b[16] == 0x3A, let second = number(17, 2),
              (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year),
              hour < 24, minute < 60, second <= 60 else { return nil }
        var i = 19
        if b[i] == UInt8(ascii: ".") {
            i += 1
            let start = i
            while i < b.count, b[i] >= 48, b[i] <= 57 { i += 1 }
            guard i > start else { return nil }
        }
        guard i < b.count else { return nil }
        var offset = 0
        switch b[i] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            guard i + 1 == b.count else { return nil }
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard i + 6 == b.count, let hours = number(i + 1, 2), b[i + 3] == 0x3A, let minutes = number(i + 4, 2),
                  hours < 24, minutes < 60 else { return nil }
            offset = (hours * 60 + minutes) * 60 * (b[i] == UInt8(ascii: "-") ? -1 : 1)
        default:
            return nil
        }
        // A leap second reads as the second before it.
        let local = days(year: year, month: month, day: day) * 86_400 + Int64(hour * 3_600 + minute * 60 + min(second, 59))
        return local - Int64(offset)
    }

    static func isLeap(_ year: Int) -> Bool { year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 of a calendar date.
    static func days(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let m = Int64(month)
        let dayOfYear = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The calendar date of a day since 1970-01-01.
    static func date(days z0: Int64) -> (year: Int, month: Int, day: Int) {
        let z = z0 + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (Int(yearOfEra + era * 400 + (month <= 2 ? 1 : 0)), Int(month), Int(day))
    }

    /// `floor(a / b)` for a positive `b`.
    @inline(__always)
    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : -((-a + b - 1) / b) }

    /// The weekday (0 Monday … 6 Sunday) of a day since 1970-01-01, a Thursday.
    @inline(__always)
    static func weekday(days: Int64) -> Int { Int(((days + 3) % 7 + 7) % 7) }

    /// Writes `HH:MM` of a minute of the day.
    static func writeClock(minute: Int, _ emit: (UInt8) -> Void) {
        two(minute / 60, emit)
        emit(0x3A)
        two(minute % 60, emit)
    }

    /// Writes a local date-time with its offset, `2026-12-03T08:00:00+01:00`, of local seconds
    /// since 1970 and the offset east of UTC in seconds.
    static func writeLocalDateTime(local: Int64, offset: Int32, _ emit: (UInt8) -> Void) {
        let day = floorDiv(local, 86_400)
        let (year, month, dayOfMonth) = date(days: day)
        let second = Int(local - day * 86_400)
        two(year / 100, emit); two(year % 100, emit)
        emit(0x2D); two(month, emit); emit(0x2D); two(dayOfMonth, emit)
        emit(UInt8(ascii: "T"))
        two(second / 3_600, emit); emit(0x3A); two(second / 60 % 60, emit); emit(0x3A); two(second % 60, emit)
        let east = Int(offset)
        emit(east < 0 ? 0x2D : 0x2B)
        two(abs(east) / 3_600, emit); emit(0x3A); two(abs(east) / 60 % 60, emit)
    }

    /// Writes a local date-time as a message shows it: `08:00` within a day of `now` (local
    /// seconds), else `2026-12-07 08:00`.
    static func writeForMessage(local: Int64, now: Int64, _ emit: (UInt8) -> Void) {
        let day = floorDiv(local, 86_400)
        let minute = Int(local - day * 86_400) / 60
        if local - now >= 86_400 {
            let (year, month, dayOfMonth) = date(days: day)
            two(year / 100, emit); two(year % 100, emit)
            emit(0x2D); two(month, emit); emit(0x2D); two(dayOfMonth, emit)
            emit(0x20)
        }
        writeClock(minute: minute, emit)
    }

    @inline(__always)
    private static func two(_ n: Int, _ emit: (UInt8) -> Void) {
        emit(UInt8(48 + n / 10 % 10))
        emit(UInt8(48 + n % 10))
    }

    /// A text made by one of the writers.
    static func text(_ write: ((UInt8) -> Void) -> Void) -> String {
        var bytes: [UInt8] = []
        write { bytes.append($0) }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// A policy's contact hours lowered for the evaluator: which channels they restrict, the zone
/// they are read in, and per weekday the windows sorted by their opening time, in minutes. A
/// class for the same reason as `ZoneTable`.
final class ContactHoursRule: Sendable {
    let sms: Bool
    let email: Bool
    /// The zone every window is read in; -1: the recipient's.
    let fixedZone: Int
    let unknownTimeZoneAllows: Bool
    /// Per weekday (0 Monday … 6 Sunday), its windows in `opens` and `closes`.
    private let days: [Range<Int>]
    private let opens: [Int64]
    private let closes: [Int64]

    init(_ hours: CompiledPolicy.ContactHours, zones: ZoneTable) {
        sms = hours.channels.contains(.sms)
        email = hours.channels.contains(.email)
        fixedZone = hours.timeZone.flatMap(zones.index(of:)) ?? -1
        unknownTimeZoneAllows = hours.unknownTimeZone == .allow
        var days: [Range<Int>] = [], opens: [Int64] = [], closes: [Int64] = []
        for (index, day) in Weekday.allCases.enumerated() {
            let windows = hours.windows.filter { $0.days.contains(day) }.sorted { $0.from < $1.from }
            days.append(opens.count..<(opens.count + windows.count))
            opens += windows.map { Int64($0.from) * 60 }
            closes += windows.map { Int64($0.to) * 60 }
            precondition(days[index].count == windows.count)
        }
        self.days = days
        self.opens = opens
        self.closes = closes
    }

    @inline(__always)
    func restricts(_ channel: Channel) -> Bool { channel == .sms ? sms : email }

    /// Where the instant `t` (UTC seconds) falls in zone `zone`'s local time: inside a window or
    /// not, the local time, and when not, the next opening.
    @inline(__always)
    func check(at t: Int64, zone: Int, zones: ZoneTable) -> ContactHoursCheck {
        let offset = zones.offset(zone: zone, at: t)
        let local = t + Int64(offset)
        let day = CivilTime.floorDiv(local, 86_400)
        let second = local - day * 86_400
        let weekday = CivilTime.weekday(days: day)
        var check = ContactHoursCheck(zone: zone, local: local)
        for i in days[weekday] where opens[i] <= second && second < closes[i] {
            check.inside = true
            return check
        }
        // The next opening: the first window of today that opens later, else of the next days.
        for ahead in 0..<8 {
            let dayStart = (day + Int64(ahead)) * 86_400
            for i in days[(weekday + ahead) % 7] where dayStart + opens[i] > local {
                let next = dayStart + opens[i]
                let (utc, nextOffset) = zones.instant(local: next, zone: zone)
                check.nextLocal = utc + Int64(nextOffset)
                check.nextOffset = nextOffset
                return check
            }
        }
        return check
    }
}

/// Where an instant falls in the contact hours of one zone (see `ContactHoursRule.check`).
struct ContactHoursCheck: Sendable, Hashable {
    /// The zone, an index into the evaluator's `ZoneTable`.
    var zone: Int
    /// The local time, in seconds since 1970-01-01 local midnight.
    var local: Int64
    var inside = false
    /// The next window's opening, in local seconds, and the offset then; nil when inside.
    var nextLocal: Int64?
    var nextOffset: Int32 = 0

    init(zone: Int, local: Int64) {
        self.zone = zone
        self.local = local
    }

    /// The local minute of the day.
    var minuteOfDay: Int { Int(local - CivilTime.floorDiv(local, 86_400) * 86_400) / 60 }
}

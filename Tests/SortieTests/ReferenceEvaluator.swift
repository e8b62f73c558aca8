import Foundation
@testable import Sortie

/// A deliberately simple evaluator written straight from the contract (docs/reference.md), for differential testing.
/// It favours obviousness over speed: no tables, no precomputation, one `if` per rule.
struct ReferenceEvaluator {
    let policy: CompiledPolicy
    /// The moment of a request without `at` (UTC seconds).
    var now: Int64 = Int64(Date().timeIntervalSince1970)

    struct Outcome: Equatable, CustomStringConvertible {
        var allowed: Bool
        var reasons: [ReasonCode]
        var warnings: [ReasonCode]
        var profile: String?
        var destination: String?
        var details: [[String: DetailValue]]

        var description: String {
            "allowed=\(allowed) reasons=\(reasons.map(\.name)) warnings=\(warnings.map(\.name)) profile=\(profile ?? "nil") destination=\(destination ?? "nil") details=\(details)"
        }
    }

    func decide(_ value: JSONValue) -> Outcome {
        guard let r = parse(value) else {
            return Outcome(allowed: false, reasons: [.invalidRequest], warnings: [], profile: nil, destination: nil, details: [])
        }
        var reasons: [(ReasonCode, [String: DetailValue])] = []
        var warnings: [ReasonCode] = []
        var profileName: String?
        var destination: String?
        switch r.action {
        case "operation":
            if r.operation == "conference" && policy.disallowedOperations.contains(.conference) {
                reasons.append((.conferenceNotAllowed, ["operation": .string("conference")]))
            }
            if r.operation == "transfer" && policy.disallowedOperations.contains(.transfer) {
                reasons.append((.transferNotAllowed, ["operation": .string("transfer")]))
            }
            if r.operation == "workflow" && policy.disallowedWorkflowTriggers.contains(r.trigger ?? "") {
                reasons.append((.workflowTriggerNotAllowed, ["trigger": .string(r.trigger ?? "")]))
            }
        case "message":
            if r.optedOut {
                let normalized = Channel(rawValue: r.channel ?? "").flatMap { try? Destination.normalize(r.to ?? "", channel: $0).get() }
                reasons.append((.recipientOptedOut, ["destination": .string(normalized ?? r.to ?? ""), "entryPoint": .string(r.entryPoint ?? "")]))
            }
        case "close":
            let reason = (r.wrapUpReason ?? "").trimmingCharacters(in: " ")
            if reason.allSatisfy(\.isWhitespace) {
                reasons.append((.wrapUpReasonRequired, [:]))
            } else if !policy.wrapUpReasons.contains(String(Substring(r.wrapUpReason ?? "").trimmingWhitespace())) {
                reasons.append((.wrapUpReasonUnknown, ["reason": .string(String(Substring(r.wrapUpReason ?? "").trimmingWhitespace()))]))
            }
        default:
            // start (options are compared on their top-level outcome elsewhere)
            if !policy.digitalChannels { reasons.append((.digitalChannelsDisabled, [:])) }
            let license = policy.licenses.first { $0.name == r.license }
            if license == nil || license?.outbound == false { reasons.append((.licenseNotEligible, ["license": .string(r.license ?? "")])) }
            let channel = Channel(rawValue: r.channel ?? "")
            if channel == nil { reasons.append((.channelNotSupported, ["channel": .string(r.channel ?? "")])) }
            // Profile resolution, first match wins.
            var profile = policy.profiles.first { $0.agents.contains(r.agentID) }
            if profile == nil, let team = r.team { profile = policy.profiles.first { $0.teams.contains(team) } }
            if profile == nil, let site = r.site { profile = policy.profiles.first { $0.sites.contains(site) } }
            if profile == nil, let name = policy.defaultProfile { profile = policy.profiles.first { $0.name == name } }
            profileName = profile?.name
            if profile == nil { reasons.append((.noMultimediaProfile, [:])) }
            if let channel, let profile, profile.limits[channel] == nil {
                reasons.append((.channelNotInProfile, ["channel": .string(channel.rawValue), "profile": .string(profile.name)]))
            }
            if !policy.allowedAgentStates.contains(r.state ?? "") { reasons.append((.agentStateNotAllowed, ["state": .string(r.state ?? "")])) }
            if let channel, let profile, let limit = profile.limits[channel] {
                let active = r.active[channel.rawValue] ?? 0
                if active >= limit {
                    reasons.append((.outboundLimitReached, ["channel": .string(channel.rawValue), "limit": .integer(limit), "active": .integer(active), "profile": .string(profile.name)]))
                }
            }
            if let channel {
                switch Destination.normalize(r.to ?? "", channel: channel) {
                case .success(let d): destination = d
                case .failure(let p): reasons.append((.invalidDestination, ["destination": .string(r.to ?? ""), "problem": .string(p.rawValue)]))
                }
                let ofChannel = policy.entryPoints.filter { $0.channel == channel }
                if ofChannel.isEmpty {
                    reasons.append((.noEntryPointConfigured, ["channel": .string(channel.rawValue)]))
                } else if let named = policy.entryPoints.first(where: { $0.name == r.entryPoint }) {
                    if named.channel != channel {
                        reasons.append((.entryPointChannelMismatch, ["entryPoint": .string(named.name), "channel": .string(channel.rawValue), "entryPointChannel": .string(named.channel.rawValue)]))
                    }
                } else {
                    reasons.append((.entryPointNotFound, ["entryPoint": r.entryPoint.map(DetailValue.string) ?? .null, "channel": .string(channel.rawValue)]))
                }
            }
            if let channel, let destination { recipientRules(r, channel, destination, &reasons) }
            if r.destinationActive { reasons.append((.conversationAlreadyActive, ["destination": .string(destination ?? r.to ?? "")])) }
            if channel == .email {
                let subject = r.subject ?? ""
                if subject.allSatisfy(\.isWhitespace) {
                    reasons.append((.emailSubjectRequired, [:]))
                } else if r.subjectUsed {
                    if policy.emailSubjectReuse == .deny { reasons.append((.emailSubjectReused, ["subject": .string(subject)])) }
                    if policy.emailSubjectReuse == .warn { warnings.append(.emailSubjectReused) }
                }
            }
        }
        return Outcome(allowed: reasons.isEmpty, reasons: reasons.map(\.0), warnings: warnings,
                       profile: profileName, destination: destination, details: reasons.map(\.1))
    }

    struct Parsed {
        var action = "start"
        var agentID = ""
        var license: String?, state: String?, team: String?, site: String?
        var active: [String: Int] = [:]
        var channel: String?, to: String?, entryPoint: String?, subject: String?
        var destinationActive = false, subjectUsed = false
        var operation: String?, trigger: String?, wrapUpReason: String?
        var at: Int64?, optedOut = false, recipientTimeZone: String?
    }

    /// SPEC §7's three rules, with Foundation's calendar for local time.
    func recipientRules(_ r: Parsed, _ channel: Channel, _ destination: String, _ reasons: inout [(ReasonCode, [String: DetailValue])]) {
        let ofChannel = policy.entryPoints.filter { $0.channel == channel }
        if let named = ofChannel.first(where: { $0.name == r.entryPoint }) {
            if channel == .sms, let allowed = named.allowedDestinations, !allowed.contains(where: destination.hasPrefix) {
                reasons.append((.destinationNotAllowed, ["destination": .string(destination), "entryPoint": .string(named.name)]))
            }
            if r.optedOut { reasons.append((.recipientOptedOut, ["destination": .string(destination), "entryPoint": .string(named.name)])) }
        }
        guard let hours = policy.contactHours, hours.channels.contains(channel) else { return }
        let zoneName = hours.timeZone ?? r.recipientTimeZone ?? (channel == .sms ? Self.callingCodeZone(destination) : nil)
        guard let zoneName, let zone = TimeZone(identifier: zoneName) else {
            if hours.unknownTimeZone == .deny {
                reasons.append((.outsideContactHours, ["localTime": .null, "timeZone": .null, "nextAllowed": .null]))
            }
            return
        }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let now = Date(timeIntervalSince1970: TimeInterval(r.at ?? self.now))
        let parts = calendar.dateComponents([.weekday, .hour, .minute], from: now)
        let weekdays: [Weekday] = [.sun, .mon, .tue, .wed, .thu, .fri, .sat]
        let minute = parts.hour! * 60 + parts.minute!
        let today = weekdays[parts.weekday! - 1]
        if hours.windows.contains(where: { $0.days.contains(today) && $0.from <= minute && minute < $0.to }) { return }
        var next: Date?
        let midnight = calendar.startOfDay(for: now)
        for ahead in 0...7 where next == nil {
            let day = calendar.date(byAdding: .day, value: ahead, to: midnight)!
            let weekday = weekdays[calendar.component(.weekday, from: day) - 1]
            let opens = hours.windows.filter { $0.days.contains(weekday) }.map {
                calendar.date(bySettingHour: $0.from / 60, minute: $0.from % 60, second: 0, of: day)!
            }
            next = opens.filter { $0 > now }.min()
        }
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        var nextText = DetailValue.null
        if let next {
            let p = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: next)
            let offset = zone.secondsFromGMT(for: next)
            nextText = .string("\(p.year!)-\(two(p.month!))-\(two(p.day!))T\(two(p.hour!)):\(two(p.minute!)):\(two(p.second!))"
                + (offset < 0 ? "-" : "+") + two(abs(offset) / 3600) + ":" + two(abs(offset) / 60 % 60))
        }
        reasons.append((.outsideContactHours, ["localTime": .string("\(two(parts.hour!)):\(two(parts.minute!))"),
                                               "timeZone": .string(zoneName), "nextAllowed": nextText]))
    }

    /// The zone of the destination's calling code, from the data files (not the engine's table).
    static func callingCodeZone(_ destination: String) -> String? {
        let digits = destination.dropFirst()
        guard let code = assignedCodes.first(where: { digits.hasPrefix($0) }) else { return nil }
        return zonesByCode[code]
    }

    static let dataFolder = TestPaths.packageRoot.appendingPathComponent("Sources/Sortie/Evaluator/Destination")
    static let assignedCodes: [String] = {
        let text = (try? String(contentsOf: dataFolder.appendingPathComponent("country-calling-codes.txt"), encoding: .utf8)) ?? ""
        return text.split(separator: "\n").filter { !$0.hasPrefix("#") }.compactMap { $0.split(whereSeparator: { $0 == " " || $0 == "\t" }).first.map(String.init) }
            .filter { $0.allSatisfy(\.isNumber) }
    }()
    static let zonesByCode: [String: String] = {
        let text = (try? String(contentsOf: dataFolder.appendingPathComponent("country-time-zones.txt"), encoding: .utf8)) ?? ""
        var map: [String: String] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: "\t")
            if parts.count == 2 { map[String(parts[0])] = String(parts[1]) }
        }
        return map
    }()

    /// The contract's request table (docs/reference.md), checked field by field. Nil when malformed.
    func parse(_ value: JSONValue) -> Parsed? {
        guard case .object(let o) = value else { return nil }
        let known: Set<String> = ["id", "action", "locale", "agent", "activeOutbound", "channel", "to", "entryPoint", "subject",
                                  "destinationActive", "subjectUsed", "operation", "trigger", "wrapUpReason",
                                  "at", "optedOut", "recipientTimeZone"]
        guard o.keys.allSatisfy(known.contains) else { return nil }
        // `null` is accepted only where the contract's table says "or null": agent.team,
        // agent.site, entryPoint, subject and wrapUpReason; elsewhere it is a wrong type.
        let nullable: Set<String> = ["team", "site", "entryPoint", "subject", "wrapUpReason", "recipientTimeZone"]
        func str(_ v: JSONValue?, _ key: String) -> (ok: Bool, value: String?) {
            switch v {
            case nil: (true, nil)
            case .null?: (nullable.contains(key), nil)
            case .string(let s)?: (true, s)
            default: (false, nil)
            }
        }
        func str(_ v: JSONValue?) -> (ok: Bool, value: String?) { str(v, "") }
        func bool(_ v: JSONValue?) -> (ok: Bool, value: Bool) {
            switch v { case nil: (true, false); case .bool(let b)?: (true, b); default: (false, false) }
        }
        var p = Parsed()
        for key in ["id", "locale", "channel", "to", "entryPoint", "subject", "trigger", "wrapUpReason", "action", "operation",
                    "at", "recipientTimeZone"] {
            guard str(o[key], key).ok else { return nil }
        }
        p.action = str(o["action"]).value ?? "start"
        guard ["start", "options", "operation", "close", "message"].contains(p.action) else { return nil }
        guard case .object(let agent)? = o["agent"], agent.keys.allSatisfy(["id", "license", "state", "team", "site"].contains) else { return nil }
        for key in ["id", "license", "state", "team", "site"] { guard str(agent[key], key).ok else { return nil } }
        guard let id = str(agent["id"]).value else { return nil }
        p.agentID = id
        p.license = str(agent["license"]).value
        p.state = str(agent["state"]).value
        p.team = str(agent["team"]).value
        p.site = str(agent["site"]).value
        if (p.action == "start" || p.action == "options") && (p.license == nil || p.state == nil) { return nil }
        switch o["activeOutbound"] {
        case nil: break
        case .object(let counts)?:
            for (k, v) in counts {
                switch v {
                case .integer(let n) where n >= 0: p.active[k] = n
                case .number(let n) where n >= 0 && n == n.rounded() && n < 1e15: p.active[k] = Int(n)
                default: return nil
                }
            }
        default: return nil
        }
        p.channel = str(o["channel"]).value
        p.to = str(o["to"]).value
        p.entryPoint = str(o["entryPoint"]).value
        p.subject = str(o["subject"]).value
        guard bool(o["destinationActive"]).ok, bool(o["subjectUsed"]).ok, bool(o["optedOut"]).ok else { return nil }
        p.optedOut = bool(o["optedOut"]).value
        if let at = str(o["at"]).value {
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            let plain = ISO8601DateFormatter()
            guard let date = plain.date(from: at) ?? formatter.date(from: at) else { return nil }
            p.at = Int64(date.timeIntervalSince1970.rounded(.down))
        }
        if let zone = str(o["recipientTimeZone"]).value {
            guard zone == "UTC" || TimeZone(identifier: zone)?.identifier == zone else { return nil }
            p.recipientTimeZone = zone
        }
        p.destinationActive = bool(o["destinationActive"]).value
        p.subjectUsed = bool(o["subjectUsed"]).value
        p.operation = str(o["operation"]).value
        if let op = p.operation, !["conference", "transfer", "workflow"].contains(op) { return nil }
        p.trigger = str(o["trigger"]).value
        p.wrapUpReason = str(o["wrapUpReason"]).value
        if (p.action == "start" || p.action == "message") && (p.channel == nil || p.to == nil) { return nil }
        if p.action == "operation" && p.operation == nil { return nil }
        if p.operation == "workflow" && p.action == "operation" && p.trigger == nil { return nil }
        return p
    }
}

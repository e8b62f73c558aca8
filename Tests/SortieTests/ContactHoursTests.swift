import Foundation
import Testing
@testable import Sortie

/// SPEC §7 in the evaluator: each new code, its order and skips, the window edges, both clock
/// changes in Paris and New York, multi-zone calling codes, a fixed zone, and the `message` action.
@Suite struct ContactHoursTests {
    static func evaluator(hours: String? = #"{ days: [mon, tue, wed, thu, fri], from: "08:00", to: "20:00" }, { days: [sat], from: "10:00", to: "18:00" }"#,
                          zone: String = "recipient", unknown: String = "deny", channels: String = "[sms]",
                          allowed: String = #"["+33", "+1"]"#) throws -> Evaluator {
        let contactHours = hours.map { ", contactHours: { channels: \(channels), timeZone: \(zone), unknownTimeZone: \(unknown), windows: [\($0)] }" } ?? ""
        let text = """
            apiVersion: sortie/v1
            kind: Tenant
            metadata: { name: t }
            spec: { digitalChannels: true, licenses: { premium: { outbound: true } }, agentStates: [available], locales: [fr, en], defaultProfile: p }
            ---
            apiVersion: sortie/v1
            kind: OutboundPolicy
            metadata: { name: o }
            spec: { allowedAgentStates: [available], wrapUpReasons: [resolu]\(contactHours) }
            ---
            apiVersion: sortie/v1
            kind: MultimediaProfile
            metadata: { name: p }
            spec: { channels: { sms: { maxOutboundTasks: 5 }, email: { maxOutboundTasks: 5 } } }
            ---
            apiVersion: sortie/v1
            kind: EntryPoint
            metadata: { name: e-sms }
            spec: { channel: sms, address: "+33186950000", allowedDestinations: \(allowed) }
            ---
            apiVersion: sortie/v1
            kind: EntryPoint
            metadata: { name: e-mail }
            spec: { channel: email, address: contact@acme.fr }

            """
        let result = Compiler.compile(sources: [PolicySource(path: "s.yaml", text: text)], root: "s.yaml")
        return Evaluator(policy: try #require(result.policy, "\(result.diagnostics.map(\.message))"))
    }

    static func decide(_ e: Evaluator, to: String = "+33612345678", at: String?, extra: String = "", channel: String = "sms",
                       entryPoint: String = "e-sms") -> Decision {
        let at = at.map { #","at":"\#($0)""# } ?? ""
        let json = #"{"agent":{"id":"a","license":"premium","state":"available"},"channel":"\#(channel)","to":"\#(to)","entryPoint":"\#(entryPoint)","subject":"s"\#(at)\#(extra)}"#
        return e.decide(json: Array(json.utf8))
    }

    static func codes(_ d: Decision) -> [ReasonCode] { d.reasons.map(\.code) }

    @Test("a window opens at from (inclusive) and closes at to (exclusive), in the recipient's zone")
    func windowEdges() throws {
        let e = try Self.evaluator()
        // Paris is UTC+1 in December: 08:00 local is 07:00Z; 20:00 local is 19:00Z.
        #expect(Self.codes(Self.decide(e, at: "2026-12-02T06:59:59Z")) == [.outsideContactHours])
        #expect(Self.codes(Self.decide(e, at: "2026-12-02T07:00:00Z")) == [])
        #expect(Self.codes(Self.decide(e, at: "2026-12-02T18:59:59Z")) == [])
        let closed = Self.decide(e, at: "2026-12-02T19:00:00Z")
        #expect(Self.codes(closed) == [.outsideContactHours])
        #expect(closed.reasons[0].details == ["localTime": .string("20:00"), "timeZone": .string("Europe/Paris"),
                                              "nextAllowed": .string("2026-12-03T08:00:00+01:00")])
        #expect(closed.reasons[0].message == "Il est 20:00 chez ce client (Europe/Paris) ; envoi possible à partir de 08:00.")
    }

    @Test("a day without a window is outside all day; the next window is named with its date")
    func dayWithoutWindow() throws {
        let e = try Self.evaluator()
        let sunday = Self.decide(e, at: "2026-12-06T12:00:00+01:00", extra: #","locale":"en""#)
        #expect(sunday.reasons.map(\.code) == [.outsideContactHours])
        #expect(sunday.reasons[0].details["nextAllowed"] == .string("2026-12-07T08:00:00+01:00"))
        #expect(sunday.reasons[0].message == "It is 12:00 for this customer (Europe/Paris); you can write from 08:00.")
        let saturdayNight = Self.decide(e, at: "2026-12-05T19:00:00+01:00")
        #expect(saturdayNight.reasons[0].details["nextAllowed"] == .string("2026-12-07T08:00:00+01:00"))
        #expect(saturdayNight.reasons[0].message.hasSuffix("à partir de 2026-12-07 08:00."))
    }

    @Test("both clock changes in Europe/Paris and America/New_York", arguments: [
        // Paris springs forward on 2026-03-29 at 01:00Z (02:00 → 03:00) and falls back on 2026-10-25 at 01:00Z.
        ("+33612345678", "2026-03-27T06:59:00Z", false), ("+33612345678", "2026-03-27T07:00:00Z", true),
        ("+33612345678", "2026-03-30T05:59:00Z", false), ("+33612345678", "2026-03-30T06:00:00Z", true),
        ("+33612345678", "2026-10-26T06:59:00Z", false), ("+33612345678", "2026-10-26T07:00:00Z", true),
        // New York springs forward on 2026-03-08 (EST → EDT) and falls back on 2026-11-01.
        ("+12125550100", "2026-03-06T12:59:00Z", false), ("+12125550100", "2026-03-06T13:00:00Z", true),
        ("+12125550100", "2026-03-09T11:59:00Z", false), ("+12125550100", "2026-03-09T12:00:00Z", true),
        ("+12125550100", "2026-11-02T12:59:00Z", false), ("+12125550100", "2026-11-02T13:00:00Z", true),
    ])
    func clockChanges(to: String, at: String, allowed: Bool) throws {
        let e = try Self.evaluator()
        let zone = to.hasPrefix("+1") ? #","recipientTimeZone":"America/New_York""# : ""
        #expect(Self.decide(e, to: to, at: at, extra: zone).allowed == allowed)
    }

    @Test("a window opening in the spring-forward gap opens at the first minute that exists")
    func openingInTheGap() throws {
        let e = try Self.evaluator(hours: #"{ days: [sun], from: "02:30", to: "04:00" }"#)
        let before = Self.decide(e, at: "2026-03-29T00:30:00Z")
        #expect(before.reasons[0].details["nextAllowed"] == .string("2026-03-29T03:00:00+02:00"))
        #expect(Self.decide(e, at: "2026-03-29T01:00:00Z").allowed)
    }

    @Test("a multi-zone calling code is unknown without recipientTimeZone: deny refuses, allow lets through")
    func multiZoneCode() throws {
        let deny = try Self.evaluator()
        let unknown = Self.decide(deny, to: "+12125550100", at: "2026-12-02T17:00:00Z")
        #expect(Self.codes(unknown) == [.outsideContactHours])
        #expect(unknown.reasons[0].details == ["localTime": .null, "timeZone": .null, "nextAllowed": .null])
        #expect(unknown.reasons[0].message == "Le fuseau horaire de ce client est inconnu : ses heures de contact ne peuvent pas être vérifiées.")
        #expect(Self.decide(deny, to: "+12125550100", at: "2026-12-02T17:00:00Z", extra: #","recipientTimeZone":"America/Chicago""#).allowed)
        #expect(!Self.decide(deny, to: "+12125550100", at: "2026-12-02T03:00:00Z", extra: #","recipientTimeZone":"America/Chicago""#).allowed)
        let allow = try Self.evaluator(unknown: "allow")
        #expect(Self.decide(allow, to: "+12125550100", at: "2026-12-02T03:00:00Z").allowed)
        #expect(!Self.decide(allow, to: "+12125550100", at: "2026-12-02T03:00:00Z", extra: #","recipientTimeZone":"America/New_York""#).allowed)
    }

    @Test("a fixed zone is used whatever the recipient's")
    func fixedZone() throws {
        let e = try Self.evaluator(zone: "Asia/Tokyo")
        // 09:00 in Tokyo is 00:00Z (01:00 in Paris); 21:00 in Tokyo is 12:00Z (13:00 in Paris).
        #expect(Self.decide(e, at: "2026-12-02T00:00:00Z", extra: #","recipientTimeZone":"Europe/Paris""#).allowed)
        let refused = Self.decide(e, at: "2026-12-02T12:00:00Z")
        #expect(Self.codes(refused) == [.outsideContactHours])
        #expect(refused.reasons.first?.details["timeZone"] == .string("Asia/Tokyo"))
    }

    @Test("email: contact hours apply only when listed; its zone is only ever recipientTimeZone")
    func email() throws {
        let smsOnly = try Self.evaluator()
        #expect(Self.decide(smsOnly, to: "client@exemple.fr", at: "2026-12-02T03:00:00Z", channel: "email", entryPoint: "e-mail").allowed)
        let both = try Self.evaluator(channels: "[sms, email]")
        #expect(Self.codes(Self.decide(both, to: "client@exemple.fr", at: "2026-12-02T12:00:00Z", channel: "email", entryPoint: "e-mail"))
                == [.outsideContactHours])
        #expect(Self.decide(both, to: "client@exemple.fr", at: "2026-12-02T12:00:00Z", extra: #","recipientTimeZone":"Europe/Paris""#,
                            channel: "email", entryPoint: "e-mail").allowed)
    }

    @Test("the three codes are reported in order after the entry-point codes, with their details")
    func orderAndDetails() throws {
        let e = try Self.evaluator()
        let d = Self.decide(e, to: "+44 7700 900123", at: "2026-12-02T23:00:00Z", extra: #","optedOut":true,"destinationActive":true"#)
        #expect(Self.codes(d) == [.destinationNotAllowed, .recipientOptedOut, .outsideContactHours, .conversationAlreadyActive])
        #expect(d.reasons[0].details == ["destination": .string("+447700900123"), "entryPoint": .string("e-sms")])
        #expect(d.reasons[1].details == ["destination": .string("+447700900123"), "entryPoint": .string("e-sms")])
        #expect(d.reasons[2].details["timeZone"] == .string("Europe/London"))
        #expect(d.reasons[0].message == "Le point d'entrée e-sms ne peut pas envoyer de message à +447700900123.")
        #expect(d.reasons[1].message == "Ce client (+447700900123) a demandé à ne plus recevoir de messages de e-sms.")
    }

    @Test("skips: an invalid destination or unsupported channel skips all three, a missing or mismatched entry point the first two")
    func skips() throws {
        let e = try Self.evaluator()
        let night = "2026-12-02T23:00:00Z"
        #expect(Self.codes(Self.decide(e, to: "0612345678", at: night, extra: #","optedOut":true"#)) == [.invalidDestination])
        #expect(Self.codes(Self.decide(e, at: night, extra: #","optedOut":true"#, channel: "fax")) == [.channelNotSupported])
        #expect(Self.codes(Self.decide(e, to: "+447700900123", at: night, extra: #","optedOut":true"#, entryPoint: "nope"))
                == [.entryPointNotFound, .outsideContactHours])
        #expect(Self.codes(Self.decide(e, to: "+447700900123", at: night, extra: #","optedOut":true"#, entryPoint: "e-mail"))
                == [.entryPointChannelMismatch, .outsideContactHours])
    }

    @Test("without contact hours or allowedDestinations nothing new is refused")
    func absentRules() throws {
        let e = try Self.evaluator(hours: nil, allowed: #"["+33", "+44", "+1"]"#)
        #expect(Self.decide(e, to: "+12125550100", at: "2026-12-02T03:00:00Z").allowed)
        #expect(Self.codes(Self.decide(e, to: "+12125550100", at: nil, extra: #","optedOut":true"#)) == [.recipientOptedOut])
    }

    @Test("the message action is decided by consent alone")
    func messageAction() throws {
        let e = try Self.evaluator()
        let json = #"{"action":"message","agent":{"id":"a"},"channel":"sms","to":"+44 7700 900123","entryPoint":"e-sms","optedOut":true,"at":"2026-12-02T23:00:00Z"}"#
        let d = e.decide(json: Array(json.utf8))
        #expect(Self.codes(d) == [.recipientOptedOut])
        #expect(d.reasons[0].details["destination"] == .string("+447700900123"))
        let fine = #"{"action":"message","agent":{"id":"a"},"channel":"sms","to":"+44 7700 900123","entryPoint":"e-sms"}"#
        #expect(e.decide(json: Array(fine.utf8)).allowed)
        let missing = #"{"action":"message","agent":{"id":"a"},"channel":"sms"}"#
        #expect(e.decide(json: Array(missing.utf8)).reasons[0].details["field"] == .string("to: missing"))
    }

    @Test("malformed new fields are INVALID_REQUEST naming the field", arguments: [
        (#","at":"2026-12-02 10:00""#, "at"), (#","at":"2026-02-30T10:00:00Z""#, "at"), (#","at":null"#, "at"),
        (#","recipientTimeZone":"Europe/Pariss""#, "recipientTimeZone"), (#","recipientTimeZone":"GMT+1""#, "recipientTimeZone"),
        (#","optedOut":null"#, "optedOut"), (#","optedOut":"yes""#, "optedOut"),
    ])
    func malformed(extra: String, field: String) throws {
        let d = Self.decide(try Self.evaluator(), at: nil, extra: extra)
        #expect(Self.codes(d) == [.invalidRequest])
        if case .string(let text)? = d.reasons[0].details["field"] { #expect(text.hasPrefix(field + ":")) } else { Issue.record("no field") }
    }

    @Test("a request without at is decided at the evaluator's clock")
    func clock() throws {
        let e = try Self.evaluator()
        let night = Evaluator(policy: e.policy, clock: { 1_796_338_800 })   // 2026-12-03T23:00:00Z
        let day = Evaluator(policy: e.policy, clock: { 1_796_299_200 })     // 2026-12-03T12:00:00Z
        #expect(!Self.decide(night, at: nil).allowed)
        #expect(Self.decide(day, at: nil).allowed)
    }

    @Test("--explain names each new check's outcome and why it was skipped")
    func explain() throws {
        let e = try Self.evaluator()
        guard case .success(let request) = Request.decode(json: Array(#"{"agent":{"id":"a","license":"premium","state":"available"},"channel":"sms","to":"+33612345678","entryPoint":"nope","at":"2026-12-02T23:00:00Z"}"#.utf8)) else {
            Issue.record("request did not decode")
            return
        }
        let steps = Dictionary(uniqueKeysWithValues: e.explain(request).map { ($0.check, $0) })
        #expect(steps[.destinationNotAllowed]?.outcome == .skipped)
        #expect(steps[.recipientOptedOut]?.because == "the entry point was not found")
        #expect(steps[.outsideContactHours]?.outcome == .failed)
        #expect(steps[.outsideContactHours]?.inputs["timeZone"] == .string("Europe/Paris"))
    }

    @Test("the calling-code zones in Swift are the data file's")
    func zoneTableMatchesTheDataFile() throws {
        let text = try String(contentsOf: ReferenceEvaluator.dataFolder.appendingPathComponent("country-time-zones.txt"), encoding: .utf8)
        let rows = text.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { $0.split(separator: "\t").map(String.init) }
        #expect(rows.map { $0[0] } == CountryTimeZones.zones.map { String($0.code) })
        #expect(rows.map { $0[1] } == CountryTimeZones.zones.map(\.zone))
        for code in [1, 7, 52, 55, 61, 49] { #expect(!CountryTimeZones.zones.contains { $0.code == code }, "\(code) has several zones") }
        let zones = ZoneTable()
        for (_, zone) in CountryTimeZones.zones { #expect(zones.index(of: zone) != nil, "\(zone) is lowered") }
    }

    @Test("keywords compare trimmed, in any case, without surrounding punctuation")
    func keywords() {
        let consent = CompiledPolicy.Consent.defaults
        for text in ["stop", "Stop.", " STOP ", "ARRÊT !", "arret", "«Stop»"] { #expect(consent.change(for: text) == .optOut, "\(text)") }
        for text in ["start", "Unstop!"] { #expect(consent.change(for: text) == .optIn, "\(text)") }
        for text in ["stop please", "", "...", "STOPP"] { #expect(consent.change(for: text) == nil, "\(text)") }
        #expect(consent.confirmation(locale: "fr").hasPrefix("Vous ne recevrez plus de SMS"))
        #expect(consent.confirmation(locale: "de") == consent.confirmation(locale: "en"))
    }
}

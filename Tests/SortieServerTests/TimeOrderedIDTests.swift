import Foundation
import SortieService
import Testing

@Suite("Time-ordered ids (UUIDv7)")
struct TimeOrderedIDTests {
    @Test("an id is a lowercase RFC 9562 version-7 UUID whose first 48 bits are the milliseconds")
    func format() throws {
        let date = Date(timeIntervalSince1970: 1_764_072_000.123)
        let id = TimeOrderedID.make(at: date)
        #expect(id == id.lowercased())
        let uuid = try #require(UUID(uuidString: id)).uuid
        #expect(uuid.6 >> 4 == 7)
        #expect(uuid.8 >> 6 == 0b10)
        let milliseconds = [uuid.0, uuid.1, uuid.2, uuid.3, uuid.4, uuid.5].reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        #expect(milliseconds == 1_764_072_000_123)
    }

    @Test("ids made in later milliseconds sort after earlier ones, as text")
    func ordered() {
        var ids: [String] = []
        for step in 0..<2_000 {
            ids.append(TimeOrderedID.make(at: Date(timeIntervalSince1970: 1_764_072_000 + Double(step) * 0.001)))
        }
        #expect(ids == ids.sorted())
    }

    @Test("ids made in the same millisecond differ")
    func unique() {
        let date = Date()
        let ids = Set((0..<10_000).map { _ in TimeOrderedID.make(at: date) })
        #expect(ids.count == 10_000)
    }
}

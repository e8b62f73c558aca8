import Foundation
import Sortie

/// One row a store read, as the shared record decoders see it: text and numbers by column.
///
/// Each store adapts its driver's row to this (SQL stays per store); the records are decoded
/// once, here, so that a value no store knows is the same loud error on every database.
public protocol StoredRow {
    /// The column's text, or nil for NULL; throws when the column is missing or not text.
    func text(_ column: String) throws(StoreError) -> String?
    /// The column's number, or nil for NULL; throws when the column is missing or not a number.
    func number(_ column: String) throws(StoreError) -> Double?
}

/// Times are stored as seconds since 1970, on every store.
public enum StoredTime {
    public static func seconds(_ date: Date) -> Double { date.timeIntervalSince1970 }
    public static func date(_ seconds: Double) -> Date { Date(timeIntervalSince1970: seconds) }
}

/// Reads the columns of one table's row, naming the table and column in every error.
struct RowReader<Row: StoredRow> {
    let row: Row
    let table: String

    func text(_ column: String) throws(StoreError) -> String {
        guard let value = try row.text(column) else { throw .unavailable("\(table).\(column) is NULL") }
        return value
    }

    func optionalText(_ column: String) throws(StoreError) -> String? {
        try row.text(column)
    }

    func date(_ column: String) throws(StoreError) -> Date {
        guard let value = try row.number(column) else { throw .unavailable("\(table).\(column) is NULL") }
        return StoredTime.date(value)
    }

    func optionalDate(_ column: String) throws(StoreError) -> Date? {
        try row.number(column).map(StoredTime.date)
    }

    /// An enumerated column: a value this version does not know is an error, never a default.
    func value<Value: RawRepresentable & CaseIterable>(_ column: String) throws(StoreError) -> Value where Value.RawValue == String {
        let raw = try text(column)
        guard let value = Value(rawValue: raw) else {
            let known = Value.allCases.map(\.rawValue).joined(separator: ", ")
            throw .unavailable("\(table).\(column) holds \"\(raw)\", which is not one of \(known)")
        }
        return value
    }
}

extension CustomerRecord {
    /// A row of `customers`.
    public init(row: some StoredRow) throws(StoreError) {
        let columns = RowReader(row: row, table: "customers")
        self.init(id: try columns.text("id"), channel: try columns.value("channel"), address: try columns.text("address"),
                  createdAt: try columns.date("created_at"), timeZone: try columns.optionalText("time_zone"))
    }
}

extension ConversationRecord {
    /// A row of `conversations`.
    public init(row: some StoredRow) throws(StoreError) {
        let columns = RowReader(row: row, table: "conversations")
        self.init(id: try columns.text("id"), origin: try columns.value("origin"), state: try columns.value("state"),
                  channel: try columns.value("channel"), customerId: try columns.text("customer_id"),
                  destination: try columns.text("destination"), agentId: try columns.optionalText("agent_id"),
                  entryPoint: try columns.text("entry_point"), subject: try columns.optionalText("subject"),
                  previousConversationId: try columns.optionalText("previous_conversation_id"),
                  createdAt: try columns.date("created_at"), closedAt: try columns.optionalDate("closed_at"),
                  wrapUpReason: try columns.optionalText("wrap_up_reason"))
    }
}

extension TaskRecord {
    /// A row of `tasks`.
    public init(row: some StoredRow) throws(StoreError) {
        let columns = RowReader(row: row, table: "tasks")
        self.init(id: try columns.text("id"), conversationId: try columns.text("conversation_id"),
                  agentId: try columns.text("agent_id"), channel: try columns.value("channel"), state: try columns.value("state"),
                  createdAt: try columns.date("created_at"), acceptedAt: try columns.optionalDate("accepted_at"),
                  completedAt: try columns.optionalDate("completed_at"))
    }
}

extension MessageRecord {
    /// A row of `messages`.
    public init(row: some StoredRow) throws(StoreError) {
        let columns = RowReader(row: row, table: "messages")
        self.init(id: try columns.text("id"), conversationId: try columns.text("conversation_id"),
                  direction: try columns.value("direction"), body: try columns.text("body"),
                  subject: try columns.optionalText("subject"), template: try columns.optionalText("template"),
                  status: try columns.value("status"), inReplyTo: try columns.optionalText("in_reply_to"),
                  createdAt: try columns.date("created_at"), attempts: Int(try row.number("attempts") ?? 0),
                  lastError: try columns.optionalText("last_error"), providerMessageId: try columns.optionalText("provider_message_id"))
    }
}

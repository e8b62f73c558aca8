import Foundation

/// One page of a conversation's messages, oldest first: at most `limit`, after the message
/// the cursor names.
public struct MessagePage: Sendable, Hashable {
    /// The page size when a client names none.
    public static let defaultLimit = 100
    /// The page sizes a client may ask for.
    public static let limits = 1...500

    public var limit: Int
    /// The `nextCursor` of the page before; nil for the first page.
    public var after: MessageCursor?

    public init(limit: Int = MessagePage.defaultLimit, after: MessageCursor? = nil) {
        self.limit = limit
        self.after = after
    }

    /// The page and the cursor of the next one, from up to `limit + 1` messages a store
    /// fetched in order: the one past the limit only tells that there is a next page.
    public func cut(_ fetched: [MessageRecord]) -> (messages: [MessageRecord], next: MessageCursor?) {
        guard fetched.count > limit, limit > 0 else { return (fetched, nil) }
        let messages = Array(fetched.prefix(limit))
        return (messages, messages.last.map { MessageCursor(after: $0.id) })
    }

    /// How many messages a store fetches for the page: one more than it shows.
    public var fetchCount: Int { limit + 1 }
}

/// Where a page of messages starts: it names the last message of the page before. Clients
/// see an opaque string (base64url of the message id), so that its form can change.
public struct MessageCursor: Sendable, Hashable {
    /// The last message of the page before.
    public let messageId: String

    public init(after messageId: String) {
        self.messageId = messageId
    }

    /// The cursor a client sent, or nil when it is not one this service writes.
    public init?(text: String) {
        guard !text.isEmpty, text.utf8.count <= 1024,
              text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else { return nil }
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard let data = Data(base64Encoded: base64), let id = String(data: data, encoding: .utf8), !id.isEmpty else { return nil }
        self.init(after: id)
        // One text per cursor: anything that does not encode back the same was not written here.
        guard self.text == text else { return nil }
    }

    /// The opaque text clients pass back as `after`.
    public var text: String {
        Data(messageId.utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}

/// What `conversationView` found.
public enum ConversationViewLookup: Sendable {
    case found(ConversationView)
    case notFound
    /// The page's cursor names no message of this conversation (found, but not shown).
    case unknownCursor(ConversationRecord)
}

/// Whether a conversation had room for one more message.
public enum MessageRoom<Value: Sendable>: Sendable {
    case appended(Value)
    /// The conversation holds the most messages it may: nothing was written.
    case full(ConversationRecord)

    /// The rule every store applies, in the transaction that appends: a conversation holding
    /// `count` messages takes another only below `maxMessages`.
    public static func admits(count: Int, maxMessages: Int) -> Bool { count < maxMessages }
}

extension MessageRoom: WriteResult {
    public var written: Written {
        switch self {
        case .appended: .committed
        case .full: .nothing
        }
    }
}

import SortieStore

extension MessagePage {
    /// The page `GET /v1/conversations/{id}?limit=N&after=CURSOR` asks for, or its 400
    /// `invalid-request` naming the parameter: `limit` is 1 to 500 in plain digits (100 when
    /// absent), `after` a `nextCursor` this service wrote.
    public static func query(limit: String?, after: String?) -> Result<MessagePage, ServiceReply> {
        var page = MessagePage()
        if let limit {
            guard !limit.isEmpty, limit.utf8.count <= 3, limit.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
                  let value = Int(limit), MessagePage.limits.contains(value) else {
                return .failure(.error(400, "invalid-request",
                                       "limit must be an integer from \(limits.lowerBound) to \(limits.upperBound)", field: "limit"))
            }
            page.limit = value
        }
        if let after {
            guard let cursor = MessageCursor(text: after) else { return .failure(unknownCursor) }
            page.after = cursor
        }
        return .success(page)
    }

    /// 400 for an `after` this service did not write, or that names no message of the conversation.
    static var unknownCursor: ServiceReply {
        .error(400, "invalid-request", "after must be a nextCursor of an earlier page of this conversation", field: "after")
    }
}

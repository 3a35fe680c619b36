/// One page of a list, shaped like the OpenAI API's list object: `{"data": [...], "has_more": bool}`.
/// The next page is requested with `after:` set to the id of the last element of `data`.
public struct Page<Element: Sendable>: Sendable {
    public var data: [Element]
    public var hasMore: Bool

    public init(data: [Element], hasMore: Bool) {
        self.data = data
        self.hasMore = hasMore
    }

    /// The cursor for the next page: the last element's id, or nil when this page is the last.
    public func nextCursor(_ id: (Element) -> String) -> String? {
        guard hasMore, let last = data.last else { return nil }
        return id(last)
    }
}

/// Which page to fetch. Lists run newest first (like the OpenAI API), so `after: X` means "records
/// submitted before X". `limit` must be in `1...maxLimit`; the default matches OpenAI's (20).
public struct PageRequest: Sendable, Equatable {
    public static let defaultLimit = 20
    public static let maxLimit = 100

    public var after: String?
    public var limit: Int

    public init(after: String? = nil, limit: Int = PageRequest.defaultLimit) {
        self.after = after
        self.limit = limit
    }

    func validate() throws(StoreError) {
        guard (1...Self.maxLimit).contains(limit) else {
            throw .invalidArgument(field: "limit", reason: "must be between 1 and \(Self.maxLimit), got \(limit)")
        }
        if let after, after.isEmpty { throw .invalidArgument(field: "after", reason: "must not be empty") }
    }
}

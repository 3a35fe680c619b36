/// A list response, as OpenAI's list endpoints shape it: `{"object": "list", "data": [...], "has_more"}`.
public struct ListPage<Item: Encodable & Sendable>: Encodable, Sendable {
    public var data: [Item]
    public var hasMore: Bool

    public init(_ data: [Item], hasMore: Bool) {
        self.data = data
        self.hasMore = hasMore
    }

    enum CodingKeys: String, CodingKey { case object, data, hasMore = "has_more" }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode("list", forKey: .object)
        try c.encode(data, forKey: .data)
        try c.encode(hasMore, forKey: .hasMore)
    }
}

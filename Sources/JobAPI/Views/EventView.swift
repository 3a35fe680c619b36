/// One stored event as `GET /v1/jobs/{id}/events?format=json` lists it: the SSE `id`, `type` and
/// `data`, and `created_at` in Unix seconds with milliseconds.
public struct EventView: Encodable, Sendable, Equatable {
    public var id: Int
    public var type: String
    public var createdAt: Double
    public var data: JSONValue

    public init(id: Int, type: String, createdAt: Double, data: JSONValue) {
        self.id = id
        self.type = type
        self.createdAt = createdAt
        self.data = data
    }

    enum CodingKeys: String, CodingKey { case id, type, createdAt = "created_at", data }
}

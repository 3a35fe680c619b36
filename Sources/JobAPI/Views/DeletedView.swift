/// The answer to a `DELETE`: `{"id", "object", "deleted": true}`.
public struct DeletedView: Encodable, Sendable, Equatable {
    public var id: String
    /// `job`, `model` or `dataset`.
    public var object: String

    public init(id: String, object: String) {
        self.id = id
        self.object = object
    }

    enum CodingKeys: String, CodingKey { case id, object, deleted }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(object, forKey: .object)
        try c.encode(true, forKey: .deleted)
    }
}

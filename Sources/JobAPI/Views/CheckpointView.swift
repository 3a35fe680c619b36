/// One stored checkpoint (`GET /v1/jobs/{id}/checkpoints`): `kind` is `best`, `epoch` or `last`,
/// `epoch` the global epoch, `metrics` the epoch's measured metrics.
public struct CheckpointView: Encodable, Sendable, Equatable {
    public var id: String
    public var kind: String
    public var epoch: Int
    public var metrics: JSONValue
    public var size: Int
    public var sha256: String
    public var createdAt: Int

    public init(id: String, kind: String, epoch: Int, metrics: JSONValue, size: Int, sha256: String, createdAt: Int) {
        self.id = id
        self.kind = kind
        self.epoch = epoch
        self.metrics = metrics
        self.size = size
        self.sha256 = sha256
        self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey { case id, object, kind, epoch, metrics, size, sha256, createdAt = "created_at" }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode("checkpoint", forKey: .object)
        try c.encode(kind, forKey: .kind)
        try c.encode(epoch, forKey: .epoch)
        try c.encode(metrics, forKey: .metrics)
        try c.encode(size, forKey: .size)
        try c.encode(sha256, forKey: .sha256)
        try c.encode(createdAt, forKey: .createdAt)
    }
}

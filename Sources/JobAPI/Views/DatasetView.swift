/// A dataset as `GET /v1/datasets/{id}` shows it (docs/api.md, "Datasets").
public struct DatasetView: Encodable, Sendable, Equatable {
    /// A file the scan left out, with why (`kind`: a stable code; `reason`: for people).
    public struct Skipped: Encodable, Sendable, Equatable {
        public var path: String
        public var reason: String
        public var kind: String

        public init(path: String, reason: String, kind: String) {
            self.path = path
            self.reason = reason
            self.kind = kind
        }
    }

    public var id: String
    public var name: String
    public var builtin: Bool
    public var classes: [String]
    /// Images per class in each split; `test` is nil for an image folder without a test split.
    public var trainCounts: [Int]
    public var testCounts: [Int]?
    public var skipped: [Skipped]
    /// Relative to the dataset root (nil for the built-in); Unix seconds of registration.
    public var path: String?
    public var createdAt: Int?

    public init(id: String, name: String, builtin: Bool, classes: [String], trainCounts: [Int], testCounts: [Int]?,
                skipped: [Skipped], path: String?, createdAt: Int?) {
        self.id = id
        self.name = name
        self.builtin = builtin
        self.classes = classes
        self.trainCounts = trainCounts
        self.testCounts = testCounts
        self.skipped = skipped
        self.path = path
        self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey {
        case id, object, name, builtin, classes, counts, numImages = "num_images", skipped, path, createdAt = "created_at"
    }
    enum SplitKeys: String, CodingKey { case train, test }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode("dataset", forKey: .object)
        try c.encode(name, forKey: .name)
        try c.encode(builtin, forKey: .builtin)
        try c.encode(classes, forKey: .classes)
        var counts = c.nestedContainer(keyedBy: SplitKeys.self, forKey: .counts)
        try counts.encode(trainCounts, forKey: .train)
        try counts.encode(testCounts, forKey: .test)  // null, not absent, without a test split
        var images = c.nestedContainer(keyedBy: SplitKeys.self, forKey: .numImages)
        try images.encode(trainCounts.reduce(0, +), forKey: .train)
        try images.encode(testCounts?.reduce(0, +), forKey: .test)
        try c.encode(skipped, forKey: .skipped)
        try c.encodeIfPresent(path, forKey: .path)
        try c.encodeIfPresent(createdAt, forKey: .createdAt)
    }
}

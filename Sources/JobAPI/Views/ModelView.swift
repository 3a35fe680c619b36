/// A registered model as `GET /v1/models/{id}` shows it (docs/api.md, "Models").
public struct ModelView: Encodable, Sendable, Equatable {
    public enum Source: Sendable, Equatable {
        case builtin
        case upload
        /// Promoted from a finished job's checkpoint.
        case job(id: String)
    }
    public struct Weights: Encodable, Sendable, Equatable {
        public var sha256: String
        public var size: Int

        public init(sha256: String, size: Int) {
            self.sha256 = sha256
            self.size = size
        }
    }

    public var id: String
    public var name: String
    public var architecture: String
    public var numClasses: Int
    public var groups: [String]
    public var inputShape: [Int]
    public var classNames: [String]
    public var source: Source
    public var createdAt: Int
    /// Per-channel input normalization the weights expect; empty when they record none.
    public var mean: [Double]
    public var std: [Double]
    public var weights: Weights?

    public init(id: String, name: String, architecture: String, numClasses: Int, groups: [String], inputShape: [Int],
                classNames: [String], source: Source, createdAt: Int, mean: [Double], std: [Double], weights: Weights?) {
        self.id = id
        self.name = name
        self.architecture = architecture
        self.numClasses = numClasses
        self.groups = groups
        self.inputShape = inputShape
        self.classNames = classNames
        self.source = source
        self.createdAt = createdAt
        self.mean = mean
        self.std = std
        self.weights = weights
    }

    enum CodingKeys: String, CodingKey {
        case id, object, name, architecture, numClasses = "num_classes", groups, inputShape = "input_shape",
             classNames = "class_names", source, createdAt = "created_at", normalization, weights
    }
    enum SourceKeys: String, CodingKey { case type, jobID = "job_id" }
    enum NormalizationKeys: String, CodingKey { case mean, std }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode("model", forKey: .object)
        try c.encode(name, forKey: .name)
        try c.encode(architecture, forKey: .architecture)
        try c.encode(numClasses, forKey: .numClasses)
        try c.encode(groups, forKey: .groups)
        try c.encode(inputShape, forKey: .inputShape)
        try c.encode(classNames, forKey: .classNames)
        var s = c.nestedContainer(keyedBy: SourceKeys.self, forKey: .source)
        switch source {
        case .builtin: try s.encode("builtin", forKey: .type)
        case .upload: try s.encode("upload", forKey: .type)
        case .job(let id):
            try s.encode("job", forKey: .type)
            try s.encode(id, forKey: .jobID)
        }
        try c.encode(createdAt, forKey: .createdAt)
        if !mean.isEmpty {
            var n = c.nestedContainer(keyedBy: NormalizationKeys.self, forKey: .normalization)
            try n.encode(mean, forKey: .mean)
            try n.encode(std, forKey: .std)
        }
        try c.encodeIfPresent(weights, forKey: .weights)
    }
}

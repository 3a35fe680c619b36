/// `POST /v1/datasets`: an image folder under the dataset root, decoded at `channels` (1 grayscale,
/// 3 RGB; default 1) and `imageSize`² pixels (8...1024, default 28). Whether `path` resolves inside
/// the root and holds images is the daemon's to check.
public struct CreateDatasetRequest: Sendable, Equatable {
    public var name: String
    /// Relative to the dataset root, 1...4096 code points.
    public var path: String
    public var channels: Int
    public var imageSize: Int

    public init(name: String, path: String, channels: Int = 1, imageSize: Int = 28) {
        self.name = name
        self.path = path
        self.channels = channels
        self.imageSize = imageSize
    }

    public static let imageSizes = 8...1024

    /// Reads a body already parsed as JSON, listing every problem (unknown fields included).
    public static func read(_ body: JSONValue) -> Result<CreateDatasetRequest, SpecError> {
        let log = ProblemLog()
        guard var reader = ObjectReader(body, path: "", log: log, nullIsAbsent: false) else { return log.result(nil) }
        let name = reader.text("name", required: true)
        let path = reader.text("path", TextLimits.path, required: true)
        let channels = reader.value("channels").flatMap { value -> Int? in
            let channels = JSONRead.int(value, path: "channels", log: log, in: 1...3)
            guard channels != 2 else {
                log.add("channels", "must be 1 (grayscale) or 3 (RGB), got 2")
                return nil
            }
            return channels
        }
        let imageSize = reader.int("image_size", in: imageSizes)
        reader.finish()
        guard let name, let path else { return log.result(nil) }
        return log.result(CreateDatasetRequest(name: name, path: path, channels: channels ?? 1, imageSize: imageSize ?? 28))
    }
}

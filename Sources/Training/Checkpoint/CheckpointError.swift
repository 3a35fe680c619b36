/// Why checkpoint bytes could not be read back, naming the file and the key at fault.
public struct CheckpointError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `weights` or `state`.
    public var file: String
    public var key: String?
    public var reason: String

    public init(file: String, key: String? = nil, _ reason: String) {
        self.file = file
        self.key = key
        self.reason = reason
    }

    public var description: String {
        "checkpoint \(file)" + (key.map { " [\($0)]" } ?? "") + ": \(reason)"
    }
}

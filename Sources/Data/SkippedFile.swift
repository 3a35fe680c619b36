/// A file an image-folder load left out, and why (the `DataError` it would have raised).
public struct SkippedFile: Sendable, Equatable, Codable, CustomStringConvertible {
    public var path: String
    public var kind: DataError.Kind
    public var reason: String

    public init(path: String, kind: DataError.Kind, reason: String) {
        self.path = path
        self.kind = kind
        self.reason = reason
    }

    init(_ error: DataError, path: String) {
        self.init(path: error.path ?? path, kind: error.kind, reason: error.message)
    }

    public var error: DataError { DataError(kind, path: path, reason) }
    public var description: String { "\(path): \(reason)" }
}

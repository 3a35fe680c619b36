/// A data-loading failure: which file (or selection field) and what is wrong with it.
///
/// `kind` is for callers that branch on the failure (tests, the daemon mapping errors to HTTP 422);
/// `message` is the human sentence. `description` always starts with the path when there is one, so
/// a job's error log names the offending file without the caller adding context.
public struct DataError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, Equatable, Codable {
        /// The path does not exist.
        case missingPath
        /// The path exists but could not be opened or read (permissions, a directory, I/O error).
        case unreadable
        /// The gzip stream is corrupt or ends early.
        case badCompression
        /// An IDX file whose magic, type or dimensions are invalid.
        case badIDXHeader
        /// An IDX file whose header promises a different payload size than the file holds.
        case idxSizeMismatch
        /// A file that is neither PNG nor JPEG (by its signature).
        case notAnImage
        /// An image that ends before its pixel data does.
        case truncatedImage
        /// An image the decoder rejects for another reason (bad chunk, unsupported layout).
        case corruptImage
        /// A class folder with no usable images, or a selection that leaves a class empty.
        case emptyClass
        /// Images and labels disagree in count, or labels fall outside the class list / model.
        case labelMismatch
        /// A selection, split or augmentation parameter that cannot be honoured.
        case invalidSelection
        /// Images whose shape does not match what the consumer expects.
        case shapeMismatch
        /// A cache file that is corrupt or of another version (rebuilt, never trusted).
        case badCache
        /// A file or folder inside an image folder that is a link resolving outside the folder's root.
        case outsideRoot
        /// A FIFO, socket or device where an image file was expected (reading it could block forever).
        case notARegularFile
        /// A file over the per-file byte limit, or an image whose header promises more decoded
        /// pixels than the limit (checked before anything is allocated).
        case tooLarge
    }

    /// Kinds that say the folder itself is unsafe to read, not that one image is bad: a load
    /// always refuses them, even when asked to skip bad files.
    public var isRefusal: Bool { [.outsideRoot, .notARegularFile, .tooLarge].contains(kind) }

    /// The same error with its path rewritten by `transform` (the daemon shows paths relative to
    /// the dataset root, never absolute server paths).
    public func mapPath(_ transform: (String) -> String) -> DataError {
        DataError(kind, path: path.map(transform), message)
    }

    public let kind: Kind
    /// The file (or directory) concerned; nil for errors about in-memory selections.
    public let path: String?
    public let message: String

    public init(_ kind: Kind, path: String?, _ message: String) {
        self.kind = kind
        self.path = path
        self.message = message
    }

    public var description: String {
        if let path { return "\(path): \(message)" }
        return message
    }
}

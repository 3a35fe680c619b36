import Foundation

/// Resolves a user-given dataset path against `--dataset-root` and refuses anything that ends up
/// outside it — `..` segments, absolute paths elsewhere, and symlinks pointing out alike — because
/// the root is the only part of the machine's disk a client may make thawd read.
public struct DatasetPathResolver: Sendable {
    public let root: String

    public enum Problem: Error, Equatable, CustomStringConvertible {
        case empty
        case outsideRoot(String)
        case notFound(String)
        case notADirectory(String)

        public var description: String {
            switch self {
            case .empty: return "must not be empty"
            case .outsideRoot(let p): return "'\(p)' resolves outside the dataset root"
            case .notFound(let p): return "'\(p)' does not exist under the dataset root"
            case .notADirectory(let p): return "'\(p)' is not a directory"
            }
        }
    }

    public init(root: String) {
        self.root = root
    }

    /// The canonical absolute path of `path` (relative to the root), guaranteed inside the root.
    public func resolve(_ path: String) throws(Problem) -> String {
        guard !path.isEmpty else { throw .empty }
        guard !path.hasPrefix("/") else { throw .outsideRoot(path) }
        let canonicalRoot = Self.canonical(root) ?? root
        let joined = (canonicalRoot as NSString).appendingPathComponent(path)
        guard let canonical = Self.canonical(joined) else {
            // Lexically outside is reported as such even when it also does not exist.
            let lexical = (joined as NSString).standardizingPath
            if !Self.isInside(lexical, root: canonicalRoot) { throw .outsideRoot(path) }
            throw .notFound(path)
        }
        guard Self.isInside(canonical, root: canonicalRoot) else { throw .outsideRoot(path) }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: canonical, isDirectory: &isDirectory), isDirectory.boolValue
        else { throw .notADirectory(path) }
        return canonical
    }

    /// realpath(3): every symlink and `..` resolved; nil when the path does not exist.
    static func canonical(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    static func isInside(_ path: String, root: String) -> Bool {
        let base = root.hasSuffix("/") ? String(root.dropLast()) : root
        return path == base || path.hasPrefix(base + "/")
    }
}

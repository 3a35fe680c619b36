import Foundation

/// The files of an image folder, classified before any decoding: images with their labels and
/// stat info (the cache key), and files rejected by name or place alone.
///
/// The scan is also the folder's safety check, because a registered folder is the only part of
/// the disk a client may make thawd read: a link (file or folder) that resolves outside
/// `containedIn`, a FIFO, socket or device, and a file over `limits.maxFileBytes` throw a
/// refusal (`DataError.isRefusal`) naming it, whatever the caller's `skipBad`.
struct ImageFolderListing: Sendable {
    struct ImageFile: Sendable {
        var path: String
        var label: Int
        var stat: FileBytes.Stat
    }

    var classNames: [String]
    var images: [ImageFile]
    /// Non-image files, files lying outside a class folder, broken links, folders reached twice.
    var rejected: [SkippedFile]

    /// Deeper nesting than this inside a class folder is ignored.
    static let maxDepth = 16

    /// `containedIn` (default `root`) is the folder no link may leave; a dataset's `train/` and
    /// `test/` splits pass the dataset folder so links between its splits stay allowed.
    static func scan(root: String, containedIn: String? = nil, limits: ImageFileLimits = .default) throws(DataError) -> ImageFolderListing {
        let boundary = DatasetBoundary(root: containedIn ?? root)
        let rootInfo = try FileBytes.info(root)
        guard rootInfo.isDirectory else { throw DataError(.unreadable, path: root, "is not a directory (expected root/<class>/<image>)") }
        var visited = Set<String>()
        guard let canonicalRoot = boundary.canonical(root), boundary.contains(canonicalRoot) else {
            throw DataError(.outsideRoot, path: root, "resolves outside the image folder")
        }
        visited.insert(canonicalRoot)
        var classNames = [String](), rejected = [SkippedFile]()
        var classFolders = [String]()
        for name in try entries(root) {
            let path = "\(root)/\(name)"
            switch try boundary.classify(path, isImage: false, limits: limits) {
            case .directory(let canonical):
                guard visited.insert(canonical).inserted else {
                    rejected.append(SkippedFile(path: path, kind: .unreadable, reason: "folder already listed (a link to it)"))
                    continue
                }
                classNames.append(name)
                classFolders.append(path)
            case .file:
                rejected.append(SkippedFile(path: path, kind: .notAnImage, reason: "file outside any class folder"))
            case .broken(let reason):
                rejected.append(SkippedFile(path: path, kind: .unreadable, reason: reason))
            }
        }
        guard !classNames.isEmpty else {
            throw DataError(.emptyClass, path: root, "no class folders (expected root/<class-name>/<image>.png|.jpg|.jpeg)")
        }
        var images = [ImageFile]()
        for (label, folder) in classFolders.enumerated() {
            try walk(folder, depth: 0, boundary: boundary, limits: limits, visited: &visited) { path, info in
                if ImageFolder.isImageName(path) {
                    images.append(ImageFile(path: path, label: label, stat: info))
                } else {
                    rejected.append(SkippedFile(path: path, kind: .notAnImage, reason: "not a .png, .jpg or .jpeg file"))
                }
            } rejected: { path, kind, reason in
                rejected.append(SkippedFile(path: path, kind: kind, reason: reason))
            }
        }
        return ImageFolderListing(classNames: classNames, images: images, rejected: rejected)
    }

    /// Visible entries of `directory`, sorted by their UTF-8 bytes (as Python's `sorted`).
    static func entries(_ directory: String) throws(DataError) -> [String] {
        let names: [String]
        do { names = try FileManager.default.contentsOfDirectory(atPath: directory) } catch {
            throw DataError(.unreadable, path: directory, "cannot list directory")
        }
        return names.filter { !$0.hasPrefix(".") }.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
    }

    /// Every folder is entered once (by its canonical path), so links between folders can neither
    /// loop nor multiply the walk.
    private static func walk(_ directory: String, depth: Int, boundary: DatasetBoundary, limits: ImageFileLimits,
                             visited: inout Set<String>, file: (String, FileBytes.Stat) -> Void,
                             rejected: (String, DataError.Kind, String) -> Void) throws(DataError) {
        guard depth < maxDepth else { return }
        let names: [String]
        do { names = try entries(directory) } catch {
            rejected(directory, .unreadable, error.message)
            return
        }
        for name in names {
            let path = "\(directory)/\(name)"
            switch try boundary.classify(path, isImage: ImageFolder.isImageName(name), limits: limits) {
            case .directory(let canonical):
                guard visited.insert(canonical).inserted else {
                    rejected(path, .unreadable, "folder already listed (a link to it)")
                    continue
                }
                try walk(path, depth: depth + 1, boundary: boundary, limits: limits, visited: &visited, file: file, rejected: rejected)
            case .file(let info):
                file(path, info)
            case .broken(let reason):
                rejected(path, .unreadable, reason)
            }
        }
    }
}

/// The folder no entry of an image folder may resolve outside of, and the per-entry check.
struct DatasetBoundary {
    let canonicalRoot: String?

    init(root: String) { canonicalRoot = Self.realpath(root) }

    enum Entry {
        case directory(canonical: String)
        case file(FileBytes.Stat)
        /// A link to nothing or an entry that cannot be stat'ed: harmless, reported as skipped.
        case broken(String)
    }

    func canonical(_ path: String) -> String? { Self.realpath(path) }

    func contains(_ canonical: String) -> Bool {
        guard let base = canonicalRoot else { return false }
        return canonical == base || canonical.hasPrefix(base == "/" ? "/" : base + "/")
    }

    /// lstat first: a link is resolved (realpath) and must land inside the root; then, for a file
    /// with an image's name (the only files ever read), the target must be a regular file within
    /// the size limit.
    func classify(_ path: String, isImage: Bool, limits: ImageFileLimits) throws(DataError) -> Entry {
        guard let own = try? FileBytes.linkInfo(path) else { return .broken("cannot stat") }
        var canonicalPath: String?
        if own.isSymbolicLink {
            guard let target = canonical(path) else { return .broken("cannot stat (broken link?)") }
            guard contains(target) else {
                throw DataError(.outsideRoot, path: path, "is a link to a place outside the image folder (links must stay inside it)")
            }
            canonicalPath = target
        }
        guard let info = try? FileBytes.info(path) else { return .broken("cannot stat (broken link?)") }
        if info.isDirectory {
            guard let canonical = canonicalPath ?? canonical(path) else { return .broken("cannot resolve folder") }
            return .directory(canonical: canonical)
        }
        guard isImage else { return .file(info) }
        guard info.isRegular else {
            throw DataError(.notARegularFile, path: path, "is not a regular file (a FIFO, socket or device); only files are read")
        }
        guard info.size <= limits.maxFileBytes else {
            throw DataError(.tooLarge, path: path, "is \(info.size) bytes, over the \(limits.maxFileBytes)-byte limit per image file")
        }
        return .file(info)
    }

    private static func realpath(_ path: String) -> String? {
        guard let resolved = Foundation.realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}

import Foundation

/// The files of an image folder, classified before any decoding: images with their labels and
/// stat info (the cache key), and files rejected by name or place alone.
struct ImageFolderListing: Sendable {
    struct ImageFile: Sendable {
        var path: String
        var label: Int
        var stat: FileBytes.Stat
    }

    var classNames: [String]
    var images: [ImageFile]
    /// Non-image files and files lying outside a class folder.
    var rejected: [SkippedFile]

    /// Deeper nesting than this inside a class folder is ignored (guards against symlink loops).
    static let maxDepth = 16

    static func scan(root: String) throws(DataError) -> ImageFolderListing {
        let rootInfo = try FileBytes.info(root)
        guard rootInfo.isDirectory else { throw DataError(.unreadable, path: root, "is not a directory (expected root/<class>/<image>)") }
        var classNames = [String](), rejected = [SkippedFile]()
        for name in try entries(root) {
            let path = "\(root)/\(name)"
            guard let info = try? FileBytes.info(path) else {
                rejected.append(SkippedFile(path: path, kind: .unreadable, reason: "cannot stat (broken link?)"))
                continue
            }
            if info.isDirectory { classNames.append(name) } else {
                rejected.append(SkippedFile(path: path, kind: .notAnImage, reason: "file outside any class folder"))
            }
        }
        guard !classNames.isEmpty else {
            throw DataError(.emptyClass, path: root, "no class folders (expected root/<class-name>/<image>.png|.jpg|.jpeg)")
        }
        var images = [ImageFile]()
        for (label, name) in classNames.enumerated() {
            try walk("\(root)/\(name)", depth: 0) { path, info in
                let ext = (path as NSString).pathExtension.lowercased()
                if ImageFolder.imageExtensions.contains(ext) {
                    images.append(ImageFile(path: path, label: label, stat: info))
                } else {
                    rejected.append(SkippedFile(path: path, kind: .notAnImage, reason: "not a .png, .jpg or .jpeg file"))
                }
            } unreadable: { path, reason in
                rejected.append(SkippedFile(path: path, kind: .unreadable, reason: reason))
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

    private static func walk(_ directory: String, depth: Int, file: (String, FileBytes.Stat) -> Void,
                             unreadable: (String, String) -> Void) throws(DataError) {
        guard depth < maxDepth else { return }
        let names: [String]
        do { names = try entries(directory) } catch {
            unreadable(directory, error.message)
            return
        }
        for name in names {
            let path = "\(directory)/\(name)"
            guard let info = try? FileBytes.info(path) else {
                unreadable(path, "cannot stat (broken link?)")
                continue
            }
            if info.isDirectory {
                try walk(path, depth: depth + 1, file: file, unreadable: unreadable)
            } else {
                file(path, info)
            }
        }
    }
}

import Foundation

/// Decoded image folders kept in memory, shared by everyone who loads the same files at the same
/// shape: a folder registered as two datasets, or loaded by consecutive jobs, is one copy (the
/// pixel arrays are copy-on-write and never mutated).
///
/// One slot per (folder, shape) holding the entry for the folder's current listing key (paths,
/// sizes, mtimes): when the folder changes, the next load replaces the slot rather than adding
/// to it, so memory stays at one copy per folder and shape.
public final class ImageFolderMemoryCache: @unchecked Sendable {
    private struct Slot {
        var key: [UInt8]
        var entry: ImageFolderCache.Entry
    }

    private let lock = NSLock()
    private var slots: [String: Slot] = [:]

    public init() {}

    func entry(folder: String, shape: String, key: [UInt8]) -> ImageFolderCache.Entry? {
        lock.withLock {
            guard let slot = slots["\(folder)\u{0}\(shape)"], slot.key == key else { return nil }
            return slot.entry
        }
    }

    func store(_ entry: ImageFolderCache.Entry, folder: String, shape: String, key: [UInt8]) {
        lock.withLock { slots["\(folder)\u{0}\(shape)"] = Slot(key: key, entry: entry) }
    }

    /// Drops every shape of `folder` (its canonical path), e.g. when no dataset names it any more.
    public func evict(folder: String) {
        lock.withLock { slots = slots.filter { !$0.key.hasPrefix("\(folder)\u{0}") } }
    }

    /// Decoded bytes held, counting each shared pixel buffer once per slot.
    public var pixelBytes: Int { lock.withLock { slots.values.reduce(0) { $0 + $1.entry.images.pixels.count } } }

    public var count: Int { lock.withLock { slots.count } }
}

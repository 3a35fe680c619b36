/// A set of labelled images in compact storage: 8-bit pixels, NCHW, one label per image.
///
/// Bytes rather than floats because Fashion-MNIST's 60k training images are 47 MB as bytes and
/// 188 MB as float32; normalization happens per batch (see `Normalization`, `Batcher`).
public struct LabeledImages: Sendable, Equatable {
    public var count: Int
    public var channels: Int
    public var height: Int
    public var width: Int
    /// `count * channels * height * width` bytes, NCHW, 0 = black, 255 = white.
    public var pixels: [UInt8]
    /// `count` labels, each in `0..<classNames.count`.
    public var labels: [Int]
    /// Label `i` is class `classNames[i]`.
    public var classNames: [String]

    /// Bytes per image: `channels * height * width`.
    public var imageSize: Int { channels * height * width }

    public init(count: Int, channels: Int, height: Int, width: Int, pixels: [UInt8], labels: [Int], classNames: [String]) {
        self.count = count
        self.channels = channels
        self.height = height
        self.width = width
        self.pixels = pixels
        self.labels = labels
        self.classNames = classNames
    }

    /// Checks the invariants the fields promise; `path` names the source in the error.
    public func validate(path: String? = nil) throws(DataError) {
        guard count >= 0, channels > 0, height > 0, width > 0 else {
            throw DataError(.shapeMismatch, path: path, "invalid shape \(count)x\(channels)x\(height)x\(width)")
        }
        guard pixels.count == count * imageSize else {
            throw DataError(.shapeMismatch, path: path, "\(pixels.count) pixel bytes for \(count) images of \(channels)x\(height)x\(width)")
        }
        guard labels.count == count else {
            throw DataError(.labelMismatch, path: path, "\(labels.count) labels for \(count) images")
        }
        if let bad = labels.firstIndex(where: { $0 < 0 || $0 >= classNames.count }) {
            throw DataError(.labelMismatch, path: path, "image \(bad) has label \(labels[bad]) outside 0..<\(classNames.count) classes")
        }
    }

    /// The images at `indices`, in that order (duplicates allowed), with the same class names.
    public func gathering(_ indices: [Int]) -> LabeledImages {
        let size = imageSize
        var out = [UInt8](repeating: 0, count: indices.count * size)
        out.withUnsafeMutableBufferPointer { dst in
            pixels.withUnsafeBufferPointer { src in
                for (j, i) in indices.enumerated() {
                    precondition(i >= 0 && i < count, "index \(i) out of range 0..<\(count)")
                    (dst.baseAddress! + j * size).update(from: src.baseAddress! + i * size, count: size)
                }
            }
        }
        return LabeledImages(count: indices.count, channels: channels, height: height, width: width,
                             pixels: out, labels: indices.map { labels[$0] }, classNames: classNames)
    }

    /// Number of images of each label, indexed by label.
    public var classCounts: [Int] {
        var counts = [Int](repeating: 0, count: classNames.count)
        for l in labels where l >= 0 && l < counts.count { counts[l] += 1 }
        return counts
    }

    /// Throws `.labelMismatch` unless the label set has exactly `modelClasses` classes, so a head of
    /// the wrong width is caught before training, not as an out-of-range gather in the loss.
    public func checkMatchesModel(classes modelClasses: Int) throws(DataError) {
        guard classNames.count == modelClasses else {
            throw DataError(.labelMismatch, path: nil,
                            "data has \(classNames.count) classes but the model's head has \(modelClasses) outputs")
        }
    }
}

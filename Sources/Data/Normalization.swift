/// Per-channel normalization `x = (pixel / 255 - mean[c]) / std[c]`; mean and std are in units of
/// the [0, 1] pixel scale, as torchvision's `Normalize` after `ToTensor`.
public struct Normalization: Sendable, Equatable, Codable {
    public var mean: [Float]
    public var std: [Float]

    public init(mean: [Float], std: [Float]) {
        self.mean = mean
        self.std = std
    }

    /// The statistics the bench protocol and PyTorch peer use for Fashion-MNIST.
    public static let fashionMNIST = Normalization(mean: [0.2860], std: [0.3530])

    /// Leaves pixels at `pixel / 255`.
    public static func identity(channels: Int) -> Normalization {
        Normalization(mean: [Float](repeating: 0, count: channels), std: [Float](repeating: 1, count: channels))
    }

    /// Per-channel mean and population standard deviation (divide by N) over every pixel of
    /// `images`. Compute it on the training view only, so validation and test stay unseen.
    public static func computed(from images: LabeledImages) -> Normalization {
        let c = images.channels, plane = images.height * images.width
        var histograms = [[Int]](repeating: [Int](repeating: 0, count: 256), count: c)
        images.pixels.withUnsafeBufferPointer { p in
            for n in 0..<images.count {
                for ch in 0..<c {
                    let base = (n * c + ch) * plane
                    for k in 0..<plane { histograms[ch][Int(p[base + k])] += 1 }
                }
            }
        }
        // From 256-bin histograms the sums are exact, whatever the image count.
        var mean = [Float](), std = [Float]()
        for h in histograms {
            let total = Double(h.reduce(0, +))
            guard total > 0 else { mean.append(0); std.append(1); continue }
            var s1 = 0.0, s2 = 0.0
            for (v, k) in h.enumerated() { let x = Double(v) / 255; s1 += x * Double(k); s2 += x * x * Double(k) }
            let m = s1 / total
            let variance = max(s2 / total - m * m, 0)
            mean.append(Float(m))
            std.append(variance > 0 ? Float(variance.squareRoot()) : 1)
        }
        return Normalization(mean: mean, std: std)
    }

    /// Throws unless there is one positive, finite std and one finite mean per channel.
    public func validate(channels: Int) throws(DataError) {
        guard mean.count == channels, std.count == channels else {
            throw DataError(.shapeMismatch, path: nil, "normalization has \(mean.count) means and \(std.count) stds for \(channels) channels")
        }
        guard mean.allSatisfy(\.isFinite), std.allSatisfy({ $0.isFinite && $0 > 0 }) else {
            throw DataError(.invalidSelection, path: nil, "normalization std must be positive and finite: mean \(mean), std \(std)")
        }
    }

    /// `channels * 256` floats: entry `c * 256 + v` is pixel value `v` of channel `c` normalized.
    /// A table turns batch-time normalization into one load per pixel.
    public func lookupTable() -> [Float] {
        var table = [Float](repeating: 0, count: mean.count * 256)
        for c in 0..<mean.count {
            for v in 0..<256 { table[c * 256 + v] = (Float(v) / 255 - mean[c]) / std[c] }
        }
        return table
    }
}

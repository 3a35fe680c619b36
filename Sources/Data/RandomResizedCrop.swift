import Foundation

/// torchvision's `RandomResizedCrop`: a box covering a random fraction of the image's area (`scale`)
/// with a random aspect ratio (`ratio`, drawn log-uniformly), later resized to the output size.
/// Defaults are torchvision's, scale (0.08, 1) and ratio (3/4, 4/3).
public struct RandomResizedCrop: Sendable, Equatable, Hashable, Codable {
    public var scale: ClosedRange<Double>
    public var ratio: ClosedRange<Double>

    public init(scale: ClosedRange<Double> = 0.08...1.0, ratio: ClosedRange<Double> = (3.0 / 4.0)...(4.0 / 3.0)) {
        self.scale = scale
        self.ratio = ratio
    }

    public func validate() throws(DataError) {
        guard scale.lowerBound > 0, scale.upperBound <= 1 else {
            throw DataError(.invalidSelection, path: nil, "random_resized_crop: scale \(scale) must lie in (0, 1]")
        }
        guard ratio.lowerBound > 0, ratio.upperBound.isFinite else {
            throw DataError(.invalidSelection, path: nil, "random_resized_crop: ratio \(ratio) must be positive")
        }
    }

    /// torchvision's `get_params`: up to 10 draws of (area, log-ratio); the first box that fits wins,
    /// else the center crop closest to the ratio range. Bounded: no draw sequence can loop.
    public func box(height: Int, width: Int, rng: inout SeededRandom) -> CropBox {
        let area = Double(height * width)
        let logRatio = log(ratio.lowerBound)...log(ratio.upperBound)
        for _ in 0..<10 {
            let target = area * uniform(scale, &rng)
            let aspect = exp(uniform(logRatio, &rng))
            let w = Int((target * aspect).squareRoot().rounded()), h = Int((target / aspect).squareRoot().rounded())
            if w > 0, w <= width, h > 0, h <= height {
                let top = rng.nextInt(in: 0...(height - h)), left = rng.nextInt(in: 0...(width - w))
                return CropBox(top: top, left: left, height: h, width: w)
            }
        }
        let inRatio = Double(width) / Double(height)
        var w = width, h = height
        if inRatio < ratio.lowerBound {
            h = max(1, min(height, Int((Double(w) / ratio.lowerBound).rounded())))
        } else if inRatio > ratio.upperBound {
            w = max(1, min(width, Int((Double(h) * ratio.upperBound).rounded())))
        }
        return CropBox(top: (height - h) / 2, left: (width - w) / 2, height: h, width: w)
    }

    private func uniform(_ range: ClosedRange<Double>, _ rng: inout SeededRandom) -> Double {
        range.lowerBound + (range.upperBound - range.lowerBound) * rng.nextUnit()
    }
}

/// A rectangle of a stored image, in its pixels: rows `top ..< top + height`, columns `left ..< left + width`.
public struct CropBox: Sendable, Equatable, Hashable, Codable {
    public var top: Int
    public var left: Int
    public var height: Int
    public var width: Int

    public init(top: Int, left: Int, height: Int, width: Int) {
        self.top = top
        self.left = left
        self.height = height
        self.width = width
    }
}

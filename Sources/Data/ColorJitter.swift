/// torchvision's `ColorJitter` without hue: each strength `s` in [0, 1] draws a factor uniform in
/// [1 - s, 1 + s], and the three adjustments run in a random order, on pixel values clamped to
/// [0, 255] after each step (torchvision's `[0, 1]`, scaled):
/// - brightness `b`: `v * b`;
/// - contrast `c`: blend with the mean of the image's grayscale, `v * c + mean * (1 - c)`;
/// - saturation `s`: blend with the pixel's grayscale, `v * s + gray * (1 - s)` (RGB only).
/// Grayscale is ITU-R 601 luma (0.299, 0.587, 0.114), as torchvision's `rgb_to_grayscale`.
public struct ColorJitter: Sendable, Equatable, Hashable, Codable {
    public var brightness: Double
    public var contrast: Double
    public var saturation: Double

    public init(brightness: Double = 0, contrast: Double = 0, saturation: Double = 0) {
        self.brightness = brightness
        self.contrast = contrast
        self.saturation = saturation
    }

    public var isIdentity: Bool { brightness == 0 && contrast == 0 && saturation == 0 }

    public func validate() throws(DataError) {
        for (name, v) in [("brightness", brightness), ("contrast", contrast), ("saturation", saturation)] where !(0...1).contains(v) {
            throw DataError(.invalidSelection, path: nil, "color_jitter: \(name) \(v) must lie in [0, 1]")
        }
    }

    /// One image's draw: the factors and the order they apply in.
    public func draw(_ rng: inout SeededRandom) -> JitterFactors {
        func factor(_ s: Double) -> Float { s == 0 ? 1 : Float(1 - s + 2 * s * rng.nextUnit()) }
        var order: [JitterFactors.Step] = [.brightness, .contrast, .saturation]
        rng.shuffle(&order)
        return JitterFactors(brightness: factor(brightness), contrast: factor(contrast), saturation: factor(saturation), order: order)
    }
}

/// The drawn factors of one `ColorJitter` application (1 = unchanged).
public struct JitterFactors: Sendable, Equatable, Hashable, Codable {
    public enum Step: String, Sendable, Equatable, Hashable, Codable { case brightness, contrast, saturation }

    public var brightness: Float
    public var contrast: Float
    public var saturation: Float
    public var order: [Step]

    public init(brightness: Float = 1, contrast: Float = 1, saturation: Float = 1,
                order: [Step] = [.brightness, .contrast, .saturation]) {
        self.brightness = brightness
        self.contrast = contrast
        self.saturation = saturation
        self.order = order
    }

    /// Applies the steps to `c` planes of `plane` floats in [0, 255], in place.
    public func apply(_ pixels: UnsafeMutablePointer<Float>, channels c: Int, plane: Int) {
        func clamp(_ v: Float) -> Float { min(max(v, 0), 255) }
        func gray(_ k: Int) -> Float {
            c == 3 ? 0.299 * pixels[k] + 0.587 * pixels[plane + k] + 0.114 * pixels[2 * plane + k] : pixels[k]
        }
        for step in order {
            switch step {
            case .brightness where brightness != 1:
                for k in 0..<(c * plane) { pixels[k] = clamp(pixels[k] * brightness) }
            case .contrast where contrast != 1:
                var sum: Float = 0
                for k in 0..<plane { sum += gray(k) }
                let mean = sum / Float(plane)
                for k in 0..<(c * plane) { pixels[k] = clamp(pixels[k] * contrast + mean * (1 - contrast)) }
            case .saturation where saturation != 1 && c == 3:
                for k in 0..<plane {
                    let g = gray(k)
                    for ch in 0..<3 { pixels[ch * plane + k] = clamp(pixels[ch * plane + k] * saturation + g * (1 - saturation)) }
                }
            default: break
            }
        }
    }
}

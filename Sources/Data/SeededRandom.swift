/// SplitMix64: a tiny, fast generator whose sequence is fixed by its seed on every platform and
/// Swift version (the standard library's `shuffle(using:)` does not promise that), so shuffles,
/// picks and augmentations are reproducible from a job's recorded seed.
public struct SeededRandom: RandomNumberGenerator, Sendable {
    public private(set) var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// A generator for one purpose derived from several keys, e.g. `(seed, epoch, position)`.
    /// Different key tuples give independent-looking streams; the same tuple always the same one.
    public init(keys: UInt64...) {
        var s: UInt64 = 0x6A09_E667_F3BC_C908
        for k in keys { s = Self.mix(s ^ k) &+ 0x9E37_79B9_7F4A_7C15 }
        state = s
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return Self.mix(state)
    }

    /// Uniform in `0..<bound` without modulo bias (rejection sampling); `bound` must be > 0.
    public mutating func nextInt(below bound: Int) -> Int {
        precondition(bound > 0, "bound must be positive")
        let b = UInt64(bound)
        let limit = UInt64.max - UInt64.max % b
        while true {
            let r = next()
            if r < limit { return Int(r % b) }
        }
    }

    /// Uniform in `range` (inclusive).
    public mutating func nextInt(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + nextInt(below: range.upperBound - range.lowerBound + 1)
    }

    /// Uniform in [0, 1) with 53 bits of precision.
    public mutating func nextUnit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// Fisher–Yates shuffle; the result depends only on the generator state and `array`.
    public mutating func shuffle<T>(_ array: inout [T]) {
        guard array.count > 1 else { return }
        for i in stride(from: array.count - 1, to: 0, by: -1) {
            let j = nextInt(below: i + 1)
            if i != j { array.swapAt(i, j) }
        }
    }

    static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

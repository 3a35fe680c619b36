/// The documented range of every number and name an `ArchitectureSpec` may carry (docs/api.md,
/// "Architecture specs"). A spec arrives from clients (`architecture_spec`) and from files
/// (`thaw.spec` metadata), so nothing in it is trusted: `ArchitectureSpec.footprint()` checks these
/// before any arithmetic, which is then done with overflow checks, before any layer allocates.
public enum ArchitectureLimits {
    /// Layers in one spec.
    public static let layers = 1...1024
    /// Layer groups in one spec.
    public static let groups = 1...256
    /// Characters (Unicode code points, as SQLite counts) of a spec, layer or group name.
    public static let nameLength = 1...256
    /// Input channels (C of the per-image input shape).
    public static let inputChannels = 1...64
    /// Input height and width.
    public static let inputSide = 1...4096
    /// `in`, `out` and `features` of any layer.
    public static let width = 1...1_048_576
    /// `kernel` and `stride` of convolutions and pools.
    public static let kernel = 1...64
    public static let stride = 1...64
    /// `padding` of convolutions and pools.
    public static let padding = 0...64
    /// `output` side of an adaptive average pool.
    public static let adaptiveOutput = 1...1024

    /// Whether `name` has an allowed length and no control characters (a NUL would also cut SQLite's
    /// count short: the model's name is stored as `models.architecture`).
    static func isValidName(_ name: String) -> Bool {
        nameLength.contains(name.unicodeScalars.count)
            && !name.unicodeScalars.contains { $0.properties.generalCategory == .control }
    }

    /// "in 1...64" as the error messages spell a range.
    static func describe(_ range: ClosedRange<Int>) -> String { "in \(range.lowerBound)...\(range.upperBound)" }
}

/// Training-time augmentation of one phase (the Data module applies it; validation is never augmented).
///
/// JSON: `false` (none, the default), `true` (`{"hflip": true, "shift": 2}`), or an object:
/// - `hflip`: random horizontal flip, default true;
/// - `shift`: random translation of up to this many pixels each way, zero-filled, default 2;
/// - `rotate`: reserved for random rotation; only 0 is accepted until the Data module rotates images
///   (a non-zero value is refused rather than silently ignored).
public struct AugmentSpec: Sendable, Equatable, Codable {
    public var hflip: Bool
    public var shift: Int
    public var rotate: Double

    public init(hflip: Bool = true, shift: Int = 2, rotate: Double = 0) {
        self.hflip = hflip
        self.shift = shift
        self.rotate = rotate
    }

    /// Nil means no augmentation.
    static func read(_ value: JSONValue, path: String, log: ProblemLog) -> AugmentSpec?? {
        switch value {
        case .bool(let on):
            return .some(on ? AugmentSpec() : nil)
        case .object:
            guard var reader = ObjectReader(value, path: path, log: log) else { return nil }
            defer { reader.finish() }
            let before = log.problems.count
            var spec = AugmentSpec()
            if let v = reader.bool("hflip") { spec.hflip = v }
            if let v = reader.int("shift", "in [0, 8] (pixels)", { (0...8).contains($0) }) { spec.shift = v }
            if let v = reader.double("rotate", "0 (rotation is not supported yet; use shift and hflip)", { $0 == 0 }) { spec.rotate = v }
            return log.problems.count == before ? .some(spec) : nil
        default:
            log.add(path, "must be true, false or an object, got \(value.typeName)")
            return nil
        }
    }

    var json: JSONValue {
        .object(["hflip": .bool(hflip), "shift": .number(Double(shift)), "rotate": .number(rotate)])
    }

    public init(from decoder: Decoder) throws {
        self = try SpecCoding.decode(decoder) { value, path, log in Self.read(value, path: path, log: log) ?? nil }
    }
    public func encode(to encoder: Encoder) throws { try json.encode(to: encoder) }
}

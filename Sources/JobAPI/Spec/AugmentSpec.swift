/// Training-time augmentation of one phase (the Data module applies it; validation is never augmented).
///
/// JSON: `false` (none, the default), `true` (`{"hflip": true, "shift": 2}`), or an object:
/// - `hflip`: random horizontal flip, default true;
/// - `shift`: random translation of up to this many pixels each way, zero-filled, default 2
///   (0 when `random_resized_crop` is on; the two do not combine);
/// - `random_resized_crop`: `true` (torchvision's defaults) or `{"scale": [lo, hi], "ratio": [lo, hi]}`:
///   a box of `scale` x the image's area (0 < lo <= hi <= 1, default [0.08, 1]) with aspect ratio
///   drawn log-uniformly from `ratio` (0.1 <= lo <= hi <= 10, default [3/4, 4/3]), resized back to
///   the input size; default off;
/// - `color_jitter`: `true` (0.4 each) or `{"brightness": b, "contrast": c, "saturation": s}`, each in
///   [0, 1] (default 0 = off): factors uniform in [1 - x, 1 + x], as torchvision's `ColorJitter`;
///   default off;
/// - `rotate`: reserved for random rotation; only 0 is accepted until the Data module rotates images
///   (a non-zero value is refused rather than silently ignored).
public struct AugmentSpec: Sendable, Equatable, Codable {
    public struct ResizedCrop: Sendable, Equatable {
        public var scale: ClosedRange<Double>
        public var ratio: ClosedRange<Double>

        public init(scale: ClosedRange<Double> = 0.08...1, ratio: ClosedRange<Double> = 0.75...(4.0 / 3.0)) {
            self.scale = scale
            self.ratio = ratio
        }
    }

    public struct Jitter: Sendable, Equatable {
        public var brightness: Double
        public var contrast: Double
        public var saturation: Double

        public init(brightness: Double = 0, contrast: Double = 0, saturation: Double = 0) {
            self.brightness = brightness
            self.contrast = contrast
            self.saturation = saturation
        }
    }

    public var hflip: Bool
    public var shift: Int
    public var rotate: Double
    public var randomResizedCrop: ResizedCrop?
    public var colorJitter: Jitter?

    public init(hflip: Bool = true, shift: Int = 2, rotate: Double = 0, randomResizedCrop: ResizedCrop? = nil,
                colorJitter: Jitter? = nil) {
        self.hflip = hflip
        self.shift = shift
        self.rotate = rotate
        self.randomResizedCrop = randomResizedCrop
        self.colorJitter = colorJitter
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
            if let v = reader.value("random_resized_crop") { spec.randomResizedCrop = readCrop(v, path: reader.at("random_resized_crop"), log: log) }
            if let v = reader.value("color_jitter") { spec.colorJitter = readJitter(v, path: reader.at("color_jitter"), log: log) }
            if spec.randomResizedCrop != nil { spec.shift = 0 }
            if let v = reader.int("shift", "in [0, 8] (pixels)", { (0...8).contains($0) }) {
                if v > 0, spec.randomResizedCrop != nil {
                    log.add(reader.at("shift"), "does not combine with random_resized_crop (use 0 or leave it out)")
                }
                spec.shift = v
            }
            if let v = reader.double("rotate", "0 (rotation is not supported yet; use shift and hflip)", { $0 == 0 }) { spec.rotate = v }
            return log.problems.count == before ? .some(spec) : nil
        default:
            log.add(path, "must be true, false or an object, got \(value.typeName)")
            return nil
        }
    }

    private static func readCrop(_ value: JSONValue, path: String, log: ProblemLog) -> ResizedCrop? {
        if case .bool(let on) = value { return on ? ResizedCrop() : nil }
        guard var reader = ObjectReader(value, path: path, log: log) else { return nil }
        defer { reader.finish() }
        var crop = ResizedCrop()
        if let v = reader.value("scale"),
           let r = readRange(v, path: reader.at("scale"), log: log, "two numbers 0 < lo <= hi <= 1", { $0 > 0 && $0 <= 1 }) {
            crop.scale = r
        }
        if let v = reader.value("ratio"),
           let r = readRange(v, path: reader.at("ratio"), log: log, "two numbers 0.1 <= lo <= hi <= 10", { $0 >= 0.1 && $0 <= 10 }) {
            crop.ratio = r
        }
        return crop
    }

    /// `[lo, hi]` with both ends valid and lo <= hi.
    private static func readRange(_ value: JSONValue, path: String, log: ProblemLog, _ expectation: String,
                                  _ valid: (Double) -> Bool) -> ClosedRange<Double>? {
        guard case .array(let items) = value, items.count == 2,
              case .number(let lo) = items[0], case .number(let hi) = items[1] else {
            log.add(path, "must be \(expectation), got \(value.typeName)")
            return nil
        }
        guard lo.isFinite, hi.isFinite, valid(lo), valid(hi), lo <= hi else {
            log.add(path, "must be \(expectation), got [\(JSONRead.format(lo)), \(JSONRead.format(hi))]")
            return nil
        }
        return lo...hi
    }

    private static func readJitter(_ value: JSONValue, path: String, log: ProblemLog) -> Jitter? {
        if case .bool(let on) = value { return on ? Jitter(brightness: 0.4, contrast: 0.4, saturation: 0.4) : nil }
        guard var reader = ObjectReader(value, path: path, log: log) else { return nil }
        defer { reader.finish() }
        var jitter = Jitter()
        let inUnit = { (v: Double) in (0...1).contains(v) }
        if let v = reader.double("brightness", "in [0, 1]", inUnit) { jitter.brightness = v }
        if let v = reader.double("contrast", "in [0, 1]", inUnit) { jitter.contrast = v }
        if let v = reader.double("saturation", "in [0, 1]", inUnit) { jitter.saturation = v }
        return jitter
    }

    var json: JSONValue {
        var fields: [String: JSONValue] = ["hflip": .bool(hflip), "shift": .number(Double(shift)), "rotate": .number(rotate)]
        if let c = randomResizedCrop {
            fields["random_resized_crop"] = .object([
                "scale": .array([.number(c.scale.lowerBound), .number(c.scale.upperBound)]),
                "ratio": .array([.number(c.ratio.lowerBound), .number(c.ratio.upperBound)]),
            ])
        }
        if let j = colorJitter {
            fields["color_jitter"] = .object(["brightness": .number(j.brightness), "contrast": .number(j.contrast),
                                              "saturation": .number(j.saturation)])
        }
        return .object(fields)
    }

    public init(from decoder: Decoder) throws {
        self = try SpecCoding.decode(decoder) { value, path, log in Self.read(value, path: path, log: log) ?? nil }
    }
    public func encode(to encoder: Encoder) throws { try json.encode(to: encoder) }
}

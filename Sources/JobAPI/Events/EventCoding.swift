/// How event payloads spell numbers and absent fields, shared by every payload's `Codable`.
///
/// - A measured number (a loss, an accuracy, an LR) may be NaN or infinite; JSON has neither, so it
///   goes out as `null`, and the key is always written (readers see "measured, but not a number").
/// - A field that only some events of a type carry (`reason` on a phase end, `id` on a command's
///   acknowledgement) is left out when absent, as the writers before these types did.
/// - Decoding is lenient about fields later versions added: events stored by an older thawd still
///   decode, with the documented default for what they lack.
extension KeyedEncodingContainer {
    /// `value`, or `null` when it is nil, NaN or infinite.
    mutating func encodeMeasured(_ value: Double?, forKey key: Key) throws {
        if let value, value.isFinite { try encode(value, forKey: key) } else { try encodeNil(forKey: key) }
    }

    /// Every value of `map`, with NaN/infinite/nil as `null`.
    mutating func encodeMeasured(_ map: [String: Double?], forKey key: Key) throws {
        try encode(map.mapValues(finite), forKey: key)
    }

    mutating func encodeMeasured(_ list: [Double?], forKey key: Key) throws {
        try encode(list.map(finite), forKey: key)
    }
}

extension KeyedDecodingContainer {
    /// A number that may be null (or missing, in events stored before the field existed).
    func measured(_ key: Key) throws -> Double? {
        try decodeIfPresent(Double.self, forKey: key)
    }

    func measuredMap(_ key: Key) throws -> [String: Double?] {
        try decodeIfPresent([String: Double?].self, forKey: key) ?? [:]
    }

    /// A field added after the first release: its default when an older event lacks it.
    func added<T: Decodable>(_ key: Key, default value: T) throws -> T {
        try decodeIfPresent(T.self, forKey: key) ?? value
    }
}

/// `value` if it is a finite number, else nil (JSON null).
func finite(_ value: Double?) -> Double? {
    guard let value, value.isFinite else { return nil }
    return value
}

/// Any key, for payloads whose metrics sit beside fixed fields (`best`).
struct AnyCodingKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(_ string: String) { stringValue = string }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

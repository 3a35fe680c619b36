/// An ordered list of header fields; names keep the client's spelling, look-ups ignore ASCII case.
///
/// Order and duplicates are preserved because framing checks (duplicate Content-Length, Host)
/// must see every field exactly as sent.
public struct HTTPHeaders: Sendable, Equatable, Sequence, ExpressibleByDictionaryLiteral {
    public struct Field: Sendable, Equatable {
        public var name: String
        public var value: String
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    public private(set) var fields: [Field]

    public init() { fields = [] }
    public init(_ pairs: [(String, String)]) { fields = pairs.map { Field(name: $0.0, value: $0.1) } }
    public init(dictionaryLiteral elements: (String, String)...) { self.init(elements) }

    public var count: Int { fields.count }
    public func makeIterator() -> IndexingIterator<[Field]> { fields.makeIterator() }

    /// The first value of `name` (case-insensitive), or nil.
    public subscript(name: String) -> String? {
        for field in fields where HTTPHeaders.namesEqual(field.name, name) { return field.value }
        return nil
    }

    /// Every value of `name` in order received.
    public func values(_ name: String) -> [String] {
        fields.filter { HTTPHeaders.namesEqual($0.name, name) }.map(\.value)
    }

    public func contains(_ name: String) -> Bool { self[name] != nil }

    public mutating func add(_ name: String, _ value: String) { fields.append(Field(name: name, value: value)) }

    /// Removes every field called `name`, then appends one with `value`.
    public mutating func set(_ name: String, _ value: String) {
        remove(name)
        add(name, value)
    }

    public mutating func remove(_ name: String) { fields.removeAll { HTTPHeaders.namesEqual($0.name, name) } }

    /// Comma-separated list elements across every `name` field, trimmed and lower-cased
    /// (e.g. `Connection: keep-alive, Upgrade` → ["keep-alive", "upgrade"]); empty elements dropped.
    public func tokens(_ name: String) -> [String] {
        var result: [String] = []
        for value in values(name) {
            for part in value.split(separator: ",", omittingEmptySubsequences: false) {
                let trimmed = part.trimmingOWS()
                if !trimmed.isEmpty { result.append(trimmed.lowercasedASCII()) }
            }
        }
        return result
    }

    static func namesEqual(_ a: String, _ b: String) -> Bool {
        var a = a, b = b
        return a.withUTF8 { x in
            b.withUTF8 { y in
                guard x.count == y.count else { return false }
                for i in 0..<x.count where x[i] != y[i] {
                    if ASCII.lower(x[i]) != ASCII.lower(y[i]) { return false }
                }
                return true
            }
        }
    }
}

extension StringProtocol {
    /// Strips optional whitespace (SP / HTAB) at both ends, RFC 9110 §5.6.3.
    func trimmingOWS() -> String {
        let bytes = Array(utf8)
        var start = 0, end = bytes.count
        while start < end, bytes[start] == ASCII.space || bytes[start] == ASCII.tab { start += 1 }
        while end > start, bytes[end - 1] == ASCII.space || bytes[end - 1] == ASCII.tab { end -= 1 }
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }

    func lowercasedASCII() -> String { String(decoding: utf8.map(ASCII.lower), as: UTF8.self) }
}

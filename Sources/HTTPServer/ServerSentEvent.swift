/// One Server-Sent Event (WHATWG HTML §9.2) and its wire encoding.
public struct ServerSentEvent: Sendable, Equatable {
    public var id: String?
    public var event: String?
    /// May span lines; each becomes its own `data:` line and the client rejoins them with LF.
    public var data: String
    /// Reconnection delay hint in milliseconds.
    public var retry: Int?

    public init(id: String? = nil, event: String? = nil, data: String, retry: Int? = nil) {
        self.id = id
        self.event = event
        self.data = data
        self.retry = retry
    }

    /// `id:`/`event:`/`retry:`/`data:` lines and the blank line that dispatches the event.
    /// CR and LF in `id` and `event` are dropped: a line break there would forge extra fields.
    public func encoded() -> [UInt8] {
        var out: [UInt8] = []
        if let id { Self.appendField("id", Self.singleLine(id), to: &out) }
        if let event { Self.appendField("event", Self.singleLine(event), to: &out) }
        if let retry { Self.appendField("retry", String(retry), to: &out) }
        for line in Self.lines(data) { Self.appendField("data", line, to: &out) }
        out.append(0x0A)
        return out
    }

    /// A comment block (`: text`), ignored by clients; used for heartbeats.
    public static func comment(_ text: String) -> [UInt8] {
        var out: [UInt8] = []
        for line in lines(text) { out += Array(":\(line.isEmpty ? "" : " ")\(line)\n".utf8) }
        out.append(0x0A)
        return out
    }

    private static func appendField(_ name: String, _ value: String, to out: inout [UInt8]) {
        out += Array(name.utf8)
        out += [0x3A, 0x20]
        out += Array(value.utf8)
        out.append(0x0A)
    }

    private static func singleLine(_ text: String) -> String {
        String(text.unicodeScalars.filter { $0 != "\r" && $0 != "\n" && $0 != "\0" })
    }

    /// Splits on CRLF, CR or LF, the three line ends an event-stream parser accepts.
    static func lines(_ text: String) -> [String] {
        text.replacingOccurrencesOfCRLF().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }
}

extension String {
    fileprivate func replacingOccurrencesOfCRLF() -> String {
        var scalars = String.UnicodeScalarView()
        var previousCR = false
        for s in unicodeScalars {
            if s == "\r" {
                scalars.append("\n")
                previousCR = true
                continue
            }
            if s == "\n", previousCR {
                previousCR = false
                continue
            }
            previousCR = false
            scalars.append(s)
        }
        return String(scalars)
    }
}

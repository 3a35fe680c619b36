import Foundation
import JobAPI

/// A small blocking HTTP/1.1 client for thawd: the `thaw` CLI and the end-to-end tests use it.
/// One connection per request keeps it simple; thawd is on the same host in every use we have.
public struct HTTPClient: Sendable {
    public var host: String
    public var port: Int
    public var token: String?
    public var timeout: TimeInterval

    public init(host: String = "127.0.0.1", port: Int = 8080, token: String? = nil, timeout: TimeInterval = 30) {
        self.host = host
        self.port = port
        self.token = token
        self.timeout = timeout
    }

    /// Parses `http://host:port` (the scheme and port optional).
    public init(baseURL: String, token: String? = nil, timeout: TimeInterval = 30) throws {
        var rest = Substring(baseURL)
        if rest.hasPrefix("http://") { rest = rest.dropFirst(7) }
        if rest.hasPrefix("https://") {
            throw ClientError.io("https is not supported by the thaw CLI; use curl for TLS endpoints")
        }
        while rest.hasSuffix("/") { rest = rest.dropLast() }
        var host = String(rest), port = 8080
        if let colon = rest.lastIndex(of: ":"), !rest[colon...].contains("]") {
            guard let p = Int(rest[rest.index(after: colon)...]), (1...65535).contains(p) else {
                throw ClientError.io("bad port in '\(baseURL)'")
            }
            host = String(rest[..<colon])
            port = p
        }
        self.init(host: host, port: port, token: token, timeout: timeout)
    }

    public func send(
        _ method: String, _ path: String, body: [UInt8]? = nil,
        headers: [(String, String)] = []
    ) throws -> ClientResponse {
        let stream = try SocketStream(host: host, port: port, timeout: timeout)
        try stream.write(requestBytes(method, path, body: body, headers: headers))
        return try readResponse(stream, method: method)
    }

    public func get(_ path: String) throws -> ClientResponse { try send("GET", path) }

    /// Posts `body` encoded by the wire's one encoder (`JobAPI.Wire`): a request type, a
    /// `ControlCommand.Body`, or a `JSONValue` built by the caller.
    public func post<Body: Encodable>(_ path: String, body: Body) throws -> ClientResponse {
        try post(path, rawJSON: Array(Wire.encode(body)))
    }

    public func post(_ path: String, rawJSON: [UInt8]) throws -> ClientResponse {
        try send("POST", path, body: rawJSON, headers: [("Content-Type", "application/json")])
    }

    /// Reads a `text/event-stream` until `onEvent` returns false or the server ends the stream.
    public func streamEvents(
        _ path: String, lastEventID: String? = nil, onEvent: (ServerSentEvent) throws -> Bool
    ) throws {
        let stream = try SocketStream(host: host, port: port, timeout: timeout)
        var headers = [("Accept", "text/event-stream")]
        if let lastEventID { headers.append(("Last-Event-ID", lastEventID)) }
        try stream.write(requestBytes("GET", path, body: nil, headers: headers))
        let head = try readHead(stream)
        guard head.status == 200 else {
            let body = try readBody(stream, head: head, method: "GET")
            _ = try ClientResponse(status: head.status, reason: head.reason, headers: head.headers, body: body)
                .requireSuccess()
            return
        }
        let chunked = head.value("Transfer-Encoding")?.lowercased().contains("chunked") ?? false
        let lines = EventLineReader(stream: stream, chunked: chunked)
        var event = ServerSentEvent(data: "")
        var hasData = false
        while let line = try lines.next() {
            if line.isEmpty {
                if hasData {
                    if try !onEvent(event) { return }
                }
                event = ServerSentEvent(data: "")
                hasData = false
                continue
            }
            if line.hasPrefix(":") { continue }
            let (field, value) = Self.splitField(line)
            switch field {
            case "id": event.id = value
            case "event": event.event = value
            case "data":
                event.data = hasData ? event.data + "\n" + value : value
                hasData = true
            default: break
            }
        }
    }

    static func splitField(_ line: String) -> (String, String) {
        guard let colon = line.firstIndex(of: ":") else { return (line, "") }
        var value = line[line.index(after: colon)...]
        if value.hasPrefix(" ") { value = value.dropFirst() }
        return (String(line[..<colon]), String(value))
    }

    private func requestBytes(_ method: String, _ path: String, body: [UInt8]?, headers: [(String, String)]) -> [UInt8] {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: \(host):\(port)\r\nConnection: close\r\nUser-Agent: thaw\r\n"
        if let token { head += "Authorization: Bearer \(token)\r\n" }
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if let body { head += "Content-Length: \(body.count)\r\n" }
        head += "\r\n"
        return Array(head.utf8) + (body ?? [])
    }

    struct Head {
        var status: Int
        var reason: String
        var headers: [(name: String, value: String)]
        func value(_ name: String) -> String? {
            headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
        }
    }

    private func readHead(_ stream: SocketStream) throws -> Head {
        while true {
            guard let statusLine = try stream.readLine() else {
                throw ClientError.malformedResponse("connection closed before a status line")
            }
            let parts = statusLine.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]) else {
                throw ClientError.malformedResponse("bad status line '\(statusLine)'")
            }
            var headers: [(name: String, value: String)] = []
            while let line = try stream.readLine(), !line.isEmpty {
                guard let colon = line.firstIndex(of: ":") else {
                    throw ClientError.malformedResponse("bad header line '\(line)'")
                }
                headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
            }
            // Interim 1xx responses (100 Continue) precede the real one.
            if (100..<200).contains(status) { continue }
            return Head(status: status, reason: parts.count > 2 ? String(parts[2]) : "", headers: headers)
        }
    }

    private func readBody(_ stream: SocketStream, head: Head, method: String) throws -> [UInt8] {
        if method == "HEAD" || head.status == 204 || head.status == 304 { return [] }
        if head.value("Transfer-Encoding")?.lowercased().contains("chunked") == true {
            var body: [UInt8] = []
            while true {
                guard let sizeLine = try stream.readLine() else {
                    throw ClientError.malformedResponse("connection closed inside a chunked body")
                }
                let hex = sizeLine.split(separator: ";").first.map(String.init) ?? ""
                guard let size = Int(hex.trimmingCharacters(in: .whitespaces), radix: 16) else {
                    throw ClientError.malformedResponse("bad chunk size '\(sizeLine)'")
                }
                if size == 0 {
                    while let trailer = try stream.readLine(), !trailer.isEmpty {}
                    return body
                }
                body += try stream.readExactly(size)
                _ = try stream.readLine()
            }
        }
        if let length = head.value("Content-Length") {
            guard let n = Int(length), n >= 0 else { throw ClientError.malformedResponse("bad Content-Length") }
            return try stream.readExactly(n)
        }
        return try stream.readToEnd()
    }

    private func readResponse(_ stream: SocketStream, method: String) throws -> ClientResponse {
        let head = try readHead(stream)
        let body = try readBody(stream, head: head, method: method)
        return ClientResponse(status: head.status, reason: head.reason, headers: head.headers, body: body)
    }
}

/// Yields the lines of an event stream, undoing chunked framing when the server used it.
final class EventLineReader {
    private let stream: SocketStream
    private let chunked: Bool
    private var pending: [UInt8] = []
    private var done = false

    init(stream: SocketStream, chunked: Bool) {
        self.stream = stream
        self.chunked = chunked
    }

    func next() throws -> String? {
        if !chunked { return try stream.readLine() }
        while true {
            if let newline = pending.firstIndex(of: 0x0A) {
                var end = newline
                if end > 0 && pending[end - 1] == 0x0D { end -= 1 }
                let line = String(decoding: pending[0..<end], as: UTF8.self)
                pending.removeSubrange(0...newline)
                return line
            }
            if done { return nil }
            guard let sizeLine = try stream.readLine(),
                  let size = Int(sizeLine.split(separator: ";").first.map(String.init) ?? "", radix: 16)
            else { return nil }
            if size == 0 { done = true; continue }
            pending += try stream.readExactly(size)
            _ = try stream.readLine()
        }
    }
}

import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A blocking POSIX TCP client for tests: exact bytes out, raw bytes in, no HTTP library between
/// the test and the server. Every read has a timeout so a server bug fails a test, not the run.
final class RawClient: @unchecked Sendable {
    let fd: Int32
    var buffer: [UInt8] = []

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    init(host: String = "127.0.0.1", port: UInt16, timeout: Double = 20) throws {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICHOST
        var info: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &info) == 0, let info else { throw Failure(description: "getaddrinfo \(host)") }
        defer { freeaddrinfo(info) }
        fd = socket(info.pointee.ai_family, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw Failure(description: "socket") }
        var tv = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - Double(Int(timeout))) * 1e6))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        guard connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 else {
            let e = errno
            // No close here: `fd` is set, so deinit runs for the thrown-away object and closes it.
            // Closing twice could close a descriptor another test has opened since.
            throw Failure(description: "connect \(host):\(port): \(String(cString: strerror(e)))")
        }
    }

    deinit { Glibc.close(fd) }

    func send(_ text: String) throws { try send(Array(text.utf8)) }

    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw Failure(description: "send failed: \(String(cString: strerror(errno)))") }
            offset += n
        }
    }

    /// Sends `text` one byte per write, with a pause between bytes.
    func sendSlowly(_ text: String, pause: Double = 0.001) throws {
        for byte in text.utf8 {
            try send([byte])
            if pause > 0 { usleep(UInt32(pause * 1e6)) }
        }
    }

    func shutdownWrite() { shutdown(fd, Int32(SHUT_WR)) }

    /// Reads once into `buffer`; returns bytes read, 0 on EOF, nil on timeout/error.
    @discardableResult
    func fill() -> Int? {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if n < 0 { return nil }
        buffer += chunk[0..<n]
        return n
    }

    /// True if the server closed the connection (EOF or reset) within the timeout.
    func waitForClose() -> Bool {
        while true {
            var chunk = [UInt8](repeating: 0, count: 65536)
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n == 0 { return true }
            if n < 0 { return errno == ECONNRESET }
            buffer += chunk[0..<n]
        }
    }

    /// Reads until `needle` appears in the buffer; returns everything up to and including it.
    func read(until needle: String) throws -> String {
        let n = Array(needle.utf8)
        while true {
            if let range = find(n) {
                let out = Array(buffer[..<range.upperBound])
                buffer.removeFirst(range.upperBound)
                return String(decoding: out, as: UTF8.self)
            }
            guard let got = fill(), got > 0 else {
                throw Failure(description: "connection ended before '\(needle)'; have: \(String(decoding: buffer, as: UTF8.self))")
            }
        }
    }

    func read(count: Int) throws -> [UInt8] {
        while buffer.count < count {
            guard let got = fill(), got > 0 else { throw Failure(description: "short read: \(buffer.count)/\(count)") }
        }
        let out = Array(buffer[..<count])
        buffer.removeFirst(count)
        return out
    }

    private func find(_ needle: [UInt8]) -> Range<Int>? {
        guard buffer.count >= needle.count else { return nil }
        for i in 0...(buffer.count - needle.count) where buffer[i] == needle[0] {
            if Array(buffer[i..<(i + needle.count)]) == needle { return i..<(i + needle.count) }
        }
        return nil
    }

    /// Reads one response. Content-Length and chunked bodies are decoded; with neither, the body
    /// runs to EOF. `head: true` reads no body (HEAD requests).
    func response(head: Bool = false) throws -> TestResponse {
        let headText = try read(until: "\r\n\r\n")
        var lines = headText.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        let statusLine = lines.removeFirst()
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, let status = Int(parts[1]) else { throw Failure(description: "bad status line \(statusLine)") }
        var headers: [(String, String)] = []
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { throw Failure(description: "bad header \(line)") }
            headers.append((String(line[..<colon]).lowercased(), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)))
        }
        var response = TestResponse(status: status, headers: headers, body: [])
        if head || status == 204 || status == 304 || status / 100 == 1 { return response }
        if let length = response.header("content-length").flatMap(Int.init) {
            response.body = try read(count: length)
        } else if response.header("transfer-encoding") == "chunked" {
            while true {
                let sizeLine = try read(until: "\r\n")
                guard let size = Int(sizeLine.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ";").first ?? "", radix: 16) else {
                    throw Failure(description: "bad chunk size \(sizeLine)")
                }
                if size == 0 {
                    _ = try read(until: "\r\n")
                    break
                }
                response.body += try read(count: size)
                _ = try read(count: 2)
            }
        } else {
            _ = waitForClose()
            response.body = buffer
            buffer = []
        }
        return response
    }
}

struct TestResponse {
    var status: Int
    var headers: [(String, String)]
    var body: [UInt8]

    func header(_ name: String) -> String? { headers.first { $0.0 == name.lowercased() }?.1 }
    var text: String { String(decoding: body, as: UTF8.self) }

    /// The `error.code` of a JSON error body.
    var errorCode: String? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
              let error = object["error"] as? [String: Any] else { return nil }
        return error["code"] as? String
    }
}

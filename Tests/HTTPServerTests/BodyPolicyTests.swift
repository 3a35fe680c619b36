import Foundation
import HTTP1
@testable import HTTPServer
import Testing

/// Per-route body limits, decided from the head and enforced as bytes arrive; uploads spooled to a
/// temporary file. Real sockets throughout.
@Suite final class BodyPolicyTests {
    /// Each test's own spool directory (tests run in parallel), removed after it.
    let uploadDirectory = NSTemporaryDirectory() + "thaw-body-policy-\(UUID().uuidString)"

    deinit { try? FileManager.default.removeItem(atPath: uploadDirectory) }

    /// `/upload` takes 64 KiB into a file and answers with the file's size, its size on disk, the
    /// in-memory body's size and whether the bytes are right; every other route keeps the server
    /// default (set to 1000 bytes here).
    func server() throws -> TestServer {
        let directory = uploadDirectory
        return try TestServer(configure: { $0.maxBodyBytes = 1000 }, routes: { router in
            router.post("/upload", body: { _ in HTTPBodyPolicy(maxBytes: 64 << 10, storage: .file(directory: directory)) }) { request in
                guard let file = request.bodyFile else { return .text("no file") }
                let onDisk = (try? FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int) ?? -1
                return .text("\(file.size) \(onDisk) \(request.body.count) \(try file.mappedData().allSatisfy { $0 == 0x75 })")
            }
        })
    }

    func leftoverUploads() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: uploadDirectory)) ?? []).filter { $0.hasPrefix("upload-") }
    }

    @Test func declaredBodyOverRouteLimitIs413BeforeAnyByte() throws {
        let s = try server()
        defer { s.stop() }
        let c = try s.client()
        try c.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1001\r\n\r\n")
        let r = try c.response()
        #expect(r.status == 413)
        #expect(r.errorCode == "body_too_large")
        #expect(c.waitForClose())
    }

    @Test func uploadRouteHasItsOwnLimitAndSpoolsToAFile() throws {
        let s = try server()
        defer { s.stop() }
        let c = try s.client()
        let size = 50_000
        try c.send("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: \(size)\r\n\r\n" + String(repeating: "u", count: size))
        let r = try c.response()
        #expect(r.status == 200)
        #expect(r.text == "\(size) \(size) 0 true") // on disk, not in `body`
        #expect(leftoverUploads().isEmpty) // removed before the response went out
        // The same connection carries on.
        try c.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(try c.response().status == 200)
    }

    @Test func chunkedUploadSpoolsToAFile() throws {
        let s = try server()
        defer { s.stop() }
        let c = try s.client()
        try c.send("POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
        for _ in 0..<10 { try c.send("3e8\r\n" + String(repeating: "u", count: 1000) + "\r\n") }
        try c.send("0\r\n\r\n")
        #expect(try c.response().text == "10000 10000 0 true")
    }

    @Test func uploadOverItsLimitIs413AndLeavesNoFile() throws {
        let s = try server()
        defer { s.stop() }
        let c = try s.client()
        try c.send("POST /upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
        for _ in 0..<70 { try? c.send("400\r\n" + String(repeating: "u", count: 1024) + "\r\n") }
        let r = try c.response()
        #expect(r.status == 413)
        #expect(c.waitForClose())
        #expect(eventually { leftoverUploads().isEmpty })
    }

    @Test func clientLeavingMidUploadLeavesNoFile() throws {
        let s = try server()
        defer { s.stop() }
        do {
            let c = try s.client()
            try c.send("POST /upload HTTP/1.1\r\nHost: x\r\nContent-Length: 60000\r\n\r\n" + String(repeating: "u", count: 1000))
            try c.send("GET") // nothing in flight but the body: the server is mid-body
            #expect(eventually { leftoverUploads().count == 1 })
        }
        #expect(eventually { leftoverUploads().isEmpty })
    }

    @Test func oversizedChunkIs413FromItsSizeLine() throws {
        let s = try server()
        defer { s.stop() }
        let c = try s.client()
        // Announces 4 KiB but sends none of it: the size line alone decides.
        try c.send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1000\r\n")
        #expect(try c.response().status == 413)
        #expect(c.waitForClose())
    }

    @Test func zeroPaddedSizeLinesCountTowardsTheLimit() throws {
        let s = try server()
        defer { s.stop() }
        let c = try s.client()
        // A size line of 2,000 zeros carries no data but is 2,000 bytes of body on the wire.
        try c.send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + String(repeating: "0", count: 2000))
        let r = try c.response()
        #expect(r.status == 413)
        #expect(r.errorCode == "body_too_large")
        #expect(c.waitForClose())
    }

    @Test func streamingMegabytesAtABodylessRouteIs413() throws {
        let s = try TestServer() // the default limit, 1 MiB
        defer { s.stop() }
        let declared = try s.client()
        try declared.send("GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: \(4 << 20)\r\n\r\n")
        #expect(try declared.response().status == 413)
        let chunked = try s.client()
        try chunked.send("GET /healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n")
        let piece = "10000\r\n" + String(repeating: "s", count: 0x10000) + "\r\n"
        for _ in 0..<64 { try? chunked.send(piece) } // 4 MiB; sends may fail once the server closes
        let r = try chunked.response()
        #expect(r.status == 413)
        #expect(chunked.waitForClose())
    }

    @Test func bodyJustUnderTheLimitIsAccepted() throws {
        let s = try server()
        defer { s.stop() }
        let c = try s.client()
        // 3 + 2 + 900 + 2 + 5 = 912 wire bytes.
        try c.send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n384\r\n" + String(repeating: "k", count: 900) + "\r\n0\r\n\r\n")
        #expect(try c.response().body.count == 900)
    }
}

extension BodyPolicyTests {
    /// The bytes a body took out of the input buffer are given back as it arrives, so a large body
    /// is held once (in the request), not twice until it is dispatched.
    @Test func consumedBodyBytesLeaveTheInputBuffer() throws {
        let s = try TestServer(configure: { $0.maxBodyBytes = 8 << 20 })
        defer { s.stop() }
        let c = try s.client()
        let size = 4 << 20
        try c.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: \(size)\r\n\r\n")
        try c.send([UInt8](repeating: 0x62, count: size - 1)) // all but the last byte
        func state() -> (remaining: Int, buffered: Int)? {
            guard let connection = s.server.context.snapshot().first else { return nil }
            return connection.queue.sync {
                connection.pending.map { ($0.remaining, connection.input.count) }
            }
        }
        #expect(eventually { state()?.remaining == 1 })
        let buffered = try #require(state()).buffered
        #expect(buffered < 1 << 20, "input buffer still holds \(buffered) bytes")
        try c.send([0x62])
        #expect(try c.response().body.count == size)
    }
}

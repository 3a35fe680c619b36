import Foundation
#if canImport(Glibc)
import Glibc
#endif
@testable import HTTPServer
import Testing

/// `HTTPResponse.file`: Content-Length from the file, bytes read only as the client takes them, and
/// served from the descriptor the handler opened, whatever happens to the path afterwards.
@Suite struct FileBodyTests {
    /// A temp file of `count` bytes counting 0, 1, 2, … (mod 251, so no period lines up with a read).
    static func makeFile(_ count: Int, seed: UInt8 = 0) throws -> (path: String, bytes: [UInt8]) {
        let bytes = (0..<count).map { UInt8(truncatingIfNeeded: ($0 % 251) &+ Int(seed)) }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("thaw-file-\(UUID().uuidString)").path
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return (path, bytes)
    }

    static func body(_ path: String, length: Int? = nil) -> HTTPFileBody {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        var info = stat()
        fstat(fd, &info)
        return HTTPFileBody(descriptor: fd, length: length ?? Int(info.st_size))
    }

    @Test func servesTheWholeFileWithContentLengthAndKeepsTheConnection() throws {
        let file = try Self.makeFile(3 << 20)
        defer { unlink(file.path) }
        let server = try TestServer(routes: { $0.get("/file") { _ in .file(Self.body(file.path)) } })
        let client = try server.client()
        // Pipelined: the second request waits for the file body to finish.
        try client.send("GET /file HTTP/1.1\r\nHost: a\r\n\r\nGET /hello HTTP/1.1\r\nHost: a\r\n\r\n")
        let first = try client.response()
        #expect(first.status == 200)
        #expect(first.header("content-length") == String(file.bytes.count))
        #expect(first.header("transfer-encoding") == nil)
        #expect(first.body == file.bytes)
        let second = try client.response()
        #expect(second.status == 200)
        #expect(second.text.contains("hello"))
    }

    @Test func headSendsTheLengthButNoBody() throws {
        let file = try Self.makeFile(100_000)
        defer { unlink(file.path) }
        let server = try TestServer(routes: { $0.get("/file") { _ in .file(Self.body(file.path)) } })
        let client = try server.client()
        try client.send("HEAD /file HTTP/1.1\r\nHost: a\r\n\r\nGET /hello HTTP/1.1\r\nHost: a\r\n\r\n")
        let head = try client.response(head: true)
        #expect(head.header("content-length") == "100000")
        #expect(try client.response().text.contains("hello"))  // no body bytes came between
    }

    @Test func aFileReplacedAfterTheHandlerOpenedItIsServedAsOpened() throws {
        let file = try Self.makeFile(2 << 20, seed: 0)
        let replacement = try Self.makeFile(1 << 20, seed: 7)
        defer { unlink(file.path) }
        let server = try TestServer(routes: {
            $0.get("/file") { _ in
                let body = Self.body(file.path)
                // What a new `best` checkpoint does: rename a new file over the name (the old inode is unlinked).
                rename(replacement.path, file.path)
                return .file(body)
            }
        })
        let client = try server.client()
        try client.send("GET /file HTTP/1.1\r\nHost: a\r\n\r\n")
        let response = try client.response()
        #expect(response.status == 200)
        #expect(response.body == file.bytes)
    }

    @Test func aFileShorterThanItsLengthEndsTheConnection() throws {
        let file = try Self.makeFile(1_000)
        defer { unlink(file.path) }
        let server = try TestServer(routes: { $0.get("/file") { _ in .file(Self.body(file.path, length: 5_000)) } })
        let client = try server.client()
        try client.send("GET /file HTTP/1.1\r\nHost: a\r\n\r\n")
        _ = try client.read(until: "\r\n\r\n")
        #expect(client.waitForClose())
        #expect(client.buffer == file.bytes)  // what there was, then a close: never a wrong length
    }

    @Test func aClientThatStopsReadingIsNotBufferedAhead() throws {
        let file = try Self.makeFile(64 << 20)
        defer { unlink(file.path) }
        let opened = Self.body(file.path)
        let server = try TestServer(routes: { $0.get("/file") { _ in .file(opened) } })
        let client = try server.client()
        try client.send("GET /file HTTP/1.1\r\nHost: a\r\n\r\n")
        _ = try client.read(until: "\r\n\r\n")
        // Without reading further, the server holds at most its window beyond what the sockets took.
        let connection = try #require(server.server.context.snapshot().first)
        var pending = 0
        connection.queue.sync { pending = connection.outputPending }
        #expect(pending <= Connection.fileWindow + Connection.fileReadSize)
        _ = try client.read(count: 64 << 20)
    }
}

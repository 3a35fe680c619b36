import Foundation
import HTTP1
import HTTPServer
import Testing

/// HTTPS with a self-signed certificate made by the `openssl` CLI, exercised by real clients.
@Suite struct TLSTests {
    struct Files {
        let directory: URL
        var certificate: String { directory.appendingPathComponent("cert.pem").path }
        var key: String { directory.appendingPathComponent("key.pem").path }
    }

    static func run(_ executable: String, _ arguments: [String], stdin: String? = nil) throws -> (status: Int32, out: String, err: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
    }

    static func makeCertificate() throws -> Files {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("thaw-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let files = Files(directory: dir)
        let r = try run("/usr/bin/openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                                             "-nodes", "-keyout", files.key, "-out", files.certificate, "-days", "1",
                                             "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost"])
        guard r.status == 0 else { throw RawClient.Failure(description: "openssl req failed: \(r.err)") }
        return files
    }


    @Test func curlOverTLSWithKeepAliveAndPost() throws {
        let files = try Self.makeCertificate()
        defer { try? FileManager.default.removeItem(at: files.directory) }
        let s = try TestServer(configure: { $0.tls = TLSConfiguration(certificatePath: files.certificate, privateKeyPath: files.key) })
        defer { s.stop() }
        let base = "https://127.0.0.1:\(s.port)"
        // Two URLs in one invocation: curl reuses the TLS connection (keep-alive over TLS).
        let r = try Self.run("/usr/bin/curl", ["-sk", "--max-time", "10", "-w", "|%{http_code}|%{num_connects}\n",
                                               "\(base)/hello", "\(base)/v1/jobs/9"])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out == "{\"message\":\"hello\"}|200|1\n{\"id\":9,\"name\":\"job\"}|200|0\n")
        let post = try Self.run("/usr/bin/curl", ["-sk", "--max-time", "10", "-H", "Content-Type: application/json",
                                                  "--data-binary", #"{"id":1,"name":"tls"}"#, "\(base)/v1/jobs"])
        #expect(post.out == #"{"id":2,"name":"tls"}"#)
        let v6 = try Self.run("/usr/bin/curl", ["-sk", "--max-time", "10", "https://[::1]:\(s.port)/healthz"])
        #expect(v6.out == "ok")
        // Verification against the self-signed certificate as the CA also succeeds.
        let verified = try Self.run("/usr/bin/curl", ["-s", "--max-time", "10", "--cacert", files.certificate, "\(base)/healthz"])
        #expect(verified.out == "ok")
    }

    @Test func curlReceivesAnEventStreamOverTLS() throws {
        let files = try Self.makeCertificate()
        defer { try? FileManager.default.removeItem(at: files.directory) }
        let s = try TestServer(configure: { $0.tls = TLSConfiguration(certificatePath: files.certificate, privateKeyPath: files.key) },
                               routes: { router in
                                   router.get("/finite") { _ in
                                       .eventStream { w in
                                           for i in 0..<3 { w.send(id: "\(i)", data: "n\(i)") }
                                           w.finish()
                                       }
                                   }
                               })
        defer { s.stop() }
        let r = try Self.run("/usr/bin/curl", ["-sk", "-N", "--max-time", "10", "https://127.0.0.1:\(s.port)/finite"])
        #expect(r.out == "id: 0\ndata: n0\n\nid: 1\ndata: n1\n\nid: 2\ndata: n2\n\n")
    }

    @Test func pythonSSLClientLargeBody() throws {
        let files = try Self.makeCertificate()
        defer { try? FileManager.default.removeItem(at: files.directory) }
        let s = try TestServer(configure: { $0.tls = TLSConfiguration(certificatePath: files.certificate, privateKeyPath: files.key) })
        defer { s.stop() }
        let script = """
        import socket, ssl, sys
        ctx = ssl.create_default_context(cafile=sys.argv[2])
        raw = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=10)
        tls = ctx.wrap_socket(raw, server_hostname="localhost")
        body = b"z" * 300000
        tls.sendall(b"POST /echo HTTP/1.1\\r\\nHost: localhost\\r\\nContent-Length: %d\\r\\n\\r\\n" % len(body) + body)
        tls.sendall(b"GET /big HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n")
        data = b""
        while True:
            chunk = tls.recv(65536)
            if not chunk:
                break
            data += chunk
        print(tls.version(), data.count(b"HTTP/1.1 200"), data.count(b"z"), data.count(b"a") >= 4 * 1024 * 1024)
        """
        let r = try Self.run("/usr/bin/env", ["python3", "-c", script, String(s.port), files.certificate])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.hasSuffix("2 300000 True\n"), "\(r.out)")
        #expect(r.out.hasPrefix("TLSv1.3"))
    }

    @Test func plainTextClientOnTLSPortIsDropped() throws {
        let files = try Self.makeCertificate()
        defer { try? FileManager.default.removeItem(at: files.directory) }
        let s = try TestServer(configure: { $0.tls = TLSConfiguration(certificatePath: files.certificate, privateKeyPath: files.key) })
        defer { s.stop() }
        let c = try s.client()
        try c.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
        #expect(c.waitForClose())
        #expect(!String(decoding: c.buffer, as: UTF8.self).contains("hello"))
        #expect(eventually { s.server.connectionCount == 0 })
    }

    @Test func missingCertificateIsAStartupError() throws {
        var configuration = HTTPServerConfiguration()
        configuration.tls = TLSConfiguration(certificatePath: "/nonexistent/cert.pem", privateKeyPath: "/nonexistent/key.pem")
        #expect {
            _ = try HTTPServer(configuration: configuration, router: HTTPRouter())
        } throws: { error in
            guard case HTTPServerError.tls(let message) = error else { return false }
            return message.contains("/nonexistent/cert.pem")
        }
    }
}

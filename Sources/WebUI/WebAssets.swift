import Foundation
import OpenSSL

/// The web UI's files, compiled into the binary (see `embed-web-assets`): decoded once, with each
/// file's content type and strong ETag (its SHA-256) worked out at the same time.
public struct WebAssets: Sendable {
    public struct Asset: Sendable {
        public let bytes: [UInt8]
        public let contentType: String
        /// `"<sha256>"`, quotes included.
        public let etag: String
    }

    /// Relative path (`index.html`, `app/jobs.js`, `examples/index.json`) → file.
    public let files: [String: Asset]

    public static let shared = WebAssets(embedded)

    init(_ entries: [(path: String, base64: String)]) {
        var files: [String: Asset] = [:]
        for entry in entries {
            // The literals are the generator's own base64; a decoding failure is a build bug.
            let bytes = [UInt8](Data(base64Encoded: entry.base64)!)
            files[entry.path] = Asset(bytes: bytes, contentType: Self.contentType(of: entry.path),
                                      etag: "\"\(SHA256.hex(of: bytes))\"")
        }
        self.files = files
    }

    /// By extension; files the UI does not use get `application/octet-stream`, never a guess.
    static func contentType(of path: String) -> String {
        switch path.split(separator: ".").last.map({ $0.lowercased() }) {
        case "html": "text/html; charset=utf-8"
        case "js", "mjs": "text/javascript; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        case "json": "application/json"
        case "svg": "image/svg+xml"
        case "png": "image/png"
        case "txt", "md": "text/plain; charset=utf-8"
        default: "application/octet-stream"
        }
    }
}

import Foundation
import HTTPServer
import Store

extension Daemon {
    /// A stored artifact as a download: `ETag` is its SHA-256 (`If-None-Match` with it, or `*`,
    /// answers 304 without touching the file), `Content-Disposition` names `filename`. The file is
    /// opened once and verified through that descriptor, then served from it in constant memory, so
    /// it may be replaced or deleted meanwhile and the client still gets the complete file it asked
    /// for. A checksum mismatch is a 500 before any byte is sent.
    func download(_ artifact: ArtifactRef, request: HTTPRequest, filename: String,
                  extraHeaders: [String: String] = [:]) throws -> HTTPResponse {
        let etag = "\"\(artifact.sha256)\""
        if let match = request.headers["if-none-match"], match.split(separator: ",").contains(where: {
            $0.trimmingCharacters(in: .whitespaces) == etag || $0.trimmingCharacters(in: .whitespaces) == "*"
        }) {
            return HTTPResponse(status: .notModified, headers: ["ETag": etag])
        }
        let opened = try store.openArtifact(artifact)
        var response = HTTPResponse.file(HTTPFileBody(descriptor: opened.releaseDescriptor(), length: opened.size))
        response.headers.set("ETag", etag)
        response.headers.set("Content-Disposition", "attachment; filename=\"\(filename)\"")
        for (name, value) in extraHeaders.sorted(by: { $0.key < $1.key }) { response.headers.set(name, value) }
        return response
    }
}

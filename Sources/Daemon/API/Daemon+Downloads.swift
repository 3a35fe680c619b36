import Foundation
import HTTPServer
import JobAPI
import Store

extension Daemon {
    /// A stored artifact as a download named `stem.<format>`. safetensors: `ETag` is the file's
    /// SHA-256 (`If-None-Match` with it, or `*`, answers 304 without touching the file); the file is
    /// opened once and verified through that descriptor, then served from it in constant memory, so
    /// it may be replaced or deleted meanwhile and the client still gets the complete file it asked
    /// for. A checksum mismatch is a 500 before any byte is sent. onnx: the same headers, the body
    /// converted from the artifact (`ONNXExportService`), the ETag derived from its SHA-256, so a
    /// 304 costs no conversion.
    func download(_ artifact: ArtifactRef, request: HTTPRequest, stem: String, format: WeightsFormat,
                  extraHeaders: [String: String] = [:]) throws -> HTTPResponse {
        let etag = format == .onnx ? ONNXExportService.etag(of: artifact) : "\"\(artifact.sha256)\""
        if let match = request.headers["if-none-match"], match.split(separator: ",").contains(where: {
            $0.trimmingCharacters(in: .whitespaces) == etag || $0.trimmingCharacters(in: .whitespaces) == "*"
        }) {
            return HTTPResponse(status: .notModified, headers: ["ETag": etag])
        }
        var response: HTTPResponse
        switch format {
        case .safetensors:
            let opened = try store.openArtifact(artifact)
            response = HTTPResponse.file(HTTPFileBody(descriptor: opened.releaseDescriptor(), length: opened.size))
        case .onnx:
            response = HTTPResponse.bytes(try onnxExport.export(artifact))
        }
        response.headers.set("ETag", etag)
        response.headers.set("Content-Disposition", "attachment; filename=\"\(format.filename(stem))\"")
        for (name, value) in extraHeaders.sorted(by: { $0.key < $1.key }) { response.headers.set(name, value) }
        return response
    }

    /// `?format=`: absent is safetensors; any other value than the formats is a 422 naming `format`.
    func weightsFormat(_ request: HTTPRequest) throws -> WeightsFormat {
        guard let format = WeightsFormat(query: request.query(WeightsFormat.queryField)) else {
            throw APIError.invalid(field: WeightsFormat.queryField, WeightsFormat.allowedDescription)
        }
        return format
    }
}

import Foundation
import HTTP1
import HTTPServer

/// Serves `WebAssets` over HTTP: `/` is `index.html`, every other file is under `/ui/`.
///
/// Lookups are by exact name in the embedded table, never through the file system, so no spelling of
/// a path (`..`, `%2e%2e`, an encoded `/`) can reach anything but an embedded file; anything else is a
/// 404. These paths are served without the bearer token (`openPaths`, `openPrefix`): the page holds no
/// data, and it is what asks for the token.
public struct StaticFiles: Sendable {
    public static let indexPath = "/"
    /// The first path segment of every other file.
    public static let prefix = "ui"

    let assets: WebAssets

    public init(assets: WebAssets = .shared) { self.assets = assets }

    /// `/` → `index.html`; `rest` is the part after `/ui/`.
    public func respond(to request: HTTPRequest, rest: String?) -> HTTPResponse {
        let name = rest ?? "index.html"
        guard rest != "index.html", let asset = assets.files[name] else {
            return .error(.notFound, code: "not_found", message: "no file \(request.path)")
        }
        // The page is revalidated on every load (so a new thawd's UI shows at once); the scripts and
        // styles it loads are revalidated too, which costs a 304 each: a handful of small requests.
        var headers: HTTPHeaders = ["ETag": asset.etag, "Cache-Control": "no-cache",
                                    "X-Content-Type-Options": "nosniff"]
        if rest == nil {
            // Nothing but thawd's own files and API: a stray injected script could not phone home.
            headers.set("Content-Security-Policy",
                        "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'")
            headers.set("Referrer-Policy", "no-referrer")
        }
        if let match = request.headers["if-none-match"], match.split(separator: ",").contains(where: {
            let tag = $0.trimmingCharacters(in: .whitespaces)
            return tag == asset.etag || tag == "W/" + asset.etag || tag == "*"
        }) {
            return HTTPResponse(status: .notModified, headers: headers)
        }
        headers.set("Content-Type", asset.contentType)
        return HTTPResponse(status: .ok, headers: headers, body: .bytes(asset.bytes))
    }
}

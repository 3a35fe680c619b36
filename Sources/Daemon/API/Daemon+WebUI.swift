import HTTP1
import HTTPServer
import WebUI

extension Daemon {
    /// The browser UI (docs/api.md, "The web UI"): `/` and `/ui/*`, served from the binary, open
    /// without the token (Daemon.start lists them in `openPaths` / `openSegments`). Inline: a lookup
    /// in memory that never blocks.
    func registerWebUIRoutes(_ router: inout HTTPRouter) {
        let files = StaticFiles()
        route(&router, .GET, StaticFiles.indexPath, inline: true) { request in files.respond(to: request, rest: nil) }
        route(&router, .GET, "/\(StaticFiles.prefix)/*path", inline: true) { request in
            files.respond(to: request, rest: request.pathParameters["path"] ?? "")
        }
    }
}

import Foundation
import HTTP1
import HTTPServer
import Testing
@testable import WebUI

/// The embedded UI is the files in the repository (the EmbedWebAssets plugin ran on the current
/// ones), typed and tagged correctly, and served only by exact name.
@Suite struct WebAssetsTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func everyFileUnderAssetsIsEmbeddedAsItIsOnDisk() throws {
        let assets = Self.root.appendingPathComponent("Sources/WebUI/Assets")
        let names = try #require(FileManager.default.subpaths(atPath: assets.path)).filter { name in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: assets.appendingPathComponent(name).path, isDirectory: &isDirectory) && !isDirectory.boolValue
        }
        #expect(names.contains("index.html") && names.contains("vendor/chart.min.js") && names.contains("vendor/chart.js-LICENSE.txt"))
        for name in names {
            let onDisk = try [UInt8](Data(contentsOf: assets.appendingPathComponent(name)))
            #expect(WebAssets.shared.files[name]?.bytes == onDisk, "\(name) differs from its embedded copy")
        }
    }

    @Test func theExampleSpecsAreTheTemplates() throws {
        let examples = Self.root.appendingPathComponent("examples")
        let specs = try FileManager.default.contentsOfDirectory(atPath: examples.path).filter { $0.hasSuffix(".json") }.sorted()
        #expect(specs.contains("finetune-5to9.json"))
        let index = try #require(WebAssets.shared.files["examples/index.json"])
        #expect(try JSONSerialization.jsonObject(with: Data(index.bytes)) as? [String] == specs)
        for name in specs {
            #expect(WebAssets.shared.files["examples/\(name)"]?.bytes == (try [UInt8](Data(contentsOf: examples.appendingPathComponent(name)))))
        }
    }

    @Test func contentTypesByExtension() {
        #expect(WebAssets.contentType(of: "index.html") == "text/html; charset=utf-8")
        #expect(WebAssets.contentType(of: "app/main.js") == "text/javascript; charset=utf-8")
        #expect(WebAssets.contentType(of: "style.css") == "text/css; charset=utf-8")
        #expect(WebAssets.contentType(of: "examples/a.json") == "application/json")
        #expect(WebAssets.contentType(of: "vendor/chart.js-LICENSE.txt") == "text/plain; charset=utf-8")
        #expect(WebAssets.contentType(of: "weird.bin") == "application/octet-stream")
    }

    @Test func theETagIsTheSHA256() throws {
        let asset = try #require(WebAssets.shared.files["index.html"])
        #expect(asset.etag.count == 66 && asset.etag.hasPrefix("\"") && asset.etag.hasSuffix("\""))
        let other = try #require(WebAssets.shared.files["style.css"])
        #expect(asset.etag != other.etag)
    }

    func get(_ target: String, headers: HTTPHeaders = HTTPHeaders()) throws -> HTTPResponse {
        let request = try HTTPRequest(method: .GET, target: target, headers: headers)
        let rest = request.pathSegments.first == StaticFiles.prefix ? request.pathSegments.dropFirst().joined(separator: "/") : nil
        return StaticFiles().respond(to: request, rest: rest)
    }

    @Test func onlyEmbeddedNamesAreServed() throws {
        #expect(try get("/").status == .ok)
        #expect(try get("/ui/app/main.js").status == .ok)
        for target in ["/ui/nope.js", "/ui/index.html", "/ui/../Package.swift", "/ui/%2e%2e/%2e%2e/etc/passwd", "/ui/app/../style.css",
                       "/ui//style.css", "/ui/", "/ui/app", "/ui/examples/../../Package.swift"] {
            let response = try get(target)
            #expect(response.status == .notFound, "\(target)")
            #expect(response.headers["content-type"] == "application/json")
        }
    }

    @Test func revalidationAnswers304() throws {
        let first = try get("/ui/style.css")
        let etag = try #require(first.headers["etag"])
        #expect(first.headers["cache-control"] == "no-cache")
        let again = try get("/ui/style.css", headers: ["If-None-Match": etag])
        #expect(again.status == .notModified)
        guard case .bytes(let body) = again.body else { Issue.record("not bytes"); return }
        #expect(body.isEmpty)
        #expect(try get("/ui/style.css", headers: ["If-None-Match": "\"other\""]).status == .ok)
    }

    @Test func thePageNeedsNothingFromOutside() throws {
        let page = String(decoding: try #require(WebAssets.shared.files["index.html"]).bytes, as: UTF8.self)
        #expect(!page.contains("http://") && !page.contains("https://"))
        for (name, asset) in WebAssets.shared.files where name.hasSuffix(".js") && !name.hasPrefix("vendor/") {
            let text = String(decoding: asset.bytes, as: UTF8.self)
            #expect(!text.contains("new EventSource"), "\(name) uses EventSource, which cannot send the token in a header")
            #expect(!text.contains("https://") && !text.contains("http://"), "\(name) refers to another origin")
        }
        #expect(try get("/").headers["content-security-policy"]?.contains("default-src 'self'") == true)
    }
}

import Foundation
import JobAPI
import Testing

@testable import Daemon

/// `POST/GET/DELETE /v1/datasets` in process, on a synthetic image folder.
@Suite struct DatasetRouteTests {
    @Test func registeringAFolderAnswersTheDatasetObject() throws {
        let api = try InProcessAPI()
        let reply = try api.post("/v1/datasets", #"{"name": "shapes", "path": "shapes", "image_size": 28}"#)
        #expect(reply.status == 201)
        #expect(reply["object"] == .string("dataset"))
        #expect(reply["classes"] == .array([.string("dark"), .string("light")]))
        #expect(reply["counts"] == .object(["train": .array([.number(4), .number(4)]), "test": .null]))
        #expect(reply["num_images"] == .object(["train": .number(8), "test": .null]))
        #expect(reply["path"] == .string("shapes"))
        #expect(reply["builtin"] == .bool(false))
        #expect(reply["skipped"] == .array([]))
        let id = try #require(reply["id"]?.string)
        #expect(try api.get("/v1/datasets/\(id)").bytes == reply.bytes, "GET shows what POST answered")
        let list = try api.get("/v1/datasets")
        #expect(list.text == #"{"data":[\#(reply.text)],"has_more":false,"object":"list"}"#,
                "fashion-mnist is not installed here, so it is not listed")
    }

    @Test func listsPage() throws {
        let api = try InProcessAPI()
        let first = try api.registerShapes(name: "a")
        let second = try api.registerShapes(name: "b")
        let page = try api.get("/v1/datasets?limit=1")
        #expect(page["has_more"] == .bool(true))
        #expect(page["data"]?.array?.first?.field("id")?.string == second)
        let next = try api.get("/v1/datasets?limit=1&after=\(second)")
        #expect(next["data"]?.array?.first?.field("id")?.string == first)
        #expect(next["has_more"] == .bool(false))
    }

    @Test func badBodiesNameTheirField() throws {
        let api = try InProcessAPI()
        #expect(try api.post("/v1/datasets", "").errorCode == "invalid_json")
        #expect(try api.post("/v1/datasets", #"{"name": "d", "path": "x",}"#).text
                == #"{"error":{"code":"invalid_json","message":"the body is not valid JSON: trailing comma before '}' at byte 26"}}"#)
        let cases: [(String, String)] = [
            (#"{"name": "d", "path": "shapes", "clases": 2, "extra": 1}"#, "clases"),
            (#"{"path": "shapes"}"#, "name"),
            (#"{"name": "d", "path": "../elsewhere"}"#, "path"),
            (#"{"name": "d", "path": "missing"}"#, "path"),
            (#"{"name": "d", "path": "shapes", "channels": 2}"#, "channels"),
            (#"{"name": "d", "path": "shapes", "image_size": 4}"#, "image_size"),
            (#"[1, 2]"#, "body"),
        ]
        for (body, field) in cases {
            let reply = try api.post("/v1/datasets", body)
            #expect(reply.status == 422 && reply.errorCode == "invalid_request", "\(body): \(reply.text)")
            #expect(reply.errorFields.first == field, "\(body): \(reply.text)")
        }
        let unknown = try api.post("/v1/datasets", #"{"name": "d", "path": "shapes", "clases": 2, "extra": 1}"#)
        #expect(unknown.errorFields == ["clases", "extra"], "every unknown field at once")
        let several = try api.post("/v1/datasets", #"{"path": "shapes", "channels": 2, "image_size": null, "colour": 1}"#)
        #expect(several.status == 422 && several.errorFields == ["name", "channels", "image_size", "colour"],
                "every problem of the body at once: \(several.text)")
        #expect(several["error"]?.field("message") == .string("the request has problems (4)"))
    }

    @Test func unknownAndBuiltInIds() throws {
        let api = try InProcessAPI()
        let missing = try api.get("/v1/datasets/dataset_nope")
        #expect(missing.status == 404)
        #expect(missing.text == #"{"error":{"code":"dataset_not_found","message":"no dataset with id 'dataset_nope'"}}"#)
        let builtin = try api.call(.DELETE, "/v1/datasets/fashion-mnist")
        #expect(builtin.status == 409 && builtin.errorCode == "conflict")
    }

    @Test func deletionWaitsUntilNoLiveJobNamesIt() throws {
        let api = try InProcessAPI()
        let dataset = try api.registerShapes()
        let job = try api.submit(model: api.registerModel(), dataset: dataset)
        let inUse = try api.call(.DELETE, "/v1/datasets/\(dataset)")
        #expect(inUse.status == 409 && inUse.errorCode == "conflict", "\(inUse.text)")
        #expect(try api.post("/v1/jobs/\(job)/cancel", "").status == 202)
        let deleted = try api.call(.DELETE, "/v1/datasets/\(dataset)")
        #expect(deleted.text == #"{"deleted":true,"id":"\#(dataset)","object":"dataset"}"#)
        #expect(try api.get("/v1/datasets/\(dataset)").status == 404)
        #expect(FileManager.default.fileExists(atPath: api.daemon.configuration.resolvedDatasetRoot + "/shapes/dark/0.png"),
                "the images are the user's and stay")
    }
}

import Foundation
import JobAPI
import NN
import Testing

@testable import Daemon
@testable import Store

/// `POST/GET/DELETE /v1/models` and the weights download, in process.
@Suite struct ModelRouteTests {
    @Test func aBuiltInModelIsCreatedListedAndDownloaded() throws {
        let api = try InProcessAPI()
        let reply = try api.post("/v1/models", #"{"name": "cnn", "architecture": "small-cnn", "num_classes": 2, "class_names": ["dark", "light"]}"#)
        #expect(reply.status == 201, "\(reply.text)")
        #expect(reply["object"] == .string("model"))
        #expect(reply["architecture"] == .string("small-cnn"))
        #expect(reply["num_classes"] == .number(2))
        #expect(reply["groups"] == .array([.string("block1"), .string("block2"), .string("head")]))
        #expect(reply["input_shape"] == .array([.number(1), .number(28), .number(28)]))
        #expect(reply["class_names"] == .array([.string("dark"), .string("light")]))
        #expect(reply["source"] == .object(["type": .string("builtin")]))
        let id = try #require(reply["id"]?.string)
        #expect(try api.get("/v1/models/\(id)").bytes == reply.bytes)
        #expect(try api.get("/v1/models").text == #"{"data":[\#(reply.text)],"has_more":false,"object":"list"}"#)

        let sha = try #require(reply["weights"]?.field("sha256")?.string)
        let weights = try api.get("/v1/models/\(id)/weights")
        #expect(weights.status == 200)
        #expect(weights.headers["etag"] == "\"\(sha)\"")
        #expect(Double(weights.bytes.count) == reply["weights"]?.field("size")?.number)
        let file = try Safetensors.decode(weights.bytes)
        #expect(file.tensors.entries.contains { $0.name == "fc.weight" })
        let cached = try api.call(.GET, "/v1/models/\(id)/weights", headers: ["If-None-Match": "\"\(sha)\""])
        #expect(cached.status == 304)
    }

    @Test func uploadsAsBase64AndAsRawBytes() throws {
        let api = try InProcessAPI()
        let id = try api.registerModel()
        let bytes = try api.get("/v1/models/\(id)/weights").bytes
        let base64 = Foundation.Data(bytes).base64EncodedString()
        let uploaded = try api.post("/v1/models", #"{"name": "up", "weights_base64": "\#(base64)"}"#)
        #expect(uploaded.status == 201, "\(uploaded.text)")
        #expect(uploaded["source"] == .object(["type": .string("upload")]))
        #expect(uploaded["num_classes"] == .number(2))

        let raw = try api.call(.POST, "/v1/models?name=raw", bytes: bytes, headers: ["Content-Type": "application/octet-stream"])
        #expect(raw.status == 201, "\(raw.text)")
        #expect(raw["name"] == .string("raw"))
        let badCount = try api.call(.POST, "/v1/models?name=raw&num_classes=many", bytes: bytes,
                                    headers: ["Content-Type": "application/octet-stream"])
        #expect(badCount.status == 422 && badCount.errorFields == ["num_classes"])
        let notSafetensors = try api.call(.POST, "/v1/models?name=raw", bytes: Array("nope".utf8),
                                          headers: ["Content-Type": "application/octet-stream"])
        #expect(notSafetensors.status == 422 && notSafetensors.errorFields == ["weights"])
    }

    @Test func badBodiesNameTheirField() throws {
        let api = try InProcessAPI()
        #expect(try api.post("/v1/models", "").text == #"{"error":{"code":"invalid_json","message":"the body is empty; a JSON object is required"}}"#)
        let unknown = try api.post("/v1/models", #"{"name": "x", "architecture": "resnet101"}"#)
        #expect(unknown.status == 422)
        #expect(unknown.errorFields == ["architecture"])
        #expect(unknown.text.contains(BuiltinArchitectures.names.joined(separator: ", ")), "NN's list is the one named")
        let cases: [(String, String)] = [
            (#"{"architecture": "small-cnn"}"#, "name"),
            (#"{"name": "x", "architecture": "small-cnn", "num_classes": 0}"#, "num_classes"),
            (#"{"name": "x", "architecture": "small-cnn", "num_classes": 2.5}"#, "num_classes"),
            (#"{"name": "x", "architecture": "small-cnn", "num_classes": 2, "class_names": ["a"]}"#, "class_names"),
            (#"{"name": "x", "architecture": "small-cnn", "colour": true}"#, "colour"),
            (#"{"name": "x", "weights_base64": "***"}"#, "weights_base64"),
            (#"{"name": "x", "weights_base64": "bm9wZQ=="}"#, "weights"),
            (#"{"name": "x", "weights_base64": 5}"#, "weights_base64"),
            (#"{"name": "x", "from_job": "job_nope"}"#, "from_job"),
            (#"{"name": "x", "from_job": "job_nope", "checkpoint": "middle"}"#, "checkpoint"),
        ]
        for (body, field) in cases {
            let reply = try api.post("/v1/models", body)
            #expect(reply.status == 422 && reply.errorCode == "invalid_request", "\(body): \(reply.text)")
            #expect(reply.errorFields == [field], "\(body): \(reply.text)")
        }
    }

    @Test func everyProblemOfABodyAtOnce() throws {
        let api = try InProcessAPI()
        let builtin = try api.post("/v1/models?num_classes=null", #"{"architecture": "resnet101", "seed": -1, "colour": true}"#)
        #expect(builtin.status == 422 && builtin.errorFields == ["num_classes", "name", "architecture", "seed", "colour"], "\(builtin.text)")
        let promote = try api.post("/v1/models", #"{"from_job": 7, "checkpoint": "middle", "seed": 1}"#)
        #expect(promote.errorFields == ["from_job", "name", "checkpoint", "seed"], "\(promote.text)")
        let raw = try api.call(.POST, "/v1/models?num_classes=0&colour=red", bytes: [1, 2, 3],
                               headers: ["Content-Type": "application/octet-stream"])
        #expect(raw.status == 422 && raw.errorFields == ["num_classes", "name", "colour"], "\(raw.text)")
    }

    @Test func aModelOverTheMemoryLimitIsRefusedBeforeItIsBuilt() throws {
        let api = try InProcessAPI { $0.maxJobMemory = 1 << 20 }
        let reply = try api.post("/v1/models", #"{"name": "big", "architecture": "vgg16"}"#)
        #expect(reply.status == 422)
        #expect(reply.errorCode == "memory_limit_exceeded")
        #expect(reply.errorFields == ["architecture"])
    }

    @Test func promotingAJobWithoutCheckpointsIsAConflict() throws {
        let api = try InProcessAPI()
        let job = try api.submit(model: api.registerModel(), dataset: api.registerShapes())
        let reply = try api.post("/v1/models", #"{"name": "x", "from_job": "\#(job)"}"#)
        #expect(reply.status == 409 && reply.errorCode == "no_checkpoint", "\(reply.text)")
    }

    @Test func unknownIdsAndDeletion() throws {
        let api = try InProcessAPI()
        #expect(try api.get("/v1/models/model_nope").text == #"{"error":{"code":"model_not_found","message":"no model with id 'model_nope'"}}"#)
        #expect(try api.get("/v1/models/model_nope/weights").errorCode == "model_not_found")
        let model = try api.registerModel()
        let job = try api.submit(model: model, dataset: api.registerShapes())
        let inUse = try api.call(.DELETE, "/v1/models/\(model)")
        #expect(inUse.status == 409 && inUse.errorCode == "conflict", "\(inUse.text)")
        _ = try api.post("/v1/jobs/\(job)/cancel", "")
        #expect(try api.call(.DELETE, "/v1/models/\(model)").text == #"{"deleted":true,"id":"\#(model)","object":"model"}"#)
        #expect(try api.call(.DELETE, "/v1/models/\(model)").status == 404)
    }

    @Test func aCorruptWeightsFileIsNeverServed() throws {
        let api = try InProcessAPI()
        let model = try api.registerModel()
        let record = try api.store.model(model)
        let artifact = try #require(record.weights)
        let full = api.daemon.configuration.artifactsDirectory + "/" + artifact.path
        var bytes = try [UInt8](Foundation.Data(contentsOf: URL(fileURLWithPath: full)))
        bytes[bytes.count - 1] ^= 0xFF
        try Foundation.Data(bytes).write(to: URL(fileURLWithPath: full))
        let reply = try api.get("/v1/models/\(model)/weights")
        #expect(reply.status == 500 && reply.errorCode == "integrity_error", "\(reply.text)")
        #expect(!reply.text.contains(api.directory), "no server paths in the message")
    }

    @Test func aModelWithoutStoredWeightsHasNoDownload() throws {
        let api = try InProcessAPI()
        let spec = try api.store.model(api.registerModel()).spec
        let bare = try api.store.createModel(name: "bare", architecture: "small-cnn", spec: spec, source: .upload)
        let reply = try api.get("/v1/models/\(bare.id)/weights")
        #expect(reply.status == 404)
        #expect(reply.text == #"{"error":{"code":"weights_not_found","message":"model '\#(bare.id)' has no stored weights"}}"#)
        #expect(try api.get("/v1/models/\(bare.id)")["weights"] == nil)
    }

    @Test func aFailingStoreWriteIsA500AndStoresNothing() throws {
        let api = try InProcessAPI()
        api.store.failWrite(at: 1)
        let reply = try api.post("/v1/models", #"{"name": "cnn", "architecture": "small-cnn", "num_classes": 2}"#)
        #expect(reply.status == 500 && reply.errorCode == "store_error", "\(reply.text)")
        #expect(try api.get("/v1/models")["data"] == .array([]))
        #expect(try api.post("/v1/models", #"{"name": "cnn", "architecture": "small-cnn", "num_classes": 2}"#).status == 201)
    }

    @Test func anUnreadableStoredRecordIsA500WithoutInternals() throws {
        let api = try InProcessAPI()
        let broken = try api.store.createModel(name: "broken", architecture: "small-cnn", spec: "{}", source: .upload)
        let reply = try api.get("/v1/models/\(broken.id)")
        #expect(reply.status == 500)
        #expect(reply.text == #"{"error":{"code":"internal_error","message":"internal error"}}"#)
    }
}

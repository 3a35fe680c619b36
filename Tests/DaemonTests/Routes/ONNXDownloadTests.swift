import Foundation
import JobAPI
import NN
import ONNX
import Testing

@testable import Daemon

/// `?format=onnx` on both weights routes, through the real router: the file is what `ONNXExport`
/// writes for the stored weights, with the safetensors download's headers (ETag, Content-Disposition
/// naming `.onnx`, 304, HEAD over a real socket); any other format is a 422 naming `format`.
/// (onnxruntime runs exported files in ONNXTests and in EndToEndTests.ONNXEndToEndTests.)
@Suite struct ONNXDownloadTests {
    /// What thawd must have written: the stored safetensors file, loaded and exported.
    static func expectedONNX(_ safetensors: [UInt8]) throws -> [UInt8] {
        let file = try Safetensors.decode(safetensors)
        let metadata = try ModelMetadata(dictionary: file.metadata)
        let model = try Model(spec: metadata.spec)
        try model.load(stateDict: file.tensors, strict: true)
        return try ONNXExport.model(model, metadata: metadata)
    }

    @Test func aModelDownloadsAsONNXWithTheSafetensorsHeaders() throws {
        let api = try InProcessAPI()
        let created = try api.post("/v1/models", #"{"name": "cnn", "architecture": "small-cnn", "num_classes": 2, "class_names": ["dark", "light"]}"#)
        let id = try #require(created["id"]?.string)
        let sha = try #require(created["weights"]?.field("sha256")?.string)
        let safetensors = try api.get("/v1/models/\(id)/weights?format=safetensors")
        #expect(safetensors.status == 200 && safetensors.headers["etag"] == "\"\(sha)\"")
        #expect(safetensors.headers["content-disposition"] == "attachment; filename=\"\(id).safetensors\"")

        let onnx = try api.get("/v1/models/\(id)/weights?format=onnx")
        #expect(onnx.status == 200, "\(onnx.text)")
        let etag = "\"onnx\(ONNXExport.exporterVersion)-\(sha)\""
        #expect(onnx.headers["etag"] == etag)
        #expect(onnx.headers["content-type"] == "application/octet-stream")
        #expect(onnx.headers["content-disposition"] == "attachment; filename=\"\(id).onnx\"")
        #expect(onnx.bytes == (try Self.expectedONNX(safetensors.bytes)))
        #expect(onnx.bytes != safetensors.bytes && onnx.bytes.count > 200_000)
        // The same weights always give the same bytes, so the derived ETag is honest.
        #expect(try api.get("/v1/models/\(id)/weights?format=onnx").bytes == onnx.bytes)

        let cached = try api.call(.GET, "/v1/models/\(id)/weights?format=onnx", headers: ["If-None-Match": etag])
        #expect(cached.status == 304 && cached.headers["etag"] == etag && cached.bytes.isEmpty)
        // The safetensors ETag names other bytes: no 304 for it.
        #expect(try api.call(.GET, "/v1/models/\(id)/weights?format=onnx", headers: ["If-None-Match": "\"\(sha)\""]).status == 200)
        #expect(try api.call(.GET, "/v1/models/\(id)/weights", headers: ["If-None-Match": etag]).status == 200)
    }

    @Test func anUnknownFormatIs422NamingFormat() throws {
        let api = try InProcessAPI()
        let model = try api.registerModel()
        for target in ["/v1/models/\(model)/weights?format=pt", "/v1/models/\(model)/weights?format=",
                       "/v1/jobs/job_missing/weights?format=ONNX"] {
            let reply = try api.get(target)
            if target.contains("job_missing") {
                #expect(reply.status == 404, "the job is looked up first: \(reply.text)")
                continue
            }
            #expect(reply.status == 422 && reply.errorFields == ["format"], "\(target): \(reply.text)")
        }
        let id = try api.submit(model: model, dataset: api.registerShapes())
        try api.runNextJob()
        let bad = try api.get("/v1/jobs/\(id)/weights?checkpoint=best&format=tflite")
        #expect(bad.status == 422 && bad.errorFields == ["format"], "\(bad.text)")
        #expect(bad.text.contains("safetensors or onnx"))
    }

    @Test func aTrainedJobsCheckpointsDownloadAsONNX() throws {
        let api = try InProcessAPI()
        let id = try api.submit(model: api.registerModel(), dataset: api.registerShapes())
        try api.runNextJob()
        for which in ["best", "last"] {
            let safetensors = try api.get("/v1/jobs/\(id)/weights?checkpoint=\(which)")
            let onnx = try api.get("/v1/jobs/\(id)/weights?checkpoint=\(which)&format=onnx")
            #expect(onnx.status == 200, "\(onnx.text)")
            #expect(onnx.headers["content-disposition"] == "attachment; filename=\"\(id)-\(which).onnx\"")
            #expect(onnx.headers["x-thaw-epoch"] == safetensors.headers["x-thaw-epoch"])
            let sha = try #require(safetensors.headers["etag"]).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
            #expect(onnx.headers["etag"] == "\"onnx\(ONNXExport.exporterVersion)-\(sha)\"")
            #expect(onnx.bytes == (try Self.expectedONNX(safetensors.bytes)))
            // The job's class names travel in metadata_props.
            #expect(Self.contains(onnx.bytes, #"["dark","light"]"#))
        }
    }

    @Test func anUploadedArchitectureSpecExportsToo() throws {
        let api = try InProcessAPI()
        let spec = #"{"name": "tiny", "input_shape": [1, 8, 8], "groups": ["body", "head"], "layers": [{"name": "c", "kind": "conv2d", "group": "body", "in": 1, "out": 4, "kernel": 3, "padding": 1}, {"name": "b", "kind": "batch_norm2d", "features": 4}, {"name": "r", "kind": "relu"}, {"name": "p", "kind": "adaptive_avg_pool2d", "output": 3}, {"name": "f", "kind": "flatten"}, {"name": "fc", "kind": "linear", "group": "head", "in": 36, "out": 2}]}"#
        let model = try Model(spec: ArchitectureSpec.decode(json: spec), seed: 1)
        let weights = Foundation.Data(Safetensors.encode(model.stateDict())).base64EncodedString()
        let created = try api.post("/v1/models", #"{"name": "tiny", "architecture_spec": \#(spec), "weights_base64": "\#(weights)", "class_names": ["a", "b"]}"#)
        let id = try #require(created["id"]?.string, "\(created.text)")
        let onnx = try api.get("/v1/models/\(id)/weights?format=onnx")
        #expect(onnx.status == 200, "\(onnx.text)")
        #expect(onnx.bytes == (try Self.expectedONNX(api.get("/v1/models/\(id)/weights").bytes)))
        #expect(Self.contains(onnx.bytes, "MatMul") && Self.contains(onnx.bytes, #"["a","b"]"#))
    }

    @Test func headAnswersTheLengthOverARealSocket() throws {
        let fixture = try DaemonFixture()
        let created = try fixture.client.send("POST", "/v1/models", body: Array(#"{"name": "m", "architecture": "resnet-mini"}"#.utf8),
                                              headers: [("Content-Type", "application/json")])
        #expect(created.status == 201)
        let id = try #require((try JSONSerialization.jsonObject(with: Foundation.Data(created.body)) as? [String: Any])?["id"] as? String)
        let get = try fixture.client.get("/v1/models/\(id)/weights?format=onnx")
        #expect(get.status == 200 && get.header("Content-Length") == String(get.body.count))
        let head = try fixture.client.send("HEAD", "/v1/models/\(id)/weights?format=onnx")
        #expect(head.status == 200 && head.body.isEmpty)
        #expect(head.header("Content-Length") == String(get.body.count) && head.header("ETag") == get.header("ETag"))
        #expect(head.header("Content-Disposition") == "attachment; filename=\"\(id).onnx\"")
        #expect(try fixture.client.get("/healthz").status == 200)  // keep-alive after the body
    }

    @Test func aLayerONNXCannotExpressIs422NamingIt() throws {
        let refusal = ONNXExportService.refusal(.unsupportedLayer(layer: "features.4", type: "FancyLayer"), architecture: "mine")
        let response = APIError(refusal).response
        #expect(response.status.code == 422)
        guard case .bytes(let body) = response.body else { Issue.record("no JSON body"); return }
        let text = String(decoding: body, as: UTF8.self)
        #expect(text.contains(#""code":"invalid_request""#) && text.contains(#""field":"format""#), "\(text)")
        #expect(text.contains("layer 'features.4' (FancyLayer) has no ONNX equivalent"), "\(text)")
    }

    static func contains(_ bytes: [UInt8], _ text: String) -> Bool {
        let needle = Array(text.utf8)
        guard bytes.count >= needle.count else { return false }
        return (0...(bytes.count - needle.count)).contains { bytes[$0..<($0 + needle.count)].elementsEqual(needle) }
    }
}

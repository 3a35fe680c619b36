import JobAPI
import Testing

/// `?format=` of the weights downloads, as the routes and `thaw download --format` read it.
@Suite struct WeightsFormatTests {
    @Test func absentIsSafetensorsAndOnlyTheTwoNamesRead() {
        #expect(WeightsFormat(query: nil) == .safetensors)
        #expect(WeightsFormat(query: "safetensors") == .safetensors)
        #expect(WeightsFormat(query: "onnx") == .onnx)
        for bad in ["", "ONNX", "pt", "onnx ", "tflite"] { #expect(WeightsFormat(query: bad) == nil, "\(bad)") }
        #expect(WeightsFormat.allowedDescription == "must be safetensors or onnx")
        #expect(WeightsFormat.onnx.filename("job_1-best") == "job_1-best.onnx")
        #expect(WeightsFormat.safetensors.filename("model_2") == "model_2.safetensors")
    }
}

import NN
import Tensor
import Testing

/// The engine against PyTorch's TinyCNN + SGD golden tensors: logits, loss, every gradient,
/// BatchNorm running statistics and parameters after each of two steps, within 1e-4 relative /
/// 1e-5 absolute.
@Suite struct GoldenTests {
    let model: Model
    let x: Tensor
    let labels: [Int]

    init() throws {
        model = try Model(spec: GoldenFixtures.tinyCNN)
        try model.load(stateDict: GoldenFixtures.load("model_init.safetensors"), strict: true)
        let batch = try GoldenFixtures.load("batch.safetensors")
        x = batch["x"]!.tensor
        labels = batch["y"]!.tensor.storage.map { Int($0) }
    }

    @Test func evalForwardMatchesInitialRunningStatistics() throws {
        let expected = try GoldenFixtures.load("eval_forward.safetensors")["logits"]!.tensor
        let logits = try model.forward(x, training: false)
        #expect(worstExcess(logits, expected) == 0, "max diff \(logits.maxAbsDifference(expected))")
    }

    @Test func twoSGDStepsMatchPyTorch() throws {
        let sgd = SGD(model: model, learningRate: 0.1, momentum: 0.9, weightDecay: 1e-4)
        for file in ["step1.safetensors", "step2.safetensors"] {
            let golden = try GoldenFixtures.load(file)
            let logits = try model.forward(x, training: true)
            let (loss, dLogits) = try SoftmaxCrossEntropy.compute(logits: logits, labels: labels)
            #expect(worstExcess(logits, golden["logits"]!.tensor) == 0, "\(file) logits")
            #expect(abs(loss - golden["loss"]!.tensor.storage[0]) <= 1e-5 + 1e-4 * abs(loss), "\(file) loss \(loss)")
            try model.backward(dLogits)
            for p in model.parameters {
                let g = try #require(p.grad, "\(p.name) has no gradient")
                let expected = golden["grad/" + p.name]!.tensor
                #expect(worstExcess(g, expected) == 0, "\(file) grad/\(p.name) max diff \(g.maxAbsDifference(expected))")
            }
            sgd.step()
            for p in model.parameters {
                let expected = golden["momentum_buffer/" + p.name]!.tensor
                #expect(worstExcess(sgd.momentumBuffer(of: p)!, expected) == 0, "\(file) momentum_buffer/\(p.name)")
            }
            for e in model.stateDict().entries {
                let expected = golden["state/" + e.name]!.tensor
                #expect(e.tensor.count == expected.count)
                #expect(worstExcess(e.tensor.reshaped(expected.shape), expected) == 0,
                        "\(file) state/\(e.name) max diff \(e.tensor.reshaped(expected.shape).maxAbsDifference(expected))")
            }
        }
    }
}

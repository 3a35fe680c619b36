import ArgumentParser
import Foundation
import NN
import Tensor

/// `thaw-bench roundtrip`: loads PyTorch-saved weights strictly, writes eval-mode logits for a
/// given input, and re-saves the weights as Thaw does (with metadata) so a script can load them
/// back into PyTorch with `load_state_dict(strict=True)`. Driven by docs/engine/verify_torch_roundtrip.py.
struct RoundTripCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "roundtrip", abstract: "PyTorch ⇄ Thaw safetensors round trip for one architecture.")

    @Option var arch = "resnet18"
    @Option(help: "safetensors written by safetensors.torch.save_file(model.state_dict())") var weights: String
    @Option(help: "safetensors holding `x` (NCHW float32)") var input: String
    @Option(help: "where to write `logits`") var logits: String
    @Option(help: "where to write Thaw's own save of the loaded weights") var out: String
    @Option var threads = 2

    func run() throws { try Engine(threads: threads).run(measure) }

    func measure() throws {
        let x = try Safetensors.read(path: input).tensors["x"].unwrap("input has no 'x'").tensor
        let file = try Safetensors.read(path: weights).tensors
        // The head's rows give the classes; the input's sides the input shape (ResNets pool adaptively).
        var spec = try BuiltinArchitectures.spec(named: arch, classes: file.entries.last { $0.tensor.rank == 2 }?.tensor.shape[0])
        spec.inputShape = Array(x.shape.dropFirst())
        let model = try Model(spec: spec)
        try model.load(stateDict: file, strict: true)
        let y = try model.forward(x, training: false)
        try Safetensors.write(StateDict([NamedTensor(name: "logits", tensor: y)]), to: logits)
        try model.save(to: out, metadata: ModelMetadata(spec: model.spec, job: "roundtrip"))
        print(BenchJSON.line([("kind", .string("roundtrip")), ("arch", .string(arch)), ("keys", .int(model.stateDict().entries.count))]))
    }
}

extension Optional {
    func unwrap(_ message: String) throws -> Wrapped {
        guard let self else { throw ValidationError(message) }
        return self
    }
}

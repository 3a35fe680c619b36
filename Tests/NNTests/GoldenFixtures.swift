import Foundation
import NN
import Tensor

/// Locates Tests/Fixtures/golden/public, written by make_golden.py beside it (THAW_GOLDEN_DIR overrides).
enum GoldenFixtures {
    static var directory: String {
        if let env = ProcessInfo.processInfo.environment["THAW_GOLDEN_DIR"] { return env }
        let tests = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        return tests.appendingPathComponent("Fixtures/golden/public").path
    }

    static func load(_ file: String) throws -> StateDict {
        try Safetensors.read(path: directory + "/" + file).tensors
    }

    /// The golden TinyCNN (see the golden README), groups `body` and `head`.
    static let tinyCNN = ArchitectureSpec(
        name: "tiny-cnn", inputShape: [1, 8, 8], groups: ["body", "head"],
        layers: [
            LayerSpec(name: "conv1", kind: .conv2d, group: "body", in: 1, out: 4, kernel: 3, stride: 1, padding: 1, bias: false),
            LayerSpec(name: "bn1", kind: .batchNorm2d, features: 4),
            LayerSpec(name: "relu1", kind: .relu),
            LayerSpec(name: "pool1", kind: .maxPool2d, kernel: 2, stride: 2),
            LayerSpec(name: "conv2", kind: .conv2d, in: 4, out: 8, kernel: 3, stride: 2, padding: 1, bias: true),
            LayerSpec(name: "relu2", kind: .relu),
            LayerSpec(name: "gap", kind: .adaptiveAvgPool2d, output: 1),
            LayerSpec(name: "flatten", kind: .flatten),
            LayerSpec(name: "fc", kind: .linear, group: "head", in: 8, out: 3),
        ])
}

/// Reports the worst violation of |a − b| <= atol + rtol·|b| (0 when all pass).
func worstExcess(_ a: Tensor, _ b: Tensor, rtol: Float = 1e-4, atol: Float = 1e-5) -> Float {
    guard a.count == b.count else { return .infinity }
    var worst: Float = 0
    for i in 0..<a.count {
        let excess = abs(a.storage[i] - b.storage[i]) - (atol + rtol * abs(b.storage[i]))
        if !(excess <= 0) { worst = max(worst, excess.isNaN ? .infinity : excess) }
    }
    return worst
}

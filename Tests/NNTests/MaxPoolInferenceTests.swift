import NN
import Tensor
import Testing

/// A max pool that records nothing (inference, a frozen body) runs `MaxPool2dLayer.separableMax`;
/// one that records keeps the per-window loop with its argmax. Both must give the same values, bit
/// for bit, for every window shape a model may declare: ties between +0 and -0 keep the first in
/// row-major order, a NaN anywhere in a window is the output, windows cut by the padding.
@Suite struct MaxPoolInferenceTests {
    static func forward(_ layer: MaxPool2dLayer, _ x: Tensor, record: Bool) -> Tensor {
        var context = ForwardContext(training: false, recordForBackward: record, workspace: Workspace(),
                                     generator: SeededGenerator(seed: 0))
        return layer.forward(x, &context)
    }

    /// (C, N, H, W) values with many exact ties, signed zeros, infinities and a few NaNs.
    static func awkwardInput(_ shape: [Int], seed: UInt64) -> Tensor {
        var g = SeededGenerator(seed: seed)
        let palette: [Float] = [0, -0.0, 1, -1, 2.5, .infinity, -.infinity, 1, 0, -0.0]
        let count = shape.reduce(1, *)
        return Tensor(shape: shape, storage: (0..<count).map { _ in
            let u = g.uniform(0, 1)
            if u < 0.01 { return .nan }
            if u < 0.6 { return palette[Int(g.uniform(0, Float(palette.count) - 0.001))] }
            return g.uniform(-3, 3)
        })
    }

    @Test(arguments: [(3, 2, 1), (3, 1, 1), (3, 2, 0), (2, 1, 0), (4, 3, 2), (5, 2, 2), (1, 1, 0), (3, 3, 1)])
    func recordingAndInferencePoolsAgreeBitForBit(window: (kernel: Int, stride: Int, padding: Int)) throws {
        for (shape, seed) in [([3, 2, 9, 11], UInt64(1)), ([2, 1, 8, 8], 2), ([1, 3, 5, 4], 3), ([4, 2, 16, 15], 4)] {
            let layer = MaxPool2dLayer(name: "pool", kernel: window.kernel, stride: window.stride, padding: window.padding)
            guard (try? layer.outputShape(for: [shape[0], shape[2], shape[3]])) != nil else { continue }  // window larger than the plane
            let x = Self.awkwardInput(shape, seed: seed)
            let recorded = Self.forward(layer, x, record: true)
            let inferred = Self.forward(layer, x, record: false)
            #expect(inferred.shape == recorded.shape)
            let a = recorded.storage.map(\.bitPattern), b = inferred.storage.map(\.bitPattern)
            let nanA = recorded.storage.map(\.isNaN), nanB = inferred.storage.map(\.isNaN)
            #expect(nanA == nanB, "\(window) \(shape): NaN positions")
            #expect(zip(zip(a, b), nanA).allSatisfy { $0.1 || $0.0.0 == $0.0.1 }, "\(window) \(shape): values and signs of zero")
        }
    }
}

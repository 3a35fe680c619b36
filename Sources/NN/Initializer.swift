import Tensor

/// PyTorch's default initialisation for Conv2d and Linear (`kaiming_uniform_(a=√5)` for weights,
/// `U(−1/√fan_in, 1/√fan_in)` for biases), which reduces to the same bound for both.
enum Initializer {
    static func uniform(_ shape: [Int], fanIn: Int, _ g: inout SeededGenerator) -> Tensor {
        let bound = 1 / Float(fanIn).squareRoot()
        var t = Tensor.zeros(shape)
        for i in 0..<t.count { t.storage[i] = g.uniform(-bound, bound) }
        return t
    }
}

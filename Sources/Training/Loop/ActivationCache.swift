import Data
import NN
import Tensor

/// A frozen prefix's outputs, computed once: the activations entering layer `layer` (the model's
/// `cacheCutLayer`) for every training and validation image (CHW or a flat vector per image, image
/// order of the splits). Valid while every layer before `layer` stays frozen with BatchNorm in
/// inference mode and the images are not augmented — then the prefix is a fixed function of the
/// image and training from the cache is exactly training on images.
struct ActivationCache {
    /// Index into the model's layers of the first layer run from the cache.
    let layer: Int
    /// Per-image activation shape (`[C, H, W]` or `[F]`).
    let shape: [Int]
    let train: [Float]
    let validation: [Float]
    var perImage: Int { shape.reduce(1, *) }

    /// Runs the prefix over both splits in inference mode, `batchSize` images at a time.
    static func build(model: Model, layer: Int, train: LabeledImages, validation: LabeledImages,
                      normalization: Normalization, batchSize: Int,
                      checkInterrupt: () throws -> Void = {}) throws -> ActivationCache {
        let shape = model.shapes[layer]
        func run(_ images: LabeledImages) throws -> [Float] {
            guard images.count > 0 else { return [] }
            var out: [Float] = []
            out.reserveCapacity(images.count * shape.reduce(1, *))
            let loader = try BatchLoader(images: images, normalization: normalization,
                                         configuration: .init(batchSize: batchSize, shuffle: false))
            while let batch = loader.next() {
                try checkInterrupt()
                let x = Tensor(shape: [batch.count, batch.channels, batch.height, batch.width], storage: batch.images)
                out += try model.forward(upToLayer: layer, x).storage
            }
            return out
        }
        return ActivationCache(layer: layer, shape: shape, train: try run(train), validation: try run(validation))
    }

    /// Bytes the cache would take for `images` images entering layer `layer`.
    static func bytes(model: Model, layer: Int, images: Int) -> Int {
        model.shapes[layer].reduce(1, *) * images * MemoryLayout<Float>.size
    }

    /// The activations of `indices` (into `source`), as a batch tensor `[N] + shape`.
    func batch(_ source: [Float], _ indices: ArraySlice<Int>) -> Tensor {
        let size = perImage
        return Tensor(shape: [indices.count] + shape) { out in
            source.withUnsafeBufferPointer { src in
                for (j, i) in indices.enumerated() {
                    (out + j * size).update(from: src.baseAddress! + i * size, count: size)
                }
            }
        }
    }
}

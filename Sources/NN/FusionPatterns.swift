/// Which neighbouring layers, in which modes, run as one `FusedOp` kernel: the one place where
/// fusion is decided. `ExecutionPlan.compile` tries the rows in order at each layer and takes the
/// first that fits, so a longer pattern comes before a shorter one it contains.
///
/// Residual blocks are one layer each here: their conv+bn+relu and bn+add+relu stages are fixed by
/// the block (`ConvBatchNormStage`), not by neighbours.
struct FusionPattern: Sendable {
    /// Number of consecutive layers replaced.
    let width: Int
    /// The kernel for exactly `width` layers run in `modes`, or nil when they do not fit.
    let fuse: @Sendable (_ layers: [any Layer], _ modes: [LayerMode]) -> FusedOp.Kernel?
}

enum FusionPatterns {
    static let table: [FusionPattern] = [
        // Conv → BatchNorm → ReLU with none of them training or recording (a frozen body,
        // evaluation): BatchNorm folds into a scale and shift that the convolution kernel applies,
        // with the ReLU, while each image's output is in cache. Backward needs BatchNorm's own input,
        // so a recording pass keeps the layers apart (and usually matches bn+relu below).
        FusionPattern(width: 3) { layers, modes in
            guard let conv = layers[0] as? Conv2dLayer, let bn = layers[1] as? BatchNorm2dLayer,
                  let relu = layers[2] as? ReLULayer, modes.allSatisfy({ $0 == .inference }) else { return nil }
            return .convBNReLU(conv, bn, relu)
        },
        // BatchNorm → ReLU (VGG-BN style and the stems): one pass over memory in every mode; the
        // ReLU keeps the output as its own, and backward masks inside BatchNorm's.
        FusionPattern(width: 2) { layers, modes in
            guard let bn = layers[0] as? BatchNorm2dLayer, let relu = layers[1] as? ReLULayer else { return nil }
            return .bnReLU(bn, modes[0], relu, modes[1])
        },
    ]
}

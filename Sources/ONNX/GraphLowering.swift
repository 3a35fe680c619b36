import NN

/// A model's layers, in eval mode, as ONNX nodes (the same computation `Model.forward(_:training:
/// false)` runs; `ExecutionPlan` fuses the same neighbours, here they become one Conv):
///
/// | Thaw layer | ONNX |
/// | --- | --- |
/// | conv2d (+ the batch_norm2d right after it) | Conv, the BatchNorm folded into its weights and bias |
/// | batch_norm2d not after a convolution | BatchNormalization (running statistics) |
/// | relu | Relu |
/// | max_pool2d / avg_pool2d | MaxPool / AveragePool (`count_include_pad` 1, as PyTorch) |
/// | adaptive_avg_pool2d | GlobalAveragePool (output 1); AveragePool when the output divides H and W; none when it equals them; else two MatMuls with constant averaging matrices (vgg16's 7x7 pool of a smaller map) |
/// | flatten | Flatten (axis 1) |
/// | linear | Gemm (`transB` 1) |
/// | dropout | nothing (identity in eval mode) |
/// | basic_block / bottleneck | their Convs (BatchNorms folded), Relu, the shortcut Conv, Add, Relu |
///
/// Any other layer type is an `ONNXExportError.unsupportedLayer` naming it.
struct GraphLowering {
    var graph = GraphBuilder(reserved: [ONNXExport.inputName, ONNXExport.outputName])

    /// Lowers `layers` (`shapes[i]`: layer i's per-image input shape, as `Model.shapes`); returns the
    /// name of the value holding the logits.
    mutating func lower(_ layers: [any Layer], shapes: [[Int]]) throws(ONNXExportError) -> String {
        var value = ONNXExport.inputName
        var i = 0
        while i < layers.count {
            let shape = shapes[i]
            switch layers[i] {
            case let conv as Conv2dLayer:
                let bn = i + 1 < layers.count ? layers[i + 1] as? BatchNorm2dLayer : nil
                value = convolution(conv, bn, value, name: bn.map { "\(conv.name)+\($0.name)" } ?? conv.name)
                if bn != nil { i += 1 }
            case let bn as BatchNorm2dLayer:
                value = batchNormalization(bn, value)
            case let relu as ReLULayer:
                value = graph.node("Relu", [value], name: relu.name)
            case let pool as MaxPool2dLayer:
                value = graph.node("MaxPool", [value], name: pool.name, attributes: [
                    .ints("kernel_shape", [pool.kernel, pool.kernel]), .ints("pads", Array(repeating: pool.padding, count: 4)),
                    .ints("strides", [pool.stride, pool.stride]),
                ])
            case let pool as AvgPool2dLayer:
                value = graph.node("AveragePool", [value], name: pool.name, attributes: [
                    .int("count_include_pad", 1), .ints("kernel_shape", [pool.kernel, pool.kernel]),
                    .ints("pads", Array(repeating: pool.padding, count: 4)), .ints("strides", [pool.stride, pool.stride]),
                ])
            case let pool as AdaptiveAvgPool2dLayer:
                value = adaptiveAveragePool(pool, value, height: shape[1], width: shape[2])
            case let flatten as FlattenLayer:
                value = graph.node("Flatten", [value], name: flatten.name, attributes: [.int("axis", 1)])
            case let linear as LinearLayer:
                var inputs = [value, graph.constant(linear.weight.name, dims: linear.weight.value.shape,
                                                    values: linear.weight.value.storage)]
                if let b = linear.bias { inputs.append(graph.constant(b.name, dims: b.value.shape, values: b.value.storage)) }
                value = graph.node("Gemm", inputs, name: linear.name, attributes: [.int("transB", 1)])
            case is DropoutLayer:
                break
            case let block as BasicBlockLayer:
                let a = graph.node("Relu", [convolution(block.conv1, block.bn1, value, name: block.conv1.name)],
                                   name: block.name + ".relu1")
                let b = convolution(block.conv2, block.bn2, a, name: block.conv2.name)
                value = residual(block.name, b, shortcut: block.downsample, value)
            case let block as BottleneckLayer:
                let a = graph.node("Relu", [convolution(block.conv1, block.bn1, value, name: block.conv1.name)],
                                   name: block.name + ".relu1")
                let b = graph.node("Relu", [convolution(block.conv2, block.bn2, a, name: block.conv2.name)],
                                   name: block.name + ".relu2")
                let c = convolution(block.conv3, block.bn3, b, name: block.conv3.name)
                value = residual(block.name, c, shortcut: block.downsample, value)
            case let other:
                throw .unsupportedLayer(layer: other.name, type: String(describing: type(of: other)))
            }
            i += 1
        }
        return value
    }

    /// `ReLU(main + shortcut(x))`, the shortcut a folded Conv or the identity.
    private mutating func residual(_ block: String, _ main: String, shortcut: ConvBatchNormStage?, _ x: String) -> String {
        let sc = shortcut.map { convolution($0.conv, $0.bn, x, name: $0.conv.name) } ?? x
        let sum = graph.node("Add", [main, sc], name: block + ".add")
        return graph.node("Relu", [sum], name: block)
    }

    /// A Conv; with `bn`, that BatchNorm's inference affine map folded in per output channel:
    /// `W'[o] = W[o]·s[o]`, `b'[o] = (b[o] − mean[o])·s[o] + β[o]` with `s = γ/√(var + eps)` — what
    /// the engine's conv+bn epilogue computes, as one operator.
    private mutating func convolution(_ conv: Conv2dLayer, _ bn: BatchNorm2dLayer?, _ x: String, name: String) -> String {
        var weight = conv.weight.value.storage
        var bias = conv.bias?.value.storage ?? [Float](repeating: 0, count: conv.outChannels)
        if let bn {
            let perChannel = weight.count / conv.outChannels
            for o in 0..<conv.outChannels {
                let s = bn.weight.value.storage[o] / (bn.runningVar.value.storage[o] + bn.eps).squareRoot()
                for k in (o * perChannel)..<((o + 1) * perChannel) { weight[k] *= s }
                bias[o] = (bias[o] - bn.runningMean.value.storage[o]) * s + bn.bias.value.storage[o]
            }
        }
        var inputs = [x, graph.constant(conv.weight.name, dims: conv.weight.value.shape, values: weight)]
        if bn != nil || conv.bias != nil {
            inputs.append(graph.constant(conv.bias?.name ?? conv.name + ".bias", dims: [conv.outChannels], values: bias))
        }
        let k = conv.kernel, s = conv.stride, p = conv.padding
        return graph.node("Conv", inputs, name: name, attributes: [
            .ints("dilations", [1, 1]), .int("group", 1), .ints("kernel_shape", [k, k]), .ints("pads", [p, p, p, p]),
            .ints("strides", [s, s]),
        ], doc: bn.map { "BatchNorm \($0.name) (eval mode) folded into \(conv.name)" } ?? "")
    }

    private mutating func batchNormalization(_ bn: BatchNorm2dLayer, _ x: String) -> String {
        let inputs = [x] + [bn.weight.value, bn.bias.value, bn.runningMean.value, bn.runningVar.value].enumerated().map {
            graph.constant(bn.name + [".weight", ".bias", ".running_mean", ".running_var"][$0.offset],
                           dims: [bn.channels], values: $0.element.storage)
        }
        return graph.node("BatchNormalization", inputs, name: bn.name, attributes: [.float("epsilon", bn.eps)])
    }

    /// PyTorch's adaptive average pooling: output cell i averages rows ⌊i·H/o⌋ ..< ⌈(i+1)·H/o⌉.
    private mutating func adaptiveAveragePool(_ pool: AdaptiveAvgPool2dLayer, _ x: String, height: Int, width: Int) -> String {
        let o = pool.output
        if o == 1 { return graph.node("GlobalAveragePool", [x], name: pool.name) }
        if height == o && width == o { return x }
        if height % o == 0 && width % o == 0 {
            let kernel = [height / o, width / o]
            return graph.node("AveragePool", [x], name: pool.name, attributes: [
                .ints("kernel_shape", kernel), .ints("strides", kernel),
            ])
        }
        // Uneven (or overlapping) windows: y = P_H · x · P_Wᵀ per plane, P's rows the windows'
        // averaging weights; MatMul broadcasts the [o, H] matrix over N and C.
        func averaging(_ size: Int) -> [Float] {
            var m = [Float](repeating: 0, count: o * size)
            for i in 0..<o {
                let rows = (i * size / o)..<(((i + 1) * size + o - 1) / o)
                for r in rows { m[i * size + r] = 1 / Float(rows.count) }
            }
            return m
        }
        let rows = graph.constant(pool.name + ".rows", dims: [o, height], values: averaging(height))
        let colsT = averaging(width)
        var transposed = [Float](repeating: 0, count: width * o)
        for i in 0..<o { for c in 0..<width { transposed[c * o + i] = colsT[i * width + c] } }
        let cols = graph.constant(pool.name + ".cols", dims: [width, o], values: transposed)
        let h = graph.node("MatMul", [rows, x], name: pool.name + ".rows")
        return graph.node("MatMul", [h, cols], name: pool.name)
    }
}

import Tensor

/// torchvision's ResNet shortcut, shared by `BasicBlockLayer` and `BottleneckLayer`: nil (the
/// identity) when the block keeps stride 1 and its width, else `downsample.0` = 1x1 convolution
/// (the block's stride, unbiased) and `downsample.1` = BatchNorm. Drawn from `generator` after the
/// block's main path, as torchvision initialises it.
func resnetDownsample(name: String, inChannels: Int, outChannels: Int, stride: Int,
                      generator: inout SeededGenerator) -> ConvBatchNormStage? {
    guard stride != 1 || inChannels != outChannels else { return nil }
    return ConvBatchNormStage(
        conv: Conv2dLayer(name: name + ".downsample.0", inChannels: inChannels, outChannels: outChannels,
                          kernel: 1, stride: stride, padding: 0, bias: false, generator: &generator),
        bn: BatchNorm2dLayer(name: name + ".downsample.1", channels: outChannels))
}

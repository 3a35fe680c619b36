#ifndef THAW_CONV3X3_H
#define THAW_CONV3X3_H

/// Direct 3x3 convolution (padding 1, stride 1 or 2) for x86-64 CPUs with AVX2 and FMA.
///
/// The engine's im2col + sgemm path writes a 9x copy of the input and sgemm packs it again: on thin
/// layers (16-64 channels, 7x7-28x28 planes) that copying costs as much as the multiply-adds. This
/// kernel reads the image directly: each input channel plane is copied once into 3 (stride 1) or 6
/// (stride 2) zero-padded planes laid out so that every one of the 9 taps is a constant offset from
/// the output position, then tiles of output channels x positions accumulate in registers. Each
/// output element has one writer and a fixed summation order (channel, then tap):
/// results do not depend on how images are split between threads.

/// The best kernel this CPU runs: 2 = AVX-512 (tiles of 8 output channels), 1 = AVX2 + FMA (tiles
/// of 4), 0 = none (the kernels must not be called).
int thaw_conv3x3_isa(void);

/// Output channels per tile for an ISA level; the kernel's output channels must be a multiple.
int thaw_conv3x3_rows(int isa);

/// Floats of per-thread scratch `thaw_conv3x3_image` needs for one image.
long thaw_conv3x3_scratch_floats(int in_channels, int in_h, int in_w, int stride);

/// Floats `thaw_conv3x3_masks` writes for a 3x3 convolution of an in_h x in_w plane.
long thaw_conv3x3_masks_floats(int in_h, int in_w, int stride);

/// The AVX-512 kernels' column masks for this geometry (which lanes of each 16 output positions may
/// read one column left / right without wrapping into the next row): computed once per layer call,
/// read by every image's `thaw_conv3x3_image` (and, for the dY grid of a stride-2 layer, taken with
/// stride 1, by `thaw_conv3x3_s2_input_gradient_image`).
void thaw_conv3x3_masks(int in_h, int in_w, int stride, float *masks);

/// Repacks OIHW weights (out_channels, in_channels, 3, 3) into the kernel's layout.
/// `transpose_flip` = 1 packs the weights of the transposed convolution instead (the input gradient
/// of a stride-1 convolution: in and out channels swapped, taps rotated by 180 degrees).
/// `packed` holds out_channels * in_channels * 9 floats; `rows` = `thaw_conv3x3_rows(isa)` of the
/// call that will use them.
void thaw_conv3x3_pack(const float *weight, int out_channels, int in_channels, int transpose_flip,
                       int rows, float *packed);

/// y = conv3x3(x) for one image. `x` points at channel 0 of the image, channel planes
/// `x_channel_stride` floats apart (N*H*W in the engine's C,N,H,W layout); `y` likewise with
/// `y_channel_stride`. `packed` comes from `thaw_conv3x3_pack` with this call's channel counts and
/// `isa`'s rows (`out_channels` a multiple of them; `isa` at most `thaw_conv3x3_isa()`).
/// Output is (H-1)/stride+1 by (W-1)/stride+1, fully overwritten, then (each part optional, NULL / 0
/// for none) y = y·scale[o] + shift[o] (an inference-mode BatchNorm), + residual (planes
/// `residual_channel_stride` apart), then max(·, 0) if `relu` — while the image's output is in cache.
/// `masks` from `thaw_conv3x3_masks` for this geometry (used by `isa` 2).
void thaw_conv3x3_image(const float *x, long x_channel_stride, int in_channels, int in_h, int in_w,
                        int stride, const float *packed, int out_channels, float *y,
                        long y_channel_stride, const float *scale, const float *shift, const float *residual,
                        long residual_channel_stride, int relu, int isa, const float *masks, float *scratch);

/// Floats of per-thread scratch `thaw_conv3x3_weight_gradient` needs.
long thaw_conv3x3_weight_gradient_scratch_floats(int in_channels, int in_h, int in_w, int stride);

/// dWeight (out_channels, in_channels, 3, 3) = sum over `images` images of the correlation of each
/// image's x with its dY, overwritten. x and dY in the engine's (C, N, H, W) layout: channel planes
/// `*_channel_stride` apart, consecutive images `*_image_stride` apart. Positions are reduced in
/// vector lanes over a group of images and summed into dWeight in image order, so the result depends
/// only on which images one call gets.
void thaw_conv3x3_weight_gradient(const float *x, long x_channel_stride, long x_image_stride, int in_channels,
                                  int in_h, int in_w, int stride, const float *dy, long dy_channel_stride,
                                  long dy_image_stride, int out_channels, int images, int isa, float *dweight,
                                  float *scratch);

/// Packs OIHW weights for `thaw_conv3x3_s2_input_gradient_image` (out_channels * in_channels * 9 floats).
void thaw_conv3x3_s2_pack(const float *weight, int out_channels, int in_channels, float *packed);

/// Floats of per-thread scratch `thaw_conv3x3_s2_input_gradient_image` needs.
long thaw_conv3x3_s2_input_gradient_scratch_floats(int out_channels, int in_channels, int in_h, int in_w);

/// dX (in_channels planes of in_h x in_w, `dx_channel_stride` apart, overwritten) of a 3x3, stride-2,
/// padding-1 convolution for one image from its dY (out_channels planes of the output size).
/// AVX-512 only (`thaw_conv3x3_isa()` == 2); `in_channels` a multiple of 8; `masks` from
/// `thaw_conv3x3_masks` for dY's plane with stride 1.
void thaw_conv3x3_s2_input_gradient_image(const float *dy, long dy_channel_stride, int out_channels, int in_h,
                                          int in_w, const float *packed, int in_channels, float *dx,
                                          long dx_channel_stride, const float *masks, float *scratch);

#endif

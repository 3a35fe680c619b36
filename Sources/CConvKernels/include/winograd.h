#ifndef THAW_WINOGRAD_H
#define THAW_WINOGRAD_H

/// Winograd F(2x2, 3x3) convolution (3x3, padding 1, stride 1) for x86-64 CPUs with AVX2 and FMA.
///
/// Each 2x2 block of output positions ("tile") is computed from the 4x4 input patch around it:
/// the patch and the 3x3 weights are transformed into a 4x4 domain (Lavin & Gray, "Fast
/// Algorithms for Convolutional Neural Networks", 2015), where the convolution becomes 16
/// independent matrix products (output channels x input channels times input channels x tiles)
/// with 16 multiply-adds per tile and channel pair instead of 36: 2.25x fewer. The tiles of a
/// worker are taken in chunks whose transformed inputs stay in L2 between the transform that
/// writes them and the products that read them; the products run in register tiles like the
/// direct kernels'. Each output element has one writer and a fixed summation order, so results
/// do not depend on how tiles are split between threads. Rounding differs from the direct kernel
/// (the transforms add and subtract before multiplying), by about as much as a different
/// summation order.
///
/// Tensors are the engine's channel-major (C, N, H, W): a channel's planes of all images follow
/// each other, `*_channel_stride` = N*H*W apart. Tiles are numbered over the batch: image-major,
/// then tile rows, then tile columns, ceil(H/2)*ceil(W/2) per image (an odd plane's last tile row and
/// column compute one output each).

/// Output channels per register tile for an ISA level (`thaw_conv3x3_isa()`), and tiles per
/// register tile: `out_channels` must be a multiple of the former.
int thaw_winograd_rows(int isa);
int thaw_winograd_tile_block(int isa);

/// The tiles of one chunk for `in_channels` input planes: a multiple of `thaw_winograd_tile_block`.
int thaw_winograd_chunk_tiles(int in_channels, int isa);

/// Floats of per-worker scratch `thaw_winograd_tiles` needs.
long thaw_winograd_scratch_floats(int in_channels, int w, int chunk_tiles, int isa);

/// Transforms OIHW weights (out_channels, in_channels, 3, 3) into the kernel's layout:
/// 16 * out_channels * in_channels floats. `transpose_flip` = 1 packs the transposed convolution
/// instead (the input gradient: channels swapped, taps rotated 180 degrees), as `thaw_conv3x3_pack`.
/// Writes register tiles [first_block, first_block + blocks) of the packed convolution's output
/// channels (`thaw_winograd_rows(isa)` each), so workers can share the job.
void thaw_winograd_pack(const float *weight, int out_channels, int in_channels, int transpose_flip, int isa,
                        int first_block, int blocks, float *packed);

/// y = conv3x3(x) over tiles [first_tile, first_tile + count) of the batch, each part of the
/// epilogue optional (NULL / 0): y·scale[o] + shift[o] + residual, then max(·, 0) if `relu`.
/// `x` and `y` point at channel 0 of image 0; `residual` has y's shape and strides.
void thaw_winograd_tiles(const float *x, long x_channel_stride, int in_channels, int h, int w, long first_tile,
                         long count, const float *packed, int out_channels, float *y, long y_channel_stride,
                         const float *scale, const float *shift, const float *residual, int relu, int isa,
                         int chunk_tiles, float *scratch);

#endif

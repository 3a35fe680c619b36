#ifndef THAW_IM2COL_H
#define THAW_IM2COL_H

/// im2col / col2im for the convolutions the direct kernels do not cover (1x1 stride 2, 7x7 stems,
/// every shape on CPUs without AVX2), over the engine's channel-major (C, N, H, W) planes.
///
/// Column matrix of a block of `images` images and output rows [row0, row0 + rows):
/// col[(c*kh + i)*kw + j][n*rows*W' + (y - row0)*W' + ow] = x[c, n, y*sh - ph + i, ow*sw - pw + j]
/// (0 outside the plane). Row tiles let one image's matrix (a 7x7 stem's is 147 x H'W') be lowered
/// an L2-sized panel at a time.

/// One convolution's sizes (`channels` = input channels, the column matrix's rows / (kh*kw)).
typedef struct {
    int channels, in_h, in_w, kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w, out_h, out_w;
} thaw_conv_shape;

/// Writes the column matrix of images x + n*image_stride (n < images), channel planes
/// `channel_stride` apart, output rows [row0, row0 + rows), into `col` (fully overwritten).
void thaw_im2col(const float *x, long channel_stride, long image_stride, const thaw_conv_shape *s, int images,
                 int row0, int rows, float *col);

/// The adjoint of `thaw_im2col`: adds the columns into dx's planes (laid out as x's).
void thaw_col2im_add(const float *col, const thaw_conv_shape *s, int images, int row0, int rows, float *dx,
                     long channel_stride, long image_stride);

/// A 1x1 unpadded convolution's col2im: every element of the dx rows this tile owns (input rows
/// [row0*sh, (row0+rows)*sh), the last tile also those below) is written once (the column value where
/// the convolution reads, 0 elsewhere), so dx needs no zeroing first.
void thaw_col2im_pointwise_set(const float *col, const thaw_conv_shape *s, int images, int row0, int rows, float *dx,
                               long channel_stride, long image_stride);

#endif

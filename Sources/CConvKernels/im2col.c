#include <string.h>

#include "im2col.h"

// im2col / col2im over channel-major (C, N, H, W) planes for a block of images and a range of
// output rows (see Sources/Tensor/Im2col.swift for the column layout). Plain C: the row copies are
// contiguous (stride 1) or stride-2 gathers and scatters, which the compiler vectorizes with shuffles.

/// Output columns [*lo, *hi) of a row whose taps stay inside the input row for kernel column j.
static inline void valid_columns(int j, int pad_w, int stride_w, int in_w, int out_w, int *lo, int *hi) {
    int l = (pad_w - j + stride_w - 1) / stride_w;
    if (l < 0) l = 0;
    if (l > out_w) l = out_w;
    int h = (in_w + pad_w - j + stride_w - 1) / stride_w;
    if (h > out_w) h = out_w;
    if (h < l) h = l;
    *lo = l; *hi = h;
}

static inline void gather_row(float *dst, const float *src, int lo, int hi, int stride) {
    if (stride == 1) {
        for (int q = lo; q < hi; q++) dst[q] = src[q];
    } else if (stride == 2) {
        for (int q = lo; q < hi; q++) dst[q] = src[2 * q];
    } else {
        for (int q = lo; q < hi; q++) dst[q] = src[(long)q * stride];
    }
}

void thaw_im2col(const float *x, long channel_stride, long image_stride, const thaw_conv_shape *s, int images,
                 int row0, int rows, float *col) {
    const int ow = s->out_w;
    const long tile = (long)rows * ow, ld = (long)images * tile;
    for (int c = 0; c < s->channels; c++) {
        for (int i = 0; i < s->kernel_h; i++) {
            for (int j = 0; j < s->kernel_w; j++) {
                float *row = col + ((long)(c * s->kernel_h + i) * s->kernel_w + j) * ld;
                int lo, hi;
                valid_columns(j, s->pad_w, s->stride_w, s->in_w, ow, &lo, &hi);
                for (int n = 0; n < images; n++) {
                    const float *plane = x + c * channel_stride + n * image_stride;
                    for (int y = 0; y < rows; y++) {
                        float *dst = row + n * tile + (long)y * ow;
                        const int ih = (row0 + y) * s->stride_h - s->pad_h + i;
                        if (ih < 0 || ih >= s->in_h || lo >= hi) {
                            memset(dst, 0, sizeof(float) * ow);
                            continue;
                        }
                        for (int q = 0; q < lo; q++) dst[q] = 0;
                        for (int q = hi; q < ow; q++) dst[q] = 0;
                        gather_row(dst, plane + (long)ih * s->in_w - s->pad_w + j, lo, hi, s->stride_w);
                    }
                }
            }
        }
    }
}

void thaw_col2im_add(const float *col, const thaw_conv_shape *s, int images, int row0, int rows, float *dx,
                     long channel_stride, long image_stride) {
    const int ow = s->out_w;
    const long tile = (long)rows * ow, ld = (long)images * tile;
    for (int c = 0; c < s->channels; c++) {
        for (int i = 0; i < s->kernel_h; i++) {
            for (int j = 0; j < s->kernel_w; j++) {
                const float *row = col + ((long)(c * s->kernel_h + i) * s->kernel_w + j) * ld;
                int lo, hi;
                valid_columns(j, s->pad_w, s->stride_w, s->in_w, ow, &lo, &hi);
                for (int n = 0; n < images; n++) {
                    float *plane = dx + c * channel_stride + n * image_stride;
                    for (int y = 0; y < rows; y++) {
                        const int ih = (row0 + y) * s->stride_h - s->pad_h + i;
                        if (ih < 0 || ih >= s->in_h) continue;
                        const float *src = row + n * tile + (long)y * ow;
                        float *dst = plane + (long)ih * s->in_w - s->pad_w + j;
                        if (s->stride_w == 1) {
                            for (int q = lo; q < hi; q++) dst[q] += src[q];
                        } else if (s->stride_w == 2) {
                            for (int q = lo; q < hi; q++) dst[2 * q] += src[q];
                        } else {
                            for (int q = lo; q < hi; q++) dst[(long)q * s->stride_w] += src[q];
                        }
                    }
                }
            }
        }
    }
}

void thaw_col2im_pointwise_set(const float *col, const thaw_conv_shape *s, int images, int row0, int rows, float *dx,
                               long channel_stride, long image_stride) {
    const int ow = s->out_w, sh = s->stride_h, sw = s->stride_w;
    const long tile = (long)rows * ow, ld = (long)images * tile;
    // This tile owns input rows [row0*sh, (row0+rows)*sh), the last tile also the rows below the
    // last output row's: every dx row is written by exactly one tile.
    const int first = row0 * sh, last = row0 + rows >= s->out_h ? s->in_h : (row0 + rows) * sh;
    for (int c = 0; c < s->channels; c++) {
        for (int n = 0; n < images; n++) {
            const float *src = col + c * ld + n * tile;
            float *plane = dx + c * channel_stride + n * image_stride;
            for (int ih = first; ih < last; ih++) {
                float *dst = plane + (long)ih * s->in_w;
                const int y = ih / sh;
                if (ih % sh != 0 || y >= s->out_h) {
                    memset(dst, 0, sizeof(float) * s->in_w);
                    continue;
                }
                const float *r = src + (long)(y - row0) * ow;
                int iw = 0;
                if (sw == 2) {
                    // Pairs (value, 0): the even columns take the output row, the odd ones are zero.
                    for (int q = 0; q < ow && 2 * q + 1 < s->in_w; q++, iw += 2) { dst[2 * q] = r[q]; dst[2 * q + 1] = 0; }
                }
                for (; iw < s->in_w; iw++) dst[iw] = (iw % sw == 0 && iw / sw < ow) ? r[iw / sw] : 0;
            }
        }
    }
}

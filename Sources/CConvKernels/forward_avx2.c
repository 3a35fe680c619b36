#include "kernels.h"

// The AVX2 + FMA forward tiles (unmasked layout: taps that wrap read copies with a zeroed column).

#if defined(__x86_64__)

THAW_AVX2 static inline void store_row(float *dst, __m256 v, int valid) {
    if (valid >= LANES) {
        _mm256_storeu_ps(dst, v);
    } else if (valid > 0) {
        _mm256_maskstore_ps(dst, _mm256_loadu_si256((const __m256i *)(mask_table + 8 - valid)), v);
    }
}


#define LOAD2(P) x0 = _mm256_loadu_ps(P); x1 = _mm256_loadu_ps((P) + 8);
#define ROW2(R, W)                                                                   \
    b = _mm256_broadcast_ss(W);                                                      \
    a##R##0 = _mm256_fmadd_ps(b, x0, a##R##0);                                       \
    a##R##1 = _mm256_fmadd_ps(b, x1, a##R##1);
#define TAP2(P, T) LOAD2(P) ROW2(0, w + (T) * 4) ROW2(1, w + (T) * 4 + 1) ROW2(2, w + (T) * 4 + 2) ROW2(3, w + (T) * 4 + 3)

/// 4 output channels x 16 positions from `p`, `valid` of them stored: 8 accumulators, so the
/// loads and broadcasts have registers to spare (12 accumulators spilled on AVX2's 16 registers).
THAW_AVX2 static void tile_wide(const float *in, long channel_floats, const taps *tp, int channels,
                                const float *w, float *y, long ys, long p, int valid) {
    __m256 a00 = _mm256_setzero_ps(), a01 = a00, a10 = a00, a11 = a00;
    __m256 a20 = a00, a21 = a00, a30 = a00, a31 = a00;
    __m256 x0, x1, b;
    const long r0 = tp->row[0], r1 = tp->row[1], r2 = tp->row[2];
    const float *c0 = in + p + tp->col[0], *c1 = in + p + tp->col[1], *c2 = in + p + tp->col[2];
    for (int c = 0; c < channels; c++) {
        TAP2(c0 + r0, 0) TAP2(c1 + r0, 1) TAP2(c2 + r0, 2)
        TAP2(c0 + r1, 3) TAP2(c1 + r1, 4) TAP2(c2 + r1, 5)
        TAP2(c0 + r2, 6) TAP2(c1 + r2, 7) TAP2(c2 + r2, 8)
        c0 += channel_floats; c1 += channel_floats; c2 += channel_floats; w += 9 * ROWS;
    }
    y += p;
    store_row(y, a00, valid); store_row(y + 8, a01, valid - 8); y += ys;
    store_row(y, a10, valid); store_row(y + 8, a11, valid - 8); y += ys;
    store_row(y, a20, valid); store_row(y + 8, a21, valid - 8); y += ys;
    store_row(y, a30, valid); store_row(y + 8, a31, valid - 8);
}

#define ROW1(R, W) a##R = _mm256_fmadd_ps(_mm256_broadcast_ss(W), x0, a##R);
#define TAP1(P, T) x0 = _mm256_loadu_ps(P); ROW1(0, w + (T) * 4) ROW1(1, w + (T) * 4 + 1) ROW1(2, w + (T) * 4 + 2) ROW1(3, w + (T) * 4 + 3)

/// 4 output channels x 8 positions: the end of a plane.
THAW_AVX2 static void tile_narrow(const float *in, long channel_floats, const taps *tp, int channels,
                                  const float *w, float *y, long ys, long p, int valid) {
    __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0, x0;
    const long r0 = tp->row[0], r1 = tp->row[1], r2 = tp->row[2];
    const float *c0 = in + p + tp->col[0], *c1 = in + p + tp->col[1], *c2 = in + p + tp->col[2];
    for (int c = 0; c < channels; c++) {
        TAP1(c0 + r0, 0) TAP1(c1 + r0, 1) TAP1(c2 + r0, 2)
        TAP1(c0 + r1, 3) TAP1(c1 + r1, 4) TAP1(c2 + r1, 5)
        TAP1(c0 + r2, 6) TAP1(c1 + r2, 7) TAP1(c2 + r2, 8)
        c0 += channel_floats; c1 += channel_floats; c2 += channel_floats; w += 9 * ROWS;
    }
    y += p;
    store_row(y, a0, valid); store_row(y + ys, a1, valid); store_row(y + 2 * ys, a2, valid); store_row(y + 3 * ys, a3, valid);
}

THAW_AVX2 void conv3x3_forward_avx2(const float *scratch, const layout *l, const taps *tp, int in_channels,
                                   const float *packed, int out_channels, float *y, long y_channel_stride) {
    const long positions = (long)l->out_h * l->out_w, channel_floats = (long)l->planes * l->length;
    // Position tiles outside, output channels inside: a tile's input rows stay in L1 while every
    // block of 4 output channels reads them (the weights, <= 37 KiB for 64x64, stay in L2).
    const long wblock = (long)in_channels * 9 * ROWS, yblock = (long)ROWS * y_channel_stride;
    long p = 0;
    // Wide tiles while more than one narrow one remains, then a narrow one.
    for (; positions - p > LANES; p += TILE) {
        long left = positions - p;
        for (int ob = 0; ob < out_channels / ROWS; ob++)
            tile_wide(scratch, channel_floats, tp, in_channels, packed + ob * wblock, y + ob * yblock,
                      y_channel_stride, p, left < TILE ? (int)left : TILE);
    }
    for (; p < positions; p += LANES) {
        long left = positions - p;
        for (int ob = 0; ob < out_channels / ROWS; ob++)
            tile_narrow(scratch, channel_floats, tp, in_channels, packed + ob * wblock, y + ob * yblock,
                        y_channel_stride, p, left < LANES ? (int)left : LANES);
    }
}

#endif

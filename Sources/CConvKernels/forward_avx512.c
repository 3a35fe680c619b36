#include "kernels.h"

// The AVX-512 forward tiles (masked layout: taps that would wrap into the next row load with a
// lane mask).

#if defined(__x86_64__)

#define Z_LOAD2(P) z0 = _mm512_loadu_ps(P); z1 = _mm512_loadu_ps((P) + 16);
#define Z_LOAD2M(P, M0, M1) z0 = _mm512_maskz_loadu_ps(M0, P); z1 = _mm512_maskz_loadu_ps(M1, (P) + 16);
#define Z_ROW2(R, W)                                                                 \
    zb = _mm512_set1_ps(*(W));                                                       \
    a##R##0 = _mm512_fmadd_ps(zb, z0, a##R##0);                                      \
    a##R##1 = _mm512_fmadd_ps(zb, z1, a##R##1);
#define Z_ROWS2(T) Z_ROW2(0, w + (T) * 8) Z_ROW2(1, w + (T) * 8 + 1) Z_ROW2(2, w + (T) * 8 + 2) \
    Z_ROW2(3, w + (T) * 8 + 3) Z_ROW2(4, w + (T) * 8 + 4) Z_ROW2(5, w + (T) * 8 + 5) Z_ROW2(6, w + (T) * 8 + 6) \
    Z_ROW2(7, w + (T) * 8 + 7)
#define Z_TAP2L(P, T) Z_LOAD2M(P, ml0, ml1) Z_ROWS2(T)
#define Z_TAP2R(P, T) Z_LOAD2M(P, mr0, mr1) Z_ROWS2(T)
#define Z_TAP2(P, T) Z_LOAD2(P) Z_ROW2(0, w + (T) * 8) Z_ROW2(1, w + (T) * 8 + 1) Z_ROW2(2, w + (T) * 8 + 2) \
    Z_ROW2(3, w + (T) * 8 + 3) Z_ROW2(4, w + (T) * 8 + 4) Z_ROW2(5, w + (T) * 8 + 5) Z_ROW2(6, w + (T) * 8 + 6) \
    Z_ROW2(7, w + (T) * 8 + 7)

/// 8 output channels x 32 positions from `p`: 16 accumulators of AVX-512's 32 registers.
THAW_AVX512 static void tile512_wide(const float *in, long channel_floats, const taps *tp, int channels,
                                     const float *w, float *y, long ys, long p, int valid,
                                     const uint16_t *lm, const uint16_t *rm) {
    const __mmask16 ml0 = lm[0], ml1 = lm[1], mr0 = rm[0], mr1 = rm[1];
    __m512 a00 = _mm512_setzero_ps(), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00, a31 = a00;
    __m512 a40 = a00, a41 = a00, a50 = a00, a51 = a00, a60 = a00, a61 = a00, a70 = a00, a71 = a00;
    __m512 z0, z1, zb;
    const long r0 = tp->row[0], r1 = tp->row[1], r2 = tp->row[2];
    const float *c0 = in + p + tp->col[0], *c1 = in + p + tp->col[1], *c2 = in + p + tp->col[2];
    for (int c = 0; c < channels; c++) {
        Z_TAP2L(c0 + r0, 0) Z_TAP2(c1 + r0, 1) Z_TAP2R(c2 + r0, 2)
        Z_TAP2L(c0 + r1, 3) Z_TAP2(c1 + r1, 4) Z_TAP2R(c2 + r1, 5)
        Z_TAP2L(c0 + r2, 6) Z_TAP2(c1 + r2, 7) Z_TAP2R(c2 + r2, 8)
        c0 += channel_floats; c1 += channel_floats; c2 += channel_floats; w += 9 * ROWS512;
    }
    const __mmask16 m0 = first_lanes(valid), m1 = first_lanes(valid - 16);
    y += p;
#define Z_STORE2(R) _mm512_mask_storeu_ps(y, m0, a##R##0); _mm512_mask_storeu_ps(y + 16, m1, a##R##1); y += ys;
    Z_STORE2(0) Z_STORE2(1) Z_STORE2(2) Z_STORE2(3) Z_STORE2(4) Z_STORE2(5) Z_STORE2(6) Z_STORE2(7)
#undef Z_STORE2
}

#define Z_ROW1(R, W) a##R = _mm512_fmadd_ps(_mm512_set1_ps(*(W)), z0, a##R);
#define Z_ROWS1(T) Z_ROW1(0, w + (T) * 8) Z_ROW1(1, w + (T) * 8 + 1) \
    Z_ROW1(2, w + (T) * 8 + 2) Z_ROW1(3, w + (T) * 8 + 3) Z_ROW1(4, w + (T) * 8 + 4) Z_ROW1(5, w + (T) * 8 + 5) \
    Z_ROW1(6, w + (T) * 8 + 6) Z_ROW1(7, w + (T) * 8 + 7)
#define Z_TAP1L(P, T) z0 = _mm512_maskz_loadu_ps(ml, P); Z_ROWS1(T)
#define Z_TAP1R(P, T) z0 = _mm512_maskz_loadu_ps(mr, P); Z_ROWS1(T)
#define Z_TAP1(P, T) z0 = _mm512_loadu_ps(P); Z_ROW1(0, w + (T) * 8) Z_ROW1(1, w + (T) * 8 + 1) \
    Z_ROW1(2, w + (T) * 8 + 2) Z_ROW1(3, w + (T) * 8 + 3) Z_ROW1(4, w + (T) * 8 + 4) Z_ROW1(5, w + (T) * 8 + 5) \
    Z_ROW1(6, w + (T) * 8 + 6) Z_ROW1(7, w + (T) * 8 + 7)

/// 8 output channels x 16 positions.
THAW_AVX512 static void tile512_mid(const float *in, long channel_floats, const taps *tp, int channels,
                                    const float *w, float *y, long ys, long p, int valid,
                                    const uint16_t *lm, const uint16_t *rm) {
    const __mmask16 ml = lm[0], mr = rm[0];
    __m512 a0 = _mm512_setzero_ps(), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0, z0;
    const long r0 = tp->row[0], r1 = tp->row[1], r2 = tp->row[2];
    const float *c0 = in + p + tp->col[0], *c1 = in + p + tp->col[1], *c2 = in + p + tp->col[2];
    for (int c = 0; c < channels; c++) {
        Z_TAP1L(c0 + r0, 0) Z_TAP1(c1 + r0, 1) Z_TAP1R(c2 + r0, 2)
        Z_TAP1L(c0 + r1, 3) Z_TAP1(c1 + r1, 4) Z_TAP1R(c2 + r1, 5)
        Z_TAP1L(c0 + r2, 6) Z_TAP1(c1 + r2, 7) Z_TAP1R(c2 + r2, 8)
        c0 += channel_floats; c1 += channel_floats; c2 += channel_floats; w += 9 * ROWS512;
    }
    const __mmask16 m = first_lanes(valid);
    y += p;
    _mm512_mask_storeu_ps(y, m, a0); _mm512_mask_storeu_ps(y + ys, m, a1);
    _mm512_mask_storeu_ps(y + 2 * ys, m, a2); _mm512_mask_storeu_ps(y + 3 * ys, m, a3);
    _mm512_mask_storeu_ps(y + 4 * ys, m, a4); _mm512_mask_storeu_ps(y + 5 * ys, m, a5);
    _mm512_mask_storeu_ps(y + 6 * ys, m, a6); _mm512_mask_storeu_ps(y + 7 * ys, m, a7);
}

#define Y_ROW1(R, W) a##R = _mm256_fmadd_ps(_mm256_broadcast_ss(W), x0, a##R);
#define Y_ROWS1(T) Y_ROW1(0, w + (T) * 8) Y_ROW1(1, w + (T) * 8 + 1) \
    Y_ROW1(2, w + (T) * 8 + 2) Y_ROW1(3, w + (T) * 8 + 3) Y_ROW1(4, w + (T) * 8 + 4) Y_ROW1(5, w + (T) * 8 + 5) \
    Y_ROW1(6, w + (T) * 8 + 6) Y_ROW1(7, w + (T) * 8 + 7)
#define Y_TAP1L(P, T) x0 = _mm256_maskz_loadu_ps(ml, P); Y_ROWS1(T)
#define Y_TAP1R(P, T) x0 = _mm256_maskz_loadu_ps(mr, P); Y_ROWS1(T)
#define Y_TAP1(P, T) x0 = _mm256_loadu_ps(P); Y_ROW1(0, w + (T) * 8) Y_ROW1(1, w + (T) * 8 + 1) \
    Y_ROW1(2, w + (T) * 8 + 2) Y_ROW1(3, w + (T) * 8 + 3) Y_ROW1(4, w + (T) * 8 + 4) Y_ROW1(5, w + (T) * 8 + 5) \
    Y_ROW1(6, w + (T) * 8 + 6) Y_ROW1(7, w + (T) * 8 + 7)

/// 8 output channels x 8 positions: the last few positions of a plane.
THAW_AVX512 static void tile512_narrow(const float *in, long channel_floats, const taps *tp, int channels,
                                       const float *w, float *y, long ys, long p, int valid,
                                       const uint16_t *lm, const uint16_t *rm) {
    const __mmask8 ml = (__mmask8)lm[0], mr = (__mmask8)rm[0];
    __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0, x0;
    const long r0 = tp->row[0], r1 = tp->row[1], r2 = tp->row[2];
    const float *c0 = in + p + tp->col[0], *c1 = in + p + tp->col[1], *c2 = in + p + tp->col[2];
    for (int c = 0; c < channels; c++) {
        Y_TAP1L(c0 + r0, 0) Y_TAP1(c1 + r0, 1) Y_TAP1R(c2 + r0, 2)
        Y_TAP1L(c0 + r1, 3) Y_TAP1(c1 + r1, 4) Y_TAP1R(c2 + r1, 5)
        Y_TAP1L(c0 + r2, 6) Y_TAP1(c1 + r2, 7) Y_TAP1R(c2 + r2, 8)
        c0 += channel_floats; c1 += channel_floats; c2 += channel_floats; w += 9 * ROWS512;
    }
    const __mmask8 m = (__mmask8)first_lanes(valid < 8 ? valid : 8);
    y += p;
    _mm256_mask_storeu_ps(y, m, a0); _mm256_mask_storeu_ps(y + ys, m, a1);
    _mm256_mask_storeu_ps(y + 2 * ys, m, a2); _mm256_mask_storeu_ps(y + 3 * ys, m, a3);
    _mm256_mask_storeu_ps(y + 4 * ys, m, a4); _mm256_mask_storeu_ps(y + 5 * ys, m, a5);
    _mm256_mask_storeu_ps(y + 6 * ys, m, a6); _mm256_mask_storeu_ps(y + 7 * ys, m, a7);
}

THAW_AVX512 void conv3x3_forward_avx512(const float *scratch, const layout *l, const taps *tp, int in_channels,
                                       const float *packed, int out_channels, float *y, long y_channel_stride,
                                       const uint16_t *lm, const uint16_t *rm) {
    const long positions = (long)l->out_h * l->out_w, channel_floats = (long)l->planes * l->length;
    const long wblock = (long)in_channels * 9 * ROWS512, yblock = (long)ROWS512 * y_channel_stride;
    const int blocks = out_channels / ROWS512;
    long p = 0;
    // 32-position tiles, then 16, then one 8-position tile for what is left (a 7x7 plane computes
    // 56 positions, not 64).
    for (; positions - p >= TILE512; p += TILE512)
        for (int ob = 0; ob < blocks; ob++)
            tile512_wide(scratch, channel_floats, tp, in_channels, packed + ob * wblock, y + ob * yblock,
                         y_channel_stride, p, TILE512, lm + p / 16, rm + p / 16);
    for (; positions - p > LANES; p += 16)
        for (int ob = 0; ob < blocks; ob++)
            tile512_mid(scratch, channel_floats, tp, in_channels, packed + ob * wblock, y + ob * yblock,
                        y_channel_stride, p, (int)(positions - p), lm + p / 16, rm + p / 16);
    if (p < positions)
        for (int ob = 0; ob < blocks; ob++)
            tile512_narrow(scratch, channel_floats, tp, in_channels, packed + ob * wblock, y + ob * yblock,
                           y_channel_stride, p, (int)(positions - p), lm + p / 16, rm + p / 16);
}

#endif

#include "kernels.h"

// The weight gradient: x planes against dY, partial sums in vector lanes.

#if defined(__x86_64__)

/// dW for `rows` (1-3) output channels x 1 input channel x 9 taps over `g` images (masked layout):
/// 9·rows accumulators (27 of AVX-512's 32 registers for 3 rows), each a vector of partial sums over
/// positions, reduced once at the end; every tap load feeds `rows` multiply-adds. Always inlined
/// with a constant `rows`, so the loops over rows and taps unroll and the accumulators stay in
/// registers.
THAW_AVX512 static inline __attribute__((always_inline)) void weight_gradient_rows(
    const int rows, const float *planes, long image_floats, const long *off, int g, long positions,
    const uint16_t *lm, const uint16_t *rm, const float *const *dy, long dy_image_stride, float *const *dw) {
    __m512 acc[3][9];
    for (int r = 0; r < rows; r++)
        for (int t = 0; t < 9; t++) acc[r][t] = _mm512_setzero_ps();
    for (int i = 0; i < g; i++) {
        const float *xp = planes + i * image_floats;
        for (long p = 0, k = 0; p < positions; p += 16, k++) {
            // Past the last position dY reads as zero, so whatever the taps read there adds nothing.
            const __mmask16 m = first_lanes((int)(positions - p < 16 ? positions - p : 16));
            const __mmask16 tap_mask[3] = { lm[k], (__mmask16)0xFFFF, rm[k] };  // by dx: wrap-free lanes
            __m512 d[3];
            for (int r = 0; r < rows; r++) d[r] = _mm512_maskz_loadu_ps(m, dy[r] + i * dy_image_stride + p);
            for (int t = 0; t < 9; t++) {
                const __m512 xv = _mm512_maskz_loadu_ps(tap_mask[t % 3], xp + off[t] + p);
                for (int r = 0; r < rows; r++) acc[r][t] = _mm512_fmadd_ps(d[r], xv, acc[r][t]);
            }
        }
    }
    for (int r = 0; r < rows; r++)
        for (int t = 0; t < 9; t++) dw[r][t] += _mm512_reduce_add_ps(acc[r][t]);
}

THAW_AVX512 static void weight_gradient_rows3(const float *planes, long image_floats, const long *off, int g,
                                              long positions, const uint16_t *lm, const uint16_t *rm,
                                              const float *const *dy, long dy_image_stride, float *const *dw) {
    weight_gradient_rows(3, planes, image_floats, off, g, positions, lm, rm, dy, dy_image_stride, dw);
}

THAW_AVX512 static void weight_gradient_rows2(const float *planes, long image_floats, const long *off, int g,
                                              long positions, const uint16_t *lm, const uint16_t *rm,
                                              const float *const *dy, long dy_image_stride, float *const *dw) {
    weight_gradient_rows(2, planes, image_floats, off, g, positions, lm, rm, dy, dy_image_stride, dw);
}

THAW_AVX512 static void weight_gradient_rows1(const float *planes, long image_floats, const long *off, int g,
                                              long positions, const uint16_t *lm, const uint16_t *rm,
                                              const float *const *dy, long dy_image_stride, float *const *dw) {
    weight_gradient_rows(1, planes, image_floats, off, g, positions, lm, rm, dy, dy_image_stride, dw);
}

#define H_TAP(T, OFF) a##T = _mm256_fmadd_ps(d0, _mm256_loadu_ps(xp + (OFF) + p), a##T);

THAW_AVX2 static inline float hsum256(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

/// AVX2: 1 output channel x 1 input channel x 9 taps (9 accumulators of 16 registers).
THAW_AVX2 static void weight_gradient_one(const float *planes, long image_floats, const long *off, int g,
                                          long positions, const float *dy0, long dy_image_stride, float *dw0) {
    __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0, a8 = a0;
    const long o0 = off[0], o1 = off[1], o2 = off[2], o3 = off[3], o4 = off[4], o5 = off[5], o6 = off[6], o7 = off[7], o8 = off[8];
    for (int i = 0; i < g; i++) {
        const float *xp = planes + i * image_floats, *e0 = dy0 + i * dy_image_stride;
        for (long p = 0; p < positions; p += 8) {
            const long left = positions - p;
            const __m256 d0 = left >= 8 ? _mm256_loadu_ps(e0 + p)
                : _mm256_maskload_ps(e0 + p, _mm256_loadu_si256((const __m256i *)(mask_table + 8 - left)));
            H_TAP(0, o0) H_TAP(1, o1) H_TAP(2, o2) H_TAP(3, o3) H_TAP(4, o4) H_TAP(5, o5) H_TAP(6, o6) H_TAP(7, o7) H_TAP(8, o8)
        }
    }
    dw0[0] += hsum256(a0); dw0[1] += hsum256(a1); dw0[2] += hsum256(a2); dw0[3] += hsum256(a3); dw0[4] += hsum256(a4);
    dw0[5] += hsum256(a5); dw0[6] += hsum256(a6); dw0[7] += hsum256(a7); dw0[8] += hsum256(a8);
}

#endif

long thaw_conv3x3_weight_gradient_scratch_floats(int in_channels, int in_h, int in_w, int stride) {
    layout l = conv3x3_layout(in_h, in_w, stride, 0);  // the unmasked layout is the larger
    return (long)conv3x3_gradient_group(&l) * in_channels * l.planes * l.length + conv3x3_mask_floats(&l);
}

void thaw_conv3x3_weight_gradient(const float *x, long x_channel_stride, long x_image_stride, int in_channels,
                                  int in_h, int in_w, int stride, const float *dy, long dy_channel_stride,
                                  long dy_image_stride, int out_channels, int images, int isa, float *dweight,
                                  float *scratch) {
    memset(dweight, 0, sizeof(float) * (size_t)out_channels * in_channels * 9);
#if defined(__x86_64__)
    layout l = conv3x3_layout(in_h, in_w, stride, isa == 2);
    const long positions = (long)l.out_h * l.out_w, channel_floats = (long)l.planes * l.length;
    const long image_floats = channel_floats * in_channels;
    const int group = conv3x3_gradient_group(&l);
    // The masks live after the largest group of planes the scratch was sized for.
    uint16_t *lm = (uint16_t *)(scratch + group * image_floats), *rm = lm + (positions + 15) / 16 + 1;
    if (isa == 2) conv3x3_column_masks(&l, stride, lm, rm);
    for (int n0 = 0; n0 < images; n0 += group) {
        const int g = images - n0 < group ? images - n0 : group;
        for (int i = 0; i < g; i++)
            conv3x3_fill_planes(x + (n0 + i) * x_image_stride, x_channel_stride, in_channels, in_h, in_w, stride, &l,
                        scratch + i * image_floats);
        const float *dyn = dy + n0 * dy_image_stride;
        for (int c = 0; c < in_channels; c++) {
            const float *planes = scratch + c * channel_floats;
            if (isa == 2) {
                // Triples, then pairs for what is left: 16 = 4 x 3 + 2 x 2 (a single row would load
                // each tap for one multiply-add).
                const float *dy_rows[3];
                float *dw_rows[3];
                for (int o = 0; o < out_channels;) {
                    const int left = out_channels - o;
                    const int rows = left == 4 || left == 2 ? 2 : left >= 3 ? 3 : 1;
                    for (int r = 0; r < rows; r++) {
                        dy_rows[r] = dyn + (o + r) * dy_channel_stride;
                        dw_rows[r] = dweight + ((long)(o + r) * in_channels + c) * 9;
                    }
                    if (rows == 3)
                        weight_gradient_rows3(planes, image_floats, l.tap_offset, g, positions, lm, rm, dy_rows, dy_image_stride, dw_rows);
                    else if (rows == 2)
                        weight_gradient_rows2(planes, image_floats, l.tap_offset, g, positions, lm, rm, dy_rows, dy_image_stride, dw_rows);
                    else
                        weight_gradient_rows1(planes, image_floats, l.tap_offset, g, positions, lm, rm, dy_rows, dy_image_stride, dw_rows);
                    o += rows;
                }
            } else {
                for (int o = 0; o < out_channels; o++)
                    weight_gradient_one(planes, image_floats, l.tap_offset, g, positions, dyn + o * dy_channel_stride,
                                        dy_image_stride, dweight + ((long)o * in_channels + c) * 9);
            }
        }
    }
#else
    (void)x; (void)x_channel_stride; (void)x_image_stride; (void)in_channels; (void)in_h; (void)in_w; (void)stride;
    (void)dy; (void)dy_channel_stride; (void)dy_image_stride; (void)out_channels; (void)images; (void)isa; (void)scratch;
#endif
}

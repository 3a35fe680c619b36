#include "kernels.h"

// The weight gradient: x planes against dY, partial sums in vector lanes.

#if defined(__x86_64__)

/// dW for R output channels x 1 input channel x 9 taps over `g` images (masked layout): 9R
/// accumulators (27 of AVX-512's 32 registers for R = 3), each a vector of partial sums over
/// positions, reduced once at the end. Generated for R = 1, 2, 3: every tap load feeds R multiply-adds.
THAW_AVX512 static void weight_gradient_rows3(const float *planes, long image_floats, const long *off, int g,
        long positions, const uint16_t *lm, const uint16_t *rm, const float *dy0, const float *dy1, const float *dy2, long dy_image_stride, float *dw0, float *dw1, float *dw2) {
    __m512 a00 = _mm512_setzero_ps(), a01 = _mm512_setzero_ps(), a02 = _mm512_setzero_ps(), a03 = _mm512_setzero_ps(), a04 = _mm512_setzero_ps(), a05 = _mm512_setzero_ps(), a06 = _mm512_setzero_ps(), a07 = _mm512_setzero_ps(), a08 = _mm512_setzero_ps(), a10 = _mm512_setzero_ps(), a11 = _mm512_setzero_ps(), a12 = _mm512_setzero_ps(), a13 = _mm512_setzero_ps(), a14 = _mm512_setzero_ps(), a15 = _mm512_setzero_ps(), a16 = _mm512_setzero_ps(), a17 = _mm512_setzero_ps(), a18 = _mm512_setzero_ps(), a20 = _mm512_setzero_ps(), a21 = _mm512_setzero_ps(), a22 = _mm512_setzero_ps(), a23 = _mm512_setzero_ps(), a24 = _mm512_setzero_ps(), a25 = _mm512_setzero_ps(), a26 = _mm512_setzero_ps(), a27 = _mm512_setzero_ps(), a28 = _mm512_setzero_ps();
    const long o0 = off[0], o1 = off[1], o2 = off[2], o3 = off[3], o4 = off[4], o5 = off[5], o6 = off[6], o7 = off[7], o8 = off[8];
    for (int i = 0; i < g; i++) {
        const float *xp = planes + i * image_floats;
        const float *e0 = dy0 + i * dy_image_stride;
        const float *e1 = dy1 + i * dy_image_stride;
        const float *e2 = dy2 + i * dy_image_stride;
        for (long p = 0, k = 0; p < positions; p += 16, k++) {
            // Past the last position dY reads as zero, so whatever the taps read there adds nothing.
            const __mmask16 m = first_lanes((int)(positions - p < 16 ? positions - p : 16));
            const __mmask16 ml = lm[k], mr = rm[k];
            const __m512 d0 = _mm512_maskz_loadu_ps(m, e0 + p);
            const __m512 d1 = _mm512_maskz_loadu_ps(m, e1 + p);
            const __m512 d2 = _mm512_maskz_loadu_ps(m, e2 + p);
            __m512 xv;
            xv = _mm512_maskz_loadu_ps(ml, xp + o0 + p); a00 = _mm512_fmadd_ps(d0, xv, a00); a10 = _mm512_fmadd_ps(d1, xv, a10); a20 = _mm512_fmadd_ps(d2, xv, a20);
            xv = _mm512_loadu_ps(xp + o1 + p); a01 = _mm512_fmadd_ps(d0, xv, a01); a11 = _mm512_fmadd_ps(d1, xv, a11); a21 = _mm512_fmadd_ps(d2, xv, a21);
            xv = _mm512_maskz_loadu_ps(mr, xp + o2 + p); a02 = _mm512_fmadd_ps(d0, xv, a02); a12 = _mm512_fmadd_ps(d1, xv, a12); a22 = _mm512_fmadd_ps(d2, xv, a22);
            xv = _mm512_maskz_loadu_ps(ml, xp + o3 + p); a03 = _mm512_fmadd_ps(d0, xv, a03); a13 = _mm512_fmadd_ps(d1, xv, a13); a23 = _mm512_fmadd_ps(d2, xv, a23);
            xv = _mm512_loadu_ps(xp + o4 + p); a04 = _mm512_fmadd_ps(d0, xv, a04); a14 = _mm512_fmadd_ps(d1, xv, a14); a24 = _mm512_fmadd_ps(d2, xv, a24);
            xv = _mm512_maskz_loadu_ps(mr, xp + o5 + p); a05 = _mm512_fmadd_ps(d0, xv, a05); a15 = _mm512_fmadd_ps(d1, xv, a15); a25 = _mm512_fmadd_ps(d2, xv, a25);
            xv = _mm512_maskz_loadu_ps(ml, xp + o6 + p); a06 = _mm512_fmadd_ps(d0, xv, a06); a16 = _mm512_fmadd_ps(d1, xv, a16); a26 = _mm512_fmadd_ps(d2, xv, a26);
            xv = _mm512_loadu_ps(xp + o7 + p); a07 = _mm512_fmadd_ps(d0, xv, a07); a17 = _mm512_fmadd_ps(d1, xv, a17); a27 = _mm512_fmadd_ps(d2, xv, a27);
            xv = _mm512_maskz_loadu_ps(mr, xp + o8 + p); a08 = _mm512_fmadd_ps(d0, xv, a08); a18 = _mm512_fmadd_ps(d1, xv, a18); a28 = _mm512_fmadd_ps(d2, xv, a28);
        }
    }
    dw0[0] += _mm512_reduce_add_ps(a00); dw0[1] += _mm512_reduce_add_ps(a01); dw0[2] += _mm512_reduce_add_ps(a02); dw0[3] += _mm512_reduce_add_ps(a03); dw0[4] += _mm512_reduce_add_ps(a04); dw0[5] += _mm512_reduce_add_ps(a05); dw0[6] += _mm512_reduce_add_ps(a06); dw0[7] += _mm512_reduce_add_ps(a07); dw0[8] += _mm512_reduce_add_ps(a08);
    dw1[0] += _mm512_reduce_add_ps(a10); dw1[1] += _mm512_reduce_add_ps(a11); dw1[2] += _mm512_reduce_add_ps(a12); dw1[3] += _mm512_reduce_add_ps(a13); dw1[4] += _mm512_reduce_add_ps(a14); dw1[5] += _mm512_reduce_add_ps(a15); dw1[6] += _mm512_reduce_add_ps(a16); dw1[7] += _mm512_reduce_add_ps(a17); dw1[8] += _mm512_reduce_add_ps(a18);
    dw2[0] += _mm512_reduce_add_ps(a20); dw2[1] += _mm512_reduce_add_ps(a21); dw2[2] += _mm512_reduce_add_ps(a22); dw2[3] += _mm512_reduce_add_ps(a23); dw2[4] += _mm512_reduce_add_ps(a24); dw2[5] += _mm512_reduce_add_ps(a25); dw2[6] += _mm512_reduce_add_ps(a26); dw2[7] += _mm512_reduce_add_ps(a27); dw2[8] += _mm512_reduce_add_ps(a28);
}

THAW_AVX512 static void weight_gradient_rows2(const float *planes, long image_floats, const long *off, int g,
        long positions, const uint16_t *lm, const uint16_t *rm, const float *dy0, const float *dy1, long dy_image_stride, float *dw0, float *dw1) {
    __m512 a00 = _mm512_setzero_ps(), a01 = _mm512_setzero_ps(), a02 = _mm512_setzero_ps(), a03 = _mm512_setzero_ps(), a04 = _mm512_setzero_ps(), a05 = _mm512_setzero_ps(), a06 = _mm512_setzero_ps(), a07 = _mm512_setzero_ps(), a08 = _mm512_setzero_ps(), a10 = _mm512_setzero_ps(), a11 = _mm512_setzero_ps(), a12 = _mm512_setzero_ps(), a13 = _mm512_setzero_ps(), a14 = _mm512_setzero_ps(), a15 = _mm512_setzero_ps(), a16 = _mm512_setzero_ps(), a17 = _mm512_setzero_ps(), a18 = _mm512_setzero_ps();
    const long o0 = off[0], o1 = off[1], o2 = off[2], o3 = off[3], o4 = off[4], o5 = off[5], o6 = off[6], o7 = off[7], o8 = off[8];
    for (int i = 0; i < g; i++) {
        const float *xp = planes + i * image_floats;
        const float *e0 = dy0 + i * dy_image_stride;
        const float *e1 = dy1 + i * dy_image_stride;
        for (long p = 0, k = 0; p < positions; p += 16, k++) {
            // Past the last position dY reads as zero, so whatever the taps read there adds nothing.
            const __mmask16 m = first_lanes((int)(positions - p < 16 ? positions - p : 16));
            const __mmask16 ml = lm[k], mr = rm[k];
            const __m512 d0 = _mm512_maskz_loadu_ps(m, e0 + p);
            const __m512 d1 = _mm512_maskz_loadu_ps(m, e1 + p);
            __m512 xv;
            xv = _mm512_maskz_loadu_ps(ml, xp + o0 + p); a00 = _mm512_fmadd_ps(d0, xv, a00); a10 = _mm512_fmadd_ps(d1, xv, a10);
            xv = _mm512_loadu_ps(xp + o1 + p); a01 = _mm512_fmadd_ps(d0, xv, a01); a11 = _mm512_fmadd_ps(d1, xv, a11);
            xv = _mm512_maskz_loadu_ps(mr, xp + o2 + p); a02 = _mm512_fmadd_ps(d0, xv, a02); a12 = _mm512_fmadd_ps(d1, xv, a12);
            xv = _mm512_maskz_loadu_ps(ml, xp + o3 + p); a03 = _mm512_fmadd_ps(d0, xv, a03); a13 = _mm512_fmadd_ps(d1, xv, a13);
            xv = _mm512_loadu_ps(xp + o4 + p); a04 = _mm512_fmadd_ps(d0, xv, a04); a14 = _mm512_fmadd_ps(d1, xv, a14);
            xv = _mm512_maskz_loadu_ps(mr, xp + o5 + p); a05 = _mm512_fmadd_ps(d0, xv, a05); a15 = _mm512_fmadd_ps(d1, xv, a15);
            xv = _mm512_maskz_loadu_ps(ml, xp + o6 + p); a06 = _mm512_fmadd_ps(d0, xv, a06); a16 = _mm512_fmadd_ps(d1, xv, a16);
            xv = _mm512_loadu_ps(xp + o7 + p); a07 = _mm512_fmadd_ps(d0, xv, a07); a17 = _mm512_fmadd_ps(d1, xv, a17);
            xv = _mm512_maskz_loadu_ps(mr, xp + o8 + p); a08 = _mm512_fmadd_ps(d0, xv, a08); a18 = _mm512_fmadd_ps(d1, xv, a18);
        }
    }
    dw0[0] += _mm512_reduce_add_ps(a00); dw0[1] += _mm512_reduce_add_ps(a01); dw0[2] += _mm512_reduce_add_ps(a02); dw0[3] += _mm512_reduce_add_ps(a03); dw0[4] += _mm512_reduce_add_ps(a04); dw0[5] += _mm512_reduce_add_ps(a05); dw0[6] += _mm512_reduce_add_ps(a06); dw0[7] += _mm512_reduce_add_ps(a07); dw0[8] += _mm512_reduce_add_ps(a08);
    dw1[0] += _mm512_reduce_add_ps(a10); dw1[1] += _mm512_reduce_add_ps(a11); dw1[2] += _mm512_reduce_add_ps(a12); dw1[3] += _mm512_reduce_add_ps(a13); dw1[4] += _mm512_reduce_add_ps(a14); dw1[5] += _mm512_reduce_add_ps(a15); dw1[6] += _mm512_reduce_add_ps(a16); dw1[7] += _mm512_reduce_add_ps(a17); dw1[8] += _mm512_reduce_add_ps(a18);
}

THAW_AVX512 static void weight_gradient_rows1(const float *planes, long image_floats, const long *off, int g,
        long positions, const uint16_t *lm, const uint16_t *rm, const float *dy0, long dy_image_stride, float *dw0) {
    __m512 a00 = _mm512_setzero_ps(), a01 = _mm512_setzero_ps(), a02 = _mm512_setzero_ps(), a03 = _mm512_setzero_ps(), a04 = _mm512_setzero_ps(), a05 = _mm512_setzero_ps(), a06 = _mm512_setzero_ps(), a07 = _mm512_setzero_ps(), a08 = _mm512_setzero_ps();
    const long o0 = off[0], o1 = off[1], o2 = off[2], o3 = off[3], o4 = off[4], o5 = off[5], o6 = off[6], o7 = off[7], o8 = off[8];
    for (int i = 0; i < g; i++) {
        const float *xp = planes + i * image_floats;
        const float *e0 = dy0 + i * dy_image_stride;
        for (long p = 0, k = 0; p < positions; p += 16, k++) {
            // Past the last position dY reads as zero, so whatever the taps read there adds nothing.
            const __mmask16 m = first_lanes((int)(positions - p < 16 ? positions - p : 16));
            const __mmask16 ml = lm[k], mr = rm[k];
            const __m512 d0 = _mm512_maskz_loadu_ps(m, e0 + p);
            __m512 xv;
            xv = _mm512_maskz_loadu_ps(ml, xp + o0 + p); a00 = _mm512_fmadd_ps(d0, xv, a00);
            xv = _mm512_loadu_ps(xp + o1 + p); a01 = _mm512_fmadd_ps(d0, xv, a01);
            xv = _mm512_maskz_loadu_ps(mr, xp + o2 + p); a02 = _mm512_fmadd_ps(d0, xv, a02);
            xv = _mm512_maskz_loadu_ps(ml, xp + o3 + p); a03 = _mm512_fmadd_ps(d0, xv, a03);
            xv = _mm512_loadu_ps(xp + o4 + p); a04 = _mm512_fmadd_ps(d0, xv, a04);
            xv = _mm512_maskz_loadu_ps(mr, xp + o5 + p); a05 = _mm512_fmadd_ps(d0, xv, a05);
            xv = _mm512_maskz_loadu_ps(ml, xp + o6 + p); a06 = _mm512_fmadd_ps(d0, xv, a06);
            xv = _mm512_loadu_ps(xp + o7 + p); a07 = _mm512_fmadd_ps(d0, xv, a07);
            xv = _mm512_maskz_loadu_ps(mr, xp + o8 + p); a08 = _mm512_fmadd_ps(d0, xv, a08);
        }
    }
    dw0[0] += _mm512_reduce_add_ps(a00); dw0[1] += _mm512_reduce_add_ps(a01); dw0[2] += _mm512_reduce_add_ps(a02); dw0[3] += _mm512_reduce_add_ps(a03); dw0[4] += _mm512_reduce_add_ps(a04); dw0[5] += _mm512_reduce_add_ps(a05); dw0[6] += _mm512_reduce_add_ps(a06); dw0[7] += _mm512_reduce_add_ps(a07); dw0[8] += _mm512_reduce_add_ps(a08);
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
#define DW(o) dweight + ((long)(o) * in_channels + c) * 9
#define DY(o) dyn + (o) * dy_channel_stride
                // Triples, then pairs for what is left: 16 = 4 x 3 + 2 x 2 (a single row would load
                // each tap for one multiply-add).
                int o = 0;
                const int triples = out_channels % 3 == 1 && out_channels >= 4 ? (out_channels - 4) / 3 : out_channels / 3;
                for (; o < 3 * triples; o += 3)
                    weight_gradient_rows3(planes, image_floats, l.tap_offset, g, positions, lm, rm, DY(o), DY(o + 1), DY(o + 2),
                                          dy_image_stride, DW(o), DW(o + 1), DW(o + 2));
                for (; out_channels - o >= 2; o += 2)
                    weight_gradient_rows2(planes, image_floats, l.tap_offset, g, positions, lm, rm, DY(o), DY(o + 1),
                                          dy_image_stride, DW(o), DW(o + 1));
                if (out_channels - o == 1)
                    weight_gradient_rows1(planes, image_floats, l.tap_offset, g, positions, lm, rm, DY(o), dy_image_stride, DW(o));
#undef DW
#undef DY
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

#include "kernels.h"

#if defined(__x86_64__)

/// Input gradient of a stride-2 layer, AVX-512: output row i = 2i'+pi of dX takes dY row i' through
/// the tap dy = 1 (pi = 0) or rows i'+1 and i' through taps dy = 0 and 2 (pi = 1); columns likewise.
/// Each of the four phases (pi, pj) is a small convolution of dY with 1, 2 or 4 of the 9 taps, all
/// offsets >= 0 in dY's grid; a tile is 8 dX channels x 16 positions of that grid, each tap loaded
/// under its lane mask (the taps one column right: no lane that would wrap into the next row).
/// Phases go to a buffer, then interleave into dX.
THAW_AVX512 static void s2_phase_tile(const float *in, long channel_floats, int channels, const long *offsets,
                                      const __mmask16 *tap_masks, int taps, const float *w, float *out,
                                      long out_stride, long p, int valid) {
    __m512 a0 = _mm512_setzero_ps(), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
    const float *src = in + p;
    for (int c = 0; c < channels; c++, src += channel_floats) {
        for (int t = 0; t < taps; t++, w += 8) {
            const __m512 z = _mm512_maskz_loadu_ps(tap_masks[t], src + offsets[t]);
            a0 = _mm512_fmadd_ps(_mm512_set1_ps(w[0]), z, a0); a1 = _mm512_fmadd_ps(_mm512_set1_ps(w[1]), z, a1);
            a2 = _mm512_fmadd_ps(_mm512_set1_ps(w[2]), z, a2); a3 = _mm512_fmadd_ps(_mm512_set1_ps(w[3]), z, a3);
            a4 = _mm512_fmadd_ps(_mm512_set1_ps(w[4]), z, a4); a5 = _mm512_fmadd_ps(_mm512_set1_ps(w[5]), z, a5);
            a6 = _mm512_fmadd_ps(_mm512_set1_ps(w[6]), z, a6); a7 = _mm512_fmadd_ps(_mm512_set1_ps(w[7]), z, a7);
        }
    }
    const __mmask16 m = first_lanes(valid);
    out += p;
    _mm512_mask_storeu_ps(out, m, a0); _mm512_mask_storeu_ps(out + out_stride, m, a1);
    _mm512_mask_storeu_ps(out + 2 * out_stride, m, a2); _mm512_mask_storeu_ps(out + 3 * out_stride, m, a3);
    _mm512_mask_storeu_ps(out + 4 * out_stride, m, a4); _mm512_mask_storeu_ps(out + 5 * out_stride, m, a5);
    _mm512_mask_storeu_ps(out + 6 * out_stride, m, a6); _mm512_mask_storeu_ps(out + 7 * out_stride, m, a7);
}

#endif

/// Taps of each phase (pi, pj) of a stride-2 input gradient, in the order the phase kernels use:
/// rows dy = 1 (pi 0) or dy = 0, 2 (pi 1), times columns likewise.
static int phase_taps(int pi, int pj, int *dys, int *dxs) {
    int rows[2], cols[2], nr = 0, nc = 0;
    if (pi == 0) rows[nr++] = 1; else { rows[nr++] = 0; rows[nr++] = 2; }
    if (pj == 0) cols[nc++] = 1; else { cols[nc++] = 0; cols[nc++] = 2; }
    int n = 0;
    for (int a = 0; a < nr; a++)
        for (int b = 0; b < nc; b++) { dys[n] = rows[a]; dxs[n] = cols[b]; n++; }
    return n;
}

void thaw_conv3x3_s2_pack(const float *weight, int out_channels, int in_channels, float *packed) {
    // Per phase: [c / 8][o][tap][c % 8] (the phase kernel's rows are dX channels c).
    for (int ph = 0; ph < 4; ph++) {
        int dys[4], dxs[4];
        const int n = phase_taps(ph / 2, ph % 2, dys, dxs);
        for (int c = 0; c < in_channels; c++)
            for (int o = 0; o < out_channels; o++)
                for (int t = 0; t < n; t++)
                    packed[(((long)(c / 8) * out_channels + o) * n + t) * 8 + c % 8] =
                        weight[(((long)o * in_channels + c) * 3 + dys[t]) * 3 + dxs[t]];
        packed += (long)in_channels * out_channels * n;
    }
}

long thaw_conv3x3_s2_input_gradient_scratch_floats(int out_channels, int in_channels, int in_h, int in_w) {
    const int ho = (in_h - 1) / 2 + 1, wo = (in_w - 1) / 2 + 1;
    layout l = conv3x3_layout(ho, wo, 1, 1);
    const long grid = (long)ho * wo + 16;
    return (long)out_channels * l.planes * l.length + (long)in_channels * 4 * grid;
}

void thaw_conv3x3_s2_input_gradient_image(const float *dy, long dy_channel_stride, int out_channels, int in_h,
                                          int in_w, const float *packed, int in_channels, float *dx,
                                          long dx_channel_stride, const float *masks, float *scratch) {
#if defined(__x86_64__)
    const int ho = (in_h - 1) / 2 + 1, wo = (in_w - 1) / 2 + 1;
    layout l = conv3x3_layout(ho, wo, 1, 1);  // dY's planes, read at offsets 0 / +1 row / +1 column
    conv3x3_fill_planes(dy, dy_channel_stride, out_channels, ho, wo, 1, &l, scratch);
    const uint16_t *rm = (const uint16_t *)masks + ((long)ho * wo + 15) / 16 + 1;
    const long positions = (long)ho * wo, grid = positions + 16, channel_floats = (long)l.planes * l.length;
    float *phases = scratch + (long)out_channels * l.planes * l.length;  // [c][phase][grid]
    const float *in = scratch + l.lead;
    const float *w = packed;
    for (int ph = 0; ph < 4; ph++) {
        int dys[4], dxs[4];
        const int n = phase_taps(ph / 2, ph % 2, dys, dxs);
        const long wblock = (long)out_channels * n * 8;
        long offsets[4];
        for (int t = 0; t < n; t++) offsets[t] = (dys[t] == 0 ? wo : 0) + (dxs[t] == 0 ? 1 : 0);  // dY row/column +1
        for (long p = 0; p < positions; p += 16) {
            const int valid = positions - p < 16 ? (int)(positions - p) : 16;
            __mmask16 tap_masks[4];
            for (int t = 0; t < n; t++) tap_masks[t] = dxs[t] == 0 ? rm[p / 16] : (__mmask16)0xFFFF;
            for (int cb = 0; cb < in_channels / 8; cb++)
                s2_phase_tile(in, channel_floats, out_channels, offsets, tap_masks, n, w + cb * wblock,
                              phases + ((long)cb * 8 * 4 + ph) * grid, 4 * grid, p, valid);
        }
        w += (long)in_channels * out_channels * n;
    }
    // Interleave: dX row i, column j is phase (i % 2, j % 2) at (i / 2, j / 2).
    for (int c = 0; c < in_channels; c++) {
        const float *src = phases + (long)c * 4 * grid;
        float *dst = dx + c * dx_channel_stride;
        for (int i = 0; i < in_h; i++) {
            const float *even = src + (long)((i % 2) * 2) * grid + (long)(i / 2) * wo, *odd = even + grid;
            float *row = dst + (long)i * in_w;
            int j = 0;
            for (; j + 1 < in_w; j += 2) {
                row[j] = even[j / 2];
                row[j + 1] = odd[j / 2];
            }
            if (j < in_w) row[j] = even[j / 2];
        }
    }
#else
    (void)dy; (void)dy_channel_stride; (void)out_channels; (void)in_h; (void)in_w; (void)packed;
    (void)in_channels; (void)dx; (void)dx_channel_stride; (void)masks; (void)scratch;
#endif
}

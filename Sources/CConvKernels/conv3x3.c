#include "conv3x3.h"

#include <stdint.h>
#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>
#define THAW_AVX2 __attribute__((target("avx2,fma")))
#endif

/// AVX2 tiles: 4 output channels x 16 (or 8) positions. AVX-512 tiles: 8 output channels x 32, 16
/// or 8 positions. SLACK covers the widest tile's reads past a plane's last position.
enum { LANES = 8, TILE = 16, ROWS = 4, ROWS512 = 8, TILE512 = 32, SLACK = 32 };

int thaw_conv3x3_isa(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma")) return 0;
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") ? 2 : 1;
#else
    return 0;
#endif
}

int thaw_conv3x3_rows(int isa) { return isa == 2 ? ROWS512 : ROWS; }

/// The padded planes of one input channel: `planes` planes of `length` floats, each with `lead`
/// zeros before output position 0 (so the taps one row up / one column left stay inside) and a
/// zero tail (taps one row down, plus a partial tile's reads past the end).
///
/// `masked` layouts (the AVX-512 kernels) drop the copies with a zeroed column: their kernels load
/// the taps that would wrap into the neighbouring row with a lane mask instead (`column_masks`),
/// so stride 1 copies each plane once instead of three times and stride 2 builds 4 planes, not 6.
typedef struct {
    int out_h, out_w, planes, masked;
    long lead, length;
    long tap_offset[9]; /// from a channel's first plane + lead, per tap (dy*3 + dx)
} layout;

static layout make_layout(int in_h, int in_w, int stride, int masked) {
    layout l;
    l.out_h = (in_h - 1) / stride + 1;
    l.out_w = (in_w - 1) / stride + 1;
    l.masked = masked;
    l.planes = stride == 1 ? (masked ? 1 : 3) : (masked ? 4 : 6);
    l.lead = l.out_w + 1;
    l.length = l.lead + (long)l.out_h * l.out_w + l.out_w + 1 + SLACK;
    for (int dy = 0; dy < 3; dy++) {
        for (int dx = 0; dx < 3; dx++) {
            int plane, oy, ox;
            if (stride == 1) {
                // Plane dx: the input with column W-1 zeroed (dx 0), as is (dx 1), column 0 zeroed
                // (dx 2): a flat shift by -1/+1 then reads zero where it wraps into the next row.
                plane = masked ? 0 : dx; oy = dy - 1; ox = dx - 1;
            } else {
                // Polyphase: plane (py, v) holds rows 2y'+py and, for v 0, columns 2x'; for v 1 and 2
                // columns 2x'+1 (v 2 with its last column zeroed, read one column left).
                int py = dy == 1 ? 0 : 1, v = dx == 1 ? 0 : (dx == 2 || masked ? 1 : 2);
                plane = py * (masked ? 2 : 3) + v; oy = dy == 0 ? -1 : 0; ox = dx == 0 ? -1 : 0;
            }
            l.tap_offset[dy * 3 + dx] = plane * l.length + l.lead + (long)oy * l.out_w + ox;
        }
    }
    return l;
}

/// Floats after the planes that hold the column masks (two 16-bit masks per 16 positions).
static long mask_floats(const layout *l) { return ((long)l->out_h * l->out_w + 15) / 16 + 2; }

long thaw_conv3x3_scratch_floats(int in_channels, int in_h, int in_w, int stride) {
    layout l = make_layout(in_h, in_w, stride, 0);  // the unmasked layout is the larger
    return (long)in_channels * l.planes * l.length + mask_floats(&l);
}

void thaw_conv3x3_pack(const float *weight, int out_channels, int in_channels, int transpose_flip,
                       int rows, float *packed) {
    // Kernel layout: [o / rows][c][tap][o % rows], so a tile's weights per (c, tap) are adjacent.
    int ko = transpose_flip ? in_channels : out_channels, kc = transpose_flip ? out_channels : in_channels;
    for (int o = 0; o < ko; o++) {
        for (int c = 0; c < kc; c++) {
            for (int t = 0; t < 9; t++) {
                float v = transpose_flip ? weight[((long)c * in_channels + o) * 9 + (8 - t)]
                                         : weight[((long)o * in_channels + c) * 9 + t];
                packed[(((long)(o / rows) * kc + c) * 9 + t) * rows + o % rows] = v;
            }
        }
    }
}

#if defined(__x86_64__)
THAW_AVX2
#endif
static void fill_planes(const float *x, long x_channel_stride, int channels, int in_h, int in_w,
                        int stride, const layout *l, float *scratch) {
    const int ow = l->out_w, plane = l->out_h * l->out_w;
    for (int c = 0; c < channels; c++) {
        const float *src = x + c * x_channel_stride;
        float *base = scratch + (long)c * l->planes * l->length;
        for (int k = 0; k < l->planes; k++) {
            float *p = base + k * l->length;
            memset(p, 0, sizeof(float) * l->lead);
            memset(p + l->lead + plane, 0, sizeof(float) * (l->length - l->lead - plane));
        }
        if (stride == 1 && l->masked) {
            memcpy(base + l->lead, src, sizeof(float) * plane);
        } else if (stride == 1) {
            float *left = base + l->lead, *mid = left + l->length, *right = mid + l->length;
            memcpy(mid, src, sizeof(float) * plane);
            memcpy(left, src, sizeof(float) * plane);
            memcpy(right, src, sizeof(float) * plane);
            for (int y = 0; y < l->out_h; y++) {
                left[y * ow + ow - 1] = 0;
                right[y * ow] = 0;
            }
        } else {
            const int per_phase = l->masked ? 2 : 3;
            for (int py = 0; py < 2; py++) {
                float *even = base + (py * per_phase) * l->length + l->lead, *odd = even + l->length;
                float *oddMasked = l->masked ? 0 : odd + l->length;
                for (int y = 0; y < l->out_h; y++) {
                    int iy = 2 * y + py;
                    float *e = even + y * ow, *o = odd + y * ow, *m = oddMasked ? oddMasked + y * ow : 0;
                    if (iy >= in_h) {
                        memset(e, 0, sizeof(float) * ow);
                        memset(o, 0, sizeof(float) * ow);
                        if (m) memset(m, 0, sizeof(float) * ow);
                        continue;
                    }
                    const float *row = src + (long)iy * in_w;
                    const int pairs = in_w / 2;  // columns 2x and 2x+1 both inside the row
                    for (int x = 0; x < pairs; x++) {
                        e[x] = row[2 * x];
                        o[x] = row[2 * x + 1];
                    }
                    if (pairs < ow) {  // odd width: the last even column has no odd partner
                        e[pairs] = row[2 * pairs];
                        o[pairs] = 0;
                    }
                    if (m) {
                        memcpy(m, o, sizeof(float) * ow);
                        m[ow - 1] = 0;
                    }
                }
            }
        }
    }
}

/// For a masked layout, per 16 output positions: bit j of left[k] is set when position 16k+j is not
/// in column 0 (its tap one column left stays in the row); right[k] likewise for the last column
/// (all ones for stride 2, whose right-hand taps read the odd plane at the same column).
static void column_masks(const layout *l, int stride, uint16_t *left, uint16_t *right) {
    const long positions = (long)l->out_h * l->out_w, vectors = (positions + 15) / 16 + 1;
    long x = 0;
    for (long k = 0; k < vectors; k++) {
        unsigned lm = 0, rm = 0;
        for (int j = 0; j < 16; j++) {
            if (x != 0) lm |= 1u << j;
            if (stride != 1 || x != l->out_w - 1) rm |= 1u << j;
            if (++x == l->out_w) x = 0;
        }
        left[k] = (uint16_t)lm;
        right[k] = (uint16_t)rm;
    }
}

#if defined(__x86_64__)

/// Partial-vector store masks: `mask_table + 8 - n` selects the first n lanes.
static const int mask_table[16] = { -1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0 };

THAW_AVX2 static inline void store_row(float *dst, __m256 v, int valid) {
    if (valid >= LANES) {
        _mm256_storeu_ps(dst, v);
    } else if (valid > 0) {
        _mm256_maskstore_ps(dst, _mm256_loadu_si256((const __m256i *)(mask_table + 8 - valid)), v);
    }
}

/// Tap offsets split into a row part and a column part (offset = row[dy] + col[dx]) so the inner
/// loop addresses every tap as one of 3 column pointers plus one of 3 row offsets.
typedef struct { long row[3], col[3]; } taps;

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

THAW_AVX2 static void compute_avx2(const float *scratch, const layout *l, const taps *tp, int in_channels,
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


#define THAW_AVX512 __attribute__((target("avx2,fma,avx512f,avx512vl")))

THAW_AVX512 static inline __mmask16 first_lanes(int valid) {
    return valid >= 16 ? (__mmask16)0xFFFF : valid <= 0 ? (__mmask16)0 : (__mmask16)((1u << valid) - 1);
}

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

THAW_AVX512 static void compute_avx512(const float *scratch, const layout *l, const taps *tp, int in_channels,
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


/// Images whose planes one weight-gradient pass keeps at once: enough positions (>= ~1024) that the
/// horizontal sums at the end of a pass are a small part of it, few enough to stay in L2.
static int gradient_group(const layout *l) {
    long g = 1024 / ((long)l->out_h * l->out_w);
    return g < 1 ? 1 : g > 8 ? 8 : (int)g;
}

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

/// Input gradient of a stride-2 layer, AVX-512: output row i = 2i'+pi of dX takes dY row i' through
/// the tap dy = 1 (pi = 0) or rows i'+1 and i' through taps dy = 0 and 2 (pi = 1); columns likewise.
/// Each of the four phases (pi, pj) is a small convolution of dY with 1, 2 or 4 of the 9 taps, all
/// offsets >= 0 in dY's grid; a tile is 8 dX channels x 16 positions of that grid, the taps one
/// column right masked where they would wrap. Phases go to a buffer, then interleave into dX.
THAW_AVX512 static void s2_phase00(const float *in, long channel_floats, int channels, long wo,
                                    const float *w, float *out, long out_stride, long p, int valid, __mmask16 mr) {
    __m512 a0 = _mm512_setzero_ps(), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0, z0;
    const long f0 = 0 * wo + 0;  /* dy 1, dx 1 */
    const float *src = in + p;
    for (int c = 0; c < channels; c++, src += channel_floats, w += 1 * 8) {
        z0 = _mm512_loadu_ps(src + f0); a0 = _mm512_fmadd_ps(_mm512_set1_ps(w[0 * 8 + 0]), z0, a0); a1 = _mm512_fmadd_ps(_mm512_set1_ps(w[0 * 8 + 1]), z0, a1); a2 = _mm512_fmadd_ps(_mm512_set1_ps(w[0 * 8 + 2]), z0, a2); a3 = _mm512_fmadd_ps(_mm512_set1_ps(w[0 * 8 + 3]), z0, a3); a4 = _mm512_fmadd_ps(_mm512_set1_ps(w[0 * 8 + 4]), z0, a4); a5 = _mm512_fmadd_ps(_mm512_set1_ps(w[0 * 8 + 5]), z0, a5); a6 = _mm512_fmadd_ps(_mm512_set1_ps(w[0 * 8 + 6]), z0, a6); a7 = _mm512_fmadd_ps(_mm512_set1_ps(w[0 * 8 + 7]), z0, a7);
    }
    const __mmask16 m = first_lanes(valid);
    out += p;
    _mm512_mask_storeu_ps(out + 0 * out_stride, m, a0); _mm512_mask_storeu_ps(out + 1 * out_stride, m, a1); _mm512_mask_storeu_ps(out + 2 * out_stride, m, a2); _mm512_mask_storeu_ps(out + 3 * out_stride, m, a3); _mm512_mask_storeu_ps(out + 4 * out_stride, m, a4); _mm512_mask_storeu_ps(out + 5 * out_stride, m, a5); _mm512_mask_storeu_ps(out + 6 * out_stride, m, a6); _mm512_mask_storeu_ps(out + 7 * out_stride, m, a7);
}

THAW_AVX512 static void s2_phase01(const float *in, long channel_floats, int channels, long wo,
                                    const float *w, float *out, long out_stride, long p, int valid, __mmask16 mr) {
    __m512 a0 = _mm512_setzero_ps(), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0, z0;
    const long f0 = 0 * wo + 1;  /* dy 1, dx 0 */
    const long f1 = 0 * wo + 0;  /* dy 1, dx 2 */
    const float *src = in + p;
    for (int c = 0; c < channels; c++, src += channel_floats, w += 2 * 8) {
        z0 = _mm512_maskz_loadu_ps(mr, src + f0); a0 = _mm512_fmadd_ps(_mm512_set1_ps(w[0 * 8 + 0]), z0, a0); a1 = _mm512_fmadd_ps(_mm512_set1_ps(w[0 * 8 + 1]), z0, a1); a2 = _mm512_fmadd_ps(_mm512_set1_ps(w[0 * 8 + 2]), z0, a2); a3 = _mm512_fmadd_ps(_mm512_set1_ps(w[0 * 8 + 3]), z0, a3); a4 = _mm512_fmadd_ps(_mm512_set1_ps(w[0 * 8 + 4]), z0, a4); a5 = _mm512_fmadd_ps(_mm512_set1_ps(w[0 * 8 + 5]), z0, a5); a6 = _mm512_fmadd_ps(_mm512_set1_ps(w[0 * 8 + 6]), z0, a6); a7 = _mm512_fmadd_ps(_mm512_set1_ps(w[0 * 8 + 7]), z0, a7);
        z0 = _mm512_loadu_ps(src + f1); a0 = _mm512_fmadd_ps(_mm512_set1_ps(w[1 * 8 + 0]), z0, a0); a1 = _mm512_fmadd_ps(_mm512_set1_ps(w[1 * 8 + 1]), z0, a1); a2 = _mm512_fmadd_ps(_mm512_set1_ps(w[1 * 8 + 2]), z0, a2); a3 = _mm512_fmadd_ps(_mm512_set1_ps(w[1 * 8 + 3]), z0, a3); a4 = _mm512_fmadd_ps(_mm512_set1_ps(w[1 * 8 + 4]), z0, a4); a5 = _mm512_fmadd_ps(_mm512_set1_ps(w[1 * 8 + 5]), z0, a5); a6 = _mm512_fmadd_ps(_mm512_set1_ps(w[1 * 8 + 6]), z0, a6); a7 = _mm512_fmadd_ps(_mm512_set1_ps(w[1 * 8 + 7]), z0, a7);
    }
    const __mmask16 m = first_lanes(valid);
    out += p;
    _mm512_mask_storeu_ps(out + 0 * out_stride, m, a0); _mm512_mask_storeu_ps(out + 1 * out_stride, m, a1); _mm512_mask_storeu_ps(out + 2 * out_stride, m, a2); _mm512_mask_storeu_ps(out + 3 * out_stride, m, a3); _mm512_mask_storeu_ps(out + 4 * out_stride, m, a4); _mm512_mask_storeu_ps(out + 5 * out_stride, m, a5); _mm512_mask_storeu_ps(out + 6 * out_stride, m, a6); _mm512_mask_storeu_ps(out + 7 * out_stride, m, a7);
}

THAW_AVX512 static void s2_phase10(const float *in, long channel_floats, int channels, long wo,
                                    const float *w, float *out, long out_stride, long p, int valid, __mmask16 mr) {
    __m512 a0 = _mm512_setzero_ps(), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0, z0;
    const long f0 = 1 * wo + 0;  /* dy 0, dx 1 */
    const long f1 = 0 * wo + 0;  /* dy 2, dx 1 */
    const float *src = in + p;
    for (int c = 0; c < channels; c++, src += channel_floats, w += 2 * 8) {
        z0 = _mm512_loadu_ps(src + f0); a0 = _mm512_fmadd_ps(_mm512_set1_ps(w[0 * 8 + 0]), z0, a0); a1 = _mm512_fmadd_ps(_mm512_set1_ps(w[0 * 8 + 1]), z0, a1); a2 = _mm512_fmadd_ps(_mm512_set1_ps(w[0 * 8 + 2]), z0, a2); a3 = _mm512_fmadd_ps(_mm512_set1_ps(w[0 * 8 + 3]), z0, a3); a4 = _mm512_fmadd_ps(_mm512_set1_ps(w[0 * 8 + 4]), z0, a4); a5 = _mm512_fmadd_ps(_mm512_set1_ps(w[0 * 8 + 5]), z0, a5); a6 = _mm512_fmadd_ps(_mm512_set1_ps(w[0 * 8 + 6]), z0, a6); a7 = _mm512_fmadd_ps(_mm512_set1_ps(w[0 * 8 + 7]), z0, a7);
        z0 = _mm512_loadu_ps(src + f1); a0 = _mm512_fmadd_ps(_mm512_set1_ps(w[1 * 8 + 0]), z0, a0); a1 = _mm512_fmadd_ps(_mm512_set1_ps(w[1 * 8 + 1]), z0, a1); a2 = _mm512_fmadd_ps(_mm512_set1_ps(w[1 * 8 + 2]), z0, a2); a3 = _mm512_fmadd_ps(_mm512_set1_ps(w[1 * 8 + 3]), z0, a3); a4 = _mm512_fmadd_ps(_mm512_set1_ps(w[1 * 8 + 4]), z0, a4); a5 = _mm512_fmadd_ps(_mm512_set1_ps(w[1 * 8 + 5]), z0, a5); a6 = _mm512_fmadd_ps(_mm512_set1_ps(w[1 * 8 + 6]), z0, a6); a7 = _mm512_fmadd_ps(_mm512_set1_ps(w[1 * 8 + 7]), z0, a7);
    }
    const __mmask16 m = first_lanes(valid);
    out += p;
    _mm512_mask_storeu_ps(out + 0 * out_stride, m, a0); _mm512_mask_storeu_ps(out + 1 * out_stride, m, a1); _mm512_mask_storeu_ps(out + 2 * out_stride, m, a2); _mm512_mask_storeu_ps(out + 3 * out_stride, m, a3); _mm512_mask_storeu_ps(out + 4 * out_stride, m, a4); _mm512_mask_storeu_ps(out + 5 * out_stride, m, a5); _mm512_mask_storeu_ps(out + 6 * out_stride, m, a6); _mm512_mask_storeu_ps(out + 7 * out_stride, m, a7);
}

THAW_AVX512 static void s2_phase11(const float *in, long channel_floats, int channels, long wo,
                                    const float *w, float *out, long out_stride, long p, int valid, __mmask16 mr) {
    __m512 a0 = _mm512_setzero_ps(), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0, z0;
    const long f0 = 1 * wo + 1;  /* dy 0, dx 0 */
    const long f1 = 1 * wo + 0;  /* dy 0, dx 2 */
    const long f2 = 0 * wo + 1;  /* dy 2, dx 0 */
    const long f3 = 0 * wo + 0;  /* dy 2, dx 2 */
    const float *src = in + p;
    for (int c = 0; c < channels; c++, src += channel_floats, w += 4 * 8) {
        z0 = _mm512_maskz_loadu_ps(mr, src + f0); a0 = _mm512_fmadd_ps(_mm512_set1_ps(w[0 * 8 + 0]), z0, a0); a1 = _mm512_fmadd_ps(_mm512_set1_ps(w[0 * 8 + 1]), z0, a1); a2 = _mm512_fmadd_ps(_mm512_set1_ps(w[0 * 8 + 2]), z0, a2); a3 = _mm512_fmadd_ps(_mm512_set1_ps(w[0 * 8 + 3]), z0, a3); a4 = _mm512_fmadd_ps(_mm512_set1_ps(w[0 * 8 + 4]), z0, a4); a5 = _mm512_fmadd_ps(_mm512_set1_ps(w[0 * 8 + 5]), z0, a5); a6 = _mm512_fmadd_ps(_mm512_set1_ps(w[0 * 8 + 6]), z0, a6); a7 = _mm512_fmadd_ps(_mm512_set1_ps(w[0 * 8 + 7]), z0, a7);
        z0 = _mm512_loadu_ps(src + f1); a0 = _mm512_fmadd_ps(_mm512_set1_ps(w[1 * 8 + 0]), z0, a0); a1 = _mm512_fmadd_ps(_mm512_set1_ps(w[1 * 8 + 1]), z0, a1); a2 = _mm512_fmadd_ps(_mm512_set1_ps(w[1 * 8 + 2]), z0, a2); a3 = _mm512_fmadd_ps(_mm512_set1_ps(w[1 * 8 + 3]), z0, a3); a4 = _mm512_fmadd_ps(_mm512_set1_ps(w[1 * 8 + 4]), z0, a4); a5 = _mm512_fmadd_ps(_mm512_set1_ps(w[1 * 8 + 5]), z0, a5); a6 = _mm512_fmadd_ps(_mm512_set1_ps(w[1 * 8 + 6]), z0, a6); a7 = _mm512_fmadd_ps(_mm512_set1_ps(w[1 * 8 + 7]), z0, a7);
        z0 = _mm512_maskz_loadu_ps(mr, src + f2); a0 = _mm512_fmadd_ps(_mm512_set1_ps(w[2 * 8 + 0]), z0, a0); a1 = _mm512_fmadd_ps(_mm512_set1_ps(w[2 * 8 + 1]), z0, a1); a2 = _mm512_fmadd_ps(_mm512_set1_ps(w[2 * 8 + 2]), z0, a2); a3 = _mm512_fmadd_ps(_mm512_set1_ps(w[2 * 8 + 3]), z0, a3); a4 = _mm512_fmadd_ps(_mm512_set1_ps(w[2 * 8 + 4]), z0, a4); a5 = _mm512_fmadd_ps(_mm512_set1_ps(w[2 * 8 + 5]), z0, a5); a6 = _mm512_fmadd_ps(_mm512_set1_ps(w[2 * 8 + 6]), z0, a6); a7 = _mm512_fmadd_ps(_mm512_set1_ps(w[2 * 8 + 7]), z0, a7);
        z0 = _mm512_loadu_ps(src + f3); a0 = _mm512_fmadd_ps(_mm512_set1_ps(w[3 * 8 + 0]), z0, a0); a1 = _mm512_fmadd_ps(_mm512_set1_ps(w[3 * 8 + 1]), z0, a1); a2 = _mm512_fmadd_ps(_mm512_set1_ps(w[3 * 8 + 2]), z0, a2); a3 = _mm512_fmadd_ps(_mm512_set1_ps(w[3 * 8 + 3]), z0, a3); a4 = _mm512_fmadd_ps(_mm512_set1_ps(w[3 * 8 + 4]), z0, a4); a5 = _mm512_fmadd_ps(_mm512_set1_ps(w[3 * 8 + 5]), z0, a5); a6 = _mm512_fmadd_ps(_mm512_set1_ps(w[3 * 8 + 6]), z0, a6); a7 = _mm512_fmadd_ps(_mm512_set1_ps(w[3 * 8 + 7]), z0, a7);
    }
    const __mmask16 m = first_lanes(valid);
    out += p;
    _mm512_mask_storeu_ps(out + 0 * out_stride, m, a0); _mm512_mask_storeu_ps(out + 1 * out_stride, m, a1); _mm512_mask_storeu_ps(out + 2 * out_stride, m, a2); _mm512_mask_storeu_ps(out + 3 * out_stride, m, a3); _mm512_mask_storeu_ps(out + 4 * out_stride, m, a4); _mm512_mask_storeu_ps(out + 5 * out_stride, m, a5); _mm512_mask_storeu_ps(out + 6 * out_stride, m, a6); _mm512_mask_storeu_ps(out + 7 * out_stride, m, a7);
}

#endif

long thaw_conv3x3_weight_gradient_scratch_floats(int in_channels, int in_h, int in_w, int stride) {
    layout l = make_layout(in_h, in_w, stride, 0);  // the unmasked layout is the larger
    return (long)gradient_group(&l) * in_channels * l.planes * l.length + mask_floats(&l);
}

void thaw_conv3x3_weight_gradient(const float *x, long x_channel_stride, long x_image_stride, int in_channels,
                                  int in_h, int in_w, int stride, const float *dy, long dy_channel_stride,
                                  long dy_image_stride, int out_channels, int images, int isa, float *dweight,
                                  float *scratch) {
    memset(dweight, 0, sizeof(float) * (size_t)out_channels * in_channels * 9);
#if defined(__x86_64__)
    layout l = make_layout(in_h, in_w, stride, isa == 2);
    const long positions = (long)l.out_h * l.out_w, channel_floats = (long)l.planes * l.length;
    const long image_floats = channel_floats * in_channels;
    const int group = gradient_group(&l);
    // The masks live after the largest group of planes the scratch was sized for.
    uint16_t *lm = (uint16_t *)(scratch + group * image_floats), *rm = lm + (positions + 15) / 16 + 1;
    if (isa == 2) column_masks(&l, stride, lm, rm);
    for (int n0 = 0; n0 < images; n0 += group) {
        const int g = images - n0 < group ? images - n0 : group;
        for (int i = 0; i < g; i++)
            fill_planes(x + (n0 + i) * x_image_stride, x_channel_stride, in_channels, in_h, in_w, stride, &l,
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


void thaw_conv3x3_image(const float *x, long x_channel_stride, int in_channels, int in_h, int in_w,
                        int stride, const float *packed, int out_channels, float *y,
                        long y_channel_stride, int isa, float *scratch) {
#if defined(__x86_64__)
    layout l = make_layout(in_h, in_w, stride, isa == 2);
    fill_planes(x, x_channel_stride, in_channels, in_h, in_w, stride, &l, scratch);
    uint16_t *lm = (uint16_t *)(scratch + (long)in_channels * l.planes * l.length);
    uint16_t *rm = lm + ((long)l.out_h * l.out_w + 15) / 16 + 1;
    if (isa == 2) column_masks(&l, stride, lm, rm);
    taps tp;
    for (int i = 0; i < 3; i++) {
        tp.row[i] = l.tap_offset[i * 3] - l.tap_offset[0];
        tp.col[i] = l.tap_offset[i];
    }
    if (isa == 2)
        compute_avx512(scratch, &l, &tp, in_channels, packed, out_channels, y, y_channel_stride, lm, rm);
    else
        compute_avx2(scratch, &l, &tp, in_channels, packed, out_channels, y, y_channel_stride);
#else
    (void)x; (void)x_channel_stride; (void)in_channels; (void)in_h; (void)in_w; (void)stride;
    (void)packed; (void)out_channels; (void)y; (void)y_channel_stride; (void)isa; (void)scratch;
#endif
}

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
    layout l = make_layout(ho, wo, 1, 1);
    const long grid = (long)ho * wo + 16;
    return (long)out_channels * l.planes * l.length + mask_floats(&l) + (long)in_channels * 4 * grid;
}

void thaw_conv3x3_s2_input_gradient_image(const float *dy, long dy_channel_stride, int out_channels, int in_h,
                                          int in_w, const float *packed, int in_channels, float *dx,
                                          long dx_channel_stride, float *scratch) {
#if defined(__x86_64__)
    const int ho = (in_h - 1) / 2 + 1, wo = (in_w - 1) / 2 + 1;
    layout l = make_layout(ho, wo, 1, 1);  // dY's planes, read at offsets 0 / +1 row / +1 column
    fill_planes(dy, dy_channel_stride, out_channels, ho, wo, 1, &l, scratch);
    uint16_t *lm = (uint16_t *)(scratch + (long)out_channels * l.planes * l.length);
    uint16_t *rm = lm + ((long)ho * wo + 15) / 16 + 1;
    column_masks(&l, 1, lm, rm);
    const long positions = (long)ho * wo, grid = positions + 16, channel_floats = (long)l.planes * l.length;
    float *phases = scratch + (long)out_channels * l.planes * l.length + mask_floats(&l);  // [c][phase][grid]
    const float *in = scratch + l.lead;
    const float *w = packed;
    for (int ph = 0; ph < 4; ph++) {
        int dys[4], dxs[4];
        const int n = phase_taps(ph / 2, ph % 2, dys, dxs);
        const long wblock = (long)out_channels * n * 8;
        for (long p = 0; p < positions; p += 16) {
            const int valid = positions - p < 16 ? (int)(positions - p) : 16;
            for (int cb = 0; cb < in_channels / 8; cb++) {
                float *out = phases + ((long)cb * 8 * 4 + ph) * grid;
                const float *wb = w + cb * wblock;
                switch (ph) {
                case 0: s2_phase00(in, channel_floats, out_channels, wo, wb, out, 4 * grid, p, valid, rm[p / 16]); break;
                case 1: s2_phase01(in, channel_floats, out_channels, wo, wb, out, 4 * grid, p, valid, rm[p / 16]); break;
                case 2: s2_phase10(in, channel_floats, out_channels, wo, wb, out, 4 * grid, p, valid, rm[p / 16]); break;
                default: s2_phase11(in, channel_floats, out_channels, wo, wb, out, 4 * grid, p, valid, rm[p / 16]); break;
                }
            }
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
    (void)in_channels; (void)dx; (void)dx_channel_stride; (void)scratch;
#endif
}

#include "kernels.h"
#include "winograd.h"

// Winograd F(2x2, 3x3): with d a 4x4 input patch and g a 3x3 filter, the 2x2 output is
//   Y = Aᵀ [(G g Gᵀ) ⊙ (Bᵀ d B)] A
// Bᵀ = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1], G = [1 0 0; ½ ½ ½; ½ -½ ½; 0 0 1],
// Aᵀ = [1 1 1 0; 0 1 -1 -1]. Summed over input channels, the element-wise product of each of the
// 16 positions ξ of the 4x4 domain is a matrix product: M[ξ] = U[ξ] (out x in) · V[ξ] (in x tiles).
//
// Layouts (R = output channels per register tile, tc = tiles per chunk):
//   packed U: [ξ][o / R][c][o % R]  — one register tile's weights per channel are adjacent;
//   V:        [ξ][c][tc]            — a register tile's positions are adjacent;
//   M:        [ξ][o % R][tc]        — one block of R output channels at a time.

/// XI: positions of the 4x4 domain. VB: the transforms' loops run in whole blocks of VB lanes.
enum { XI = 16, VB = 16, MAX_CHUNK = 256 };

int thaw_winograd_rows(int isa) { return isa == 2 ? 8 : 4; }
int thaw_winograd_tile_block(int isa) { return isa == 2 ? 32 : 16; }

int thaw_winograd_chunk_tiles(int in_channels, int isa) {
    // V of one chunk (16 * channels * tiles floats) at most 768 KiB: it is written once and read
    // once per block of output channels, so it must stay in L2 (512 KiB to 2 MiB on current x86
    // cores, shared with M and the weights), while a chunk as long as that allows amortizes each
    // block's weights over more tiles.
    const int block = thaw_winograd_tile_block(isa);
    int tiles = (196608 / XI) / (in_channels > 0 ? in_channels : 1);
    tiles = tiles / block * block;
    if (tiles < block) tiles = block;
    if (tiles > MAX_CHUNK) tiles = MAX_CHUNK;
    return tiles;
}

/// One row buffer of the transforms: a tile row's columns plus whole-block overrun.
static inline long row_stride(int w) { return w + 4L * VB; }

/// Floats of the buffers the transforms share (they never run at once): rows of one segment, and
/// Bᵀ d of every segment of a chunk (at most MAX_CHUNK tiles, each segment at least one).
static inline long row_floats(int w) {
    return 6L * row_stride(w) + 4L * (2L * MAX_CHUNK + (long)(MAX_CHUNK + 1) * (2 + 2 * VB + VB));
}

long thaw_winograd_scratch_floats(int in_channels, int w, int chunk_tiles, int isa) {
    const long rows = thaw_winograd_rows(isa);
    const long ld = chunk_tiles + VB;             // V's and M's rows, with room for whole-block overrun
    return (long)XI * in_channels * ld            // V
         + (long)XI * rows * ld                   // M of one block of output channels
         + row_floats(w)                          // the transforms' row buffers
         + row_stride(w);                         // a zero row (padding above and below)
}

void thaw_winograd_pack(const float *weight, int out_channels, int in_channels, int transpose_flip, int isa,
                        int first_block, int blocks, float *packed) {
    const int rows = thaw_winograd_rows(isa);
    const int ko = transpose_flip ? in_channels : out_channels, kc = transpose_flip ? out_channels : in_channels;
    const long xi_stride = (long)ko * kc;
    // Register tile by register tile, channel by channel: each of the 16 planes is written in order,
    // a whole register tile's row at a time (4 MiB of output for 256 x 256 channels).
    for (int ob = first_block; ob < first_block + blocks; ob++) {
        for (int c = 0; c < kc; c++) {
            for (int r = 0; r < rows; r++) {
                const int o = ob * rows + r;
                double g[3][3], t[4][3];
                for (int k = 0; k < 9; k++)
                    g[k / 3][k % 3] = transpose_flip ? weight[((long)c * in_channels + o) * 9 + (8 - k)]
                                                     : weight[((long)o * in_channels + c) * 9 + k];
                for (int j = 0; j < 3; j++) {
                    t[0][j] = g[0][j];
                    t[1][j] = 0.5 * (g[0][j] + g[1][j] + g[2][j]);
                    t[2][j] = 0.5 * (g[0][j] - g[1][j] + g[2][j]);
                    t[3][j] = g[2][j];
                }
                float *dst = packed + ((long)ob * kc + c) * rows + r;
                for (int i = 0; i < 4; i++) {
                    const double u[4] = { t[i][0], 0.5 * (t[i][0] + t[i][1] + t[i][2]),
                                          0.5 * (t[i][0] - t[i][1] + t[i][2]), t[i][2] };
                    for (int j = 0; j < 4; j++) dst[(i * 4 + j) * xi_stride] = (float)u[j];
                }
            }
        }
    }
}

/// Tiles [i, i + len) of a chunk lie in one tile row of one image: that image, row and first column.
typedef struct { long image; int ty, tx, len; } segment;

static inline segment next_segment(long tile, long left, int tiles_w, long tiles_per_image) {
    segment s;
    s.image = tile / tiles_per_image;
    const long r = tile % tiles_per_image;
    s.ty = (int)(r / tiles_w);
    s.tx = (int)(r % tiles_w);
    const long run = tiles_w - s.tx;
    s.len = (int)(run < left ? run : left);
    return s;
}

// The transforms are short loops over contiguous arrays (the stride-2 reads and writes of a tile
// row split out into their own deinterleave and interleave loops), which the compiler vectorizes
// for the ISA of the driver they are inlined into. A tile row holds few tiles (28 at 56x56), so
// every loop over the kernel's own buffers runs to a whole multiple of VB with no scalar tail:
// the buffers have room for the extra lanes, and what those compute is overwritten by the next
// segment or never read.
#define BLOCKED _Pragma("clang loop interleave_count(1)")

static inline int whole(int n) { return (n + VB - 1) / VB * VB; }

/// Bᵀ applied to four rows a, b, c, d element by element: (a - c, b + c, c - b, b - d). The input
/// transform Bᵀ d B is this twice: over the 4 input rows of a segment (Bᵀ d), then over the columns
/// of each result, where tile q's columns 2q .. 2q + 3 are even[q], odd[q], even[q+1], odd[q+1]
/// (shifted copies, not even + 1: the compiler would carry that value from one iteration to the
/// next and stay scalar).
static inline __attribute__((always_inline)) void apply_bt(
    const float *restrict a, const float *restrict b, const float *restrict c, const float *restrict d,
    float *restrict o0, float *restrict o1, float *restrict o2, float *restrict o3, int n) {
    BLOCKED for (int j = 0; j < n; j++) {
        o0[j] = a[j] - c[j];
        o1[j] = b[j] + c[j];
        o2[j] = c[j] - b[j];
        o3[j] = b[j] - d[j];
    }
}

/// Aᵀ M A for one output channel over a segment's tiles: m points at ξ = 0, the others `xs` apart.
static inline __attribute__((always_inline)) void inverse_tiles(
    const float *restrict m, long xs, float *restrict e00, float *restrict e01, float *restrict e10,
    float *restrict e11, int n) {
    BLOCKED for (int q = 0; q < n; q++) {
        const float *p = m + q;
        const float t00 = p[0] + p[4 * xs] + p[8 * xs], t01 = p[xs] + p[5 * xs] + p[9 * xs];
        const float t02 = p[2 * xs] + p[6 * xs] + p[10 * xs], t03 = p[3 * xs] + p[7 * xs] + p[11 * xs];
        const float t10 = p[4 * xs] - p[8 * xs] - p[12 * xs], t11 = p[5 * xs] - p[9 * xs] - p[13 * xs];
        const float t12 = p[6 * xs] - p[10 * xs] - p[14 * xs], t13 = p[7 * xs] - p[11 * xs] - p[15 * xs];
        e00[q] = t00 + t01 + t02;
        e01[q] = t01 - t02 - t03;
        e10[q] = t10 + t11 + t12;
        e11[q] = t11 - t12 - t13;
    }
}

/// even[q] = s[2q], odd[q] = s[2q + 1], and the same one column pair on (even1, odd1): the four
/// column inputs of `apply_bt`, each stored where it will be loaded. (Loading even + 1 right after
/// storing even straddles two stores still in flight, which the CPU cannot forward: that stall
/// cost more than the rest of the transform.)
static inline __attribute__((always_inline)) void deinterleave(const float *restrict s, const float *restrict s2,
                                                               float *restrict even, float *restrict odd,
                                                               float *restrict even1, float *restrict odd1, int n) {
    BLOCKED for (int q = 0; q < n; q++) {
        even[q] = s[2 * q]; odd[q] = s[2 * q + 1]; even1[q] = s2[2 * q]; odd1[q] = s2[2 * q + 1];
    }
}

static inline __attribute__((always_inline)) void interleave(const float *restrict even, const float *restrict odd,
                                                             float *restrict out, int n) {
    BLOCKED for (int q = 0; q < n; q++) { out[2 * q] = even[q]; out[2 * q + 1] = odd[q]; }
}

/// row = row·a + b (+ residual), then max(·, 0) if `relu`: one plain loop per case.
static inline __attribute__((always_inline)) void finish_row(float *restrict row, const float *restrict res, int n,
                                                             float a, float b, int relu) {
    if (res && relu) {
        BLOCKED for (int i = 0; i < n; i++) { const float v = row[i] * a + b + res[i]; row[i] = v < 0 ? 0 : v; }
    } else if (res) {
        BLOCKED for (int i = 0; i < n; i++) row[i] = row[i] * a + b + res[i];
    } else if (relu) {
        BLOCKED for (int i = 0; i < n; i++) { const float v = row[i] * a + b; row[i] = v < 0 ? 0 : v; }
    } else {
        BLOCKED for (int i = 0; i < n; i++) row[i] = row[i] * a + b;
    }
}

/// V = Bᵀ d B for `count` tiles from `first` (rows `ldv` apart), then zeros up to a whole register tile.
/// Channel by channel, and within a channel segment by segment, so the input is read plane by plane
/// in order (tile row after tile row), as the hardware prefetcher follows it.
static inline __attribute__((always_inline)) void input_transform(
    const float *x, long xcs, int channels, int h, int w, long first, long count, long ldv, int block,
    float *v, float *rows, const float *zeros) {
    const int tiles_w = (w + 1) / 2;
    const long tiles_per_image = (long)((h + 1) / 2) * tiles_w, xi_stride = (long)channels * ldv, rs = row_stride(w);
    const float *x_end = x + (long)channels * xcs;
    segment segments[MAX_CHUNK + 1];
    long starts[MAX_CHUNK + 1], offsets[MAX_CHUNK + 1];
    int count_segments = 0;
    offsets[0] = 0;
    for (long i = 0; i < count; count_segments++) {
        const segment sg = next_segment(first + i, count - i, tiles_w, tiles_per_image);
        segments[count_segments] = sg;
        starts[count_segments] = i;
        offsets[count_segments + 1] = offsets[count_segments] + 4L * (whole(2 * sg.len + 2) + VB);
        i += sg.len;
    }
    float *even = rows, *odd = even + rs / 2, *even1 = odd + rs / 2, *odd1 = even1 + rs / 2;
    float *combined = rows + 2 * rs;
    // The input rows the chunk reads, per image it touches: [first row, last row] of each.
    const long first_image = segments[0].image, last_image = segments[count_segments - 1].image;
    for (int c = 0; c < channels; c++) {
        const float *plane = x + (long)c * xcs;
        if (c + 1 < channels) {
            // The next channel's rows, ahead of time: its planes are a whole batch's planes apart,
            // too far for the hardware prefetcher to find them in time.
            for (long n = first_image; n <= last_image; n++) {
                const int r0 = n == first_image ? 2 * segments[0].ty - 1 : 0;
                const int r1 = n == last_image ? 2 * segments[count_segments - 1].ty + 2 : h - 1;
                const float *lo = plane + xcs + n * (long)h * w + (long)(r0 < 0 ? 0 : r0) * w;
                const float *hi = plane + xcs + n * (long)h * w + (long)(r1 >= h ? h - 1 : r1) * w + w;
                for (const float *q = lo; q < hi; q += 16) __builtin_prefetch(q);
            }
        }
        // Bᵀ d for every segment first, then (Bᵀ d) B: the second reads what the first stored
        // long after the stores have left the store buffer.
        for (int g = 0; g < count_segments; g++) {
            const segment sg = segments[g];
            const float *img = plane + sg.image * (long)h * w;
            const int y0 = 2 * sg.ty - 1, x0 = 2 * sg.tx - 1, cols = 2 * sg.len + 2;
            const long ss = whole(cols) + VB;
            float *s0 = combined + offsets[g];
            // Columns x0 .. x0 + cols - 1: only the first can be left of the plane, the last one
            // (even width) or two (odd width: the last tile's right column is past the plane too) right of it.
            const int jlo = x0 < 0 ? 1 : 0, jhi = x0 + cols > w ? w - x0 : cols;
            const float *p[4];
            int safe = 1;
            for (int k = 0; k < 4; k++) {
                const int yy = y0 + k;
                p[k] = yy >= 0 && yy < h ? img + (long)yy * w + x0 + jlo : zeros;
                // Whole blocks read a little past the columns: fine unless that is past the tensor.
                safe &= p[k] + whole(jhi - jlo) <= x_end || p[k] == zeros;
            }
            apply_bt(p[0], p[1], p[2], p[3], s0 + jlo, s0 + ss + jlo, s0 + 2 * ss + jlo, s0 + 3 * ss + jlo,
                     safe ? whole(jhi - jlo) : jhi - jlo);
            for (int k = 0; k < 4; k++) {
                if (jlo) s0[k * ss] = 0;                                       // the column left of the plane
                for (int j = jhi; j < cols; j++) s0[k * ss + j] = 0;           // the columns right of it
            }
        }
        for (int g = 0; g < count_segments; g++) {
            const segment sg = segments[g];
            const long ss = whole(2 * sg.len + 2) + VB;
            const float *s0 = combined + offsets[g];
            float *out = v + (long)c * ldv + starts[g];
            for (int k = 0; k < 4; k++) {
                deinterleave(s0 + k * ss, s0 + k * ss + 2, even, odd, even1, odd1, whole(sg.len));
                apply_bt(even, odd, even1, odd1, out + (4 * k) * xi_stride, out + (4 * k + 1) * xi_stride,
                         out + (4 * k + 2) * xi_stride, out + (4 * k + 3) * xi_stride, whole(sg.len));
            }
        }
    }
    // The last register tile's unused columns: zeros, so the products read finite values.
    const long padded = (count + block - 1) / block * block;
    if (padded > count)
        for (long r = 0; r < (long)XI * channels; r++)
            memset(v + r * ldv + count, 0, (size_t)(padded - count) * sizeof(float));
}

/// y = Aᵀ M A (M's rows `ldm` apart) for output channels o0 .. o0 + rows - 1 and the chunk's tiles,
/// then the epilogue. Each output row is assembled in a buffer of whole blocks, then copied out.
static inline __attribute__((always_inline)) void output_transform(
    const float *m, int rows, int o0, int h, int w, long first, long count, long ldm, float *y, long ycs,
    const float *scale, const float *shift, const float *residual, int relu, float *buffers) {
    const int tiles_w = (w + 1) / 2;
    const long tiles_per_image = (long)((h + 1) / 2) * tiles_w, xi_stride = (long)rows * ldm, rs = row_stride(w);
    float *e00 = buffers, *e01 = e00 + rs / 2, *e10 = e01 + rs / 2, *e11 = e10 + rs / 2;
    float *out0 = buffers + 2 * rs, *out1 = out0 + rs, *res0 = out1 + rs, *res1 = res0 + rs;
    const int plain = !scale && !residual && !relu;
    for (int r = 0; r < rows; r++) {
        const int o = o0 + r;
        const float a = scale ? scale[o] : 1, b = scale ? shift[o] : 0;
        for (long i = 0; i < count;) {
            const segment sg = next_segment(first + i, count - i, tiles_w, tiles_per_image);
            const long at = (long)o * ycs + sg.image * (long)h * w + (long)(2 * sg.ty) * w + 2 * sg.tx;
            const int n = whole(sg.len);
            // An odd plane's last tile column and row hold one output each, not two.
            const int width = 2 * sg.len < w - 2 * sg.tx ? 2 * sg.len : w - 2 * sg.tx;
            const int second_row = 2 * sg.ty + 1 < h;
            const size_t bytes = (size_t)width * sizeof(float);
            inverse_tiles(m + (long)r * ldm + i, xi_stride, e00, e01, e10, e11, n);
            interleave(e00, e01, out0, n);
            interleave(e10, e11, out1, n);
            if (!plain) {
                if (residual) {
                    memcpy(res0, residual + at, bytes);
                    if (second_row) memcpy(res1, residual + at + w, bytes);
                }
                finish_row(out0, residual ? res0 : NULL, 2 * n, a, b, relu);
                finish_row(out1, residual ? res1 : NULL, 2 * n, a, b, relu);
            }
            memcpy(y + at, out0, bytes);
            if (second_row) memcpy(y + at + w, out1, bytes);
            i += sg.len;
        }
    }
}

#if defined(__x86_64__)

/// M[r][t] = Σ_c U[c][r] V[c][t] for 8 rows and `tiles` (a multiple of 32) columns, rows of V and M
/// `ld` apart: 16 AVX-512
/// accumulators, two loads and eight broadcasts a channel.
THAW_AVX512 static void products512(const float *u, const float *v, int channels, long ld, long tiles, float *m) {
    for (long t = 0; t < tiles; t += 32) {
        __m512 a00 = _mm512_setzero_ps(), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00,
               a31 = a00, a40 = a00, a41 = a00, a50 = a00, a51 = a00, a60 = a00, a61 = a00, a70 = a00, a71 = a00;
        const float *vp = v + t, *up = u;
        for (int c = 0; c < channels; c++, vp += ld, up += 8) {
            const __m512 z0 = _mm512_loadu_ps(vp), z1 = _mm512_loadu_ps(vp + 16);
            __m512 b;
#define P512(R) b = _mm512_set1_ps(up[R]); a##R##0 = _mm512_fmadd_ps(b, z0, a##R##0); \
                a##R##1 = _mm512_fmadd_ps(b, z1, a##R##1);
            P512(0) P512(1) P512(2) P512(3) P512(4) P512(5) P512(6) P512(7)
#undef P512
        }
        float *mp = m + t;
#define S512(R) _mm512_storeu_ps(mp + (R) * ld, a##R##0); _mm512_storeu_ps(mp + (R) * ld + 16, a##R##1);
        S512(0) S512(1) S512(2) S512(3) S512(4) S512(5) S512(6) S512(7)
#undef S512
    }
}

/// The same for 4 rows and columns in multiples of 16 on AVX2: 8 accumulators.
THAW_AVX2 static void products256(const float *u, const float *v, int channels, long ld, long tiles, float *m) {
    for (long t = 0; t < tiles; t += 16) {
        __m256 a00 = _mm256_setzero_ps(), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00,
               a31 = a00;
        const float *vp = v + t, *up = u;
        for (int c = 0; c < channels; c++, vp += ld, up += 4) {
            const __m256 x0 = _mm256_loadu_ps(vp), x1 = _mm256_loadu_ps(vp + 8);
            __m256 b;
#define P256(R) b = _mm256_broadcast_ss(up + (R)); a##R##0 = _mm256_fmadd_ps(b, x0, a##R##0); \
                a##R##1 = _mm256_fmadd_ps(b, x1, a##R##1);
            P256(0) P256(1) P256(2) P256(3)
#undef P256
        }
        float *mp = m + t;
#define S256(R) _mm256_storeu_ps(mp + (R) * ld, a##R##0); _mm256_storeu_ps(mp + (R) * ld + 8, a##R##1);
        S256(0) S256(1) S256(2) S256(3)
#undef S256
    }
}

/// One ISA's driver: chunks of `tc` tiles, each transformed into V, then per block of ROWS_ output
/// channels the 16 products into M and M's inverse transform into y.
#define WINOGRAD_DRIVER(NAME, ATTR, ROWS_, BLOCK_, PRODUCTS)                                                   \
    ATTR static void NAME(const float *x, long xcs, int channels, int h, int w, long first, long count,           \
                          const float *packed, int out_channels, float *y, long ycs, const float *scale,          \
                          const float *shift, const float *residual, int relu, int tc, float *scratch) {          \
        const long ld = tc + VB;                                                                                \
        float *v = scratch, *m = v + (long)XI * channels * ld, *rows = m + (long)XI * ROWS_ * ld;               \
        float *zeros = rows + row_floats(w);                                                                   \
        memset(zeros, 0, (size_t)row_stride(w) * sizeof(float));                                               \
        const long xi_stride = (long)out_channels * channels;                                                   \
        for (long done = 0; done < count; done += tc) {                                                         \
            const long n = count - done < tc ? count - done : tc;                                               \
            const long padded = (n + BLOCK_ - 1) / BLOCK_ * BLOCK_;                                             \
            input_transform(x, xcs, channels, h, w, first + done, n, ld, BLOCK_, v, rows, zeros);                 \
            for (int ob = 0; ob < out_channels / ROWS_; ob++) {                                                 \
                for (int xi = 0; xi < XI; xi++)                                                                 \
                    PRODUCTS(packed + xi * xi_stride + (long)ob * channels * ROWS_, v + (long)xi * channels * ld, \
                             channels, ld, padded, m + (long)xi * ROWS_ * ld);                                  \
                output_transform(m, ROWS_, ob * ROWS_, h, w, first + done, n, ld, y, ycs, scale, shift,         \
                                 residual, relu, rows);                                                         \
            }                                                                                                   \
        }                                                                                                       \
    }

WINOGRAD_DRIVER(tiles512, THAW_AVX512, 8, 32, products512)
WINOGRAD_DRIVER(tiles256, THAW_AVX2, 4, 16, products256)

#endif

void thaw_winograd_tiles(const float *x, long x_channel_stride, int in_channels, int h, int w, long first_tile,
                         long count, const float *packed, int out_channels, float *y, long y_channel_stride,
                         const float *scale, const float *shift, const float *residual, int relu, int isa,
                         int chunk_tiles, float *scratch) {
#if defined(__x86_64__)
    if (isa == 2)
        tiles512(x, x_channel_stride, in_channels, h, w, first_tile, count, packed, out_channels, y,
                 y_channel_stride, scale, shift, residual, relu, chunk_tiles, scratch);
    else
        tiles256(x, x_channel_stride, in_channels, h, w, first_tile, count, packed, out_channels, y,
                 y_channel_stride, scale, shift, residual, relu, chunk_tiles, scratch);
#else
    (void)x; (void)x_channel_stride; (void)in_channels; (void)h; (void)w; (void)first_tile; (void)count;
    (void)packed; (void)out_channels; (void)y; (void)y_channel_stride; (void)scale; (void)shift;
    (void)residual; (void)relu; (void)isa; (void)chunk_tiles; (void)scratch;
#endif
}

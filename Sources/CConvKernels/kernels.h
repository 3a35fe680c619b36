#ifndef THAW_CONV3X3_KERNELS_H
#define THAW_CONV3X3_KERNELS_H

// Shared by the kernel files of this module (not part of its public header): the padded-plane
// layout every kernel reads, and the per-ISA forward tile loops.

#include <stdint.h>
#include <string.h>

#include "conv3x3.h"

#if defined(__x86_64__)
#include <immintrin.h>
#define THAW_AVX2 __attribute__((target("avx2,fma")))
#define THAW_AVX512 __attribute__((target("avx2,fma,avx512f,avx512vl")))
#endif

/// AVX2 tiles: 4 output channels x 16 (or 8) positions. AVX-512 tiles: 8 output channels x 32, 16
/// or 8 positions. SLACK covers the widest tile's reads past a plane's last position.
enum { LANES = 8, TILE = 16, ROWS = 4, ROWS512 = 8, TILE512 = 32, SLACK = 32 };

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

/// Tap offsets split into a row part and a column part (offset = row[dy] + col[dx]) so the inner
/// loop addresses every tap as one of 3 column pointers plus one of 3 row offsets.
typedef struct { long row[3], col[3]; } taps;

layout conv3x3_layout(int in_h, int in_w, int stride, int masked);

/// Floats after the planes that hold the column masks (two 16-bit masks per 16 positions).
long conv3x3_mask_floats(const layout *l);

/// Copies `channels` planes of one image into `scratch` as `l` lays them out (zero lead and tail).
void conv3x3_fill_planes(const float *x, long x_channel_stride, int channels, int in_h, int in_w, int stride,
                         const layout *l, float *scratch);

/// For a masked layout, per 16 output positions: bit j of left[k] is set when position 16k+j is not
/// in column 0 (its tap one column left stays in the row); right[k] likewise for the last column
/// (all ones for stride 2, whose right-hand taps read the odd plane at the same column).
void conv3x3_column_masks(const layout *l, int stride, uint16_t *left, uint16_t *right);

/// Images whose planes one weight-gradient pass keeps at once.
int conv3x3_gradient_group(const layout *l);

/// The row and column parts of `l`'s tap offsets.
taps conv3x3_taps(const layout *l);

#if defined(__x86_64__)
/// Tiles of 4 output channels (AVX2, unmasked layout) over one image's planes.
void conv3x3_forward_avx2(const float *scratch, const layout *l, const taps *tp, int in_channels,
                          const float *packed, int out_channels, float *y, long y_channel_stride);

/// Tiles of 8 output channels (AVX-512, masked layout) over one image's planes.
void conv3x3_forward_avx512(const float *scratch, const layout *l, const taps *tp, int in_channels,
                            const float *packed, int out_channels, float *y, long y_channel_stride,
                            const uint16_t *lm, const uint16_t *rm);

/// Partial-vector masks for AVX2: `mask_table + 8 - n` selects the first n lanes.
static const int mask_table[16] = { -1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0 };

THAW_AVX512 static inline __mmask16 first_lanes(int valid) {
    return valid >= 16 ? (__mmask16)0xFFFF : valid <= 0 ? (__mmask16)0 : (__mmask16)((1u << valid) - 1);
}
#endif

#endif

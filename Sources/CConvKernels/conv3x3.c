#include "kernels.h"

// Entry points: which kernels this CPU runs, weight packing, the forward pass of one image.

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

long thaw_conv3x3_scratch_floats(int in_channels, int in_h, int in_w, int stride) {
    layout l = conv3x3_layout(in_h, in_w, stride, 0);  // the unmasked layout is the larger
    return (long)in_channels * l.planes * l.length;
}

long thaw_conv3x3_masks_floats(int in_h, int in_w, int stride) {
    layout l = conv3x3_layout(in_h, in_w, stride, 1);
    return conv3x3_mask_floats(&l);
}

void thaw_conv3x3_masks(int in_h, int in_w, int stride, float *masks) {
    layout l = conv3x3_layout(in_h, in_w, stride, 1);
    uint16_t *left = (uint16_t *)masks;
    conv3x3_column_masks(&l, stride, left, left + ((long)l.out_h * l.out_w + 15) / 16 + 1);
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

/// y = max(y·scale + shift + residual, 0) per output channel over one image's planes, while they are
/// still in cache from the kernel that wrote them (each part optional).
#if defined(__x86_64__)
THAW_AVX2
#endif
static void finish(float *y, long y_channel_stride, int out_channels, long positions, const float *scale,
                   const float *shift, const float *residual, long residual_channel_stride, int relu) {
    // One plain loop per case: a conditional load inside the loop becomes a masked vector load,
    // which AMD cores microcode (it made this pass a third of an inference step).
    for (int o = 0; o < out_channels; o++) {
        float *restrict row = y + o * y_channel_stride;
        const float a = scale ? scale[o] : 1, b = scale ? shift[o] : 0;
        if (residual) {
            const float *restrict res = residual + o * residual_channel_stride;
            if (relu) {
                for (long i = 0; i < positions; i++) { float v = row[i] * a + b + res[i]; row[i] = v < 0 ? 0 : v; }
            } else {
                for (long i = 0; i < positions; i++) row[i] = row[i] * a + b + res[i];
            }
        } else if (relu) {
            for (long i = 0; i < positions; i++) { float v = row[i] * a + b; row[i] = v < 0 ? 0 : v; }
        } else {
            for (long i = 0; i < positions; i++) row[i] = row[i] * a + b;
        }
    }
}

void thaw_conv3x3_image(const float *x, long x_channel_stride, int in_channels, int in_h, int in_w,
                        int stride, const float *packed, int out_channels, float *y,
                        long y_channel_stride, const float *scale, const float *shift, const float *residual,
                        long residual_channel_stride, int relu, int isa, const float *masks, float *scratch) {
#if defined(__x86_64__)
    layout l = conv3x3_layout(in_h, in_w, stride, isa == 2);
    conv3x3_fill_planes(x, x_channel_stride, in_channels, in_h, in_w, stride, &l, scratch);
    const uint16_t *lm = (const uint16_t *)masks, *rm = lm + ((long)l.out_h * l.out_w + 15) / 16 + 1;
    taps tp = conv3x3_taps(&l);
    if (isa == 2)
        conv3x3_forward_avx512(scratch, &l, &tp, in_channels, packed, out_channels, y, y_channel_stride, lm, rm);
    else
        conv3x3_forward_avx2(scratch, &l, &tp, in_channels, packed, out_channels, y, y_channel_stride);
    if (scale || residual || relu)
        finish(y, y_channel_stride, out_channels, (long)l.out_h * l.out_w, scale, shift, residual,
               residual_channel_stride, relu);
#else
    (void)x; (void)x_channel_stride; (void)in_channels; (void)in_h; (void)in_w; (void)stride;
    (void)packed; (void)out_channels; (void)y; (void)y_channel_stride; (void)isa; (void)scratch;
    (void)scale; (void)shift; (void)residual; (void)residual_channel_stride; (void)relu; (void)masks; (void)finish;
#endif
}

#include "kernels.h"

layout conv3x3_layout(int in_h, int in_w, int stride, int masked) {
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
long conv3x3_mask_floats(const layout *l) { return ((long)l->out_h * l->out_w + 15) / 16 + 2; }

#if defined(__x86_64__)
THAW_AVX2
#endif
void conv3x3_fill_planes(const float *x, long x_channel_stride, int channels, int in_h, int in_w,
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

void conv3x3_column_masks(const layout *l, int stride, uint16_t *left, uint16_t *right) {
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

/// Images whose planes one weight-gradient pass keeps at once: enough positions (>= ~1024) that the
/// horizontal sums at the end of a pass are a small part of it, few enough to stay in L2.
int conv3x3_gradient_group(const layout *l) {
    long g = 1024 / ((long)l->out_h * l->out_w);
    return g < 1 ? 1 : g > 8 ? 8 : (int)g;
}

taps conv3x3_taps(const layout *l) {
    taps tp;
    for (int i = 0; i < 3; i++) {
        tp.row[i] = l->tap_offset[i * 3] - l->tap_offset[0];
        tp.col[i] = l->tap_offset[i];
    }
    return tp;
}

#ifndef THAW_CJPEG_SHIM_H
#define THAW_CJPEG_SHIM_H
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <jpeglib.h>
#include <jerror.h>

// libjpeg reports fatal errors through error_exit, which must not return; the library's default
// calls exit(). Swift cannot longjmp, so decode and encode run here behind setjmp and report
// failures as return codes with the library's own message.

typedef struct {
    struct jpeg_error_mgr pub;
    jmp_buf jump;
    int truncated;
} thaw_jpeg_error_mgr;

static void thaw_jpeg_error_exit(j_common_ptr cinfo) {
    longjmp(((thaw_jpeg_error_mgr *)cinfo->err)->jump, 1);
}

// Warnings (level -1) are counted; a premature end of data is remembered so the caller can treat
// a truncated file as the error it is (libjpeg would otherwise pad it with gray and succeed).
static void thaw_jpeg_emit_message(j_common_ptr cinfo, int level) {
    thaw_jpeg_error_mgr *err = (thaw_jpeg_error_mgr *)cinfo->err;
    if (level < 0) {
        if (cinfo->err->msg_code == JWRN_JPEG_EOF) err->truncated = 1;
        cinfo->err->num_warnings++;
    }
}

// In place, 4 bytes per pixel in, 3 out, exactly as Pillow's JPEG loader and convert("RGB"): the
// samples are taken as Adobe's inverted CMYK (Photoshop writes them so; Pillow assumes it for
// every CMYK JPEG), then R = (255-K) - (255-K)*C/255 with Pillow's rounding MULDIV255.
static inline void thaw_jpeg_cmyk_to_rgb(unsigned char *pixels, size_t count) {
    for (size_t i = 0; i < count; i++) {
        const unsigned char *in = pixels + 4 * i;
        unsigned char *out = pixels + 3 * i;
        int nk = in[3];  // 255 - K with K = 255 - raw
        int rgb[3];
        for (int c = 0; c < 3; c++) {
            int v = 255 - in[c];  // C, M or Y
            int t = v * nk + 128;
            rgb[c] = nk - (((t >> 8) + t) >> 8);
        }
        out[0] = (unsigned char)rgb[0];
        out[1] = (unsigned char)rgb[1];
        out[2] = (unsigned char)rgb[2];
    }
}

enum { THAW_JPEG_OK = 0, THAW_JPEG_ERROR = 1, THAW_JPEG_TRUNCATED = 2, THAW_JPEG_UNSUPPORTED = 3 };

// Decodes a JPEG held in memory to 8-bit interleaved gray (want_gray != 0, or a grayscale file) or
// RGB. On THAW_JPEG_OK *out is malloc'ed (free() it) with *height rows of *width * *channels bytes.
// Otherwise message (JMSG_LENGTH_MAX bytes) says why.
static inline int thaw_jpeg_decode(const unsigned char *data, unsigned long size, int want_gray,
                                   unsigned char **out, int *width, int *height, int *channels,
                                   char *message) {
    struct jpeg_decompress_struct cinfo;
    thaw_jpeg_error_mgr err;
    unsigned char *volatile pixels = NULL;
    memset(&cinfo, 0, sizeof cinfo);
    cinfo.err = jpeg_std_error(&err.pub);
    err.pub.error_exit = thaw_jpeg_error_exit;
    err.pub.emit_message = thaw_jpeg_emit_message;
    err.truncated = 0;
    message[0] = 0;
    *out = NULL;
    if (setjmp(err.jump)) {
        (*cinfo.err->format_message)((j_common_ptr)&cinfo, message);
        free(pixels);
        jpeg_destroy_decompress(&cinfo);
        // Data that ran out before the failure (libjpeg then inserts a fake EOI) means truncation.
        return err.truncated ? THAW_JPEG_TRUNCATED : THAW_JPEG_ERROR;
    }
    jpeg_create_decompress(&cinfo);
    jpeg_mem_src(&cinfo, data, size);
    jpeg_read_header(&cinfo, TRUE);
    // CMYK and YCCK (Adobe's colour-transformed CMYK) decode to CMYK samples, converted to RGB below.
    int cmyk = cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK;
    if ((unsigned long long)cinfo.image_width * cinfo.image_height > 100000000ULL) {
        snprintf(message, JMSG_LENGTH_MAX, "%ux%u pixels exceeds the 100-megapixel limit", cinfo.image_width, cinfo.image_height);
        jpeg_destroy_decompress(&cinfo);
        return THAW_JPEG_UNSUPPORTED;
    }
    cinfo.out_color_space = cmyk ? JCS_CMYK : (want_gray || cinfo.num_components == 1) ? JCS_GRAYSCALE : JCS_RGB;
    jpeg_start_decompress(&cinfo);
    size_t stride = (size_t)cinfo.output_width * (size_t)cinfo.output_components;
    pixels = (unsigned char *)malloc(stride * cinfo.output_height);
    if (pixels == NULL) {
        snprintf(message, JMSG_LENGTH_MAX, "out of memory for %ux%u image", cinfo.output_width, cinfo.output_height);
        jpeg_destroy_decompress(&cinfo);
        return THAW_JPEG_ERROR;
    }
    while (cinfo.output_scanline < cinfo.output_height) {
        JSAMPROW row = pixels + stride * cinfo.output_scanline;
        jpeg_read_scanlines(&cinfo, &row, 1);
        if (err.truncated) break;
    }
    *width = (int)cinfo.output_width;
    *height = (int)cinfo.output_height;
    *channels = cinfo.output_components;
    if (err.truncated) {
        snprintf(message, JMSG_LENGTH_MAX, "Premature end of JPEG file");
        free(pixels);
        jpeg_destroy_decompress(&cinfo);
        return THAW_JPEG_TRUNCATED;
    }
    jpeg_finish_decompress(&cinfo);
    jpeg_destroy_decompress(&cinfo);
    if (cmyk) {
        thaw_jpeg_cmyk_to_rgb(pixels, (size_t)*width * (size_t)*height);
        *channels = 3;
    }
    *out = pixels;
    return THAW_JPEG_OK;
}

// Encodes 8-bit interleaved gray (channels 1), RGB (3) or CMYK samples as stored (4; written as
// CMYK, or YCCK when ycck != 0, with libjpeg's Adobe marker) at quality 0-100. On THAW_JPEG_OK
// *out is malloc'ed (free() it) and holds *out_size bytes.
static inline int thaw_jpeg_encode(const unsigned char *pixels, int width, int height, int channels, int ycck,
                                   int quality, unsigned char **out, unsigned long *out_size, char *message) {
    struct jpeg_compress_struct cinfo;
    thaw_jpeg_error_mgr err;
    memset(&cinfo, 0, sizeof cinfo);
    cinfo.err = jpeg_std_error(&err.pub);
    err.pub.error_exit = thaw_jpeg_error_exit;
    err.pub.emit_message = thaw_jpeg_emit_message;
    err.truncated = 0;
    message[0] = 0;
    *out = NULL;
    *out_size = 0;
    if (setjmp(err.jump)) {
        (*cinfo.err->format_message)((j_common_ptr)&cinfo, message);
        jpeg_destroy_compress(&cinfo);
        free(*out);
        *out = NULL;
        return THAW_JPEG_ERROR;
    }
    jpeg_create_compress(&cinfo);
    jpeg_mem_dest(&cinfo, out, out_size);
    cinfo.image_width = (JDIMENSION)width;
    cinfo.image_height = (JDIMENSION)height;
    cinfo.input_components = channels;
    cinfo.in_color_space = channels == 1 ? JCS_GRAYSCALE : channels == 4 ? JCS_CMYK : JCS_RGB;
    jpeg_set_defaults(&cinfo);
    if (channels == 4) jpeg_set_colorspace(&cinfo, ycck ? JCS_YCCK : JCS_CMYK);
    jpeg_set_quality(&cinfo, quality, TRUE);
    jpeg_start_compress(&cinfo, TRUE);
    size_t stride = (size_t)width * (size_t)channels;
    while (cinfo.next_scanline < cinfo.image_height) {
        JSAMPROW row = (JSAMPROW)(pixels + stride * cinfo.next_scanline);
        jpeg_write_scanlines(&cinfo, &row, 1);
    }
    jpeg_finish_compress(&cinfo);
    jpeg_destroy_compress(&cinfo);
    return THAW_JPEG_OK;
}
#endif

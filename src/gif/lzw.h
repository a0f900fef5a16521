/* GIF LZW image-data encoder, exact or lossy.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef GIFC_LZW_H
#define GIFC_LZW_H
#include "base/gbuf.h"
#include <stdint.h>

typedef struct lzw_params {
    int min_code_size;      /* 2..8: GIF "LZW minimum code size" for the palette */
    const uint8_t *palette; /* ncolors * 3 bytes RGB; used only when lossy > 0 */
    int ncolors;
    int transparent;        /* transparent index or -1; never approximated to or from */
    int lossy;              /* 0: exact. >0: colour distance tolerated while growing a
                               string (about 0..200, error carried along the run) */
    unsigned long long *err; /* optional, lossy only: set to the sum over the pixels of
                               colour_dist_sq(decoded - true); exact coding leaves it 0 */
    uint8_t *shown;         /* optional, lossy only: w*h bytes (rows w apart) set to the
                               indices a decoder will show */
} lzw_params;

/* Appends to out the GIF image data for w*h palette indices (row stride `stride`):
 * the LZW minimum code size byte, the data sub-blocks (each <= 255 bytes, with length
 * prefix) and the 0-length terminator. Returns 0, or -1 when memory ran out. */
int lzw_encode(const uint8_t *indices, int w, int h, int stride, const lzw_params *p, gbuf *out);
#endif

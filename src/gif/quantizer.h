/* Palette quantisation of one frame region with libimagequant.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef GIFC_QUANTIZE_H
#define GIFC_QUANTIZE_H
#include "base/gerr.h"
#include <stdint.h>

typedef struct quantizer quantizer;

typedef struct quant_params {
    int colors;        /* 2..256, the transparent entry included */
    int quality;       /* 1..100: libimagequant's target */
    double dither;     /* 0..1 */
    int speed;         /* 1..10 libimagequant speed */
} quant_params;

typedef struct quant_out {
    uint8_t *indices;  /* w*h, owned by the quantizer, valid until the next run */
    uint8_t palette[256 * 3];
    int ncolors;
    int transparent;   /* palette index of the transparent entry, -1 when none */
} quant_out;

/* A palette chosen for one picture, usable to remap another (the next frame's exact crop). */
typedef struct qpalette qpalette;

gifc_error quantizer_new(quantizer **out, const quant_params *p, gerr *e);
/* Phase 1, safe on a worker thread with its own quantizer: picks a palette for the pixels.
 * rows/importance/with_transparent as for quantizer_run. */
gifc_error quantizer_palette(quantizer *q, uint8_t *const *rows, int w, int h,
                             const uint8_t *importance, int with_transparent, qpalette **out,
                             gerr *e);
/* Phase 2: maps rows onto pal (with the quantizer's dithering) into out. */
gifc_error quantizer_remap(quantizer *q, qpalette *pal, uint8_t *const *rows, int w, int h,
                           quant_out *out, gerr *e);
void qpalette_free(qpalette **pal);
/* For a picture that is already a palette image: when its opaque pixels have few enough
 * distinct colours (256, or 255 with_transparent) maps them exactly, with no search or
 * dithering, and sets *done; else leaves out alone and *done = 0. */
gifc_error quantizer_exact(quantizer *q, uint8_t *const *rows, int w, int h,
                           int with_transparent, quant_out *out, int *done, gerr *e);
/* rows: h pointers to w RGBA pixels; a pixel with alpha 0 becomes the transparent index.
 * importance: w*h weights (0 = ignore for the palette) or NULL. with_transparent: reserve a
 * transparent entry even when no pixel is transparent. */
gifc_error quantizer_run(quantizer *q, uint8_t *const *rows, int w, int h,
                         const uint8_t *importance, int with_transparent, quant_out *out,
                         gerr *e);
void quantizer_free(quantizer **q);
#endif

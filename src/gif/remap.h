/* Remapping a picture onto a given palette, with error diffusion, for GIF frames.
 * Our own remap instead of libimagequant's: it is the one step of the GIF encoder that must
 * run in frame order (it depends on what is on screen), so its speed bounds the encoder's
 * wall time on two cores. libimagequant 2.x spent ~100 ns a pixel here (contrast maps, a
 * plain and a dithered pass through floating-point colour), 40% of all CPU on high-motion
 * footage.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef GIFC_REMAP_H
#define GIFC_REMAP_H
#include "base/gerr.h"
#include <stdint.h>

typedef struct remapper remapper;

typedef struct remap_palette {
    uint8_t rgb[256 * 3];
    int ncolors;
    int transparent;          /* the entry transparent pixels take; -1: none */
    uint8_t usable[256];      /* 0: never chosen for an opaque pixel (other transparent
                                 entries, folded into `transparent`) */
} remap_palette;

gifc_error remapper_new(remapper **out, gerr *e);
void remapper_free(remapper **r);

/* Maps h rows of w RGBA pixels onto pal. Pixels with alpha < 128 take pal->transparent
 * (which must then be >= 0) and neither take nor pass on diffusion error. Before the
 * dithered pass every used opaque entry moves to the mean of the pixels nearest to it (one
 * k-means step: the palette was fitted to a neighbouring frame or a sample), so pal is
 * updated in place. dither 0..1 scales the error carried. *indices: w*h, owned by r, valid
 * until the next call. */
gifc_error remap_rows(remapper *r, uint8_t *const *rows, int w, int h, remap_palette *pal,
                      double dither, uint8_t **indices, gerr *e);

/* When the rows' opaque pixels (alpha >= 128) have at most max distinct colours, makes
 * them pal's entries (no transparent entry) and returns 1; else returns 0. A GIF input is
 * already a palette image: its frames are re-encoded with their own colours, exactly. */
int remap_exact_palette(uint8_t *const *rows, int w, int h, int max, remap_palette *pal);

/* Nearest usable entry to an RGB colour under the encoder's weighted distance (exposed for
 * tests; builds its own search index). */
int remap_nearest(const remap_palette *pal, const uint8_t rgb[3]);
#endif

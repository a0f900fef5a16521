/* Draws a laid-out caption once into an RGBA overlay: white text over a dark outline
 * (FreeType's stroker), so it reads on light and dark pictures alike.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef GIFC_CAPTION_RENDER_H
#define GIFC_CAPTION_RENDER_H
#include "caption/cfont.h"
#include "caption/layout.h"

typedef struct cap_overlay {
    int w, h;            /* the block of text, outline included */
    uint8_t *rgba;       /* w * h * 4, not premultiplied (owned) */
} cap_overlay;

/* Renders l (laid out with f at its current size) with lines line_h apart (26.6), the
 * first baseline ascender below the top, each line centred; outline radius in pixels. */
gifc_error overlay_render(cfont *f, const caption_layout *l, long ascender, long line_h,
                          int outline, cap_overlay *out, gerr *e);
void overlay_free(cap_overlay *o);
#endif

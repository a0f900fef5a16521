/* Captions (gifc_options.caption): text drawn onto every frame after scaling and before
 * encoding, so that the GIF palette is chosen with the text in it and keeps it crisp.
 * The text is checked and its fonts found once; it is laid out and rendered once per frame
 * size it meets (the size-budget search can change the size), then alpha-blended.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef GIFC_CAPTION_H
#define GIFC_CAPTION_H
#include "base/gerr.h"
#include "base/gframe.h"

typedef struct caption_params {
    const char *text;     /* UTF-8; '\n' breaks lines */
    int position;         /* GIFC_CAPTION_BOTTOM or GIFC_CAPTION_TOP */
    double size;          /* text height, percent of the frame height; 0: the default */
    const char *font;     /* a font file, or NULL for fontconfig's choice */
} caption_params;

typedef struct caption caption;

/* Checks the text (valid UTF-8, no control characters but '\n' '\r' '\t') and opens its
 * fonts. Fails with GIFC_ERR_INVALID_ARG naming the byte or the font file. */
gifc_error caption_new(const caption_params *p, caption **out, gerr *e);
/* Fonts used ("DejaVu Sans, WenQuanYi Micro Hei"), and characters none of them has. */
const char *caption_fonts(const caption *c);
int caption_missing(const caption *c);
/* Blends the caption onto f, rendered for f's own size: the one draw for every driver (the
 * reader, the budget's candidates and their SSIM reference). c NULL: no caption, nothing to
 * do. Not for concurrent use: it keeps the renders per size. */
gifc_error caption_draw(caption *c, gframe *f, gerr *e);
void caption_free(caption **c);

/* Checks caption text as caption_new does: -1 when fine, else the offending byte's offset;
 * *bad_cp gets the control character (0 for invalid UTF-8). */
long caption_text_check(const char *text, uint32_t *bad_cp);
#endif

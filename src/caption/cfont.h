/* The caption's fonts: a file the user names and/or fontconfig's sans fonts, several of them
 * when one does not cover every character (Latin text with CJK), through FreeType.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef GIFC_CAPTION_FONT_H
#define GIFC_CAPTION_FONT_H
#include "base/gerr.h"

#include <ft2build.h>
#include FT_FREETYPE_H
#include <stddef.h>
#include <stdint.h>

#define CFONT_MAX_FACES 4

typedef struct cfont {
    FT_Library lib;
    FT_Face face[CFONT_MAX_FACES]; /* asked first to last for each character */
    int faces;
    int missing;                   /* characters of the text no face has (drawn as boxes) */
    char names[256];               /* "DejaVu Sans, WenQuanYi Micro Hei" for the log */
} cfont;

/* path: a font file tried first (NULL: none); the faces that follow are fontconfig's
 * choices for the characters of text (n code points) still uncovered. */
gifc_error cfont_open(cfont **out, const char *path, const uint32_t *text, size_t n, gerr *e);
/* Sets every face to px pixels a em. */
gifc_error cfont_set_size(cfont *f, int px, gerr *e);
/* The face that draws cp (the first one that has it; else the first face) and its glyph. */
FT_Face cfont_glyph(const cfont *f, uint32_t cp, FT_UInt *index);
/* Advance of cp in 26.6 pixels with kerning after prev (0: none); a lay_measure callback. */
long cfont_advance(void *f, uint32_t prev, uint32_t cp);
/* Largest ascender and descender (positive, downwards) over the faces, in 26.6 pixels. */
void cfont_extent(const cfont *f, long *ascender, long *descender);
void cfont_free(cfont **f);
#endif

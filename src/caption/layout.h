/* Caption line breaking: code points into at most a few lines that fit a width, measured
 * through a callback so that it can be tested without fonts.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef GIFC_CAPTION_LAYOUT_H
#define GIFC_CAPTION_LAYOUT_H
#include <stddef.h>
#include <stdint.h>

#define LAYOUT_MAX_LINES 8
#define LAYOUT_ELLIPSIS 0x2026u

typedef struct lay_measure {
    void *user;
    /* Advance of cp in 26.6 pixels, kerning after prev included (prev 0: line start). */
    long (*advance)(void *user, uint32_t prev, uint32_t cp);
} lay_measure;

typedef struct lay_line {
    size_t first, count; /* glyphs of caption_layout.cps */
    long width;          /* 26.6 pixels, trailing spaces left out */
} lay_line;

typedef struct caption_layout {
    uint32_t *cps;       /* the glyphs to draw, lines back to back (owned) */
    long *x;             /* pen position of each from its line's start, 26.6 (owned) */
    lay_line line[LAYOUT_MAX_LINES];
    int lines;
    int truncated;       /* text was left out; the last line ends in an ellipsis */
} caption_layout;

/* Breaks text (n code points) into lines no wider than max_width where it can: at spaces,
 * between CJK characters, at '\n' (also "\r\n" and '\r'); a word wider than a line is cut
 * between characters. '\t' counts as a space. After max_lines (<= LAYOUT_MAX_LINES) the
 * rest is dropped and the last line ends in U+2026. Returns 0, or -1 when out of memory. */
int layout_text(const uint32_t *text, size_t n, long max_width, int max_lines,
                const lay_measure *m, caption_layout *out);
void layout_free(caption_layout *l);
#endif

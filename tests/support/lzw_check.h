/* Checks of GIF LZW streams shared by tests/unit/test_lzw.c and fuzz/fuzz_lzw.c: a
 * one-image GIF89a around a stream, giflib's decode of it, and a strict decoder of our own
 * that also refuses what giflib tolerates (sub-block framing, a missing leading clear code,
 * anything but the end code right after w*h pixels, bytes after it).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef GIFC_TESTS_LZW_CHECK_H
#define GIFC_TESTS_LZW_CHECK_H

#include "base/gbuf.h"

#include <stddef.h>
#include <stdint.h>

/* GIF89a with a global colour table of 2^min entries (unused ones black; pal may be NULL)
 * and one w x h image whose data is lzw (code size byte, sub-blocks, terminator). */
void lzwc_wrap_gif(gbuf *g, int w, int h, int min, const uint8_t *pal, int ncolors,
                   const gbuf *lzw);
/* giflib's decode of a lzwc_wrap_gif file: malloc'd w*h indices, or NULL with why. */
uint8_t *lzwc_giflib_decode(const gbuf *g, int w, int h, char *why, size_t whylen);
/* The strict decoder: fills out (npix indices) and counts the clear codes (nclears may be
 * NULL). 0 when the stream is strictly well formed, else -1 with why. */
int lzwc_strict_decode(const gbuf *lzw, int min, size_t npix, uint8_t *out, int *nclears,
                       char *why, size_t whylen);

#endif

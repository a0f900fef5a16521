/* A strict UTF-8 decoder for caption text: overlong forms, surrogates, code points above
 * U+10FFFF and truncated sequences are errors, so that what is drawn is what was meant.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef GIFC_UTF8_H
#define GIFC_UTF8_H
#include <stddef.h>
#include <stdint.h>

/* Decodes one character at s (n bytes available) into *cp. Returns the bytes it used
 * (1..4), or 0 when s does not start with a valid sequence. n must be >= 1. */
int utf8_next(const unsigned char *s, size_t n, uint32_t *cp);

/* Decodes all of s (len bytes) into cps (caller-provided, len entries suffice) and sets
 * *count. Returns -1 on success, else the byte offset of the first invalid sequence. */
long utf8_decode(const char *s, size_t len, uint32_t *cps, size_t *count);
#endif

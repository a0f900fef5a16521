/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "caption/utf8.h"

/* Continuation bytes are 10xxxxxx. */
static int cont(unsigned char c) { return (c & 0xC0) == 0x80; }

int utf8_next(const unsigned char *s, size_t n, uint32_t *cp)
{
    unsigned char c = s[0];
    int len;
    uint32_t v, min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF) len = 2, v = c & 0x1F, min = 0x80;
    else if (c >= 0xE0 && c <= 0xEF) len = 3, v = c & 0x0F, min = 0x800;
    else if (c >= 0xF0 && c <= 0xF4) len = 4, v = c & 0x07, min = 0x10000;
    else return 0; /* a stray continuation byte, C0/C1 (overlong) or F5..FF */
    if ((size_t)len > n) return 0;
    for (int i = 1; i < len; i++) {
        if (!cont(s[i])) return 0;
        v = v << 6 | (s[i] & 0x3F);
    }
    /* Overlong forms would let one character hide behind another spelling; surrogates are
     * UTF-16's business, never characters. */
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return 0;
    *cp = v;
    return len;
}

long utf8_decode(const char *s, size_t len, uint32_t *cps, size_t *count)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0, k = 0;
    while (i < len) {
        int n = utf8_next(u + i, len - i, &cps[k]);
        if (!n) {
            *count = k;
            return (long)i;
        }
        i += (size_t)n;
        k++;
    }
    *count = k;
    return -1;
}

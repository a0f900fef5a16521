/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "base/gbuf.h"
#include <stdlib.h>
#include <string.h>

int gbuf_reserve(gbuf *b, size_t extra)
{
    if (b->failed) return -1;
    if (b->len + extra <= b->cap) return 0;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + extra) {
        if (cap > SIZE_MAX / 2) { b->failed = 1; return -1; }
        cap *= 2;
    }
    uint8_t *p = realloc(b->data, cap);
    if (!p) { b->failed = 1; return -1; }
    b->data = p;
    b->cap = cap;
    return 0;
}

int gbuf_put(gbuf *b, const void *p, size_t n)
{
    if (gbuf_reserve(b, n)) return -1;
    if (n) memcpy(b->data + b->len, p, n);
    b->len += n;
    return 0;
}

int gbuf_byte(gbuf *b, uint8_t v) { return gbuf_put(b, &v, 1); }

int gbuf_u16le(gbuf *b, unsigned v)
{
    uint8_t le[2] = { (uint8_t)(v & 0xff), (uint8_t)((v >> 8) & 0xff) };
    return gbuf_put(b, le, 2);
}

void gbuf_reset(gbuf *b) { b->len = 0; }

void gbuf_free(gbuf *b)
{
    free(b->data);
    memset(b, 0, sizeof *b);
}

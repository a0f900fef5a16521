/* See lzw_check.h.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "lzw_check.h"

#include <gif_lib.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int say(char *why, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (why && n) vsnprintf(why, n, fmt, ap);
    va_end(ap);
    return -1;
}

void lzwc_wrap_gif(gbuf *g, int w, int h, int min, const uint8_t *pal, int ncolors,
                   const gbuf *lzw)
{
    gbuf_put(g, "GIF89a", 6);
    gbuf_u16le(g, (unsigned)w);
    gbuf_u16le(g, (unsigned)h);
    gbuf_byte(g, (uint8_t)(0x80 | ((min - 1) << 4) | (min - 1)));
    gbuf_byte(g, 0);
    gbuf_byte(g, 0);
    for (int i = 0; i < (1 << min); i++)
        for (int k = 0; k < 3; k++) gbuf_byte(g, pal && i < ncolors ? pal[3 * i + k] : 0);
    gbuf_byte(g, 0x2C);
    gbuf_u16le(g, 0);
    gbuf_u16le(g, 0);
    gbuf_u16le(g, (unsigned)w);
    gbuf_u16le(g, (unsigned)h);
    gbuf_byte(g, 0);
    gbuf_put(g, lzw->data, lzw->len);
    gbuf_byte(g, 0x3B);
}

typedef struct memsrc {
    const uint8_t *p;
    size_t n, pos;
} memsrc;

static int mem_read(GifFileType *gif, GifByteType *buf, int n)
{
    memsrc *m = gif->UserData;
    size_t k = m->n - m->pos;
    if ((size_t)n < k) k = (size_t)n;
    memcpy(buf, m->p + m->pos, k);
    m->pos += k;
    return (int)k;
}

uint8_t *lzwc_giflib_decode(const gbuf *g, int w, int h, char *why, size_t whylen)
{
    memsrc m = { g->data, g->len, 0 };
    int err = 0;
    GifFileType *gif = DGifOpen(&m, mem_read, &err);
    if (!gif) {
        say(why, whylen, "DGifOpen: %s", GifErrorString(err));
        return NULL;
    }
    uint8_t *res = NULL;
    if (DGifSlurp(gif) != GIF_OK)
        say(why, whylen, "DGifSlurp: %s", GifErrorString(gif->Error));
    else if (gif->ImageCount != 1 || gif->SavedImages[0].ImageDesc.Width != w ||
             gif->SavedImages[0].ImageDesc.Height != h)
        say(why, whylen, "giflib saw %d images or another size", gif->ImageCount);
    else if ((res = malloc((size_t)w * h + 1)) != NULL)
        memcpy(res, gif->SavedImages[0].RasterBits, (size_t)w * h);
    else
        say(why, whylen, "out of memory");
    DGifCloseFile(gif, &err);
    return res;
}

typedef struct bitreader {
    const uint8_t *d;
    size_t n, pos; /* over the de-blocked bytes */
    uint32_t acc;
    int nbits;
} bitreader;

static int read_code(bitreader *r, int width, unsigned *code)
{
    while (r->nbits < width) {
        if (r->pos >= r->n) return -1;
        r->acc |= (uint32_t)r->d[r->pos++] << r->nbits;
        r->nbits += 8;
    }
    *code = r->acc & ((1u << width) - 1);
    r->acc >>= width;
    r->nbits -= width;
    return 0;
}

/* Concatenates the sub-blocks after the code size byte; checks the framing. */
static uint8_t *deblock(const gbuf *lzw, size_t *n, char *why, size_t whylen)
{
    uint8_t *d = malloc(lzw->len + 1);
    size_t i = 1, k = 0;
    if (!d) return say(why, whylen, "out of memory"), NULL;
    for (;;) {
        const char *bad = i >= lzw->len ? "sub-blocks run past the data" : NULL;
        size_t b = bad ? 0 : lzw->data[i++];
        if (!bad && b == 0) break;
        if (!bad && i + b > lzw->len) bad = "sub-block truncated";
        if (bad) {
            free(d);
            return say(why, whylen, "%s", bad), NULL;
        }
        memcpy(d + k, lzw->data + i, b);
        k += b;
        i += b;
    }
    if (i != lzw->len) {
        free(d);
        return say(why, whylen, "%zu bytes after the block terminator", lzw->len - i), NULL;
    }
    *n = k;
    return d;
}

/* Widths grow when the next free entry reaches 1 << width (what giflib does). */
int lzwc_strict_decode(const gbuf *lzw, int min, size_t npix, uint8_t *out, int *nclears,
                       char *why, size_t whylen)
{
    uint16_t prefix[4096];
    uint8_t suffix[4096], first[4096], stack[4097];
    size_t n = 0, got = 0;
    int clears = 0;
    if (lzw->len < 1 || lzw->data[0] != min) return say(why, whylen, "bad code size byte");
    uint8_t *d = deblock(lzw, &n, why, whylen);
    if (!d) return -1;
    bitreader r = { d, n, 0, 0, 0 };
    unsigned clear = 1u << min, eoi = clear + 1, next = clear + 2, prev = 0xFFFF, code;
    int width = min + 1, rc = -1, ncodes = 0;
    for (unsigned c = 0; c < clear; c++) {
        suffix[c] = first[c] = (uint8_t)c;
        prefix[c] = 0xFFFF;
    }
    for (;;) {
        if (read_code(&r, width, &code)) { say(why, whylen, "data ends without an end code"); goto out; }
        if (ncodes++ == 0 && code != clear) { say(why, whylen, "stream does not start with clear"); goto out; }
        if (code == clear) {
            next = clear + 2;
            width = min + 1;
            prev = 0xFFFF;
            clears++;
            continue;
        }
        if (code == eoi) break;
        if (prev == 0xFFFF && code >= clear) { say(why, whylen, "first code after clear not a root"); goto out; }
        if (prev != 0xFFFF && (code > next || (code == next && next >= 4096))) {
            say(why, whylen, "code %u beyond the table (next %u)", code, next);
            goto out;
        }
        /* the first pixel of the string about to be output */
        unsigned fc = code < next || prev == 0xFFFF ? first[code] : first[prev];
        if (prev != 0xFFFF && next < 4096) {
            prefix[next] = (uint16_t)prev;
            suffix[next] = (uint8_t)fc;
            first[next] = first[prev];
            next++;
            if (next == (1u << width) && width < 12) width++;
        }
        size_t sp = 0;
        for (unsigned c = code; c != 0xFFFF; c = prefix[c]) stack[sp++] = suffix[c];
        if (got + sp > npix) { say(why, whylen, "more than w*h pixels"); goto out; }
        while (sp) out[got++] = stack[--sp];
        prev = code;
    }
    if (got != npix) { say(why, whylen, "%zu pixels before the end code, want %zu", got, npix); goto out; }
    if (r.pos != r.n) { say(why, whylen, "%zu bytes after the end code", r.n - r.pos); goto out; }
    rc = 0;
out:
    if (nclears) *nclears = clears;
    free(d);
    return rc;
}

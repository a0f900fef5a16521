/* libFuzzer differential target over the GIF LZW encoder (src/gif/lzw.c), exact and lossy.
 *
 * Input: w-1, h-1 (1..64 each), colours-1 (2..256), lossy level (0..200), transparent
 * index (>= colours: none), then the palette (3 bytes a colour) and the indices (each
 * masked to the code size; missing bytes are 0). The encoded stream is wrapped in a
 * one-image GIF89a and decoded twice: by giflib and by the strict decoder below, which
 * also refuses what giflib tolerates (sub-block framing, a leading clear code, the end
 * code right after w*h pixels, nothing after it). The two decodes must agree; exact mode
 * must give the indices back; lossy mode must keep the contract tests/unit/test_lzw.c
 * states (transparency exact, colour error within 4*T(lossy), T = 9*lossy^2/16).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "gif/lzw.h"

#include <gif_lib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void fail(const char *what, long a, long b)
{
    fprintf(stderr, "fuzz_lzw: %s (%ld, %ld)\n", what, a, b);
    abort();
}

static void wrap_gif(gbuf *g, int w, int h, int min, const uint8_t *pal, int ncolors,
                     const gbuf *lzw)
{
    gbuf_put(g, "GIF89a", 6);
    gbuf_u16le(g, (unsigned)w);
    gbuf_u16le(g, (unsigned)h);
    gbuf_byte(g, (uint8_t)(0x80 | ((min - 1) << 4) | (min - 1)));
    gbuf_byte(g, 0);
    gbuf_byte(g, 0);
    for (int i = 0; i < (1 << min); i++)
        for (int k = 0; k < 3; k++) gbuf_byte(g, i < ncolors ? pal[3 * i + k] : 0);
    gbuf_byte(g, 0x2C);
    gbuf_u16le(g, 0);
    gbuf_u16le(g, 0);
    gbuf_u16le(g, (unsigned)w);
    gbuf_u16le(g, (unsigned)h);
    gbuf_byte(g, 0);
    gbuf_put(g, lzw->data, lzw->len);
    gbuf_byte(g, 0x3B);
    if (g->failed) fail("out of memory wrapping the GIF", 0, 0);
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

static void giflib_decode(const gbuf *g, int w, int h, uint8_t *out)
{
    memsrc m = { g->data, g->len, 0 };
    int err = 0;
    GifFileType *gif = DGifOpen(&m, mem_read, &err);
    if (!gif) fail("DGifOpen refused our stream", err, 0);
    if (DGifSlurp(gif) != GIF_OK) fail("DGifSlurp refused our stream", gif->Error, 0);
    if (gif->ImageCount != 1 || gif->SavedImages[0].ImageDesc.Width != w ||
        gif->SavedImages[0].ImageDesc.Height != h)
        fail("giflib saw another image count or size", gif->ImageCount, 0);
    memcpy(out, gif->SavedImages[0].RasterBits, (size_t)w * h);
    DGifCloseFile(gif, &err);
}

typedef struct bitreader {
    const uint8_t *d;
    size_t n, pos;
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

/* The strict decoder (the same rules as tests/unit/test_lzw.c's); aborts on any fault. */
static void strict_decode(const gbuf *lzw, int min, size_t npix, uint8_t *out)
{
    static uint16_t prefix[4096];
    static uint8_t suffix[4096], first[4096], stack[4097];
    if (lzw->len < 1 || lzw->data[0] != min) fail("bad code size byte", min, 0);
    uint8_t *d = malloc(lzw->len + 1);
    if (!d) abort();
    size_t i = 1, n = 0, got = 0;
    for (;;) {
        if (i >= lzw->len) fail("sub-blocks run past the data", (long)i, 0);
        size_t b = lzw->data[i++];
        if (b == 0) break;
        if (i + b > lzw->len) fail("sub-block truncated", (long)i, (long)b);
        memcpy(d + n, lzw->data + i, b);
        n += b;
        i += b;
    }
    if (i != lzw->len) fail("bytes after the block terminator", (long)(lzw->len - i), 0);
    bitreader r = { d, n, 0, 0, 0 };
    unsigned clear = 1u << min, eoi = clear + 1, next = clear + 2, prev = 0xFFFF, code;
    int width = min + 1, ncodes = 0;
    for (unsigned c = 0; c < clear; c++) {
        suffix[c] = first[c] = (uint8_t)c;
        prefix[c] = 0xFFFF;
    }
    for (;;) {
        if (read_code(&r, width, &code)) fail("data ends without an end code", (long)got, 0);
        if (ncodes++ == 0 && code != clear) fail("stream does not start with clear", code, 0);
        if (code == clear) {
            next = clear + 2;
            width = min + 1;
            prev = 0xFFFF;
            continue;
        }
        if (code == eoi) break;
        if (prev == 0xFFFF) {
            if (code >= clear) fail("first code after clear not a root", code, 0);
        } else if (code > next || (code == next && next >= 4096)) {
            fail("code beyond the table", code, next);
        }
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
        if (got + sp > npix) fail("more than w*h pixels", (long)(got + sp), (long)npix);
        while (sp) out[got++] = stack[--sp];
        prev = code;
    }
    if (got != npix) fail("pixels before the end code differ from w*h", (long)got, (long)npix);
    if (r.pos != r.n) fail("bytes after the end code", (long)(r.n - r.pos), 0);
    free(d);
}

static long dist(const uint8_t *pal, int a, int b)
{
    long dr = pal[3 * a] - pal[3 * b], dg = pal[3 * a + 1] - pal[3 * b + 1],
         db = pal[3 * a + 2] - pal[3 * b + 2];
    return 2 * dr * dr + 4 * dg * dg + 3 * db * db;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 5) return 0;
    int w = data[0] % 64 + 1, h = data[1] % 64 + 1, ncolors = data[2] + 1;
    if (ncolors < 2) ncolors = 2;
    int lossy = data[3] % 201, transparent = data[4] < ncolors ? data[4] : -1;
    data += 5;
    size -= 5;
    int min = 2;
    while ((1 << min) < ncolors) min++;
    uint8_t pal[256 * 3] = { 0 };
    size_t np = size < (size_t)ncolors * 3 ? size : (size_t)ncolors * 3;
    memcpy(pal, data, np);
    data += np;
    size -= np;
    /* A stride wider than the row, its padding poisoned with 0xEE: the encoder must not
     * read it. Indices beyond the palette (up to the code size) are legal GIF. */
    size_t npix = (size_t)w * h;
    int stride = w + 3;
    uint8_t *px = malloc((size_t)stride * h), *mine = malloc(npix), *theirs = malloc(npix);
    if (!px || !mine || !theirs) abort();
    memset(px, 0xEE, (size_t)stride * h);
    for (size_t k = 0; k < npix; k++)
        px[k / w * stride + k % w] = (uint8_t)((k < size ? data[k] : 0) & ((1 << min) - 1));
    lzw_params p = { .min_code_size = min, .palette = pal, .ncolors = ncolors,
                     .transparent = transparent, .lossy = lossy };
    gbuf lzw = { 0 }, gif = { 0 };
    if (lzw_encode(px, w, h, stride, &p, &lzw) != 0) fail("lzw_encode failed", w, h);
    strict_decode(&lzw, min, npix, mine);
    wrap_gif(&gif, w, h, min, pal, ncolors, &lzw);
    giflib_decode(&gif, w, h, theirs);
    if (memcmp(mine, theirs, npix)) fail("giflib and the strict decoder disagree", w, h);
    long bound = 4L * (9L * lossy * lossy / 16);
    for (size_t k = 0; k < npix; k++) {
        int o = px[k / w * stride + k % w], d = mine[k];
        if (o == d) continue;
        if (!lossy) fail("exact mode changed a pixel", (long)k, d);
        if (o == transparent) fail("transparent pixel changed", (long)k, d);
        if (d == transparent) fail("opaque pixel made transparent", (long)k, o);
        if (o >= ncolors || d >= ncolors) fail("colourless index changed", o, d);
        if (dist(pal, o, d) > bound) fail("colour error over the lossy bound", dist(pal, o, d), bound);
    }
    gbuf_free(&lzw);
    gbuf_free(&gif);
    free(px);
    free(mine);
    free(theirs);
    return 0;
}

/* libFuzzer differential target over the GIF LZW encoder (src/gif/lzw.c), exact and lossy.
 *
 * Input: w-1, h-1 (1..64 each), colours-1 (2..256), lossy level (0..200), transparent
 * index (>= colours: none), then the palette (3 bytes a colour) and the indices (each
 * masked to the code size; missing bytes are 0). The encoded stream is wrapped in a
 * one-image GIF89a and decoded twice: by giflib and by the strict decoder below, which
 * also refuses what giflib tolerates (sub-block framing, a leading clear code, the end
 * code right after w*h pixels, nothing after it; tests/support/lzw_check.c). The two decodes must agree; exact mode
 * must give the indices back; lossy mode must keep the contract tests/unit/test_lzw.c
 * states (transparency exact, colour error within 4*T(lossy), T = 9*lossy^2/16).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "gif/lzw.h"
#include "lzw_check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void fail(const char *what, long a, long b)
{
    fprintf(stderr, "fuzz_lzw: %s (%ld, %ld)\n", what, a, b);
    abort();
}

/* Both decodes of the stream (tests/support/lzw_check.c); any refusal is a finding. */
static void decode_both(const gbuf *lzw, int w, int h, int min, const uint8_t *pal,
                        int ncolors, uint8_t *mine, uint8_t **theirs)
{
    char why[200];
    gbuf gif = { 0 };
    if (lzwc_strict_decode(lzw, min, (size_t)w * h, mine, NULL, why, sizeof why))
        fail(why, w, h);
    lzwc_wrap_gif(&gif, w, h, min, pal, ncolors, lzw);
    if (gif.failed) fail("out of memory wrapping the GIF", 0, 0);
    *theirs = lzwc_giflib_decode(&gif, w, h, why, sizeof why);
    if (!*theirs) fail(why, w, h);
    gbuf_free(&gif);
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
    uint8_t *px = malloc((size_t)stride * h), *mine = malloc(npix + 1), *theirs = NULL;
    if (!px || !mine) abort();
    memset(px, 0xEE, (size_t)stride * h);
    for (size_t k = 0; k < npix; k++)
        px[k / w * stride + k % w] = (uint8_t)((k < size ? data[k] : 0) & ((1 << min) - 1));
    lzw_params p = { .min_code_size = min, .palette = pal, .ncolors = ncolors,
                     .transparent = transparent, .lossy = lossy };
    gbuf lzw = { 0 };
    if (lzw_encode(px, w, h, stride, &p, &lzw) != 0) fail("lzw_encode failed", w, h);
    decode_both(&lzw, w, h, min, pal, ncolors, mine, &theirs);
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
    free(px);
    free(mine);
    free(theirs);
    return 0;
}

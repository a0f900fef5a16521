/* libFuzzer target over the GIF remap (src/gif/remap.c): random RGBA pictures onto random
 * palettes, with and without dithering, and the exact-palette path GIF inputs take.
 *
 * Input: w-1, h-1 (1..32 each), colours-1, transparent index (>= colours: none), dither
 * (0..255 as 0..1), then the palette (3 bytes a colour; an entry whose red byte is 0xFD is
 * not usable), then the pixels (4 bytes each; missing bytes are 0). Checks: every index is
 * an entry of the palette; a see-through pixel (alpha < 128 with a transparent entry) takes
 * it, an opaque one never does and never an unusable entry; when remap_exact_palette takes
 * the picture's own colours, remapping without dither gives every pixel its colour back.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "gif/remap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void fail(const char *what, long a, long b)
{
    fprintf(stderr, "fuzz_remap: %s (%ld, %ld)\n", what, a, b);
    abort();
}

static void check_indices(const uint8_t *px, int w, int h, const remap_palette *pal,
                          const uint8_t *ix)
{
    for (int k = 0; k < w * h; k++) {
        int i = ix[k];
        if (i >= pal->ncolors) fail("index past the palette", k, i);
        if (pal->transparent >= 0 && px[4 * k + 3] < 128) {
            if (i != pal->transparent) fail("see-through pixel not transparent", k, i);
        } else {
            if (i == pal->transparent) fail("opaque pixel made transparent", k, i);
            if (!pal->usable[i]) fail("opaque pixel took an unusable entry", k, i);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 5) return 0;
    int w = data[0] % 32 + 1, h = data[1] % 32 + 1;
    remap_palette pal;
    memset(&pal, 0, sizeof pal);
    pal.ncolors = data[2] + 1;
    pal.transparent = data[3] < pal.ncolors ? data[3] : -1;
    double dither = data[4] / 255.0;
    data += 5;
    size -= 5;
    int usable = 0;
    for (int i = 0; i < pal.ncolors; i++) {
        for (int c = 0; c < 3; c++) {
            size_t at = (size_t)i * 3 + c;
            pal.rgb[at] = at < size ? data[at] : (uint8_t)(i * 37 + c * 91);
        }
        pal.usable[i] = i != pal.transparent && pal.rgb[3 * i] != 0xFD;
        usable += pal.usable[i];
    }
    if (!usable) return 0; /* the encoder always has an opaque entry to give */
    size_t np = (size_t)pal.ncolors * 3;
    data += np < size ? np : size;
    size -= np < size ? np : size;
    uint8_t *px = malloc((size_t)w * h * 4);
    uint8_t **rows = malloc((size_t)h * sizeof *rows);
    if (!px || !rows) abort();
    for (size_t k = 0; k < (size_t)w * h * 4; k++) px[k] = k < size ? data[k] : 0;
    for (int y = 0; y < h; y++) rows[y] = px + (size_t)y * w * 4;

    remapper *r = NULL;
    gerr e;
    memset(&e, 0, sizeof e);
    if (remapper_new(&r, &e) != GIFC_OK) abort();
    uint8_t *ix = NULL;
    remap_palette given = pal;
    if (remap_rows(r, rows, w, h, &pal, dither, &ix, &e) != GIFC_OK) fail("remap_rows failed", w, h);
    if (pal.ncolors != given.ncolors || pal.transparent != given.transparent ||
        memcmp(pal.usable, given.usable, sizeof pal.usable))
        fail("remap_rows changed more than the colours", pal.ncolors, pal.transparent);
    check_indices(px, w, h, &pal, ix);
    int q = remap_nearest(&pal, px);
    if (q < 0 || q >= pal.ncolors || !pal.usable[q]) fail("remap_nearest gave a bad entry", q, 0);

    /* The exact path: the picture's own colours (opaque pixels only). */
    remap_palette own;
    memset(&own, 0, sizeof own);
    if (remap_exact_palette(rows, w, h, 256, &own)) {
        /* No opaque pixel: no colour at all. */
        int any_clear = 0, any_opaque = 0;
        for (int k = 0; k < w * h; k++) {
            any_clear |= px[4 * k + 3] < 128;
            any_opaque |= px[4 * k + 3] >= 128;
        }
        if (own.ncolors < any_opaque || own.ncolors > 256 || own.transparent != -1)
            fail("exact palette out of range", own.ncolors, own.transparent);
        for (int i = 0; i < own.ncolors; i++)
            if (!own.usable[i]) fail("exact palette entry not usable", i, 0);
        /* Without a transparent entry remap_rows maps every pixel as opaque: the round
         * trip is checked on wholly opaque pictures. */
        if (!any_clear) {
            if (remap_rows(r, rows, w, h, &own, 0, &ix, &e) != GIFC_OK) fail("remap_rows failed", w, h);
            for (int k = 0; k < w * h; k++)
                if (memcmp(own.rgb + 3 * ix[k], px + 4 * k, 3))
                    fail("exact palette did not give a pixel its colour back", k, ix[k]);
        }
    }
    remapper_free(&r);
    free(rows);
    free(px);
    return 0;
}

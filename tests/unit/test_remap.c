/* Unit tests for the GIF remap: nearest search against brute force, exact palettes kept,
 * transparency, and that dithering follows a ramp that a plain remap bands.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "gif/remap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

static unsigned rng = 12345;
static int rnd(int n)
{
    rng = rng * 1103515245u + 12345u;
    return (int)((rng >> 16) % (unsigned)n);
}

static int dist(const uint8_t *a, const uint8_t *b)
{
    int dr = a[0] - b[0], dg = a[1] - b[1], db = a[2] - b[2];
    return 2 * dr * dr + 4 * dg * dg + 3 * db * db;
}

static void random_palette(remap_palette *p, int n)
{
    memset(p, 0, sizeof *p);
    p->ncolors = n;
    p->transparent = -1;
    for (int i = 0; i < n * 3; i++) p->rgb[i] = (uint8_t)rnd(256);
    memset(p->usable, 1, (size_t)n);
}

static void test_nearest_is_exact(void)
{
    static const int sizes[] = { 1, 2, 16, 255, 256 };
    for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++) {
        remap_palette p;
        random_palette(&p, sizes[s]);
        for (int t = 0; t < 2000; t++) {
            uint8_t c[3] = { (uint8_t)rnd(256), (uint8_t)rnd(256), (uint8_t)rnd(256) };
            int best = 0;
            for (int i = 1; i < p.ncolors; i++)
                if (dist(p.rgb + i * 3, c) < dist(p.rgb + best * 3, c)) best = i;
            int got = remap_nearest(&p, c);
            CHECK(dist(p.rgb + got * 3, c) == dist(p.rgb + best * 3, c),
                  "%d colours: got %d (d %d), brute force %d (d %d)", p.ncolors, got,
                  dist(p.rgb + got * 3, c), best, dist(p.rgb + best * 3, c));
        }
    }
}

/* A picture made only of palette colours comes back exactly, dithered or not, and the
 * k-means step leaves such a palette as it was. */
static void test_exact_palette_kept(remapper *r)
{
    enum { W = 37, H = 23 };
    remap_palette p;
    random_palette(&p, 40);
    uint8_t pix[W * H * 4], *rows[H], want[W * H];
    for (int i = 0; i < W * H; i++) {
        want[i] = (uint8_t)rnd(40);
        memcpy(pix + i * 4, p.rgb + want[i] * 3, 3);
        pix[i * 4 + 3] = 255;
    }
    for (int y = 0; y < H; y++) rows[y] = pix + y * W * 4;
    for (int d = 0; d <= 1; d++) {
        remap_palette q = p;
        uint8_t *idx;
        gerr e = { 0 };
        CHECK(remap_rows(r, rows, W, H, &q, d, &idx, &e) == GIFC_OK, "%s", e.msg);
        int wrong = 0;
        for (int i = 0; i < W * H; i++) wrong += memcmp(q.rgb + idx[i] * 3, pix + i * 4, 3) != 0;
        CHECK(wrong == 0, "dither %d: %d pixels changed colour", d, wrong);
        CHECK(memcmp(q.rgb, p.rgb, 40 * 3) == 0, "dither %d: palette moved", d);
    }
}

/* See-through pixels take the transparent entry; opaque ones never take it nor another
 * unusable entry, even when that entry's colour would be nearest. */
static void test_transparency(remapper *r)
{
    enum { W = 16, H = 8 };
    remap_palette p;
    random_palette(&p, 8);
    p.transparent = 2;
    p.usable[2] = 0;
    p.usable[5] = 0;
    uint8_t pix[W * H * 4], *rows[H];
    for (int i = 0; i < W * H; i++) {
        memcpy(pix + i * 4, p.rgb + (i % 2 ? 5 : 2) * 3, 3); /* unusable colours */
        pix[i * 4 + 3] = i % 3 == 0 ? 0 : 255;
    }
    for (int y = 0; y < H; y++) rows[y] = pix + y * W * 4;
    uint8_t *idx;
    gerr e = { 0 };
    CHECK(remap_rows(r, rows, W, H, &p, 1.0, &idx, &e) == GIFC_OK, "%s", e.msg);
    for (int i = 0; i < W * H; i++) {
        if (i % 3 == 0) CHECK(idx[i] == 2, "pixel %d: index %d, want transparent 2", i, idx[i]);
        else CHECK(idx[i] != 2 && idx[i] != 5, "pixel %d: unusable index %d", i, idx[i]);
    }
}

/* A horizontal grey ramp with two entries: undithered it is two flat bands; dithered,
 * each column's mean follows the ramp between the two (k-means moved) entries (this is what keeps gradients from banding). */
static double ramp_error(remapper *r, double dither)
{
    enum { W = 64, H = 64 };
    remap_palette p = { .ncolors = 2, .transparent = -1, .usable = { 1, 1 } };
    memset(p.rgb, 80, 3);
    memset(p.rgb + 3, 140, 3);
    static uint8_t pix[W * H * 4];
    uint8_t *rows[H], *idx;
    for (int i = 0; i < W * H; i++) memset(pix + i * 4, 80 + 60 * (i % W) / (W - 1), 3);
    for (int i = 0; i < W * H; i++) pix[i * 4 + 3] = 255;
    for (int y = 0; y < H; y++) rows[y] = pix + y * W * 4;
    gerr e = { 0 };
    CHECK(remap_rows(r, rows, W, H, &p, dither, &idx, &e) == GIFC_OK, "%s", e.msg);
    double err = 0;
    int n = 0, lo = p.rgb[0] < p.rgb[3] ? p.rgb[0] : p.rgb[3], hi = p.rgb[0] ^ p.rgb[3] ^ lo;
    for (int x = 0; x < W; x++) {
        if (pix[x * 4] < lo + 2 || pix[x * 4] > hi - 2) continue; /* nothing to mix there */
        n++;
        long sum = 0;
        for (int y = 0; y < H; y++) sum += p.rgb[idx[y * W + x] * 3];
        double d = (double)sum / H - pix[x * 4];
        err += d < 0 ? -d : d;
    }
    return n ? err / n : 99;
}

static void test_dither_follows_ramp(remapper *r)
{
    double plain = ramp_error(r, 0), dithered = ramp_error(r, 1.0);
    CHECK(plain > 5, "undithered ramp error %.2f: expected visible bands", plain);
    CHECK(dithered < 3 && dithered < plain / 3, "dithered ramp error %.2f (plain %.2f)",
          dithered, plain);
}

int main(void)
{
    remapper *r = NULL;
    gerr e = { 0 };
    if (remapper_new(&r, &e)) return 1;
    test_nearest_is_exact();
    test_exact_palette_kept(r);
    test_transparency(r);
    test_dither_follows_ramp(r);
    remapper_free(&r);
    if (failures) fprintf(stderr, "%d checks failed\n", failures);
    return failures ? 1 : 0;
}

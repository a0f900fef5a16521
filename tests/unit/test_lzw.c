/* Unit test for the GIF LZW encoder (src/lzw.c).
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every encoded stream is wrapped in a minimal GIF89a in memory and decoded by giflib
 * (DGifOpen with a memory reader + DGifSlurp); it is also parsed by a strict decoder here
 * that checks what giflib tolerates: the sub-block framing, a leading clear code, an end
 * code exactly after w*h pixels and nothing after it.
 *
 * Exact mode must round-trip byte for byte. Lossy mode must decode to w*h indices where
 *   - a transparent pixel stays exactly the transparent index, and an opaque pixel never
 *     becomes it;
 *   - every opaque pixel satisfies d(decoded, original) <= 4*T(lossy), with
 *     d = 2*dR^2 + 4*dG^2 + 3*dB^2 and T = 9*lossy^2/16, the contract documented in
 *     src/lzw.c (the encoder accepts a colour within T of the error-carrying target and
 *     within 4*T of the true colour).
 * Lossy output must also be smaller than exact output on images made for it.
 * Prints one line per failure to stderr; returns non-zero if anything failed.
 */
#include "check.h"
#include "lzw_check.h"
#include "gif/lzw.h"
#include "gif/colour.h"
#include <gif_lib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An unconditional failure through check.h's CHECK (counts in `failures`, names the line). */
#define fail(...) CHECK(0, __VA_ARGS__)

/* Deterministic xorshift32, so a failure reproduces. */
static uint32_t rng_state = 2463534242u;
static uint32_t rnd(void)
{
    uint32_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return rng_state = x;
}

/* ---------- images ---------- */

typedef struct image {
    int w, h, stride;
    uint8_t *px;
} image;

static image img_new(int w, int h, int stride)
{
    image im = { w, h, stride, NULL };
    size_t n = (size_t)stride * (size_t)(h > 0 ? h : 1);
    im.px = malloc(n ? n : 1);
    if (!im.px) { fputs("test_lzw: out of memory\n", stderr); exit(2); }
    /* Padding gets an index no tested code size accepts, so reading it would show. */
    memset(im.px, 0xFF, n ? n : 1);
    return im;
}

static uint8_t *at(image *im, int x, int y) { return im->px + (size_t)y * im->stride + x; }

static image img_noise(int w, int h, int stride, int ncolors)
{
    image im = img_new(w, h, stride);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) *at(&im, x, y) = (uint8_t)(rnd() % (uint32_t)ncolors);
    return im;
}

static image img_flat(int w, int h, uint8_t v)
{
    image im = img_new(w, h, w);
    memset(im.px, v, (size_t)w * h);
    return im;
}

enum { GRAD_H, GRAD_V, GRAD_D };
static image img_gradient(int w, int h, int kind, int ncolors)
{
    image im = img_new(w, h, w);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            long v = kind == GRAD_H ? (long)x * ncolors / w
                   : kind == GRAD_V ? (long)y * ncolors / h
                   : (long)(x + y) % ncolors;
            *at(&im, x, y) = (uint8_t)v;
        }
    return im;
}

/* A horizontal ramp with +-spread index noise: a "noisy near-colour" image for a palette
 * whose neighbouring entries are similar colours. */
static image img_noisy_ramp(int w, int h, int ncolors, int spread)
{
    image im = img_new(w, h, w);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            long v = (long)x * ncolors / w + (long)(rnd() % (2u * spread + 1)) - spread;
            if (v < 0) v = 0;
            if (v >= ncolors) v = ncolors - 1;
            *at(&im, x, y) = (uint8_t)v;
        }
    return im;
}

/* ---------- palettes ---------- */

static void pal_random(uint8_t *pal, int n)
{
    for (int i = 0; i < 3 * n; i++) pal[i] = (uint8_t)rnd();
}

/* Neighbouring entries differ by a few levels: what a quantiser gives for a gradient. */
static void pal_ramp(uint8_t *pal, int n)
{
    for (int i = 0; i < n; i++) {
        int v = n > 1 ? i * 255 / (n - 1) : 0;
        pal[3 * i] = (uint8_t)v;
        pal[3 * i + 1] = (uint8_t)(40 + v * 3 / 4);
        pal[3 * i + 2] = (uint8_t)(255 - v);
    }
}

/* ---------- giflib and the strict decoder (tests/support/lzw_check.c) ---------- */

static void wrap_gif(gbuf *g, int w, int h, int min, const uint8_t *pal, int ncolors,
                     const gbuf *lzw)
{
    lzwc_wrap_gif(g, w, h, min, pal, ncolors, lzw);
}

/* Returns malloc'd w*h indices decoded by giflib, or NULL after reporting why. */
static uint8_t *giflib_decode(const gbuf *g, int w, int h, const char *what)
{
    char why[200];
    uint8_t *res = lzwc_giflib_decode(g, w, h, why, sizeof why);
    if (!res) fail("%s: %s", what, why);
    return res;
}

/* 0 when the stream is strictly well formed; else reports why. */
static int strict_decode(const gbuf *lzw, int min, size_t npix, uint8_t *out, int *nclears,
                         const char *what)
{
    char why[200];
    if (lzwc_strict_decode(lzw, min, npix, out, nclears, why, sizeof why) == 0) return 0;
    fail("%s: %s", what, why);
    return -1;
}

/* ---------- round trip ---------- */

typedef struct result {
    uint8_t *dec;   /* giflib's decode, w*h, or NULL */
    size_t size;    /* bytes of LZW data */
    int clears;
} result;

/* Encodes, checks the stream strictly, decodes with giflib and compares both decodes. */
static result round_trip(const image *im, const lzw_params *p, const char *what)
{
    result res = { NULL, 0, 0 };
    gbuf lzw = { 0 }, gif = { 0 };
    size_t npix = (size_t)im->w * im->h;
    if (lzw_encode(im->px, im->w, im->h, im->stride, p, &lzw) != 0) {
        fail("%s: lzw_encode failed", what);
        goto out;
    }
    res.size = lzw.len;
    uint8_t *mine = malloc(npix + 1);
    if (!mine) goto out;
    if (strict_decode(&lzw, p->min_code_size, npix, mine, &res.clears, what) == 0) {
        wrap_gif(&gif, im->w, im->h, p->min_code_size, p->palette, p->ncolors, &lzw);
        res.dec = giflib_decode(&gif, im->w, im->h, what);
        if (res.dec && memcmp(res.dec, mine, npix) != 0)
            fail("%s: giflib and strict decoder disagree", what);
    }
    free(mine);
out:
    gbuf_free(&lzw);
    gbuf_free(&gif);
    return res;
}

static size_t check_exact(const image *im, int min, const char *what)
{
    lzw_params p = { min, NULL, 0, -1, 0, NULL, NULL };
    result r = round_trip(im, &p, what);
    if (r.dec) {
        for (int y = 0; y < im->h; y++)
            if (memcmp(r.dec + (size_t)y * im->w, im->px + (size_t)y * im->stride, (size_t)im->w)) {
                fail("%s: exact decode differs in row %d", what, y);
                break;
            }
    }
    free(r.dec);
    return r.size;
}

/* ---------- lossy contract ---------- */

static long dist(const uint8_t *pal, int a, int b)
{
    long dr = pal[3 * a] - pal[3 * b], dg = pal[3 * a + 1] - pal[3 * b + 1],
         db = pal[3 * a + 2] - pal[3 * b + 2];
    return 2 * dr * dr + 4 * dg * dg + 3 * db * db;
}

static long lossy_bound(int lossy) { return 4L * (9L * lossy * lossy / 16); }

/* Returns the number of pixels breaking the lossy contract; reports the first if loud. */
static long contract_violations(const image *im, const uint8_t *dec, const lzw_params *p,
                                int loud, const char *what)
{
    long bad = 0, bound = lossy_bound(p->lossy);
    for (int y = 0; y < im->h; y++)
        for (int x = 0; x < im->w; x++) {
            int o = im->px[(size_t)y * im->stride + x], d = dec[(size_t)y * im->w + x];
            const char *why = NULL;
            if (o == p->transparent && d != o) why = "transparent pixel changed";
            else if (o != p->transparent && d == p->transparent) why = "opaque pixel made transparent";
            else if (o != d && (d >= p->ncolors || o >= p->ncolors)) why = "colourless index changed";
            else if (o != d && dist(p->palette, o, d) > bound) why = "colour error over bound";
            if (why && bad++ == 0 && loud)
                fail("%s: (%d,%d) %d -> %d: %s (d=%ld, bound %ld)", what, x, y, o, d, why,
                     o < p->ncolors && d < p->ncolors ? dist(p->palette, o, d) : -1L, bound);
        }
    return bad;
}

/* Mean signed error per channel over the image, in levels: carrying the error along the
 * run keeps it far below the per-pixel bound instead of drifting one way. */
static double mean_bias(const image *im, const uint8_t *dec, const lzw_params *p)
{
    double worst = 0;
    for (int k = 0; k < 3; k++) {
        double s = 0;
        long n = 0;
        for (int y = 0; y < im->h; y++)
            for (int x = 0; x < im->w; x++) {
                int o = im->px[(size_t)y * im->stride + x], d = dec[(size_t)y * im->w + x];
                if (o == p->transparent || o >= p->ncolors) continue;
                s += p->palette[3 * d + k] - p->palette[3 * o + k];
                n++;
            }
        double m = n ? s / n : 0;
        if (m < 0) m = -m;
        if (m > worst) worst = m;
    }
    return worst;
}

static size_t check_lossy(const image *im, const lzw_params *p, const char *what)
{
    result r = round_trip(im, p, what);
    if (r.dec) {
        contract_violations(im, r.dec, p, 1, what);
        double bias = mean_bias(im, r.dec, p), delta = p->lossy / 4.0;
        if (bias > delta / 2 + 1)
            fail("%s: mean colour bias %.2f levels, want <= %.2f", what, bias, delta / 2 + 1);
    }
    free(r.dec);
    return r.size;
}

/* ---------- test groups ---------- */

static void test_exact_basic(void)
{
    char what[96];
    static const int mins[] = { 2, 2, 4, 8, 8, 3, 5, 6, 7 };
    static const int cols[] = { 2, 4, 16, 256, 2, 8, 32, 64, 128 };
    for (size_t i = 0; i < sizeof mins / sizeof *mins; i++) {
        image im = img_noise(480, 270, 480, cols[i]);
        snprintf(what, sizeof what, "exact noise %d colours min %d", cols[i], mins[i]);
        check_exact(&im, mins[i], what);
        free(im.px);
    }
    for (int min = 2; min <= 8; min++) {
        image im = img_flat(480, 270, (uint8_t)((1 << min) - 1));
        snprintf(what, sizeof what, "exact flat min %d", min);
        check_exact(&im, min, what);
        free(im.px);
        im = img_flat(1, 1, (uint8_t)(min - 1));
        snprintf(what, sizeof what, "exact 1x1 min %d", min);
        check_exact(&im, min, what);
        free(im.px);
    }
    for (int kind = GRAD_H; kind <= GRAD_D; kind++) {
        image im = img_gradient(301, 97, kind, 256);
        snprintf(what, sizeof what, "exact gradient kind %d", kind);
        check_exact(&im, 8, what);
        free(im.px);
        im = img_gradient(480, 270, kind, 4);
        snprintf(what, sizeof what, "exact 4-colour gradient kind %d", kind);
        check_exact(&im, 2, what);
        free(im.px);
    }
}

static void test_exact_shapes(void)
{
    char what[96];
    image im = img_noise(1, 3000, 1, 16);
    check_exact(&im, 4, "exact 1x3000 noise");
    free(im.px);
    im = img_noise(5000, 1, 5000, 256);
    check_exact(&im, 8, "exact 5000x1 noise");
    free(im.px);
    im = img_flat(1, 5000, 3);
    check_exact(&im, 2, "exact 1x5000 flat");
    free(im.px);
    static const int sizes[][2] = { { 17, 13 }, { 33, 7 }, { 255, 3 }, { 257, 5 }, { 3, 333 } };
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        im = img_noise(sizes[i][0], sizes[i][1], sizes[i][0], 5);
        snprintf(what, sizeof what, "exact %dx%d", sizes[i][0], sizes[i][1]);
        check_exact(&im, 3, what);
        free(im.px);
    }
    /* Non-trivial stride; padding bytes are 0xFF, invalid for code size 4. */
    im = img_noise(37, 29, 64, 16);
    check_exact(&im, 4, "exact stride 64 for w 37");
    free(im.px);
    im = img_gradient(100, 50, GRAD_D, 200);
    {
        image s = img_new(100, 50, 131);
        for (int y = 0; y < 50; y++) memcpy(at(&s, 0, y), at(&im, 0, y), 100);
        s.px[130] = 0xFF;
        check_exact(&s, 8, "exact stride 131 gradient");
        free(s.px);
    }
    free(im.px);
}

/* Large images: the dictionary fills many times over. A full table is frozen while its
 * strings stay as long as a fresh table's (stationary noise: it never needs clearing), so
 * codes after a full table must decode too; a change of content clears it. */
static void test_exact_resets(void)
{
    struct { int colours, min, want_clears; } cases[] = { { 256, 8, 1 }, { 2, 2, 1 }, { 16, 4, 1 } };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char what[96];
        image im = img_noise(1000, 1000, 1000, cases[i].colours);
        snprintf(what, sizeof what, "exact 1000x1000 noise %d colours", cases[i].colours);
        lzw_params p = { cases[i].min, NULL, 0, -1, 0, NULL, NULL };
        result r = round_trip(&im, &p, what);
        if (r.dec && memcmp(r.dec, im.px, (size_t)1000 * 1000))
            fail("%s: decode differs", what);
        if (r.clears < cases[i].want_clears)
            fail("%s: only %d clear codes, dictionary never reset", what, r.clears);
        free(r.dec);
        free(im.px);
    }
    /* 4-colour noise fills the table with strings of a few pixels; 256-colour noise below
     * it matches only short ones in that table: the frozen table must be cleared. */
    image im = img_noise(1000, 1000, 1000, 256);
    for (int y = 0; y < 400; y++)
        for (int x = 0; x < 1000; x++) *at(&im, x, y) &= 3;
    lzw_params p = { 8, NULL, 0, -1, 0, NULL, NULL };
    result r = round_trip(&im, &p, "exact 4 then 256 colours");
    if (r.dec && memcmp(r.dec, im.px, (size_t)1000 * 1000)) fail("4 then 256 colours: decode differs");
    if (r.clears < 2) fail("4 then 256 colours: only %d clear codes, frozen table kept", r.clears);
    free(r.dec);
    free(im.px);
    im = img_flat(1000, 1000, 7);
    check_exact(&im, 3, "exact 1000x1000 flat");
    free(im.px);
}

/* Every length from 1 pixel up past a full dictionary: the end code lands on every code
 * width boundary and right after a clear at least once. */
static void test_exact_sweep(void)
{
    char what[96];
    for (int n = 1; n <= 4400; n++) {
        image im = img_noise(n, 1, n, 256);
        snprintf(what, sizeof what, "exact sweep 256 colours %dx1", n);
        check_exact(&im, 8, what);
        free(im.px);
        if (n <= 1500) {
            im = img_noise(1, n, 1, 4);
            snprintf(what, sizeof what, "exact sweep 4 colours 1x%d", n);
            check_exact(&im, 2, what);
            free(im.px);
            im = img_noise(n, 1, n, 2);
            snprintf(what, sizeof what, "exact sweep 2 colours %dx1 min 8", n);
            check_exact(&im, 8, what);
            free(im.px);
        }
        if (failures > 20) return;
    }
}

static void test_bad_input(void)
{
    uint8_t px[4] = { 0, 1, 4, 2 };
    gbuf b = { 0 };
    gbuf_byte(&b, 0xAA);
    lzw_params p = { 2, NULL, 0, -1, 0, NULL, NULL };
    if (lzw_encode(px, 4, 1, 4, &p, &b) != -1) fail("index 4 with code size 2 accepted");
    if (b.len != 1 || b.failed) fail("rejected input left the buffer changed");
    p.min_code_size = 9;
    if (lzw_encode(px, 2, 1, 2, &p, &b) != -1) fail("code size 9 accepted");
    p.min_code_size = 1;
    if (lzw_encode(px, 2, 1, 2, &p, &b) != -1) fail("code size 1 accepted");
    gbuf_free(&b);
}

/* The encoder appends; lossy without a palette falls back to exact; no pixels is legal. */
static void test_api_edges(void)
{
    image im = img_noise(50, 40, 50, 16);
    lzw_params p = { 4, NULL, 0, -1, 0, NULL, NULL };
    gbuf alone = { 0 }, after = { 0 };
    gbuf_put(&after, "XYZ", 3);
    if (lzw_encode(im.px, 50, 40, 50, &p, &alone) || lzw_encode(im.px, 50, 40, 50, &p, &after))
        fail("append: encode failed");
    else if (after.len != alone.len + 3 || memcmp(after.data, "XYZ", 3) ||
             memcmp(after.data + 3, alone.data, alone.len))
        fail("append: output does not follow the existing bytes unchanged");
    p.lossy = 80; /* no palette: must still be exact */
    {
        gbuf nopal = { 0 };
        if (lzw_encode(im.px, 50, 40, 50, &p, &nopal) || nopal.len != alone.len ||
            memcmp(nopal.data, alone.data, alone.len))
            fail("lossy without palette is not the exact encoding");
        gbuf_free(&nopal);
    }
    gbuf_free(&alone);
    gbuf_free(&after);
    free(im.px);

    gbuf empty = { 0 };
    uint8_t none[1];
    int clears;
    p.lossy = 0;
    if (lzw_encode(none, 0, 0, 0, &p, &empty)) fail("0x0 image rejected");
    else strict_decode(&empty, 4, 0, none, &clears, "0x0 image");
    gbuf_free(&empty);
}

static void test_lossy_smooth(void)
{
    static uint8_t pal[256 * 3];
    char what[128];
    pal_ramp(pal, 256);
    static const int levels[] = { 20, 80, 200 };
    for (size_t i = 0; i < 3; i++) {
        lzw_params ex = { 8, pal, 256, -1, 0, NULL, NULL }, lo = ex;
        lo.lossy = levels[i];
        image ims[3] = { img_noisy_ramp(480, 270, 256, 6), img_gradient(480, 270, GRAD_D, 256),
                         img_noisy_ramp(480, 270, 256, 2) };
        const char *names[3] = { "noisy ramp +-6", "diagonal gradient", "noisy ramp +-2" };
        for (int k = 0; k < 3; k++) {
            snprintf(what, sizeof what, "lossy %d %s", levels[i], names[k]);
            size_t se = check_exact(&ims[k], 8, what);
            size_t sl = check_lossy(&ims[k], &lo, what);
            if (!(sl < se)) fail("%s: lossy %zu bytes not smaller than exact %zu", what, sl, se);
            if (k == 0) printf("  %-34s exact %7zu  lossy %7zu bytes\n", what, se, sl);
            free(ims[k].px);
        }
    }
}

static void test_lossy_varied(void)
{
    static uint8_t pal[256 * 3];
    char what[128];
    static const int levels[] = { 20, 80, 200 };
    for (size_t i = 0; i < 3; i++) {
        int L = levels[i];
        /* random palette, random pixels */
        pal_random(pal, 256);
        lzw_params p = { 8, pal, 256, -1, L, NULL, NULL };
        image im = img_noise(480, 270, 480, 256);
        snprintf(what, sizeof what, "lossy %d random palette noise", L);
        check_lossy(&im, &p, what);
        free(im.px);

        /* 4-colour similar palette, code size 2, with transparency at index 0 */
        uint8_t pal4[12] = { 100, 100, 100, 104, 104, 104, 108, 108, 108, 112, 112, 112 };
        lzw_params p4 = { 2, pal4, 4, 0, L, NULL, NULL };
        im = img_noise(333, 211, 333, 4);
        snprintf(what, sizeof what, "lossy %d min 2 with transparent 0", L);
        check_lossy(&im, &p4, what);
        free(im.px);
        p4.transparent = -1;
        im = img_gradient(480, 270, GRAD_H, 4);
        for (int y = 0; y < im.h; y++)
            for (int x = 0; x < im.w; x++)
                if (rnd() % 3 == 0) *at(&im, x, y) = (uint8_t)(rnd() % 4);
        snprintf(what, sizeof what, "lossy %d min 2 noisy 4-colour", L);
        size_t se = check_exact(&im, 2, what), sl = check_lossy(&im, &p4, what);
        if (L >= 80 && !(sl < se)) fail("%s: lossy %zu not smaller than exact %zu", what, sl, se);
        free(im.px);

        /* transparency: its colour duplicates an opaque entry, to tempt the encoder */
        pal_ramp(pal, 256);
        memcpy(pal + 3 * 77, pal + 3 * 78, 3);
        lzw_params pt = { 8, pal, 256, 77, L, NULL, NULL };
        im = img_noisy_ramp(400, 300, 256, 4);
        for (int y = 0; y < im.h; y++)
            for (int x = 0; x < im.w; x++)
                if ((x / 16 + y / 16) % 5 == 0 || rnd() % 50 == 0) *at(&im, x, y) = 77;
        snprintf(what, sizeof what, "lossy %d transparency", L);
        check_lossy(&im, &pt, what);
        free(im.px);

        /* fewer colours than the code size holds, odd shape, stride */
        pal_ramp(pal, 200);
        lzw_params pf = { 8, pal, 200, 199, L, NULL, NULL };
        im = img_new(131, 77, 160);
        for (int y = 0; y < im.h; y++)
            for (int x = 0; x < im.w; x++) *at(&im, x, y) = (uint8_t)((x + y + rnd() % 9) % 200);
        snprintf(what, sizeof what, "lossy %d 200 colours stride 160", L);
        check_lossy(&im, &pf, what);
        free(im.px);

        /* shapes */
        pal_ramp(pal, 256);
        lzw_params ps = { 8, pal, 256, -1, L, NULL, NULL };
        im = img_noisy_ramp(1, 1, 256, 0);
        snprintf(what, sizeof what, "lossy %d 1x1", L);
        check_lossy(&im, &ps, what);
        free(im.px);
        im = img_noise(1, 3000, 1, 256);
        snprintf(what, sizeof what, "lossy %d 1x3000", L);
        check_lossy(&im, &ps, what);
        free(im.px);
        im = img_noisy_ramp(1000, 1000, 256, 5);
        snprintf(what, sizeof what, "lossy %d 1000x1000 noisy ramp", L);
        check_lossy(&im, &ps, what);
        free(im.px);
        for (int n = 1; n <= 600; n += 7) {
            im = img_noisy_ramp(n, 3, 256, 3);
            snprintf(what, sizeof what, "lossy %d sweep %dx3", L, n);
            check_lossy(&im, &ps, what);
            free(im.px);
        }
    }
}

/* lzw_params.err and .shown, which the GIF writer's per-frame SSIM floor trusts, are what a
 * decoder shows: giflib's decode (checked against the strict one) has exactly those indices
 * and that error, transparent pixels adding nothing. */
static void test_lossy_error_reported(void)
{
    static uint8_t pal[256 * 3];
    pal_ramp(pal, 256);
    static const int levels[] = { 0, 10, 40, 120 };
    for (size_t i = 0; i < 4; i++) {
        char what[96];
        unsigned long long err = 99;
        image im = img_noisy_ramp(300, 200, 256, 5);
        uint8_t *shown = calloc((size_t)im.w * im.h, 1);
        lzw_params p = { 8, pal, 256, 3, levels[i], &err, levels[i] ? shown : NULL };
        for (int y = 0; y < im.h; y++)
            for (int x = 0; x < im.w; x++)
                if ((x / 8 + y / 8) % 7 == 0) *at(&im, x, y) = 3;
        snprintf(what, sizeof what, "lossy %d error report", levels[i]);
        result r = round_trip(&im, &p, what);
        unsigned long long want = 0;
        if (r.dec)
            for (int y = 0; y < im.h; y++)
                for (int x = 0; x < im.w; x++) {
                    const uint8_t *a = pal + 3 * r.dec[(size_t)y * im.w + x];
                    const uint8_t *b = pal + 3 * *at(&im, x, y);
                    want += (unsigned long long)colour_dist_sq(a[0] - b[0], a[1] - b[1],
                                                               a[2] - b[2]);
                }
        if (err != want) fail("%s: reported %llu, decoded frame has %llu", what, err, want);
        if (r.dec && levels[i] && memcmp(shown, r.dec, (size_t)im.w * im.h))
            fail("%s: the indices reported shown differ from the decode", what);
        free(shown);
        if (levels[i] >= 40 && want == 0) fail("%s: no loss at all (test proves nothing)", what);
        free(r.dec);
        free(im.px);
    }
}

/* The contract check itself must be able to fail: corrupt a decode on purpose. */
static void test_checker_can_fail(void)
{
    static uint8_t pal[256 * 3];
    pal_ramp(pal, 256);
    lzw_params p = { 8, pal, 256, 5, 80, NULL, NULL };
    image im = img_noisy_ramp(64, 8, 256, 3);
    im.px[10] = 5;
    uint8_t *dec = malloc(64 * 8);
    memcpy(dec, im.px, 64 * 8);
    if (contract_violations(&im, dec, &p, 0, "") != 0) fail("checker rejects a perfect decode");
    dec[0] = (uint8_t)(im.px[0] < 128 ? 255 : 0);
    if (contract_violations(&im, dec, &p, 0, "") != 1) fail("checker misses a far colour");
    memcpy(dec, im.px, 64 * 8);
    dec[10] = 6;
    if (contract_violations(&im, dec, &p, 0, "") != 1) fail("checker misses a lost transparent");
    memcpy(dec, im.px, 64 * 8);
    dec[11] = 5;
    if (contract_violations(&im, dec, &p, 0, "") != 1) fail("checker misses a new transparent");
    free(dec);
    free(im.px);
}

int main(void)
{
    test_checker_can_fail();
    test_bad_input();
    test_api_edges();
    test_exact_basic();
    test_exact_shapes();
    test_exact_resets();
    test_exact_sweep();
    test_lossy_smooth();
    test_lossy_varied();
    test_lossy_error_reported();
    return check_finish("test_lzw");
}

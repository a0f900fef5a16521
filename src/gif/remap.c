/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "gif/remap.h"

#include "gif/colour.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

static inline int dist3(const int *c, int r, int g, int b)
{
    return colour_dist_sq(c[0] - r, c[1] - g, c[2] - b);
}

/* Nearest-entry search: entries sorted by green, scanned outwards from the pixel's green
 * until 4*dg^2 alone exceeds the best distance. Before that, the guess (the previous pixel's
 * entry, or the undithered one) is accepted at once when it lies within half the distance
 * to its own nearest neighbour entry: by the triangle inequality nothing can be nearer. On
 * video frames most pixels stop there. */
typedef struct nn_index {
    int n;
    uint8_t order[256];   /* usable entries by increasing green */
    uint16_t first_at[257]; /* first position in order[] whose green is >= g, for each g */
    int col[256][3];      /* by entry */
    int radius[256];      /* by entry: a quarter of the squared distance to its nearest */
} nn_index;

static void nn_build(nn_index *nn, const remap_palette *pal)
{
    nn->n = 0;
    for (int i = 0; i < pal->ncolors; i++) {
        for (int c = 0; c < 3; c++) nn->col[i][c] = pal->rgb[i * 3 + c];
        if (!pal->usable[i] || i == pal->transparent) continue;
        int k = nn->n++; /* insertion by green */
        while (k > 0 && nn->col[nn->order[k - 1]][1] > nn->col[i][1]) {
            nn->order[k] = nn->order[k - 1];
            k--;
        }
        nn->order[k] = (uint8_t)i;
    }
    int k = 0;
    for (int g = 0; g <= 256; g++) {
        while (k < nn->n && nn->col[nn->order[k]][1] < g) k++;
        nn->first_at[g] = (uint16_t)k;
    }
    for (int a = 0; a < nn->n; a++) {
        int ia = nn->order[a], best = INT_MAX;
        for (int b = 0; b < nn->n; b++) {
            if (b == a) continue;
            int d = dist3(nn->col[nn->order[b]], nn->col[ia][0], nn->col[ia][1], nn->col[ia][2]);
            if (d < best) best = d;
        }
        nn->radius[ia] = best == INT_MAX ? INT_MAX : best / 4;
    }
}

static int nn_search(const nn_index *nn, int r, int g, int b, int guess, int *dist_out)
{
    int best = INT_MAX, bi = nn->order[0];
    if (guess >= 0) {
        best = dist3(nn->col[guess], r, g, b);
        bi = guess;
        if (best <= nn->radius[guess]) {
            *dist_out = best;
            return guess;
        }
    }
    int k = nn->first_at[g];
    for (int j = k; j < nn->n; j++) {
        int dg = nn->col[nn->order[j]][1] - g;
        if (4 * dg * dg >= best) break;
        int d = dist3(nn->col[nn->order[j]], r, g, b);
        if (d < best) best = d, bi = nn->order[j];
    }
    for (int j = k - 1; j >= 0; j--) {
        int dg = g - nn->col[nn->order[j]][1];
        if (4 * dg * dg >= best) break;
        int d = dist3(nn->col[nn->order[j]], r, g, b);
        if (d < best) best = d, bi = nn->order[j];
    }
    *dist_out = best;
    return bi;
}

int remap_nearest(const remap_palette *pal, const uint8_t rgb[3])
{
    nn_index nn;
    nn_build(&nn, pal);
    int d;
    return nn.n ? nn_search(&nn, rgb[0], rgb[1], rgb[2], -1, &d) : pal->transparent;
}

struct remapper {
    uint8_t *indices, *plain;   /* dithered result; undithered nearest entries */
    size_t cap;
    int *err;                   /* two rows of diffusion error, 3 channels, 1/16 units */
    size_t err_cap;
    nn_index nn;
    int64_t sum[256][3];        /* the k-means step's colour sums */
};

gifc_error remapper_new(remapper **out, gerr *e)
{
    *out = calloc(1, sizeof **out);
    return *out ? GIFC_OK : gerr_set(e, GIFC_ERR_NOMEM, "out of memory");
}

void remapper_free(remapper **pr)
{
    if (!pr || !*pr) return;
    free((*pr)->indices);
    free((*pr)->plain);
    free((*pr)->err);
    free(*pr);
    *pr = NULL;
}

static gifc_error ensure(remapper *r, int w, int h, gerr *e)
{
    size_t n = (size_t)w * h, en = (size_t)(w + 2) * 3 * 2;
    if (n > r->cap) {
        free(r->indices);
        free(r->plain);
        r->indices = malloc(n);
        r->plain = malloc(n);
        r->cap = r->indices && r->plain ? n : 0;
        if (!r->cap) return gerr_set(e, GIFC_ERR_NOMEM, "out of memory");
    }
    if (en > r->err_cap) {
        free(r->err);
        r->err = malloc(en * sizeof *r->err);
        r->err_cap = r->err ? en : 0;
        if (!r->err_cap) return gerr_set(e, GIFC_ERR_NOMEM, "out of memory");
    }
    return GIFC_OK;
}

static int see_through(const uint8_t *px, const remap_palette *pal)
{
    return px[3] < 128 && pal->transparent >= 0;
}

/* Undithered nearest entries, then each used entry moved to the mean of its pixels.
 * Returns the mean squared distance of the plain mapping (0 when nothing is opaque). */
static int plain_pass(remapper *r, uint8_t *const *rows, int w, int h, remap_palette *pal)
{
    int64_t (*sum)[3] = r->sum, cnt[256] = { 0 }, total = 0, npx = 0;
    memset(r->sum, 0, sizeof r->sum);
    for (int y = 0; y < h; y++) {
        const uint8_t *s = rows[y];
        uint8_t *o = r->plain + (size_t)y * w;
        int guess = -1, d;
        for (int x = 0; x < w; x++, s += 4) {
            if (see_through(s, pal)) {
                o[x] = (uint8_t)pal->transparent;
                continue;
            }
            int i = guess = nn_search(&r->nn, s[0], s[1], s[2], guess, &d);
            o[x] = (uint8_t)i;
            sum[i][0] += s[0], sum[i][1] += s[1], sum[i][2] += s[2];
            cnt[i]++, total += d, npx++;
        }
    }
    for (int i = 0; i < pal->ncolors; i++)
        if (cnt[i])
            for (int c = 0; c < 3; c++)
                pal->rgb[i * 3 + c] = (uint8_t)((sum[i][c] + cnt[i] / 2) / cnt[i]);
    return npx ? (int)(total / npx) : 0;
}

/* How many of the 4 neighbours took the same plain entry. Only flat areas (3 or 4) are
 * dithered: there a smooth gradient would show bands. Edges and texture hide banding
 * themselves, and dither noise there costs LZW bytes and SSIM (GoPro, webcam, flower at
 * q90: dithering everything was 2-4% bigger at 0.001 lower SSIM than this; no dither at
 * all is another 0.5-3% smaller at equal SSIM but bands skies and walls). */
static int flat_neighbours(const uint8_t *plain, int x, int y, int w, int h)
{
    const uint8_t *p = plain + (size_t)y * w + x;
    int n = 0;
    n += x == 0 || p[-1] == *p;
    n += x == w - 1 || p[1] == *p;
    n += y == 0 || p[-w] == *p;
    n += y == h - 1 || p[w] == *p;
    return n;
}

static inline int clamp255(int v)
{
    return v < 0 ? 0 : v > 255 ? 255 : v;
}

typedef struct dither_row {
    int *cur, *nxt;     /* indexed (x + 1) * 3 + channel */
    int strength256;    /* dither level * 256 */
    int max_err;        /* squared error above which the carried error is damped */
} dither_row;

static void dither_pixel(remapper *r, const uint8_t *s, int x, int y, int w, int h, int dir,
                         dither_row *dr)
{
    int *ce = dr->cur + (x + 1) * 3;
    static const int by_flat[5] = { 0, 0, 0, 1024, 2048 }; /* /2048 */
    int k = dr->strength256 * by_flat[flat_neighbours(r->plain, x, y, w, h)] / 256;
    int v[3], d;
    for (int c = 0; c < 3; c++) v[c] = clamp255(s[c] + (ce[c] * k) / (16 * 2048));
    /* The plain entry is the best first guess; searched again even undithered, since the
     * k-means step moved the entries (keeping it: +0.2% bytes, -0.0004 SSIM on GoPro). */
    int i = nn_search(&r->nn, v[0], v[1], v[2], r->plain[(size_t)y * w + x], &d);
    r->indices[(size_t)y * w + x] = (uint8_t)i;
    int er[3];
    for (int c = 0; c < 3; c++) er[c] = v[c] - r->nn.col[i][c];
    /* A colour the palette lacks would smear its error over many pixels: damp it. */
    if (d > dr->max_err)
        for (int c = 0; c < 3; c++) er[c] = er[c] * 3 / 4;
    int *cn = dr->cur + (x + 1 + dir) * 3, *nb = dr->nxt + (x + 1 - dir) * 3,
        *nx = dr->nxt + (x + 1) * 3, *nf = dr->nxt + (x + 1 + dir) * 3;
    for (int c = 0; c < 3; c++) {
        cn[c] += er[c] * 7;
        nb[c] += er[c] * 3;
        nx[c] += er[c] * 5;
        nf[c] += er[c];
    }
}

/* Floyd-Steinberg, serpentine so the error does not drift to one side. */
static void dither_pass(remapper *r, uint8_t *const *rows, int w, int h,
                        const remap_palette *pal, double dither, int mean_err)
{
    size_t rowlen = (size_t)(w + 2) * 3;
    dither_row dr = { .cur = r->err, .nxt = r->err + rowlen,
                      .strength256 = (int)(dither * 256 + 0.5),
                      .max_err = mean_err * 4 > 9 * 12 * 12 ? mean_err * 4 : 9 * 12 * 12 };
    memset(dr.cur, 0, rowlen * sizeof *dr.cur);
    for (int y = 0; y < h; y++) {
        memset(dr.nxt, 0, rowlen * sizeof *dr.nxt);
        int dir = y & 1 ? -1 : 1, x = dir > 0 ? 0 : w - 1;
        for (int n = 0; n < w; n++, x += dir) {
            const uint8_t *s = rows[y] + (size_t)x * 4;
            if (see_through(s, pal)) /* the screen shows through: no error in or out */
                r->indices[(size_t)y * w + x] = (uint8_t)pal->transparent;
            else
                dither_pixel(r, s, x, y, w, h, dir, &dr);
        }
        int *t = dr.cur;
        dr.cur = dr.nxt;
        dr.nxt = t;
    }
}

gifc_error remap_rows(remapper *r, uint8_t *const *rows, int w, int h, remap_palette *pal,
                      double dither, uint8_t **indices, gerr *e)
{
    *indices = NULL;
    if (ensure(r, w, h, e)) return e->code;
    nn_build(&r->nn, pal);
    if (!r->nn.n) { /* nothing opaque can be drawn: everything is see-through */
        if (pal->transparent < 0) return gerr_set(e, GIFC_ERR_ENCODE, "empty palette");
        memset(r->indices, pal->transparent, (size_t)w * h);
        *indices = r->indices;
        return GIFC_OK;
    }
    int mean_err = plain_pass(r, rows, w, h, pal);
    if (dither <= 0) {
        *indices = r->plain; /* the k-means step only moved entries towards their pixels */
        return GIFC_OK;
    }
    nn_build(&r->nn, pal);
    dither_pass(r, rows, w, h, pal, dither, mean_err);
    *indices = r->indices;
    return GIFC_OK;
}

/* Distinct colours through a small open-addressed set; most pixels repeat the previous
 * one's colour and skip it. */
int remap_exact_palette(uint8_t *const *rows, int w, int h, int max, remap_palette *pal)
{
    enum { SLOTS = 1024 }; /* > 4 * 256: probes stay short */
    uint32_t set[SLOTS];
    memset(set, 0xff, sizeof set);
    int n = 0;
    uint32_t last = 0xffffffffu;
    for (int y = 0; y < h; y++) {
        const uint8_t *s = rows[y];
        for (int x = 0; x < w; x++, s += 4) {
            if (s[3] < 128) continue;
            uint32_t c = (uint32_t)s[0] << 16 | (uint32_t)s[1] << 8 | s[2];
            if (c == last) continue;
            last = c;
            uint32_t k = (c * 2654435761u) >> 22;
            while (set[k] != 0xffffffffu && set[k] != c) k = (k + 1) & (SLOTS - 1);
            if (set[k] == c) continue;
            if (n == max) return 0;
            set[k] = c;
            pal->rgb[n * 3] = s[0], pal->rgb[n * 3 + 1] = s[1], pal->rgb[n * 3 + 2] = s[2];
            pal->usable[n++] = 1;
        }
    }
    pal->ncolors = n;
    pal->transparent = -1;
    return 1;
}

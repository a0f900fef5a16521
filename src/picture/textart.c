/* Flat art with fine colour detail (textart.h). Two measures, both cheap: the share of
 * pixels equal to their left neighbour (terminal text and diagrams: most; camera video
 * and dithered GIFs: few), and the share of 2x2 blocks whose pixels' chroma spreads
 * further than one 4:2:0 sample can hold (coloured text edges).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "picture/textart.h"

#include <string.h>

/* Chroma spread (BT.601 Cb or Cr, 8-bit units) above which a 2x2 block's colours visibly
 * bleed into each other when averaged: green text on black spans about 90 in Cr. */
#define SPLIT_SPREAD 40
/* Thresholds measured on the corpus animations (README, "Coloured text in MP4"). */
#define FLAT_MIN_PM 600
#define SPLIT_MIN_PM 15

static void chroma(const uint8_t *p, int *cb, int *cr)
{
    int r = p[0], g = p[1], b = p[2];
    *cb = (-38 * r - 74 * g + 112 * b) >> 8;
    *cr = (112 * r - 94 * g - 18 * b) >> 8;
}

static int spread(const int v[4])
{
    int lo = v[0], hi = v[0];
    for (int i = 1; i < 4; i++) {
        if (v[i] < lo) lo = v[i];
        if (v[i] > hi) hi = v[i];
    }
    return hi - lo;
}

static void add_flat(textart_stats *st, const gframe *f)
{
    for (int y = 0; y < f->h; y++) {
        const uint8_t *row = f->rgba + (size_t)y * f->stride;
        for (int x = 1; x < f->w; x++)
            st->flat += !memcmp(row + 4 * x, row + 4 * (x - 1), 3);
        st->pixels += f->w > 1 ? f->w - 1 : 0;
    }
}

/* A block with a transparent pixel is left out: its colour there is the background's. */
static void add_block(textart_stats *st, const uint8_t *p0, const uint8_t *p1)
{
    const uint8_t *px[4] = { p0, p0 + 4, p1, p1 + 4 };
    int cb[4], cr[4];
    for (int i = 0; i < 4; i++) {
        if (px[i][3] < 255) return;
        chroma(px[i], &cb[i], &cr[i]);
    }
    st->blocks++;
    st->split += spread(cb) > SPLIT_SPREAD || spread(cr) > SPLIT_SPREAD;
}

void textart_add(textart_stats *st, const gframe *f)
{
    if (!f || !f->rgba) return;
    add_flat(st, f);
    for (int y = 0; y + 1 < f->h; y += 2) {
        const uint8_t *r0 = f->rgba + (size_t)y * f->stride, *r1 = r0 + f->stride;
        for (int x = 0; x + 1 < f->w; x += 2) add_block(st, r0 + 4 * x, r1 + 4 * x);
    }
}

void textart_shares(const textart_stats *st, int *flat_pm, int *split_pm)
{
    *flat_pm = st->pixels ? (int)(st->flat * 1000 / st->pixels) : 0;
    *split_pm = st->blocks ? (int)(st->split * 1000 / st->blocks) : 0;
}

int textart_pays(const textart_stats *st)
{
    int flat, split;
    textart_shares(st, &flat, &split);
    return flat >= FLAT_MIN_PM && split >= SPLIT_MIN_PM;
}

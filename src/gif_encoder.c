/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "gif_encoder.h"

#include "gif_writer.h"
#include "quantize.h"
#include "timeline.h"

#include <stdlib.h>
#include <string.h>

struct gifenc {
    gifenc_params p;
    gifw *w;
    quantizer *q;
    uint8_t *screen;      /* RGBA as a viewer shows it now; alpha 0 where nothing is drawn */
    uint8_t *work;        /* cropped RGBA handed to the quantiser */
    uint8_t *importance;
    uint8_t *changed;     /* 1 where the pixel differs visibly from the screen */
    uint8_t **rows;
    int have_screen, alpha_mode;
    int threshold_sq;     /* squared weighted RGB distance that counts as a visible change */
    int64_t cs_total;     /* centiseconds written so far */
};

typedef struct rect { int x, y, w, h; } rect;

/* Higher quality notices smaller changes; 100 re-sends almost everything that moved. */
static int threshold_for_quality(int quality)
{
    double t = 2.0 + (100 - quality) * 0.3;
    return (int)(t * t);
}

gifc_error gifenc_open(gifenc **out, FILE *fp, const gifenc_params *p, gerr *e)
{
    *out = NULL;
    gifenc *g = calloc(1, sizeof *g);
    if (!g) return gerr_set(e, GIFC_ERR_NOMEM, "out of memory");
    g->p = *p;
    size_t n = (size_t)p->width * p->height;
    g->screen = calloc(n, 4);
    g->work = malloc(n * 4);
    g->importance = malloc(n);
    g->changed = malloc(n);
    g->rows = malloc((size_t)p->height * sizeof *g->rows);
    if (!g->screen || !g->work || !g->importance || !g->changed || !g->rows) {
        gifenc_free(&g);
        return gerr_set(e, GIFC_ERR_NOMEM, "out of memory");
    }
    quant_params qp = { .colors = p->colors, .quality = p->quality, .dither = p->dither,
                        .speed = p->quality >= 95 ? 3 : 5 };
    if (quantizer_new(&g->q, &qp, e) || gifw_open(&g->w, fp, p->width, p->height, p->loop, e)) {
        gifenc_free(&g);
        return e->code;
    }
    g->threshold_sq = threshold_for_quality(p->quality);
    *out = g;
    return GIFC_OK;
}

/* GIF transparency is all or nothing. */
static void snap_alpha(gframe *f)
{
    for (int y = 0; y < f->h; y++) {
        uint8_t *px = f->rgba + (size_t)y * f->stride;
        for (int x = 0; x < f->w; x++, px += 4) {
            if (px[3] < 128) memset(px, 0, 4);
            else px[3] = 255;
        }
    }
}

static inline int visibly_different(const uint8_t *a, const uint8_t *b, int thr_sq)
{
    if (a[3] != b[3]) return 1;
    int dr = a[0] - b[0], dg = a[1] - b[1], db = a[2] - b[2];
    /* Green weighs most, as in luma; /9 keeps the scale of a plain RGB distance. */
    return (2 * dr * dr + 4 * dg * dg + 3 * db * db) > 9 * thr_sq;
}

/* Marks changed pixels and returns their bounding box (w == 0 when nothing changed). */
static rect diff_against_screen(gifenc *g, const gframe *f)
{
    int W = g->p.width, H = g->p.height;
    rect r = { W, H, 0, 0 };
    int x1 = -1, y1 = -1;
    for (int y = 0; y < H; y++) {
        const uint8_t *s = f->rgba + (size_t)y * f->stride, *o = g->screen + (size_t)y * W * 4;
        uint8_t *c = g->changed + (size_t)y * W;
        for (int x = 0; x < W; x++) {
            c[x] = (uint8_t)visibly_different(s + x * 4, o + x * 4, g->threshold_sq);
            if (!c[x]) continue;
            if (x < r.x) r.x = x;
            if (x > x1) x1 = x;
            if (y < r.y) r.y = y;
            y1 = y;
        }
    }
    if (x1 < 0) return (rect){ 0, 0, 0, 0 };
    r.w = x1 - r.x + 1;
    r.h = y1 - r.y + 1;
    return r;
}

/* Copies the crop into `work`: changed pixels as they are, unchanged ones as transparent
 * (ignored by the palette through the importance map). Returns 1 when any is unchanged. */
static int build_crop(gifenc *g, const gframe *f, rect r, int use_mask)
{
    int W = g->p.width, any_kept = 0;
    for (int y = 0; y < r.h; y++) {
        const uint8_t *s = f->rgba + (size_t)(r.y + y) * f->stride + (size_t)r.x * 4;
        const uint8_t *c = g->changed + (size_t)(r.y + y) * W + r.x;
        uint8_t *d = g->work + (size_t)y * r.w * 4, *imp = g->importance + (size_t)y * r.w;
        g->rows[y] = d;
        for (int x = 0; x < r.w; x++) {
            int keep = use_mask && !c[x];
            if (keep) {
                memset(d + x * 4, 0, 4);
                any_kept = 1;
            } else {
                memcpy(d + x * 4, s + x * 4, 4);
            }
            imp[x] = keep ? 0 : 255;
        }
    }
    return any_kept;
}

/* What a viewer shows after this frame: drawn pixels take their palette colour. */
static void update_screen(gifenc *g, rect r, const quant_out *qo, int clear_first)
{
    int W = g->p.width;
    if (clear_first) memset(g->screen, 0, (size_t)W * g->p.height * 4);
    for (int y = 0; y < r.h; y++) {
        const uint8_t *idx = qo->indices + (size_t)y * r.w;
        uint8_t *s = g->screen + ((size_t)(r.y + y) * W + r.x) * 4;
        for (int x = 0; x < r.w; x++, s += 4) {
            if (idx[x] == qo->transparent) continue;
            memcpy(s, qo->palette + idx[x] * 3, 3);
            s[3] = 255;
        }
    }
}

static void force_transparent(gifenc *g, rect r, quant_out *qo)
{
    for (int y = 0; y < r.h; y++) {
        const uint8_t *c = g->changed + (size_t)(r.y + y) * g->p.width + r.x;
        uint8_t *idx = qo->indices + (size_t)y * r.w;
        for (int x = 0; x < r.w; x++)
            if (!c[x]) idx[x] = (uint8_t)qo->transparent;
    }
}

static gifc_error write_frame(gifenc *g, rect r, const quant_out *qo, int disposal, int delay,
                              gerr *e)
{
    gifw_frame wf = { .indices = qo->indices, .stride = r.w, .x = r.x, .y = r.y, .w = r.w,
                      .h = r.h, .palette = qo->palette, .ncolors = qo->ncolors,
                      .transparent = qo->transparent, .disposal = disposal, .delay_cs = delay,
                      .lossy = g->p.lossy };
    return gifw_add(g->w, &wf, e);
}

/* Frames with transparency: each one whole, cleared after showing, so that pixels can turn
 * transparent again. */
static gifc_error push_alpha_frame(gifenc *g, gframe *f, int delay, gerr *e)
{
    rect full = { 0, 0, g->p.width, g->p.height };
    if (!g->alpha_mode && gifw_has_frame(g->w)) gifw_set_last_disposal(g->w, GIF_DISPOSE_BACKGROUND);
    g->alpha_mode = 1;
    build_crop(g, f, full, 0);
    quant_out qo;
    if (quantizer_run(g->q, g->rows, full.w, full.h, NULL, 1, &qo, e)) return e->code;
    update_screen(g, full, &qo, 1);
    return write_frame(g, full, &qo, GIF_DISPOSE_BACKGROUND, delay, e);
}

static gifc_error push_opaque_frame(gifenc *g, gframe *f, rect r, int first, int delay, gerr *e)
{
    int any_kept = build_crop(g, f, r, !first);
    quant_out qo;
    if (quantizer_run(g->q, g->rows, r.w, r.h, any_kept ? g->importance : NULL, any_kept, &qo, e))
        return e->code;
    if (any_kept && qo.transparent >= 0) force_transparent(g, r, &qo);
    update_screen(g, r, &qo, 0);
    return write_frame(g, r, &qo, GIF_DISPOSE_KEEP, delay, e);
}

gifc_error gifenc_push(gifenc *g, gframe *f, gerr *e)
{
    if (f->w != g->p.width || f->h != g->p.height)
        return gerr_set(e, GIFC_ERR_INVALID_ARG, "frame size changed");
    int delay = timeline_cs_delay(f->pts + f->duration, g->cs_total);
    int first = !gifw_has_frame(g->w) && !g->have_screen;
    if (first && delay < 2) delay = 2;
    if (!first && delay < 2) { /* too short to show (browsers turn <2 cs into 10 cs) */
        gifw_extend_last(g->w, delay);
        g->cs_total += delay;
        return GIFC_OK;
    }
    if (f->has_alpha) snap_alpha(f);
    rect box = { 0, 0, g->p.width, g->p.height };
    if (!first) box = diff_against_screen(g, f);
    if (box.w == 0) { /* nothing visible changed: the previous frame stays longer */
        gifw_extend_last(g->w, delay);
        g->cs_total += delay;
        return GIFC_OK;
    }
    gifc_error r = f->has_alpha || g->alpha_mode ? push_alpha_frame(g, f, delay, e)
                                                 : push_opaque_frame(g, f, box, first, delay, e);
    g->have_screen = 1;
    g->cs_total += delay;
    return r;
}

gifc_error gifenc_finish(gifenc *g, uint64_t *bytes, int64_t *frames, double *duration, gerr *e)
{
    if (!gifw_has_frame(g->w)) return gerr_set(e, GIFC_ERR_CORRUPT, "no frame to write");
    if (duration) *duration = g->cs_total / 100.0;
    return gifw_finish(g->w, bytes, frames, e);
}

void gifenc_free(gifenc **pg)
{
    if (!pg || !*pg) return;
    gifenc *g = *pg;
    gifw_free(&g->w);
    quantizer_free(&g->q);
    free(g->screen);
    free(g->work);
    free(g->importance);
    free(g->changed);
    free(g->rows);
    free(g);
    *pg = NULL;
}

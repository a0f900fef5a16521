/* Encoding one recipe from the frame cache, and measuring what it costs: bytes predicted
 * from sample chunks, SSIM of the decoded result against the cached frames.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "budget/budget_gif.h"

#include "base/ctx.h"
#include "caption/caption.h"
#include "gif/gifenc.h"
#include "gif/gif_read.h"
#include "gif/gifw.h"
#include "budget/ssim.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define GIF_FIXED_BYTES 36 /* header, screen descriptor, loop extension, trailer */
#define SSIM_SAMPLES_FULL 120

FILE *budget_tmpfile(gerr *e)
{
    const char *dir = getenv("TMPDIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/gifc-budget-XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(path);
    FILE *f = fd >= 0 ? fdopen(fd, "w+b") : NULL;
    if (fd >= 0) unlink(path);
    if (!f) {
        if (fd >= 0) close(fd);
        gerr_set(e, GIFC_ERR_OUTPUT, "cannot create a temporary file in %s",
                 dir && *dir ? dir : "/tmp");
    }
    return f;
}

gifc_error gsearch_tick(gsearch *g, int64_t advance)
{
    const gifc_options *o = &g->ctx->opts;
    g->progress_done += advance;
    int64_t done = g->progress_done < g->progress_total ? g->progress_done : g->progress_total;
    if (o->progress && o->progress(o->progress_user, done, g->progress_total))
        return gerr_set(&g->ctx->err, GIFC_ERR_ABORTED, "interrupted");
    return GIFC_OK;
}

void recipe_size(const gsearch *g, const recipe *r, int *w, int *h)
{
    *w = (int)lround(g->base.w * r->scale);
    *h = (int)lround(g->base.h * r->scale);
    if (*w < 1) *w = 1;
    if (*h < 1) *h = 1;
}

/* The frame shown for output frame j: cached frame `first + j * d`, on screen for the
 * d cached frames it stands for. */
static gifc_error output_frame(gsearch *g, const recipe *r, int64_t i, double t0, gframe **out)
{
    gerr *e = &g->ctx->err;
    if (fcache_get(g->cache, i, &g->in, e)) return e->code;
    int64_t last = i + r->fps_div < g->n ? i + r->fps_div : g->n;
    g->in.duration = fcache_pts(g->cache, last - 1) + fcache_duration(g->cache, last - 1) -
                     g->in.pts;
    g->in.pts -= t0;
    int w, h;
    recipe_size(g, r, &w, &h);
    *out = &g->in;
    if ((w != g->base.w || h != g->base.h) && scale_rgba(g->sc, &g->in, w, h, &g->small, e))
        return e->code;
    if (w != g->base.w || h != g->base.h) *out = &g->small;
    /* The cache has no caption (see fill_cache): drawn here at the candidate's size. */
    if (caption_draw(g->ctx->cap, *out, e)) return e->code;
    return GIFC_OK;
}

gifc_error recipe_encode(gsearch *g, const recipe *r, int64_t first, int64_t out_frames,
                         int report, FILE *gif, FILE *log, uint64_t *bytes)
{
    gerr *e = &g->ctx->err;
    plan p = g->base;
    recipe_size(g, r, &p.w, &p.h);
    p.colors = r->colors;
    p.quality = r->quality;
    p.lossy = r->lossy;
    p.dither = r->dither;
    gifenc_params gp = sink_gif_params(&g->ctx->opts, &p, g->si);
    gp.log = log;
    /* Samples compare candidates with each other: libimagequant's fastest search ranks them
     * the same at a fraction of the time (full encodes then correct the absolute bytes). */
    if (out_frames >= 0) gp.fast = 1;
    gifenc *enc = NULL;
    if (gifenc_open(&enc, gif, &gp, e)) return e->code;
    double t0 = fcache_pts(g->cache, first);
    int64_t j = 0;
    for (int64_t i = first; i < g->n && (out_frames < 0 || j < out_frames); i += r->fps_div, j++) {
        gframe *f = NULL;
        if (output_frame(g, r, i, t0, &f) || gifenc_push(enc, f, e)) break;
        if (report ? gsearch_tick(g, r->fps_div) : (j % 8 == 7 && gsearch_tick(g, 0))) break;
    }
    if (!e->code) gifenc_finish(enc, bytes, NULL, NULL, e);
    gifenc_free(&enc);
    g->attempts += out_frames < 0;
    return e->code;
}

/* Compares cached frames with the GIF's canvases as they are shown. */
typedef struct compare {
    gsearch *g;
    int64_t next, end;      /* cached frames still to compare */
    int64_t step;           /* compare one cached frame in `step` */
    int64_t from;           /* first cached frame compared */
    double t0, shown_cs;    /* time origin; where the canvas being shown starts */
    double sum;
    int count;
    int64_t frames;         /* canvases seen */
    int count_all;          /* read to the end even when every comparison is done */
    gifc_error err;
} compare;

static int compare_canvas(void *user, const uint8_t *canvas, int w, int h, int delay_cs)
{
    compare *c = user;
    gsearch *g = c->g;
    gerr *e = &g->ctx->err;
    double until = (c->shown_cs + delay_cs) / 100.0;
    c->frames++;
    gframe cv = { .rgba = (uint8_t *)canvas, .w = w, .h = h, .stride = w * 4 };
    const gframe *shown = &cv;
    int scaled = 0;
    for (; c->next < c->end && fcache_pts(g->cache, c->next) - c->t0 < until - 1e-6; c->next++) {
        if (c->next < c->from || (c->next - c->from) % c->step) continue;
        if (!scaled && (w != g->base.w || h != g->base.h)) {
            if (scale_rgba(g->sc, &cv, g->base.w, g->base.h, &g->up, e)) goto fail;
            shown = &g->up;
        }
        scaled = 1;
        /* What was asked is the captioned picture at the asked size. */
        if (fcache_get(g->cache, c->next, &g->ref, e) ||
            caption_draw(g->ctx->cap, &g->ref, e))
            goto fail;
        c->sum += ssim_rgba(g->ref.rgba, g->ref.stride, shown->rgba, shown->stride, g->base.w,
                            g->base.h);
        c->count++;
    }
    c->shown_cs += delay_cs;
    return c->next >= c->end && !c->count_all;
fail:
    c->err = e->code;
    return 1;
}

/* Bytes of the log's frames after the warm-up. */
static gifc_error counted_bytes(gsearch *g, FILE *log, int warm, double *bytes)
{
    gbuf px = { 0 };
    gif_log_frame lf;
    int r, k = 0;
    *bytes = 0;
    if (fflush(log) || fseek(log, 0, SEEK_SET)) r = -1;
    else
        while ((r = gifw_log_next(log, &lf, &px)) > 0)
            if (k++ >= warm) *bytes += lf.bytes;
    gbuf_free(&px);
    return r < 0 ? gerr_set(&g->ctx->err, GIFC_ERR_OUTPUT, "cannot read the frame log") : GIFC_OK;
}

static gifc_error measure_chunk(gsearch *g, const recipe *r, int64_t first, int64_t out_frames,
                                int warm, double acc[5])
{
    gerr *e = &g->ctx->err;
    FILE *gif = budget_tmpfile(e), *log = gif ? budget_tmpfile(e) : NULL;
    uint64_t total = 0;
    double bytes = 0;
    if (log && !recipe_encode(g, r, first, out_frames, 0, gif, log, &total) &&
        !counted_bytes(g, log, warm, &bytes)) {
        int64_t span = out_frames < 0 ? g->n - first : out_frames * r->fps_div;
        compare c = { .g = g, .next = first, .end = first + span < g->n ? first + span : g->n,
                      .from = first + (int64_t)warm * r->fps_div, .step = 1,
                      .t0 = fcache_pts(g->cache, first) };
        if (out_frames < 0) c.step = (c.end - c.from) / SSIM_SAMPLES_FULL + 1;
        if (!gif_read_frames(gif, compare_canvas, &c, e) && !c.err) {
            acc[0] += bytes;
            acc[1] += (double)(c.end - c.from);
            acc[2] += c.sum;
            acc[3] += c.count;
            for (int64_t i = c.from; i < c.end; i++) acc[4] += g->weight ? g->weight[i] : 1;
        }
    }
    if (gif) fclose(gif);
    if (log) fclose(log);
    return e->code;
}

gifc_error recipe_measure(gsearch *g, const recipe *r, measure *m)
{
    double acc[5] = { 0 }; /* counted bytes, cached frames they cover, SSIM sum, SSIM count,
                              the rate model's weight of those frames */
    g->attempts++;
    if (!g->nchunks) {
        if (measure_chunk(g, r, 0, -1, 0, acc)) return g->ctx->err.code;
        m->bytes = acc[0] + GIF_FIXED_BYTES;
    } else {
        for (int k = 0; k < g->nchunks; k++)
            if (measure_chunk(g, r, g->chunk_first[k], BUDGET_CHUNK_FRAMES, BUDGET_WARMUP, acc))
                return g->ctx->err.code;
        /* Scaled by changed pixels, not seconds nor frames: in a screen recording the bytes
         * come with the changes (a screen redrawn between two sampled chunks of typing),
         * whatever each frame's delay; on camera footage nearly every pixel changes, and
         * this is the frame count. */
        m->bytes = GIF_FIXED_BYTES + (acc[4] > 0 && g->weight_all > 0
                                          ? acc[0] * g->weight_all / acc[4]
                                          : acc[1] > 0 ? acc[0] * (double)g->n / acc[1] : acc[0]);
    }
    m->ssim = acc[3] > 0 ? acc[2] / acc[3] : 0;
    return GIFC_OK;
}

gifc_error recipe_ssim_full(gsearch *g, FILE *fp, double *ssim, int64_t *frames)
{
    compare c = { .g = g, .next = 0, .end = g->n, .from = 0, .count_all = 1,
                  .step = g->n / SSIM_SAMPLES_FULL + 1, .t0 = fcache_pts(g->cache, 0) };
    if (gif_read_frames(fp, compare_canvas, &c, &g->ctx->err) || c.err)
        return g->ctx->err.code;
    *ssim = c.count ? c.sum / c.count : 0;
    *frames = c.frames;
    return GIFC_OK;
}

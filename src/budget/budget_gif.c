/* The GIF size-budget search (see budget.h for the method).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "budget/budget_gif.h"

#include "base/ctx.h"
#include "gif/gifw.h"
#include "stream/reader.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Floors (documented in gifc.h and README): below these a GIF is not worth having. */
#define FLOOR_SIDE 32
#define FLOOR_FPS 5.0
#define FLOOR_COLORS 16
#define FLOOR_LOSSY 200
#define TIGHT 0.92        /* a result under the budget but below this share is grown */
#define MAX_FULL 4        /* full encodes (re-quantisations) at most */
#define MAX_REPLAYS 6     /* LZW-only re-runs a full encode */
#define TRIM_LOSSY 30     /* the LZW-only trim goes at most this far above the recipe's
                             level: beyond it our lossy LZW costs more SSIM per byte than
                             a smaller picture */

/* A finished GIF in a temporary file, with what made it. */
typedef struct result {
    FILE *gif, *log;
    recipe r;
    int lossy;            /* LZW level it was written with (>= r.lossy after a trim) */
    uint64_t bytes;
} result;

static void result_drop(result *x)
{
    if (x->gif) fclose(x->gif);
    if (x->log) fclose(x->log);
    memset(x, 0, sizeof *x);
}

static int fits(const result *x, uint64_t budget) { return x->gif && x->bytes <= budget; }

/* Keeps cand when it fits and is bigger (closer to the budget) than best; with best_effort
 * and nothing fitting yet, keeps the smallest. Drops the other. */
static void keep_better(const gsearch *g, result *best, result *cand, uint64_t budget)
{
    int better = fits(cand, budget)
                     ? !fits(best, budget) || cand->bytes > best->bytes
                     : cand->gif && g->ctx->opts.best_effort && !fits(best, budget) &&
                           (!best->gif || cand->bytes < best->bytes);
    if (better) {
        result_drop(best);
        *best = *cand;
        memset(cand, 0, sizeof *cand);
    } else {
        result_drop(cand);
    }
}

static double min_scale(const gsearch *g)
{
    int side = g->base.w > g->base.h ? g->base.w : g->base.h;
    return side <= FLOOR_SIDE ? 1.0 : (double)FLOOR_SIDE / side;
}

static double clampd(double v, double lo, double hi) { return v < lo ? lo : v > hi ? hi : v; }

static int max_fps_div(const gsearch *g)
{
    double end = fcache_end(g->cache);
    double fps = g->base.timing.fps > 0 ? g->base.timing.fps : end > 0 ? g->n / end : 0;
    int d = (int)floor(fps / FLOOR_FPS + 1e-9);
    return d < 1 ? 1 : d > 4 ? 4 : d;
}

/* The cache holds the frames without the caption: each candidate draws it at its own size
 * (output_frame), so that a smaller GIF gets text rendered for it, not shrunk. */
/* Share of the picture every frame costs whatever changed in it (frame header, the
 * bounding box around scattered changes, noise the change test misses). */
#define WEIGHT_BASE 0.02

/* Pixels of f that differ from g->prev (all of them for the first frame). */
static double changed_pixels(const gsearch *g, const gframe *f)
{
    if (!g->prev.rgba || g->prev.w != f->w || g->prev.h != f->h) return (double)f->w * f->h;
    int64_t n = 0;
    for (int y = 0; y < f->h; y++) {
        const uint32_t *a = (const uint32_t *)(f->rgba + (size_t)y * f->stride);
        const uint32_t *b = (const uint32_t *)(g->prev.rgba + (size_t)y * g->prev.stride);
        for (int x = 0; x < f->w; x++) n += a[x] != b[x];
    }
    return (double)n;
}

static gifc_error cache_take(void *user, gframe *f, gerr *e)
{
    gsearch *g = user;
    int64_t i = fcache_count(g->cache);
    if (i >= g->weight_cap) {
        int64_t cap = g->weight_cap ? 2 * g->weight_cap : 256;
        double *w = realloc(g->weight, (size_t)cap * sizeof *w);
        if (!w) return gerr_set(e, GIFC_ERR_NOMEM, "out of memory");
        g->weight = w;
        g->weight_cap = cap;
    }
    g->weight[i] = changed_pixels(g, f) + WEIGHT_BASE * f->w * f->h;
    g->weight_all += g->weight[i];
    if (gframe_copy(&g->prev, f)) return gerr_set(e, GIFC_ERR_NOMEM, "out of memory");
    return fcache_put(g->cache, f, e);
}

static gifc_error cache_tick(void *user, int64_t done, gerr *e)
{
    (void)done;
    (void)e; /* gsearch_tick fills the context's record, which e is */
    return gsearch_tick(user, 1);
}

static gifc_error fill_cache(gsearch *g, source *src)
{
    gerr *e = &g->ctx->err;
    reader_loop l = { cache_take, cache_tick, g };
    if (source_start(src, g->base.w, g->base.h, &g->base.timing, e) ||
        fcache_open(&g->cache, g->base.w, g->base.h, e))
        return e->code;
    reader_run(src, &g->base.edit, NULL, g->base.timing.start, &l, NULL, e);
    g->n = fcache_count(g->cache);
    gframe_free(&g->prev);
    return e->code;
}

/* Chunks spread evenly, fewer on short clips so that a measure stays a small part of a
 * full encode; a very short clip is measured whole. */
static void choose_chunks(gsearch *g)
{
    int64_t span = BUDGET_CHUNK_FRAMES * (int64_t)max_fps_div(g);
    g->nchunks = g->n <= 2 * span ? 0 : g->n <= 150 ? 2 : g->n <= 400 ? 3 : BUDGET_CHUNKS;
    for (int k = 0; k < g->nchunks; k++) {
        int64_t first = (int64_t)((k + 0.5) * g->n / g->nchunks) - span / 2;
        g->chunk_first[k] = first < 0 ? 0 : first + span > g->n ? g->n - span : first;
    }
}

static gifc_error full_encode(gsearch *g, const recipe *r, result *out)
{
    gerr *e = &g->ctx->err;
    memset(out, 0, sizeof *out);
    out->r = *r;
    out->lossy = r->lossy;
    out->gif = budget_tmpfile(e);
    out->log = out->gif ? budget_tmpfile(e) : NULL;
    if (out->log) recipe_encode(g, r, 0, -1, 1, out->gif, out->log, &out->bytes);
    if (e->code) result_drop(out);
    return e->code;
}

static gifc_error replay(gsearch *g, const result *src, int lossy, result *out)
{
    gerr *e = &g->ctx->err;
    memset(out, 0, sizeof *out);
    out->r = src->r;
    out->lossy = lossy;
    if (!(out->gif = budget_tmpfile(e))) return e->code;
    int w, h;
    recipe_size(g, &src->r, &w, &h);
    g->attempts++;
    if (gifw_replay(src->log, out->gif, w, h, g->ctx->opts.loop, lossy, &out->bytes, e) ||
        gsearch_tick(g, 0))
        result_drop(out);
    return e->code;
}

/* Over the budget: re-runs only the LZW stage at higher lossy levels, interpolating towards
 * 0.96 of the budget. *floor_bytes: the size at the highest level (what re-quantising must
 * beat). */
static gifc_error trim_lossy(gsearch *g, const result *full, result *best, uint64_t budget,
                             uint64_t *floor_bytes)
{
    int lo = full->lossy, hi = lo + TRIM_LOSSY > FLOOR_LOSSY ? FLOOR_LOSSY : lo + TRIM_LOSSY;
    double blo = (double)full->bytes, bhi;
    result x;
    if (lo >= hi) {
        *floor_bytes = full->bytes;
        return GIFC_OK;
    }
    if (replay(g, full, hi, &x)) return g->ctx->err.code;
    bhi = (double)(*floor_bytes = x.bytes);
    keep_better(g, best, &x, budget);
    if (bhi > budget) return GIFC_OK;
    double aim = 0.96 * budget;
    for (int i = 0; i < MAX_REPLAYS && hi - lo > 1; i++) {
        if (fits(best, budget) && best->bytes >= TIGHT * budget) break;
        int mid = lo + (int)lround((blo - aim) / (blo - bhi) * (hi - lo));
        mid = mid <= lo ? lo + 1 : mid >= hi ? hi - 1 : mid;
        if (replay(g, full, mid, &x)) return g->ctx->err.code;
        double b = (double)x.bytes;
        keep_better(g, best, &x, budget);
        if (b > budget) lo = mid, blo = b;
        else hi = mid, bhi = b;
    }
    return GIFC_OK;
}

/* A candidate's solution: the scale that meets the target and the SSIM predicted there. */
typedef struct solved {
    recipe r;
    double ssim;
    int feasible;
} solved;

/* The size/bytes and size/SSIM slopes, learnt from the asked settings and the scale-only
 * candidate: bytes ~ scale^alpha, SSIM ~ beta * ln(scale). */
typedef struct slopes {
    double alpha, beta;
} slopes;

static solved solve(const gsearch *g, recipe r, const measure *m, const slopes *k, double target)
{
    double s = clampd(r.scale * pow(target / m->bytes, 1.0 / k->alpha), min_scale(g), 1.0);
    double bytes = m->bytes * pow(s / r.scale, k->alpha);
    solved out = { .ssim = m->ssim + k->beta * log(s / r.scale), .feasible = bytes <= target * 1.02 };
    r.scale = s;
    out.r = r;
    return out;
}

/* Knob settings that spend the cut differently; each is then solved for the scale. */
static int candidates(const gsearch *g, const recipe *r0, recipe *out)
{
    int n = 0;
    if (max_fps_div(g) >= 2) {
        out[n] = *r0;
        out[n++].fps_div = 2;
    }
    if (r0->quality > 40) {
        out[n] = *r0;
        out[n].quality = r0->quality - 30 < 40 ? 40 : r0->quality - 30;
        out[n++].dither = r0->dither * 0.75;
    }
    if (r0->lossy < 60) {
        out[n] = *r0;
        out[n].lossy = 60;
        out[n++].dither = r0->dither * 0.6; /* lossy LZW adds its own noise */
    }
    if (r0->colors > 4 * FLOOR_COLORS) {
        out[n] = *r0;
        out[n++].colors = r0->colors / 4;
    }
    return n;
}

static gifc_error search(gsearch *g, const recipe *r0, const measure *m0, double target,
                         recipe *chosen, slopes *k)
{
    gerr *e = &g->ctx->err;
    k->alpha = 1.7;
    k->beta = 0.05;
    recipe r1 = *r0;
    r1.scale = clampd(pow(target / m0->bytes, 1.0 / k->alpha), min_scale(g), 1.0);
    measure m1;
    if (recipe_measure(g, &r1, &m1)) return e->code;
    if (r1.scale < 0.99 && m1.bytes < m0->bytes) {
        double ln = log(1.0 / r1.scale);
        k->alpha = clampd(log(m0->bytes / m1.bytes) / ln, 0.7, 3.0);
        k->beta = clampd((m0->ssim - m1.ssim) / ln, 0.002, 0.5);
    }
    solved best = solve(g, r1, &m1, k, target);
    recipe cand[4];
    int n = candidates(g, &best.r, cand);
    for (int i = 0; i < n; i++) {
        measure m;
        if (recipe_measure(g, &cand[i], &m)) return e->code;
        solved s = solve(g, cand[i], &m, k, target);
        ctx_log(g->ctx, GIFC_LOG_DEBUG, "budget: candidate fps/%d q%d lossy %d colours %d "
                "scale %.3f -> %.0f bytes, SSIM %.4f; solved scale %.3f SSIM %.4f%s",
                cand[i].fps_div, cand[i].quality, cand[i].lossy, cand[i].colors,
                cand[i].scale, m.bytes, m.ssim, s.r.scale, s.ssim, s.feasible ? "" : " (too big)");
        if (s.feasible && (!best.feasible || s.ssim > best.ssim)) best = s;
    }
    if (!best.feasible) { /* everything at the floor */
        best.r = (recipe){ min_scale(g), max_fps_div(g), FLOOR_COLORS, 40, FLOOR_LOSSY, 0.5 };
        if (r0->colors < FLOOR_COLORS) best.r.colors = r0->colors;
    }
    *chosen = best.r;
    return GIFC_OK;
}

static int at_floor(const gsearch *g, const recipe *r)
{
    return r->scale <= min_scale(g) + 1e-9 && r->fps_div >= max_fps_div(g) &&
           r->colors <= FLOOR_COLORS;
}

/* Under the budget at full size: undo half of what the recipe gave up (back towards the
 * asked settings r0), the knob that costs most SSIM first. Returns 0 when nothing is left. */
static int relax(recipe *r, const recipe *r0)
{
    if (r->lossy > r0->lossy) r->lossy = r->lossy - 30 < r0->lossy ? r0->lossy : r->lossy - 30;
    else if (r->colors < r0->colors) r->colors = r->colors * 2 > r0->colors ? r0->colors : r->colors * 2;
    else if (r->fps_div > r0->fps_div) r->fps_div--;
    else if (r->quality < r0->quality) {
        r->quality = r->quality + 15 > r0->quality ? r0->quality : r->quality + 15;
        r->dither = r0->dither;
    } else return 0;
    return 1;
}

/* Full encodes from the chosen recipe, each corrected by the last one's miss (the bytes /
 * scale slope re-learnt from the last two), trimmed by LZW re-runs when over. */
static gifc_error encode_to_fit(gsearch *g, recipe r, const recipe *r0, slopes k,
                                uint64_t budget, result *best, uint64_t *smallest)
{
    gerr *e = &g->ctx->err;
    double last_s = 0, last_b = 0;
    for (int pass = 0; pass < MAX_FULL; pass++) {
        result full, keep;
        if (full_encode(g, &r, &full)) return e->code;
        uint64_t fb = full.bytes, floor_bytes = fb;
        ctx_log(g->ctx, GIFC_LOG_INFO, "budget: full encode at scale %.3f fps/%d q%d lossy %d "
                "colours %d: %llu bytes", r.scale, r.fps_div, r.quality, r.lossy, r.colors,
                (unsigned long long)fb);
        /* Our lossy LZW costs more SSIM per byte than a smaller picture (flower clip: lossy
         * 30 took 0.02 SSIM for 4.6%), so the LZW-only trim only continues a recipe that is
         * lossy already; otherwise the next encode corrects the scale. */
        if (fb > budget && r.lossy > 0 && trim_lossy(g, &full, best, budget, &floor_bytes)) {
            result_drop(&full);
            return e->code;
        }
        if (floor_bytes < *smallest) *smallest = floor_bytes;
        keep = full;
        keep_better(g, best, &keep, budget);
        if (fits(best, budget) && best->bytes >= TIGHT * budget) return GIFC_OK;
        if (last_s > 0 && fabs(log(r.scale / last_s)) > 0.01 && last_b > 0)
            k.alpha = clampd(log((double)fb / last_b) / log(r.scale / last_s), 0.7, 3.0);
        last_s = r.scale;
        last_b = (double)fb;
        double aim = fb <= budget ? 0.98 * budget : 0.97 * budget;
        double s = clampd(r.scale * pow(aim / (double)fb, 1.0 / k.alpha), min_scale(g), 1.0);
        if (fb > budget && at_floor(g, &r) && r.lossy >= FLOOR_LOSSY) break;
        if (fabs(s - r.scale) >= 1e-3) {
            r.scale = s;
        } else if (fb <= budget) { /* at full size and still under: give back a knob */
            if (!relax(&r, r0)) break;
            last_s = 0;
        } else { /* at the smallest size and still over: everything to the floor */
            if (at_floor(g, &r)) break;
            r = (recipe){ min_scale(g), max_fps_div(g), FLOOR_COLORS, 40, FLOOR_LOSSY, 0.5 };
            last_s = 0;
        }
    }
    return GIFC_OK;
}

static gifc_error write_out(gsearch *g, result *best, FILE *out)
{
    gerr *e = &g->ctx->err;
    char buf[1 << 16];
    size_t n;
    if (fflush(best->gif) || fseek(best->gif, 0, SEEK_SET) || fflush(out) || ftruncate(fileno(out), 0) ||
        fseek(out, 0, SEEK_SET))
        return gerr_set(e, GIFC_ERR_OUTPUT, "cannot write the output");
    while ((n = fread(buf, 1, sizeof buf, best->gif)) > 0)
        if (fwrite(buf, 1, n, out) != n)
            return gerr_set(e, GIFC_ERR_OUTPUT, "write failed: %s", strerror(errno));
    return ferror(best->gif) ? gerr_set(e, GIFC_ERR_OUTPUT, "cannot read a temporary file")
                             : GIFC_OK;
}

static void outcome_from(gsearch *g, const result *best, budget_outcome *out)
{
    out->chosen = g->base;
    recipe_size(g, &best->r, &out->chosen.w, &out->chosen.h);
    out->chosen.colors = best->r.colors;
    out->chosen.quality = best->r.quality;
    out->chosen.lossy = best->lossy;
    out->chosen.dither = best->r.dither;
    if (best->r.fps_div > 1) {
        double fps = g->base.timing.fps > 0 ? g->base.timing.fps : g->n / fcache_end(g->cache);
        out->chosen.timing.fps = fps / best->r.fps_div;
    }
    out->bytes = best->bytes;
    out->attempts = g->attempts;
    out->duration = fcache_end(g->cache);
}

static gifc_error over_budget(gsearch *g, uint64_t budget, uint64_t smallest)
{
    return gerr_set_opt(&g->ctx->err, GIFC_ERR_OVER_BUDGET, "duration",
                    "cannot fit %llu bytes: the smallest GIF reached is %llu bytes (floors: "
                    "%d px, %g fps, %d colours, lossy %d); try a shorter clip (duration) "
                    "or MP4 output", (unsigned long long)budget, (unsigned long long)smallest,
                    FLOOR_SIDE, FLOOR_FPS, FLOOR_COLORS, FLOOR_LOSSY);
}

static gifc_error run(gsearch *g, source *src, outfile *of, budget_outcome *out)
{
    gerr *e = &g->ctx->err;
    uint64_t budget = g->ctx->opts.max_size, smallest = UINT64_MAX;
    result best = { 0 }, first = { 0 };
    recipe r0 = { 1.0, 1, g->base.colors, g->base.quality, g->base.lossy, g->base.dither };
    measure m0;
    slopes k = { 1.7, 0.05 };
    recipe chosen;
    if (fill_cache(g, src)) return e->code;
    g->progress_total = g->n * 2; /* the cache, then the full encode */
    choose_chunks(g);
    if (recipe_measure(g, &r0, &m0)) return e->code;
    ctx_log(g->ctx, GIFC_LOG_INFO, "budget: %lld frames, asked settings predicted %.0f bytes "
            "(SSIM %.4f) for a budget of %llu", (long long)g->n, m0.bytes, m0.ssim,
            (unsigned long long)budget);
    if (m0.bytes <= budget * 1.10) { /* may fit as asked, or after an LZW-only trim */
        if (full_encode(g, &r0, &first)) goto done;
        if (first.bytes <= budget) {
            keep_better(g, &best, &first, budget);
            out->searched = 0;
            goto found;
        }
        /* A small overshoot: the size alone costs least (measured: lossy LZW 40 took
         * 0.05 SSIM for 12% on natural footage, 6% smaller frames about 0.003). */
        recipe r = r0;
        r.scale = clampd(pow(0.98 * budget / (double)first.bytes, 1.0 / k.alpha), min_scale(g), 1.0);
        result_drop(&first);
        if (encode_to_fit(g, r, &r0, k, budget, &best, &smallest)) goto done;
        if (fits(&best, budget)) goto searched;
    }
    if (search(g, &r0, &m0, budget, &chosen, &k) ||
        encode_to_fit(g, chosen, &r0, k, budget, &best, &smallest))
        goto done;
    if (!best.gif) {
        over_budget(g, budget, smallest);
        goto done;
    }
    out->over_budget = best.bytes > budget; /* best_effort */
searched:
    out->searched = 1;
found:
    if (write_out(g, &best, of->fp) || recipe_ssim_full(g, best.gif, &out->ssim, &out->frames))
        goto done;
    outcome_from(g, &best, out);
done:
    result_drop(&first);
    result_drop(&best);
    return e->code;
}

static void gsearch_free(gsearch *g)
{
    fcache_free(&g->cache);
    scaler_free(&g->sc);
    gframe_free(&g->in);
    gframe_free(&g->small);
    gframe_free(&g->ref);
    gframe_free(&g->up);
    gframe_free(&g->prev);
    free(g->weight);
}

gifc_error budget_gif(gifc_context *ctx, source *src, const source_info *si, const plan *base,
                      outfile *of, budget_outcome *out)
{
    gsearch g = { .ctx = ctx, .si = si, .base = *base, .sc = scaler_new() };
    memset(out, 0, sizeof *out);
    out->ssim = -1;
    gifc_error r = g.sc ? run(&g, src, of, out) : gerr_set(&ctx->err, GIFC_ERR_NOMEM, "out of memory");
    gsearch_free(&g);
    return r;
}

gifc_error budget_gif_estimate(gifc_context *ctx, source *src, const source_info *si,
                               const plan *base, double *bytes, double *ssim, int *sampled)
{
    gsearch g = { .ctx = ctx, .si = si, .base = *base, .sc = scaler_new() };
    recipe r0 = { 1.0, 1, base->colors, base->quality, base->lossy, base->dither };
    measure m = { 0, -1 };
    gifc_error r = GIFC_OK;
    if (!g.sc) r = gerr_set(&ctx->err, GIFC_ERR_NOMEM, "out of memory");
    else if (!(r = fill_cache(&g, src))) {
        g.progress_total = g.n;
        choose_chunks(&g);
        r = recipe_measure(&g, &r0, &m);
    }
    *bytes = m.bytes;
    *ssim = m.ssim;
    *sampled = g.nchunks > 0;
    gsearch_free(&g);
    return r;
}

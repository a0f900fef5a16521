/* The WebP, APNG, WebM and AVIF size-budget search (see budget.h): the format's quality
 * knob first (libwebp quality, VP9 CRF, AV1 quantizer; APNG has none), then the picture
 * size, each candidate a whole encode measured exactly.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "budget/budget.h"

#include "base/ctx.h"
#include "picture/scale.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define WEBP_FLOOR_SIDE 32
#define WEBP_FLOOR_QUALITY 0
#define WEBP_FLOOR_FPS 5.0    /* a fixed-size picture: the frame rate is cut instead */
#define WEBP_TIGHT 0.92
#define WEBP_MAX_TRIES 12     /* per picture size: the floor, then halvings of 0..80.0 */
#define WEBP_MAX_SIZES 8

typedef struct wsearch {
    gifc_context *ctx;
    const job *j;
    const source_info *si;
    plan p;
    uint64_t budget;
    char *try_path;       /* APNG, WebM: where a candidate is written (NULL: WebP and AVIF,
                             in memory) */
    int attempts;
    int64_t progress_base, progress_total;
} wsearch;

typedef struct wtry {
    char *data;       /* the whole file (malloc'd) */
    size_t size;
    int64_t frames;
    double duration;
    plan p;
} wtry;

/* libwebp's quality in tenths: near quality 0-5 one whole step is 10-27% of the bytes
 * (quality 4 -> 5: 8844 -> 11214 bytes on the motion fixture), too coarse to land within
 * [0.92, 1] of a tight budget; a tenth is at most 3%. */
#define WEBP_KNOB_STEPS 10

/* The quality knob, higher = more bytes: libwebp quality in tenths; 63 - VP9 CRF; 63 - the
 * AV1 quantizer; APNG: 0. */
static int knob_get(const plan *p)
{
    return p->format == GIFC_FORMAT_WEBP ? (int)lround(p->webp_quality * WEBP_KNOB_STEPS)
         : p->format == GIFC_FORMAT_WEBM ? 63 - p->vp9_crf
         : p->format == GIFC_FORMAT_AVIF ? 63 - p->avif_q
                                         : 0;
}

static void knob_set(plan *p, int v)
{
    if (p->format == GIFC_FORMAT_WEBP) p->webp_quality = (double)v / WEBP_KNOB_STEPS;
    else if (p->format == GIFC_FORMAT_WEBM) p->vp9_crf = 63 - v;
    else if (p->format == GIFC_FORMAT_AVIF) p->avif_q = 63 - v;
}

static int read_file(const char *path, char **data, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    long n = fseek(f, 0, SEEK_END) ? -1 : ftell(f);
    *data = n >= 0 ? malloc((size_t)n + 1) : NULL;
    int ok = *data && !fseek(f, 0, SEEK_SET) && fread(*data, 1, (size_t)n, f) == (size_t)n;
    fclose(f);
    *size = ok ? (size_t)n : 0;
    return ok ? 0 : -1;
}

static void wtry_free(wtry *t)
{
    free(t->data);
    memset(t, 0, sizeof *t);
}

/* One encode of the whole clip with s->p into memory. src: an opened, unstarted source,
 * or NULL to open the input again; *src is set to NULL once used. */
static gifc_error encode(wsearch *s, source **src, wtry *t)
{
    gerr *e = &s->ctx->err;
    source *own = NULL;
    memset(t, 0, sizeof *t);
    if (!*src) {
        source_limits lim;
        limits_from_options(&lim, &s->ctx->opts);
        if (source_open(&own, s->j->in_path, s->j->in_mem, s->j->in_size,
                        s->ctx->opts.threads, &lim, e) ||
            source_set_geometry(own, &s->ctx->opts, e)) {
            source_free(&own);
            return e->code;
        }
    }
    source *use = *src ? *src : own;
    *src = NULL; /* a started source cannot be started again: the next try reopens */
    FILE *mem = s->try_path ? NULL : open_memstream(&t->data, &t->size);
    if (!mem && !s->try_path) {
        source_free(&own);
        return gerr_set(e, GIFC_ERR_NOMEM, "out of memory");
    }
    sink k;
    memset(&k, 0, sizeof k);
    sink_progress pr = { s->progress_base, s->progress_total };
    s->attempts++;
    if (!source_start(use, s->p.w, s->p.h, &s->p.timing, e) &&
        !sink_open(&k, s->ctx, s->j, &s->p, s->si, mem, s->try_path, e) &&
        !sink_run(s->ctx, use, &k, &s->p, &pr))
        sink_finish(&k, s->try_path, e);
    s->progress_base += k.pushed;
    if (s->progress_base > s->progress_total) s->progress_total = s->progress_base * 2;
    t->frames = k.frames;
    t->duration = k.duration;
    t->p = s->p;
    sink_close(&k); /* the file complete before it is read */
    if (!e->code && s->try_path && read_file(s->try_path, &t->data, &t->size))
        gerr_set(e, GIFC_ERR_NOMEM, "cannot read back a budget candidate");
    if (!e->code)
        ctx_log(s->ctx, GIFC_LOG_INFO, "budget: %s %dx%d quality knob %d: %zu bytes",
                plan_format_label(s->p.format), s->p.w, s->p.h, knob_get(&s->p), t->size);
    source_free(&own);
    if (mem && fclose(mem) && !e->code) gerr_set(e, GIFC_ERR_NOMEM, "out of memory");
    if (e->code) wtry_free(t);
    return e->code;
}

/* Keeps t as the best fitting result when it is bigger than the one kept, else frees it. */
static void keep(wtry *best, wtry *t, uint64_t budget, wtry *smallest)
{
    if (t->size <= budget && t->size > best->size) {
        wtry_free(best);
        *best = *t;
    } else if (!smallest->data || t->size < smallest->size) {
        wtry_free(smallest);
        *smallest = *t;
    } else {
        wtry_free(t);
    }
    memset(t, 0, sizeof *t);
}

/* A fit found at a smaller picture that leaves more than 8% unused: up to two larger
 * sizes, by the square root of the room left (bytes go roughly with the area). */
static gifc_error grow(wsearch *s, source **src, wtry *best, wtry *smallest, int base_w,
                       int base_h)
{
    for (int k = 0; k < 2 && best->size < WEBP_TIGHT * (double)s->budget; k++) {
        double f = sqrt(0.97 * (double)s->budget / (double)best->size);
        int w = (int)lround(best->p.w * f), h = (int)lround(best->p.h * f);
        if (w > base_w || h > base_h) w = base_w, h = base_h;
        if (w <= best->p.w && h <= best->p.h) break;
        s->p = best->p;
        s->p.w = w;
        s->p.h = h;
        wtry t;
        if (encode(s, src, &t)) return s->ctx->err.code;
        keep(best, &t, s->budget, smallest);
    }
    return GIFC_OK;
}

/* A fixed picture size (a sticker's): half the frame rate, down to a floor; non-zero
 * when at it already. */
static int fewer_frames(wsearch *s)
{
    double fps = s->p.timing.fps > 0 ? s->p.timing.fps : s->si->fps;
    if (!(fps > WEBP_FLOOR_FPS)) return 1;
    s->p.timing.fps = fmax(fps / 2, WEBP_FLOOR_FPS);
    return 0;
}

/* The closest miss at one picture size: the quality knob whose encode was the smallest of
 * those over the budget. */
typedef struct miss {
    int knob;
    size_t bytes;   /* 0: none yet */
} miss;

static void note_miss(miss *m, int knob, size_t bytes, uint64_t budget)
{
    if (bytes > budget && (!m->bytes || bytes < m->bytes)) {
        m->knob = knob;
        m->bytes = bytes;
    }
}

/* Bytes do not always follow the knob smoothly (libwebp quality 4.6 -> 4.7: 9012 -> 11174
 * bytes on the motion fixture, the animation encoder's per-frame choices flipping), so a
 * bisection can end under 0.92x with the next step over. Then the closest miss's quality
 * at a smaller picture: bytes taken to go with the area first, then with the power of the
 * side that the last two encodes showed (per-frame overheads make it less than 2: 0.9x
 * the bytes for 0.81x the area there); once one scale fits and one is over, bisected
 * between them (bytes are not smooth in the size either). At most four encodes. */
static gifc_error trade_size(wsearch *s, source **src, wtry *best, wtry *smallest,
                             const miss *m)
{
    if (!m->bytes) return GIFC_OK; /* no miss at this size: nothing to trade */
    plan at = best->p;
    double f = 1, bytes = (double)m->bytes, power = 2, target = 0.96 * (double)s->budget;
    double fit_f = 0, over_f = 1;
    for (int k = 0; k < 4 && best->size < WEBP_TIGHT * (double)s->budget; k++) {
        double g = fit_f > 0 ? (fit_f + over_f) / 2 : f * pow(target / bytes, 1 / power);
        s->p = at;
        knob_set(&s->p, m->knob);
        s->p.w = (int)lround(at.w * g);
        s->p.h = (int)lround(at.h * g);
        if (s->p.w < 1 || s->p.h < 1 || (s->p.w == best->p.w && s->p.h == best->p.h)) break;
        wtry t;
        if (encode(s, src, &t)) return s->ctx->err.code;
        double got = (double)t.size;
        if (got > 0 && got != bytes && g != f) {
            power = log(got / bytes) / log(g / f);
            power = power < 0.5 ? 0.5 : power > 3 ? 3 : power;
        }
        if (t.size <= s->budget) fit_f = g > fit_f ? g : fit_f;
        else over_f = g < over_f ? g : over_f;
        f = g;
        bytes = got;
        keep(best, &t, s->budget, smallest);
    }
    return GIFC_OK;
}

static gifc_error run(wsearch *s, source *src, wtry *best, wtry *smallest, int *searched)
{
    gerr *e = &s->ctx->err;
    wtry t;
    s->progress_total = s->p.frames_estimate > 0 ? s->p.frames_estimate * 4 : 0;
    if (encode(s, &src, &t)) return e->code;
    if (t.size <= s->budget) { /* as asked */
        *best = t;
        return GIFC_OK;
    }
    *searched = 1;
    int q_top = knob_get(&s->p), base_w = s->p.w, base_h = s->p.h;
    miss m = { q_top, t.size };
    keep(best, &t, s->budget, smallest); /* over: only a candidate for the smallest */
    for (int size_try = 0; size_try < WEBP_MAX_SIZES; size_try++) {
        /* bisect libwebp's quality at this picture size, the floor quality first (is this
         * size possible at all?); the top was tried at the first size only */
        int lo = WEBP_FLOOR_QUALITY, hi = size_try ? q_top : q_top - 1;
        for (int k = 0; k < WEBP_MAX_TRIES && lo <= hi; k++) {
            int q = k == 0 ? lo : (lo + hi + 1) / 2;
            knob_set(&s->p, q);
            if (encode(s, &src, &t)) return e->code;
            int fits = t.size <= s->budget;
            note_miss(&m, q, t.size, s->budget);
            keep(best, &t, s->budget, smallest);
            if (best->size >= WEBP_TIGHT * (double)s->budget) return GIFC_OK;
            if (k == 0 && !fits) break; /* not even the floor quality: a smaller picture */
            if (fits) lo = q + 1;
            else hi = q - 1;
        }
        if (best->data) {
            /* a sticker's size is a rule: never traded for quality */
            if (!s->p.fixed_size && trade_size(s, &src, best, smallest, &m)) return e->code;
            return grow(s, &src, best, smallest, base_w, base_h);
        }
        if (s->p.fixed_size) { /* a sticker's size is a rule: fewer frames instead */
            if (fewer_frames(s)) break;
            continue;
        }
        m.bytes = 0; /* misses at the next, smaller picture only */
        /* bytes go roughly with the area: shrink toward what the floor quality needed */
        double ratio = (double)s->budget / (double)(smallest->size ? smallest->size : 1);
        double f = sqrt(ratio) * 0.9;
        if (f > 0.9) f = 0.9;
        int w = (int)lround(s->p.w * f), h = (int)lround(s->p.h * f);
        int side = w > h ? w : h;
        if (side < WEBP_FLOOR_SIDE) {
            double g = (double)WEBP_FLOOR_SIDE / (s->p.w > s->p.h ? s->p.w : s->p.h);
            if (g >= 1) break; /* at the floor already */
            w = (int)lround(s->p.w * g), h = (int)lround(s->p.h * g);
        }
        s->p.w = w < 1 ? 1 : w;
        s->p.h = h < 1 ? 1 : h;
    }
    return GIFC_OK;
}

gifc_error budget_webp(gifc_context *ctx, const job *j, source *src, const source_info *si,
                       const plan *base, outfile *of, budget_outcome *out)
{
    wsearch s = { .ctx = ctx, .j = j, .si = si, .p = *base, .budget = ctx->opts.max_size };
    wtry best = { 0 }, smallest = { 0 };
    int searched = 0;
    char *try_path = NULL;
    if (base->format != GIFC_FORMAT_WEBP && base->format != GIFC_FORMAT_AVIF) {
        size_t n = strlen(of->tmp_path) + 5;
        if (!(try_path = malloc(n))) return gerr_set(&ctx->err, GIFC_ERR_NOMEM, "out of memory");
        snprintf(try_path, n, "%s.try", of->tmp_path);
        s.try_path = try_path;
    }
    memset(out, 0, sizeof *out);
    out->ssim = -1;
    gerr *e = &ctx->err;
    gifc_error r = run(&s, src, &best, &smallest, &searched);
    if (!r && !best.data && ctx->opts.best_effort && smallest.data) {
        best = smallest;
        memset(&smallest, 0, sizeof smallest);
        out->over_budget = 1;
    }
    if (!r && !best.data)
        r = gerr_set_opt(e, GIFC_ERR_OVER_BUDGET, "duration",
                         "cannot fit %llu bytes: the smallest %s reached is %zu bytes (%dx%d, "
                         "lowest quality; floor %d px); try a shorter clip (duration)",
                         (unsigned long long)s.budget, plan_format_label(base->format),
                         smallest.size, smallest.p.w,
                         smallest.p.h, WEBP_FLOOR_SIDE);
    FILE *fp = r ? NULL : of->fp ? of->fp : fopen(of->tmp_path, "wb");
    if (!r && (!fp || fwrite(best.data, 1, best.size, fp) != best.size || fflush(fp)))
        r = gerr_set(e, GIFC_ERR_OUTPUT, "cannot write the output");
    if (fp && fp != of->fp && fclose(fp) && !r)
        r = gerr_set(e, GIFC_ERR_OUTPUT, "cannot write the output");
    if (try_path) unlink(try_path);
    free(try_path);
    if (!r) {
        out->bytes = best.size;
        out->frames = best.frames;
        out->duration = best.duration;
        out->chosen = best.p;
        out->searched = searched;
        out->attempts = s.attempts;
    }
    wtry_free(&best);
    wtry_free(&smallest);
    return r;
}

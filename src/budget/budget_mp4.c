/* The MP4 size-budget search (see budget.h): a CRF encode that stops once it passes the
 * budget; else two-pass x264 at the rate the budget allows, verified and re-run.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "budget/budget.h"

#include "base/ctx.h"
#include "picture/scale.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MP4_FLOOR_SIDE 96
#define MP4_FLOOR_RATE 16000   /* bits/s of video: below this H.264 is mush */
#define MP4_TIGHT 0.95
#define MP4_MAX_PASS2 4        /* pass 2 runs while nothing fits */
#define MP4_FIT_PASS2 2        /* pass 2 runs once something fits */
#define MIN_BPP 0.04           /* bits per pixel per frame under which a smaller picture
                                  looks better than a starved big one */
#define AUDIO_RATE_GUESS 128000

typedef struct msearch {
    gifc_context *ctx;
    const job *j;
    const source_info *si;
    plan p;
    uint64_t budget;
    char *stats, *try_path;
    int attempts;
    int64_t progress_base, progress_total;
} msearch;

/* One encode of the whole clip with m->p to path. src: an opened, unstarted source, or
 * NULL to open the input again. abort_above: stop once the packets pass it (0: never). */
static gifc_error encode(msearch *m, source *src, const char *path, uint64_t abort_above,
                         sink *k)
{
    gerr *e = &m->ctx->err;
    source *own = NULL;
    memset(k, 0, sizeof *k);
    k->abort_above = abort_above;
    source_limits lim;
    limits_from_options(&lim, &m->ctx->opts);
    if (!src && (source_open(&own, m->j->in_path, m->j->in_mem, m->j->in_size,
                             m->ctx->opts.threads, &lim, e) ||
                 source_set_geometry(own, &m->ctx->opts, e))) {
        source_free(&own);
        return e->code;
    }
    sink_progress pr = { m->progress_base, m->progress_total };
    m->attempts++;
    sink_choose_pictures(m->ctx, src ? src : own, &m->p);
    if (!source_start(src ? src : own, m->p.w, m->p.h, &m->p.timing, e) &&
        !sink_open(k, m->ctx, m->j, &m->p, m->si, NULL, path, e) &&
        !sink_run(m->ctx, src ? src : own, k, &m->p, &pr))
        sink_finish(k, path, e);
    m->progress_base += k->pushed;
    if (m->progress_base > m->progress_total) m->progress_total = m->progress_base * 2;
    sink_close(k);
    source_free(&own);
    return e->code;
}

/* Output seconds: measured when the CRF pass finished, else the plan's estimate. */
static double output_seconds(const msearch *m, const sink *k)
{
    return k->duration > 0 && !k->over_budget ? k->duration : m->p.seconds;
}

/* Video bits/s the budget leaves after the container index and audio, and a picture size
 * that rate can feed (>= MIN_BPP), not below the floor. Returns 0 when under the floors. */
static int choose_rate(msearch *m, double seconds, double fill)
{
    double fps = m->p.timing.fps > 0 ? m->p.timing.fps : m->si->fps > 0 ? m->si->fps : 25;
    /* moov, about 1 KB, and per sample its size, time and offset entries: measured 1.2 KB
     * for 50 frames where 6 KB was assumed, which sent the first pass 2 to 77% of a 40 KB
     * budget and cost a correction */
    double overhead = 1500 + 16 * fps * seconds;
    double audio = m->ctx->opts.audio ? AUDIO_RATE_GUESS / 8.0 * seconds : 0;
    double bytes = fill * (double)m->budget - overhead - audio;
    double rate = seconds > 0 ? bytes * 8 / seconds : 0;
    if (rate < MP4_FLOOR_RATE) {
        m->p.bitrate = MP4_FLOOR_RATE;
        return 0;
    }
    m->p.bitrate = (int64_t)rate;
    double bpp = rate / ((double)m->p.w * m->p.h * fps);
    if (bpp < MIN_BPP) {
        int side = m->p.w > m->p.h ? m->p.w : m->p.h;
        double s = sqrt(bpp / MIN_BPP);
        if (side * s < MP4_FLOOR_SIDE) s = (double)MP4_FLOOR_SIDE / side;
        if (s < 1) {
            m->p.w = (int)lround(m->p.w * s) & ~1;
            m->p.h = (int)lround(m->p.h * s) & ~1;
            if (m->p.w < 2) m->p.w = 2;
            if (m->p.h < 2) m->p.h = 2;
        }
    }
    return 1;
}

/* Pass 2 until the file lands in [0.95, 1.0] of the budget, each rate corrected by the last
 * miss; the best fitting file is kept at final, *last is the last attempt. */
static gifc_error two_pass(msearch *m, const char *final, sink *best, int *have, sink *last)
{
    gerr *e = &m->ctx->err;
    sink *k = last;
    m->p.pass = 1;
    m->p.stats_path = m->stats;
    if (encode(m, NULL, m->try_path, 0, k)) return e->code;
    m->p.pass = 2;
    for (int i = 0; i < MP4_MAX_PASS2; i++) {
        if (encode(m, NULL, m->try_path, 0, k)) return e->code;
        uint64_t got = k->bytes; /* the finished file's size (sink_finish) */
        ctx_log(m->ctx, GIFC_LOG_INFO, "budget: pass 2 at %lld bit/s, %dx%d: %llu bytes",
                (long long)m->p.bitrate, m->p.w, m->p.h, (unsigned long long)got);
        if (got <= m->budget && (!*have || got > best->bytes)) {
            if (rename(m->try_path, final))
                return gerr_set(e, GIFC_ERR_OUTPUT, "cannot move %s into place", m->try_path);
            *best = *k;
            *have = 1;
            if (got >= MP4_TIGHT * m->budget) break;
        } else if (!*have && m->ctx->opts.best_effort && i == MP4_MAX_PASS2 - 1) {
            break;
        }
        /* One correction at most once a file fits: each pass 2 costs a whole encode, and
         * a corrected rate lands within a few percent. Only a run where nothing fits yet
         * goes on. */
        if (*have && i >= MP4_FIT_PASS2 - 1) break;
        double aim = got > m->budget ? 0.97 : 0.985;
        double scale = aim * (double)m->budget / (double)(got ? got : 1);
        int64_t rate = (int64_t)(m->p.bitrate * scale);
        if (rate < MP4_FLOOR_RATE || rate / 1000 == m->p.bitrate / 1000) break;
        m->p.bitrate = rate;
    }
    return GIFC_OK;
}

static gifc_error run(msearch *m, source *src, outfile *of, budget_outcome *out)
{
    gerr *e = &m->ctx->err;
    sink k, best = { 0 };
    int have = 0;
    m->progress_total = m->p.frames_estimate > 0 ? m->p.frames_estimate * 3 : 0;
    /* As asked, stopped as soon as it is over. */
    if (encode(m, src, of->tmp_path, m->budget, &k) && !k.over_budget) return e->code;
    memset(e, 0, sizeof *e);
    if (!k.over_budget && k.bytes <= m->budget) {
        out->bytes = k.bytes;
        out->frames = k.frames;
        out->duration = k.duration;
        out->attempts = m->attempts;
        out->chosen = m->p;
        return GIFC_OK;
    }
    int fits_floor = choose_rate(m, output_seconds(m, &k), 0.97);
    if (!fits_floor && !m->ctx->opts.best_effort)
        return gerr_set_opt(e, GIFC_ERR_OVER_BUDGET, "duration", "cannot fit %llu bytes: even %d kbit/s of "
                        "video at %d px would not; try a shorter clip (duration)",
                        (unsigned long long)m->budget, MP4_FLOOR_RATE / 1000, MP4_FLOOR_SIDE);
    ctx_log(m->ctx, GIFC_LOG_INFO, "budget: two-pass at %lld bit/s, %dx%d",
            (long long)m->p.bitrate, m->p.w, m->p.h);
    if (two_pass(m, of->tmp_path, &best, &have, &k)) return e->code;
    if (!have && m->ctx->opts.best_effort && !rename(m->try_path, of->tmp_path)) {
        best = k; /* the last pass 2, over the budget */
        have = 1;
        out->over_budget = 1;
    }
    if (!have)
        return gerr_set_opt(e, GIFC_ERR_OVER_BUDGET, "duration", "cannot fit %llu bytes at the floor settings "
                        "(%d kbit/s, %d px); try a shorter clip (duration)",
                        (unsigned long long)m->budget, MP4_FLOOR_RATE / 1000, MP4_FLOOR_SIDE);
    out->bytes = best.bytes;
    out->frames = best.frames;
    out->duration = best.duration;
    out->searched = 1;
    out->attempts = m->attempts;
    out->chosen = m->p;
    return GIFC_OK;
}

static char *with_suffix(const char *path, const char *suffix)
{
    size_t n = strlen(path) + strlen(suffix) + 1;
    char *s = malloc(n);
    if (s) snprintf(s, n, "%s%s", path, suffix);
    return s;
}

gifc_error budget_mp4(gifc_context *ctx, const job *j, source *src, const source_info *si,
                      const plan *base, outfile *of, budget_outcome *out)
{
    msearch m = { .ctx = ctx, .j = j, .si = si, .p = *base, .budget = ctx->opts.max_size };
    memset(out, 0, sizeof *out);
    out->ssim = -1;
    /* Beside the temp output: a folder the user can write, cleaned up here. */
    m.stats = with_suffix(of->tmp_path, ".x264");
    m.try_path = with_suffix(of->tmp_path, ".try");
    gifc_error r = m.stats && m.try_path ? run(&m, src, of, out)
                                         : gerr_set(&ctx->err, GIFC_ERR_NOMEM, "out of memory");
    if (m.stats) mp4w_remove_stats(m.stats);
    if (m.try_path) unlink(m.try_path);
    free(m.stats);
    free(m.try_path);
    return r;
}

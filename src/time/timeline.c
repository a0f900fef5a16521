/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "time/timeline.h"

#include <math.h>

/* Timestamps are stored as exact rationals in containers but reach us as doubles. */
#define EPS 1e-6

void timeline_init(timeline *t, double start, double duration, double speed, double fps)
{
    t->start = start > 0 ? start : 0;
    t->end = duration > 0 ? t->start + duration : 0;
    t->speed = speed > 0 ? speed : 1.0;
    t->fps = fps > 0 ? fps : 0;
    t->next_tick = 0;
    /* Each tick stands for the half-open slot [tick - h, tick + h), h half an output frame,
     * and takes the last source frame that starts in it, as FFmpeg's fps filter does: the
     * frame on screen at tick + h. Taking the one on screen at the tick itself let timestamp
     * jitter of a microsecond pick a frame 1/30 s old (water clip: SSIM 0.949 vs 0.982). */
    t->lead = t->fps > 0 ? 0.5 / t->fps : 0;
}

int timeline_map(timeline *t, double pts, double dur, int last, double *out_pts,
                 double *out_dur)
{
    if (t->end > 0 && pts >= t->end - EPS) return TL_END;
    double a = pts > t->start ? pts : t->start;
    double b = pts + dur;
    if (t->end > 0 && b >= t->end - EPS) {
        b = t->end;
        last = 1; /* the trim ends inside this frame: nothing later shows */
    }
    if (b <= a + EPS) return TL_DROP;
    double oa = (a - t->start) / t->speed, ob = (b - t->start) / t->speed;
    if (t->fps <= 0) {
        *out_pts = oa;
        *out_dur = ob - oa;
        return TL_SHOW;
    }
    /* Ticks k with k/fps in [oa, ob) - lead belong to this frame; the last frame keeps the
     * true end so that the output lasts as long as the source. */
    /* Tick k's slot is [k - 1/2, k + 1/2) in ticks: it takes the frame that started last
     * before the slot ends, and one starting exactly on that end belongs to tick k + 1
     * (FFmpeg rounds such ties up: a 10 fps frame at 0.1 s is tick 2 at 15 fps). */
    oa -= t->lead;
    int64_t k0 = (int64_t)floor(oa * t->fps + EPS) + 1;
    int64_t k1 = last ? (int64_t)ceil(ob * t->fps - EPS)
                      : (int64_t)floor((ob - t->lead) * t->fps + EPS) + 1;
    if (k0 < 0) k0 = 0;
    if (k0 < t->next_tick) k0 = t->next_tick;
    if (k1 <= k0) return TL_DROP;
    t->next_tick = k1;
    *out_pts = k0 / t->fps;
    /* The grid ends where the source does, not at the next tick after it. */
    *out_dur = last ? ob - *out_pts : (k1 - k0) / t->fps;
    return TL_SHOW;
}

int timeline_cs_delay(double end, int64_t cs_so_far)
{
    int64_t end_cs = llround(end * 100.0);
    int64_t d = end_cs - cs_so_far;
    return d < 0 ? 0 : (int)(d > 65535 ? 65535 : d);
}

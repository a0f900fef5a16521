/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "time/edit_order.h"

#include <math.h>
#include <stdlib.h>

void edit_params_from(const gifc_options *o, edit_params *p)
{
    p->reverse = o->reverse != 0;
    p->bounce = o->bounce != 0;
    p->smooth_loop = o->smooth_loop > 0 ? o->smooth_loop : 0;
    p->frames_step = o->frames_step > 1 ? o->frames_step : 1;
    p->drop_duplicates = o->drop_duplicates != 0;
}

int edit_needs_clip(const edit_params *p) { return p->reverse || p->bounce || p->smooth_loop > 0; }
int edit_reads_pixels(const edit_params *p) { return edit_needs_clip(p) || p->drop_duplicates; }

int edit_active(const edit_params *p)
{
    return edit_needs_clip(p) || p->frames_step > 1 || p->drop_duplicates;
}

int64_t edit_order_count(int64_t n, int bounce) { return bounce && n > 2 ? 2 * n - 2 : n; }

int64_t edit_order_index(int64_t k, int64_t n, int reverse)
{
    int64_t i = k < n ? k : 2 * n - 2 - k; /* past the end, a bounce comes back */
    return reverse ? n - 1 - i : i;
}

void edit_loop_pick(int64_t k, int64_t m, int64_t h, edit_pick *p)
{
    p->a = h + k;
    p->b = -1;
    p->wb = 0;
    int64_t j = p->a - (m - h); /* place in the blended tail, < 0 before it */
    if (h > 0 && j >= 0) {
        p->b = j;
        p->wb = (double)(j + 1) / (double)(h + 1);
    }
}

int edit_frames_alike(const gframe *a, const gframe *b, int tol)
{
    if (a->w != b->w || a->h != b->h) return 0;
    for (int y = 0; y < a->h; y++) {
        const uint8_t *p = a->rgba + (size_t)y * a->stride, *q = b->rgba + (size_t)y * b->stride;
        for (int x = 0; x < a->w * 4; x++)
            if (abs(p[x] - q[x]) > tol) return 0;
    }
    return 1;
}

void edit_blend(gframe *a, const gframe *b, double wb)
{
    int w = (int)lround(wb * 256); /* fixed point: 256 is all b */
    for (int y = 0; y < a->h; y++) {
        uint8_t *p = a->rgba + (size_t)y * a->stride;
        const uint8_t *q = b->rgba + (size_t)y * b->stride;
        for (int x = 0; x < a->w * 4; x++)
            p[x] = (uint8_t)((p[x] * (256 - w) + q[x] * w + 128) >> 8);
    }
    a->has_alpha = a->has_alpha || b->has_alpha;
}

void edit_estimate(const edit_params *p, double *seconds, int64_t *frames)
{
    double s = *seconds;
    int64_t n = *frames;
    if (p->frames_step > 1 && n > 0) n = (n + p->frames_step - 1) / p->frames_step;
    if (p->bounce && n > 2) {
        s = s * (2.0 * n - 2) / n; /* both turning frames shown once: an average frame each */
        n = 2 * n - 2;
    }
    if (p->smooth_loop > 0) {
        double cut = p->smooth_loop < s / 2 ? p->smooth_loop : s / 2;
        if (s > 0 && n > 0) n = (int64_t)llround(n * (s - cut) / s);
        s -= cut;
    }
    *seconds = s;
    *frames = n;
}

/* Maps source frames onto the output timeline: trim, speed, and an optional fps grid.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef GIFC_TIMELINE_H
#define GIFC_TIMELINE_H
#include <stdint.h>

typedef struct timeline {
    double start, end;     /* source seconds; end <= 0: no end */
    double speed;
    double fps;            /* 0: keep source timing */
    double lead;           /* fps grid: output seconds a frame is taken early, so each tick
                              shows the last frame starting within half a tick of it */
    int64_t next_tick;     /* first fps-grid tick not yet given to a frame */
} timeline;

enum { TL_DROP = 0, TL_SHOW = 1, TL_END = -1 };

void timeline_init(timeline *t, double start, double duration, double speed, double fps);
/* A source frame shown over [pts, pts+dur) seconds; `last` when no frame follows.
 * TL_SHOW: it appears in the output at *out_pts for *out_dur seconds. TL_DROP: it does not
 * (outside the trim, or between two grid ticks). TL_END: it starts after the end, so
 * nothing later can show either. */
int timeline_map(timeline *t, double pts, double dur, int last, double *out_pts,
                 double *out_dur);

/* GIF delays: centiseconds for a frame ending at `end` seconds, given the running total
 * of centiseconds already written, so rounding never drifts. */
int timeline_cs_delay(double end, int64_t cs_so_far);
#endif

/* libFuzzer target over the timeline (src/time/timeline.c): random trims, speeds, fps
 * grids and VFR source timestamps (each frame's duration from the input, some zero), fed
 * the way the pipeline does (in order, `last` on the final one), with the GIF delay
 * rounding after it.
 *
 * Input: start, duration (1 byte each, tenths of a second), speed (0.25..4), fps (0: the
 * source's; else 1..64), then one byte per source frame: its duration in ms (0..255).
 * Checks: shown frames come in order, never overlap, have a positive finite duration,
 * the fps grid gives each tick at most once; nothing shows after TL_END; the GIF delays
 * add up to the rounded end (never drifting) while under 655.35 s a frame.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "time/timeline.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static void fail(const char *what, double a, double b)
{
    fprintf(stderr, "fuzz_timeline: %s (%g, %g)\n", what, a, b);
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 4) return 0;
    double start = data[0] / 10.0, duration = data[1] / 10.0;
    double speed = 0.25 + data[2] * (3.75 / 255);
    double fps = data[3] ? data[3] % 64 + 1 : 0;
    if (data[3] & 0x40) fps += 0.97; /* NTSC-like rates off the integer grid */
    timeline t;
    timeline_init(&t, start, duration, speed, fps);
    double pts = 0, prev_end = 0;
    int64_t cs = 0;
    int shown = 0;
    for (size_t i = 4; i < size; i++) {
        double dur = data[i] / 1000.0, op = 0, od = 0;
        int last = i + 1 == size;
        int r = timeline_map(&t, pts, dur, last, &op, &od);
        if (r == TL_END) break;
        if (r == TL_SHOW) {
            if (!isfinite(op) || !isfinite(od) || od <= 0) fail("bad shown frame", op, od);
            if (op < prev_end - 1e-6) fail("frames overlap or go back", op, prev_end);
            if (fps > 0 && fabs(op * fps - round(op * fps)) > 1e-6)
                fail("fps-grid frame off the grid", op, fps);
            prev_end = op + od;
            int d = timeline_cs_delay(prev_end, cs);
            if (d < 0 || d > 65535) fail("GIF delay out of range", d, prev_end);
            if (d < 65535 && cs + d != llround(prev_end * 100.0)) fail("GIF delays drift", (double)(cs + d), prev_end);
            cs += d;
            shown++;
        } else if (r != TL_DROP) {
            fail("unknown timeline answer", r, 0);
        }
        pts += dur;
    }
    (void)shown;
    return 0;
}

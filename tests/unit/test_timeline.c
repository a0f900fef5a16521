/* Timeline: trim, speed, fps grid, and GIF delay rounding against the running total.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "time/timeline.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "check.h"

/* 29.97 fps for 10 s must total 1001 cs (10.01 s) with only 3 and 4 cs delays. */
static void test_ntsc_delays(void)
{
    double fps = 30000.0 / 1001.0;
    int64_t total = 0;
    int n = (int)(10.01 * fps + 0.5);
    for (int i = 0; i < n; i++) {
        int d = timeline_cs_delay((i + 1) / fps, total);
        CHECK(d == 3 || d == 4, "frame %d delay %d", i, d);
        total += d;
    }
    CHECK(llabs(total - llround(n / fps * 100)) <= 1, "total %lld cs for %d frames", (long long)total, n);
}

/* A 100 fps source sampled at 15 fps: every output tick shows exactly one source frame,
 * output frames are 1/15 s apart, and the grid covers the whole span. */
static void test_grid(void)
{
    timeline t;
    timeline_init(&t, 0, 0, 1, 15);
    double covered = 0, last_end = 0;
    int shown = 0;
    for (int i = 0; i < 300; i++) {
        double p, d;
        if (timeline_map(&t, i / 100.0, 0.01, 0, &p, &d) == TL_SHOW) {
            CHECK(fabs(p - last_end) < 1e-9, "gap at %d: %f vs %f", i, p, last_end);
            last_end = p + d;
            covered += d;
            shown++;
        }
    }
    CHECK(shown == 45, "shown %d of 45 ticks", shown);
    CHECK(fabs(covered - 3.0) < 1e-6, "covered %f s", covered);
}

/* A VFR hold (one frame for 1 s) stays one frame for 1 s at any grid. */
static void test_hold(void)
{
    timeline t;
    timeline_init(&t, 0, 0, 1, 15);
    double p, d;
    CHECK(timeline_map(&t, 0, 1.0, 0, &p, &d) == TL_SHOW, "hold not shown");
    CHECK(fabs(d - 1.0) < 1e-9 && p == 0, "hold %f+%f", p, d);
    CHECK(timeline_map(&t, 1.0, 0.04, 0, &p, &d) == TL_SHOW && fabs(p - 1.0) < 1e-9, "after hold %f", p);
}

/* Trim 1..2 s at double speed: output spans 0..0.5 s, then TL_END. */
static void test_trim_speed(void)
{
    timeline t;
    timeline_init(&t, 1.0, 1.0, 2.0, 0);
    double p, d, sum = 0;
    int end = 0;
    for (int i = 0; i < 100 && !end; i++) {
        int r = timeline_map(&t, i * 0.04, 0.04, 0, &p, &d);
        if (r == TL_SHOW) {
            CHECK(p >= -1e-9 && p + d <= 0.5 + 1e-9, "out of range %f+%f", p, d);
            sum += d;
        }
        if (r == TL_END) end = 1;
    }
    CHECK(end, "no end reported");
    CHECK(fabs(sum - 0.5) < 1e-6, "trimmed output %f s, want 0.5", sum);
}

/* 29.97 fps sampled at 15 fps: each tick takes the source frame whose timestamp is nearest
 * (timestamps just past a tick must not lose it to the frame before). */
static void test_nearest(void)
{
    double src = 30000.0 / 1001.0;
    timeline t;
    timeline_init(&t, 0, 0, 1, 15);
    int64_t tick = 0;
    double end = 0;
    for (int i = 0; i < 300; i++) {
        double p, d;
        if (timeline_map(&t, i / src, 1 / src, i == 299, &p, &d) != TL_SHOW) continue;
        for (; tick < ceil((p + d) * 15 - 1e-9); tick++) {
            long want = lround(tick / 15.0 * src);
            if (want > 299) want = 299;
            CHECK(want == i, "tick %lld shows frame %d, nearest is %ld", (long long)tick, i, want);
        }
        end = p + d;
    }
    CHECK(fabs(end - 300 / src) < 1e-9, "output ends at %f, source at %f", end, 300 / src);
}

/* A trim end inside the grid: the output lasts exactly the trimmed span (0.75 s at 15 fps
 * is not a whole number of ticks). */
static void test_trim_on_grid(void)
{
    timeline t;
    timeline_init(&t, 0, 0.75, 1, 15);
    double p, d, end = 0;
    for (int i = 0; i < 50; i++) {
        int r = timeline_map(&t, i * 0.04, 0.04, 0, &p, &d);
        if (r == TL_END) break;
        if (r == TL_SHOW) end = p + d;
    }
    CHECK(fabs(end - 0.75) < 1e-9, "trimmed output ends at %f, want 0.75", end);
}

/* 10 fps at 15 fps: frame starts fall exactly on slot ends (0.1 s is where tick 1's
 * slot ends); as in FFmpeg's fps filter such a frame belongs to the next tick, so ticks
 * show frames 0,0,1,2,2,3,4,4,5... */
static void test_ties_go_up(void)
{
    timeline t;
    timeline_init(&t, 0, 0, 1, 15);
    const int want[] = { 0, 0, 1, 2, 2, 3, 4, 4, 5 };
    int tick = 0;
    for (int i = 0; i < 6; i++) {
        double p, d;
        if (timeline_map(&t, i / 10.0, 0.1, 0, &p, &d) != TL_SHOW) continue;
        for (; tick < (int)llround((p + d) * 15) && tick < 9; tick++)
            CHECK(want[tick] == i, "tick %d shows frame %d, FFmpeg shows %d", tick, i, want[tick]);
    }
    CHECK(tick == 9, "covered %d ticks", tick);
}

int main(void)
{
    test_ties_go_up();
    test_trim_on_grid();
    test_nearest();
    test_ntsc_delays();
    test_grid();
    test_hold();
    test_trim_speed();
    if (failures) fprintf(stderr, "%d failure(s)\n", failures);
    else printf("timeline: all checks passed\n");
    return failures ? 1 : 0;
}

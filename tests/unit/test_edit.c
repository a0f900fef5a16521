/* The edit stage's arithmetic (edit_order.c) and crop / aspect geometry (geometry.c).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "time/edit_order.h"
#include "picture/geom.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

/* The sequence a reordering shows, as digits: "0123" -> "3210". */
static void order_is(int64_t n, int reverse, int bounce, const char *want)
{
    char got[64] = "";
    int64_t m = edit_order_count(n, bounce);
    for (int64_t k = 0; k < m && k < 60; k++) got[k] = (char)('0' + edit_order_index(k, n, reverse));
    CHECK(strcmp(got, want) == 0, "n %lld reverse %d bounce %d: %s, want %s", (long long)n,
          reverse, bounce, got, want);
}

static void test_order(void)
{
    order_is(5, 0, 0, "01234");
    order_is(5, 1, 0, "43210");
    order_is(5, 0, 1, "01234321"); /* neither 4 nor 0 twice: the loop goes on to 0 */
    order_is(5, 1, 1, "43210123");
    order_is(3, 0, 1, "0121");
    order_is(2, 0, 1, "01");
    order_is(1, 0, 1, "0");
    order_is(1, 1, 0, "0");
    CHECK(edit_order_count(0, 1) == 0, "empty clip");
}

/* 10 frames, 3 consumed: 7 shown, frames 3..9; 7, 8, 9 carry head frames 0, 1, 2 at rising
 * weight, the last nearly all head frame 2, which frame 3 (the first shown) follows. */
static void test_loop_pick(void)
{
    edit_pick p;
    edit_loop_pick(0, 10, 3, &p);
    CHECK(p.a == 3 && p.b == -1 && p.wb == 0, "k 0: %lld %lld %g", (long long)p.a, (long long)p.b, p.wb);
    edit_loop_pick(3, 10, 3, &p);
    CHECK(p.a == 6 && p.b == -1, "k 3: a %lld b %lld", (long long)p.a, (long long)p.b);
    double last = 0;
    for (int k = 4; k < 7; k++) {
        edit_loop_pick(k, 10, 3, &p);
        CHECK(p.a == 3 + k && p.b == k - 4, "k %d: a %lld b %lld", k, (long long)p.a, (long long)p.b);
        CHECK(p.wb > last && p.wb < 1, "k %d: weight %g after %g", k, p.wb, last);
        last = p.wb;
    }
    CHECK(fabs(last - 0.75) < 1e-12, "last weight %g", last);
    edit_loop_pick(2, 5, 0, &p); /* nothing consumed: nothing blended */
    CHECK(p.a == 2 && p.b == -1, "h 0: a %lld b %lld", (long long)p.a, (long long)p.b);
}

static void test_alike_and_blend(void)
{
    gframe a = { 0 }, b = { 0 };
    CHECK(!gframe_alloc(&a, 5, 3) && !gframe_alloc(&b, 5, 3), "alloc");
    memset(a.rgba, 100, (size_t)a.stride * 3);
    memset(b.rgba, 100, (size_t)b.stride * 3);
    b.rgba[b.stride + 7] = 100 + EDIT_DUP_TOLERANCE;
    CHECK(edit_frames_alike(&a, &b, EDIT_DUP_TOLERANCE), "within the tolerance");
    b.rgba[b.stride + 7] = 100 + EDIT_DUP_TOLERANCE + 1;
    CHECK(!edit_frames_alike(&a, &b, EDIT_DUP_TOLERANCE), "one channel over it");
    memset(b.rgba, 200, (size_t)b.stride * 3);
    edit_blend(&a, &b, 0.25);
    CHECK(a.rgba[0] == 125 && a.rgba[a.stride * 2 + 19] == 125, "blend %d", a.rgba[0]);
    edit_blend(&a, &b, 1.0);
    CHECK(a.rgba[3] == 200, "all b: %d", a.rgba[3]);
    gframe_free(&a);
    gframe_free(&b);
}

static void test_estimate(void)
{
    edit_params p = { .frames_step = 1 };
    double s = 2.0;
    int64_t n = 50;
    p.bounce = 1;
    edit_estimate(&p, &s, &n);
    CHECK(n == 98 && fabs(s - 3.92) < 1e-9, "bounce: %lld frames %g s", (long long)n, s);
    p = (edit_params){ .frames_step = 3 };
    s = 2.0, n = 50;
    edit_estimate(&p, &s, &n);
    CHECK(n == 17 && s == 2.0, "step 3: %lld frames %g s", (long long)n, s);
    p = (edit_params){ .frames_step = 1, .smooth_loop = 5 };
    s = 2.0, n = 50;
    edit_estimate(&p, &s, &n);
    CHECK(n == 25 && s == 1.0, "loop clamped to half: %lld frames %g s", (long long)n, s);
    p = (edit_params){ .frames_step = 1, .reverse = 1 };
    s = 0, n = 0; /* unknown stays unknown */
    edit_estimate(&p, &s, &n);
    CHECK(n == 0 && s == 0, "unknown: %lld %g", (long long)n, s);
}

static void geom_is(const gifc_options *o, int dw, int dh, int x, int y, int w, int h, int cw,
                    int ch, int line)
{
    geom g;
    gerr e = { 0 };
    CHECK(!geom_resolve(o, dw, dh, &g, &e), "line %d: %s", line, e.msg);
    CHECK(g.x == x && g.y == y && g.w == w && g.h == h && g.canvas_w == cw && g.canvas_h == ch,
          "line %d: %d,%d %dx%d on %dx%d", line, g.x, g.y, g.w, g.h, g.canvas_w, g.canvas_h);
}

static void test_geometry(void)
{
    gifc_options o;
    memset(&o, 0, sizeof o);
    geom_is(&o, 320, 180, 0, 0, 320, 180, 320, 180, __LINE__);
    o.aspect_w = 1, o.aspect_h = 1;
    geom_is(&o, 320, 180, 70, 0, 180, 180, 180, 180, __LINE__);
    geom_is(&o, 180, 320, 0, 70, 180, 180, 180, 180, __LINE__);
    o.aspect_w = 9, o.aspect_h = 16;
    geom_is(&o, 320, 180, 109, 0, 101, 180, 101, 180, __LINE__);
    o.aspect_w = 16, o.aspect_h = 9;
    geom_is(&o, 180, 320, 0, 109, 180, 101, 180, 101, __LINE__);
    o.aspect_pad = 1;
    geom_is(&o, 180, 320, 0, 0, 180, 320, 569, 320, __LINE__);
    geom_is(&o, 320, 180, 0, 0, 320, 180, 320, 180, __LINE__); /* already 16:9: no bars */
    o.aspect_w = 0, o.aspect_h = 0, o.aspect_pad = 0;
    o.crop_w = 100, o.crop_h = 80, o.crop_x = 10, o.crop_y = 20;
    geom_is(&o, 320, 180, 10, 20, 100, 80, 100, 80, __LINE__);
    o.aspect_w = 1, o.aspect_h = 1; /* the aspect applies to the crop */
    geom_is(&o, 320, 180, 20, 20, 80, 80, 80, 80, __LINE__);
    o.crop_x = 221;
    geom g;
    gerr e = { 0 };
    CHECK(geom_resolve(&o, 320, 180, &g, &e) == GIFC_ERR_INVALID_ARG &&
          strstr(e.msg, "outside the 320x180 picture"), "outside: %s", e.msg);
}

/* Margins on the decoder's picture, for each rotation: a 40x20 display rect at (10, 5) of a
 * 320x180 display picture. */
static void margins_are(int rotation, int cw, int ch, int l, int t, int r, int b)
{
    int dw = rotation % 180 ? ch : cw, dh = rotation % 180 ? cw : ch;
    geom g = { dw, dh, 10, 5, 40, 20, 40, 20, 0, 0, 0 };
    int m[4];
    geom_coded_margins(&g, rotation, cw, ch, m);
    CHECK(m[0] == l && m[1] == t && m[2] == r && m[3] == b, "rotation %d: %d %d %d %d", rotation,
          m[0], m[1], m[2], m[3]);
}

static void test_margins(void)
{
    margins_are(0, 320, 180, 10, 5, 270, 155);
    margins_are(180, 320, 180, 270, 155, 10, 5);
    /* 90 clockwise: display x runs down the coded picture's left edge from the bottom */
    margins_are(90, 180, 320, 5, 270, 155, 10);
    margins_are(270, 180, 320, 155, 10, 5, 270);
    /* sample aspect 2:1 (coded 160 wide, shown 320): columns halve */
    geom g = { 320, 180, 10, 5, 40, 20, 40, 20, 0, 0, 0 };
    int m[4];
    geom_coded_margins(&g, 0, 160, 180, m);
    CHECK(m[0] == 5 && m[2] == 135, "sample aspect: %d %d", m[0], m[2]);
}

int main(void)
{
    test_order();
    test_loop_pick();
    test_alike_and_blend();
    test_estimate();
    test_geometry();
    test_margins();
    if (failures) {
        fprintf(stderr, "test_edit: %d check(s) failed\n", failures);
        return 1;
    }
    printf("test_edit: all checks passed\n");
    return 0;
}

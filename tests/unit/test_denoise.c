/* Look-ahead denoise: noise around a still value is averaged away, a real change and
 * transparent pixels pass untouched.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "gif/denoise.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

enum { W = 4, H = 1 };

static void fill(uint8_t *px, int x, int r, int g, int b, int a)
{
    px[x * 4] = (uint8_t)r, px[x * 4 + 1] = (uint8_t)g, px[x * 4 + 2] = (uint8_t)b;
    px[x * 4 + 3] = (uint8_t)a;
}

static denoise_frames setup(uint8_t *cur, const uint8_t *prev, const uint8_t *n1,
                            const uint8_t *n2)
{
    /* range 9 (two thresholds of 4.5) */
    denoise_frames d = { .cur = cur, .cur_stride = W * 4, .prev = prev, .nnext = 2, .w = W,
                         .h = H, .range_sq = 9 * 81 };
    d.next[0] = n1, d.next[1] = n2;
    d.next_stride[0] = d.next_stride[1] = W * 4;
    return d;
}

int main(void)
{
    uint8_t cur[W * 4], prev[W * 4], n1[W * 4], n2[W * 4];
    /* x0: noise around 100; x1: a real change 100 -> 200 that persists; x2: transparent;
     * x3: a one-frame flash far from everything. */
    fill(prev, 0, 100, 100, 100, 255), fill(cur, 0, 104, 97, 103, 255);
    fill(n1, 0, 98, 102, 99, 255), fill(n2, 0, 101, 100, 97, 255);
    fill(prev, 1, 100, 100, 100, 255), fill(cur, 1, 200, 50, 10, 255);
    fill(n1, 1, 201, 51, 10, 255), fill(n2, 1, 199, 50, 11, 255);
    fill(prev, 2, 100, 100, 100, 255), fill(cur, 2, 0, 0, 0, 0);
    fill(n1, 2, 100, 100, 100, 255), fill(n2, 2, 100, 100, 100, 255);
    fill(prev, 3, 100, 100, 100, 255), fill(cur, 3, 250, 250, 250, 255);
    fill(n1, 3, 100, 100, 100, 255), fill(n2, 3, 100, 100, 100, 255);
    denoise_frames d = setup(cur, prev, n1, n2);
    denoise_frame(&d);
    /* (104 + 2*100 + 98 + 101) / 5 = 100.6 -> 101 */
    CHECK(cur[0] == 101 && cur[1] == 100 && cur[2] == 100, "noise averaged: %d %d %d", cur[0],
          cur[1], cur[2]);
    CHECK(abs(cur[4] - 200) <= 1 && abs(cur[5] - 50) <= 1 && abs(cur[6] - 10) <= 1,
          "a real change keeps its new value, not the old one: %d %d %d", cur[4], cur[5],
          cur[6]);
    CHECK(!memcmp(cur + 8, (uint8_t[4]){ 0, 0, 0, 0 }, 4), "transparent pixel untouched");
    CHECK(cur[12] == 250 && cur[13] == 250 && cur[14] == 250, "a flash far from its "
          "neighbours in time passes");
    /* Without neighbours in time nothing changes. */
    fill(cur, 0, 104, 97, 103, 255);
    denoise_frames alone = { .cur = cur, .cur_stride = W * 4, .w = W, .h = H,
                             .range_sq = 9 * 81 };
    denoise_frame(&alone);
    CHECK(cur[0] == 104 && cur[1] == 97 && cur[2] == 103, "no samples: unchanged");
    if (failures) fprintf(stderr, "%d failure(s)\n", failures);
    return failures ? 1 : 0;
}

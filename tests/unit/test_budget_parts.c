/* The size budget's building blocks: the frame cache gives back what it was given; the
 * gif_writer frame log replayed at lossy 0 rewrites the GIF byte for byte, and at a lossy
 * level gives a smaller GIF that giflib still reads; ssim_rgba is 1 for equal pictures and
 * falls with the damage; gif_read_frames plays back what the encoder wrote.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "base/fcache.h"
#include "gif/gifenc.h"
#include "gif/gif_read.h"
#include "gif/gifw.h"
#include "budget/ssim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

enum { W = 120, H = 80, N = 10 };

/* A textured, moving picture: gradients, a moving block and pseudo-random grain. */
static void draw(gframe *f, int i)
{
    unsigned seed = 12345u + (unsigned)i * 7919u;
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            uint8_t *p = f->rgba + (size_t)y * f->stride + x * 4;
            seed = seed * 1103515245u + 12345u;
            int grain = (int)(seed >> 27) - 16;
            int r = x * 2 + grain, g = y * 3 + grain, b = 128 + grain;
            if (x >= i * 8 && x < i * 8 + 20 && y >= 20 && y < 50) r = 240, g = 60, b = 30;
            p[0] = (uint8_t)(r < 0 ? 0 : r > 255 ? 255 : r);
            p[1] = (uint8_t)(g < 0 ? 0 : g > 255 ? 255 : g);
            p[2] = (uint8_t)(b < 0 ? 0 : b > 255 ? 255 : b);
            p[3] = 255;
        }
    f->pts = i * 0.1;
    f->duration = 0.1;
}

static void test_cache(void)
{
    gerr e = { 0 };
    fcache *c = NULL;
    gframe f = { 0 }, back = { 0 };
    CHECK(!fcache_open(&c, W, H, &e) && !gframe_alloc(&f, W, H), "open: %s", e.msg);
    for (int i = 0; i < N && c; i++) {
        draw(&f, i);
        CHECK(!fcache_put(c, &f, &e), "put %d: %s", i, e.msg);
    }
    CHECK(c && fcache_count(c) == N, "count");
    for (int i = N - 1; i >= 0 && c; i -= 3) { /* any order */
        draw(&f, i);
        CHECK(!fcache_get(c, i, &back, &e), "get %d", i);
        CHECK(back.rgba && !memcmp(back.rgba, f.rgba, (size_t)W * H * 4), "frame %d differs", i);
        CHECK(back.pts == f.pts && back.duration == f.duration, "timing of frame %d", i);
    }
    CHECK(c && fcache_end(c) > N * 0.1 - 1e-9 && fcache_end(c) < N * 0.1 + 1e-9, "end");
    CHECK(c && fcache_get(c, N, &back, &e), "frame past the end must fail");
    fcache_free(&c);
    gframe_free(&f);
    gframe_free(&back);
}

static uint8_t *slurp(FILE *f, size_t *n)
{
    fflush(f);
    fseek(f, 0, SEEK_END);
    *n = (size_t)ftell(f);
    uint8_t *b = malloc(*n ? *n : 1);
    fseek(f, 0, SEEK_SET);
    if (b && fread(b, 1, *n, f) != *n) *n = 0;
    return b;
}

typedef struct seen {
    int frames, cs;
    double ssim_first; /* SSIM of the first canvas against the first source frame */
} seen;

static int on_canvas(void *user, const uint8_t *canvas, int w, int h, int delay_cs)
{
    seen *s = user;
    if (s->frames == 0) {
        gframe f = { 0 };
        gframe_alloc(&f, W, H);
        draw(&f, 0);
        s->ssim_first = w == W && h == H ? ssim_rgba(f.rgba, f.stride, canvas, w * 4, w, h) : 0;
        gframe_free(&f);
    }
    s->frames++;
    s->cs += delay_cs;
    return 0;
}

static void test_log_replay(void)
{
    gerr e = { 0 };
    FILE *gif = tmpfile(), *log = tmpfile(), *again = tmpfile(), *lossy = tmpfile();
    gifenc_params p = { .width = W, .height = H, .colors = 256, .quality = 90, .dither = 1.0,
                        .threads = 2, .log = log };
    gifenc *g = NULL;
    gframe f = { 0 };
    uint64_t bytes = 0, b2 = 0, b3 = 0;
    CHECK(gif && log && again && lossy && !gifenc_open(&g, gif, &p, &e), "open: %s", e.msg);
    for (int i = 0; i < N && g; i++) {
        gframe_alloc(&f, W, H);
        draw(&f, i);
        CHECK(!gifenc_push(g, &f, &e), "push: %s", e.msg);
        gframe_free(&f);
    }
    CHECK(g && !gifenc_finish(g, &bytes, NULL, NULL, &e), "finish: %s", e.msg);
    gifenc_free(&g);
    CHECK(!gifw_replay(log, again, W, H, 0, 0, &b2, &e), "replay: %s", e.msg);
    size_t n1, n2;
    uint8_t *a = slurp(gif, &n1), *b = slurp(again, &n2);
    CHECK(n1 == bytes && b2 == bytes && n1 == n2 && a && b && !memcmp(a, b, n1),
          "replay at lossy 0 is not the same GIF (%zu vs %zu bytes)", n1, n2);
    free(a);
    free(b);
    CHECK(!gifw_replay(log, lossy, W, H, 0, 80, &b3, &e), "lossy replay: %s", e.msg);
    CHECK(b3 > 0 && b3 < bytes, "lossy 80 replay %llu bytes, exact %llu", (unsigned long long)b3,
          (unsigned long long)bytes);
    seen s = { 0 }, sl = { 0 };
    CHECK(!gif_read_frames(gif, on_canvas, &s, &e), "read back: %s", e.msg);
    CHECK(s.frames == N && s.cs == N * 10, "read back %d frames, %d cs", s.frames, s.cs);
    CHECK(s.ssim_first > 0.9, "first frame SSIM %.4f", s.ssim_first);
    CHECK(!gif_read_frames(lossy, on_canvas, &sl, &e), "read lossy: %s", e.msg);
    CHECK(sl.frames == N && sl.ssim_first < s.ssim_first && sl.ssim_first > 0.5,
          "lossy: %d frames, SSIM %.4f (exact %.4f)", sl.frames, sl.ssim_first, s.ssim_first);
    for (FILE **fp = (FILE *[]){ gif, log, again, lossy }, **end = fp + 4; fp < end; fp++)
        if (*fp) fclose(*fp);
}

static void test_ssim(void)
{
    gframe a = { 0 }, b = { 0 };
    gframe_alloc(&a, W, H);
    gframe_alloc(&b, W, H);
    draw(&a, 3);
    draw(&b, 3);
    double same = ssim_rgba(a.rgba, a.stride, b.rgba, b.stride, W, H);
    CHECK(same > 0.99999 && same < 1.00001, "equal pictures: %f", same);
    for (size_t i = 0; i < (size_t)W * H * 4; i += 4) b.rgba[i + 1] ^= (uint8_t)(i * 37 & 31);
    double noisy = ssim_rgba(a.rgba, a.stride, b.rgba, b.stride, W, H);
    for (size_t i = 0; i < (size_t)W * H * 4; i += 4) b.rgba[i + 1] ^= (uint8_t)(i * 53 & 127);
    double worse = ssim_rgba(a.rgba, a.stride, b.rgba, b.stride, W, H);
    CHECK(noisy < 0.99 && worse < noisy && worse > -1, "noise %f, more noise %f", noisy, worse);
    gframe_free(&a);
    gframe_free(&b);
}

int main(void)
{
    test_cache();
    test_log_replay();
    test_ssim();
    if (failures) fprintf(stderr, "test_budget_parts: %d check(s) failed\n", failures);
    else fprintf(stderr, "test_budget_parts: all checks passed\n");
    return failures ? 1 : 0;
}

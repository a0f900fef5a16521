/* libFuzzer target over the frame cache (src/base/fcache.c): random frame sizes and strides,
 * puts and gets in any order, every frame read back compared exactly with a copy kept in
 * memory.
 *
 * Input: w-1, h-1 (1..64, 1..32), then operations (puts up to 320 frames or 64 KB), one
 * byte each (and the bytes they use):
 * low two bits 0 or 1: put a frame whose row padding is the next byte % 8 pixels, its
 * pixels the following bytes (repeated when the input runs short), its pts and duration
 * from the operation byte, alpha from its bit 2; 2: get frame (next byte) % (count + 1),
 * past the end included, into a frame of a random size or none; 3: put a frame of another
 * size, which must be refused. Checks: the count, timings and alpha flag as put; a get
 * past the end refused; pixels exactly as put; fcache_end the last frame's end.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "base/fcache.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Past the cache's first 256 timing slots (its realloc), for small frames; big ones stop at
 * MAX_BYTES, so that a run stays cheap (a put is one pwrite a row). */
#define MAX_FRAMES 320
#define MAX_BYTES (64 * 1024)

typedef struct model {
    uint8_t *px[MAX_FRAMES]; /* w * h * 4, packed */
    double pts[MAX_FRAMES], dur[MAX_FRAMES];
    int alpha[MAX_FRAMES];
    int n;
} model;

static void fail(const char *what, long a, long b)
{
    fprintf(stderr, "fuzz_fcache: %s (%ld, %ld)\n", what, a, b);
    abort();
}

typedef struct input { const uint8_t *p; size_t n, at; } input;

static uint8_t next(input *in) { return in->at < in->n ? in->p[in->at++] : 0; }

/* A w x h frame with pad pixels after each row, filled from the input. */
static gframe make_frame(input *in, int w, int h, int pad)
{
    gframe f = { .w = w, .h = h, .stride = (w + pad) * 4 };
    f.rgba = malloc((size_t)f.stride * h);
    if (!f.rgba) abort();
    /* The input from where it stands, wrapping round (in chunks: a byte loop under
     * comparison tracing was most of a run's time). */
    size_t total = (size_t)f.stride * h, done = 0, from = in->at % in->n;
    while (done < total) {
        size_t k = in->n - from < total - done ? in->n - from : total - done;
        memcpy(f.rgba + done, in->p + from, k);
        done += k;
        from = 0;
    }
    in->at += (size_t)w * h;
    return f;
}

static void put(fcache *c, model *m, input *in, uint8_t op, int w, int h)
{
    gframe f = make_frame(in, w, h, next(in) % 8);
    f.pts = m->n ? m->pts[m->n - 1] + m->dur[m->n - 1] : op / 16.0;
    f.duration = (op >> 3) / 25.0;
    f.has_alpha = op >> 2 & 1;
    gerr e = { 0 };
    if (fcache_put(c, &f, &e) != GIFC_OK) fail("put refused", m->n, e.code);
    uint8_t *copy = malloc((size_t)w * h * 4);
    if (!copy) abort();
    for (int y = 0; y < h; y++)
        memcpy(copy + (size_t)y * w * 4, f.rgba + (size_t)y * f.stride, (size_t)w * 4);
    m->px[m->n] = copy;
    m->pts[m->n] = f.pts;
    m->dur[m->n] = f.duration;
    m->alpha[m->n++] = f.has_alpha;
    free(f.rgba);
}

static void get(fcache *c, const model *m, input *in, int w, int h)
{
    int i = next(in) % (m->n + 1);
    uint8_t shape = next(in);
    gframe f = { 0 };
    if (shape & 1 && gframe_alloc(&f, shape % 7 + 1, shape % 5 + 1)) abort();
    gerr e = { 0 };
    gifc_error r = fcache_get(c, i, &f, &e);
    if (i == m->n) {
        if (r == GIFC_OK) fail("get past the end accepted", i, m->n);
    } else if (r != GIFC_OK) {
        fail("get refused", i, e.code);
    } else {
        if (f.w != w || f.h != h || f.stride != w * 4)
            fail("got a frame of another size", f.w, f.h);
        if (memcmp(f.rgba, m->px[i], (size_t)w * h * 4)) fail("pixels differ", i, 0);
        if (f.pts != m->pts[i] || f.duration != m->dur[i] || f.has_alpha != m->alpha[i] ||
            fcache_pts(c, i) != m->pts[i] || fcache_duration(c, i) != m->dur[i])
            fail("timing or alpha differ", i, 0);
    }
    gframe_free(&f);
}

static void put_wrong(fcache *c, const model *m, input *in, int w, int h)
{
    uint8_t d = next(in);
    int ow = d & 1 ? w + 1 + d % 3 : w, oh = d & 1 ? h : h + 1 + d % 3;
    gframe f = make_frame(in, ow, oh, 0);
    gerr e = { 0 };
    if (fcache_put(c, &f, &e) == GIFC_OK || fcache_count(c) != m->n)
        fail("a frame of another size was cached", ow, oh);
    free(f.rgba);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3 || size > 1 << 16) return 0; /* make_frame wraps round >= 1 byte */
    int w = data[0] % 64 + 1, h = data[1] % 32 + 1;
    input in = { data + 2, size - 2, 0 };
    fcache *c = NULL;
    gerr e = { 0 };
    if (fcache_open(&c, w, h, &e) != GIFC_OK) fail("open failed", w, h);
    model m = { .n = 0 };
    while (in.at < in.n) {
        uint8_t op = next(&in);
        switch (op & 3) {
        case 0:
        case 1:
            if (m.n < MAX_FRAMES && (size_t)(m.n + 1) * w * h * 4 <= MAX_BYTES)
                put(c, &m, &in, op, w, h);
            break;
        case 2: get(c, &m, &in, w, h); break;
        default: put_wrong(c, &m, &in, w, h); break;
        }
        if (fcache_count(c) != m.n) fail("count differs", (long)fcache_count(c), m.n);
    }
    double end = m.n ? m.pts[m.n - 1] + m.dur[m.n - 1] : 0;
    if (fcache_end(c) != end) fail("end differs", m.n, 0);
    fcache_free(&c);
    if (c) fail("fcache_free left the pointer", 0, 0);
    for (int i = 0; i < m.n; i++) free(m.px[i]);
    return 0;
}

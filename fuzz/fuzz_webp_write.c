/* libFuzzer target, a round trip through the animated WebP writer (src/webp/webpw.c over
 * libwebp's WebPAnimEncoder): random RGBA frames and durations written, read back by
 * libwebp's WebPAnimDecoder and compared.
 *
 * Input: w-1, h-1 (1..32 each), frames-1 (1..6), mode (bit 0 lossless, bit 1 mixed, bit 2
 * fast; quality: the byte % 101), then per frame a duration (the byte times 10 ms, 0
 * included) and its RGBA pixels (missing bytes are 0, so short inputs repeat frames, which
 * the encoder merges). Checks: the canvas size; at most the frames pushed; every frame's end
 * is one of the timeline's rounded boundaries (webpw.h: each frame at least 1 ms, no
 * drift), the last one the clip's end (unless libwebp made the one frame left a still
 * image, which has no duration); lossless, every frame the encoder kept shows the
 * pixels pushed (alpha exact, colour exact where alpha is not 0).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "webp/webpw.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <webp/demux.h>

#define MAX_FRAMES 6
#define MAX_SIDE 32

typedef struct clip {
    int w, h, n, lossless;
    uint8_t px[MAX_FRAMES][MAX_SIDE * MAX_SIDE * 4];
    int64_t end_ms[MAX_FRAMES]; /* the timestamp frame i ends at, as webpw rounds it */
} clip;

static void fail(const char *what, long a, long b)
{
    fprintf(stderr, "fuzz_webp_write: %s (%ld, %ld)\n", what, a, b);
    abort();
}

/* The frame of the clip that ends at ms, or -1. */
static int frame_ending(const clip *c, int64_t ms)
{
    for (int i = 0; i < c->n; i++)
        if (c->end_ms[i] == ms) return i;
    return -1;
}

static void compare_pixels(const clip *c, int i, const uint8_t *canvas)
{
    const uint8_t *want = c->px[i];
    for (int k = 0; k < c->w * c->h; k++) {
        const uint8_t *a = want + 4 * k, *b = canvas + 4 * k;
        if (a[3] != b[3] || (a[3] && memcmp(a, b, 3))) fail("lossless frame changed", i, k);
    }
}

static void check(const uint8_t *bytes, size_t n, const clip *c)
{
    WebPData data = { bytes, n };
    WebPAnimDecoderOptions opt;
    WebPAnimDecoderOptionsInit(&opt);
    opt.color_mode = MODE_RGBA;
    WebPAnimDecoder *dec = WebPAnimDecoderNew(&data, &opt);
    if (!dec) fail("libwebp cannot read the file written", (long)n, 0);
    WebPAnimInfo ai;
    if (!WebPAnimDecoderGetInfo(dec, &ai)) fail("no animation info", 0, 0);
    if ((int)ai.canvas_width != c->w || (int)ai.canvas_height != c->h)
        fail("canvas size changed", ai.canvas_width, ai.canvas_height);
    if (ai.frame_count < 1 || (int)ai.frame_count > c->n) fail("frame count", ai.frame_count, c->n);
    /* One frame left (a one-frame clip, or identical frames merged): libwebp may write a
     * still image, smaller, with no duration; it stands for the clip's last frame. */
    const WebPDemuxer *dmx = WebPAnimDecoderGetDemuxer(dec);
    int still = !(WebPDemuxGetI(dmx, WEBP_FF_FORMAT_FLAGS) & ANIMATION_FLAG);
    if (still && ai.frame_count != 1) fail("a still image of several frames", ai.frame_count, 0);
    int got = 0, ts = 0, prev = -1;
    while (WebPAnimDecoderHasMoreFrames(dec)) {
        uint8_t *canvas;
        if (!WebPAnimDecoderGetNext(dec, &canvas, &ts)) fail("frame cannot be decoded", got, 0);
        int i = still ? c->n - 1 : frame_ending(c, ts);
        if (i <= prev) fail("a frame ends off the timeline", got, ts);
        if (c->lossless) compare_pixels(c, i, canvas);
        prev = i;
        got++;
    }
    if (got != (int)ai.frame_count || prev != c->n - 1) fail("frames or the end differ", got, ts);
    WebPAnimDecoderDelete(dec);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static clip c;
    static uint8_t out[1 << 20];
    if (size < 4 || size > 1 << 16) return 0;
    size_t at = 4;
    c.w = data[0] % MAX_SIDE + 1;
    c.h = data[1] % MAX_SIDE + 1;
    c.n = data[2] % MAX_FRAMES + 1;
    c.lossless = data[3] & 1;
    webpw_params p = { .width = c.w, .height = c.h, .quality = data[3] % 101,
                       .lossless = c.lossless, .mixed = data[3] >> 1 & 1,
                       .fast = data[3] >> 2 & 1, .loop = 0, .threads = 1 };
    webpw *w = NULL;
    gerr e = { 0 };
    if (webpw_open(&w, &p, &e) != GIFC_OK) fail("open failed", c.w, c.h);
    double pts = 0;
    int64_t last_ms = -1;
    size_t frame_bytes = (size_t)c.w * c.h * 4;
    for (int i = 0; i < c.n; i++) {
        double dur = (at < size ? data[at++] : 0) / 100.0;
        size_t k = size - at < frame_bytes ? size - at : frame_bytes;
        memset(c.px[i], 0, frame_bytes);
        memcpy(c.px[i], data + at, k);
        at += k;
        int alpha = 0;
        for (size_t q = 3; q < frame_bytes; q += 4) alpha |= c.px[i][q] != 255;
        gframe f = { c.px[i], c.w, c.h, c.w * 4, pts, dur, alpha };
        if (webpw_push(w, &f, &e) != GIFC_OK) fail("push failed", i, e.code);
        int64_t ms = llround(pts * 1000.0);
        if (ms <= last_ms) ms = last_ms + 1;
        if (i) c.end_ms[i - 1] = ms;
        last_ms = ms;
        pts += dur;
    }
    int64_t end = llround(pts * 1000.0);
    c.end_ms[c.n - 1] = end > last_ms ? end : last_ms + 1;
    FILE *fp = fmemopen(out, sizeof out, "w+b");
    if (!fp) abort();
    uint64_t bytes = 0;
    if (webpw_finish(w, fp, &bytes, &e) != GIFC_OK) fail("finish failed", e.code, 0);
    webpw_free(&w);
    long pos = ftell(fp);
    fclose(fp);
    if (pos < 0 || (uint64_t)pos != bytes) fail("bytes miscounted", pos, (long)bytes);
    check(out, bytes, &c);
    return 0;
}

/* libFuzzer target over the animated WebP decoder (src/decode/webpdec.c: libwebp's demuxer
 * and animation decoder, which composite each frame onto the canvas with its blend and
 * dispose methods) on raw bytes, with limits as a converter would set them.
 *
 * Input: a WebP file, as it is. Checks: an opened file's canvas is within the limits and
 * 16383 px a side; every frame is an RGBA canvas of that size; no more frames come than
 * the file declared; timestamps start at 0 and each frame starts where the previous one
 * ended (durations in whole ms, never 0: a 0 ms frame is shown for 100 ms).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "decode/webpdec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_PIXELS (256 * 256)
#define MAX_FRAMES 32

static void fail(const char *what, double a, double b)
{
    fprintf(stderr, "fuzz_webpdec: %s (%g, %g)\n", what, a, b);
    abort();
}

static void check_frames(webpdec *d, const source_info *info)
{
    gerr e;
    memset(&e, 0, sizeof e);
    long end_ms = 0;
    for (int64_t n = 0;; n++) {
        AVFrame *f = NULL;
        double pts = -1, dur = -1;
        if (webpdec_next(d, &f, &pts, &dur, &e) != GIFC_OK) {
            if (!e.msg[0]) fail("error without a message", (double)n, 0);
            return;
        }
        if (!f) return;
        if (n >= info->frames) fail("more frames than declared", (double)n, info->frames);
        if (f->width != info->width || f->height != info->height || f->format != AV_PIX_FMT_RGBA ||
            f->linesize[0] != f->width * 4 || !f->data[0])
            fail("frame is not the RGBA canvas", f->width, f->height);
        long pts_ms = (long)(pts * 1000 + 0.5), dur_ms = (long)(dur * 1000 + 0.5);
        if (pts_ms != end_ms) fail("frame does not start where the last one ended", pts, end_ms);
        if (dur_ms <= 0) fail("frame without a duration", dur, (double)n);
        end_ms = pts_ms + dur_ms;
        /* The whole canvas copied: one shorter than it claims is an ASan report (memcpy is
         * checked in one go; a byte loop under instrumentation was most of a run's time). */
        static uint8_t scratch[MAX_PIXELS * 4];
        memcpy(scratch, f->data[0], (size_t)f->width * f->height * 4);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 1 << 20) return 0;
    source_limits lim = { .max_pixels = MAX_PIXELS, .max_frames = MAX_FRAMES,
                          .max_duration = 3600, .max_decoded_bytes = 1ull << 30 };
    webpdec *d = NULL;
    source_info info;
    gerr e;
    memset(&e, 0, sizeof e);
    if (webpdec_open(&d, NULL, data, size, &lim, &info, &e) != GIFC_OK) {
        if (d || !e.msg[0]) fail("failed open left a decoder or no message", 0, 0);
        return 0;
    }
    if (info.width <= 0 || info.height <= 0 || info.width > 16383 || info.height > 16383 ||
        (uint64_t)info.width * info.height > MAX_PIXELS || info.frames > MAX_FRAMES)
        fail("opened past the limits", info.width, info.height);
    check_frames(d, &info);
    webpdec_free(&d);
    if (d) fail("webpdec_free left the pointer", 0, 0);
    return 0;
}

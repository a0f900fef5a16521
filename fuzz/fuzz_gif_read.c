/* libFuzzer target over the GIF reader (src/gif/gif_read.c, giflib underneath) and the
 * kept-GIF normaliser (src/gif/gif_keep.c) on raw bytes.
 *
 * Input: a GIF file, as it is. Checks: the reader's canvas is the screen's size and its
 * frames' delays are 16-bit; when the normaliser takes the file, its output is the input
 * plus at most one 8-byte Graphic Control Extension an image, starts with the same header
 * and ends with the trailer, and reads back (when the input read) as the same pictures in
 * the same number, each delay the input's, or 10 cs where it was under 2 cs.
 * The reader is fed only screens of at most 64K pixels: it reads back gifc's own outputs,
 * which max_pixels bounds, and allocates the declared screen (a 65535 x 65535 claim is
 * 16 GB, refused by the caller's limits before any GIF is written).
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "gif/gif_keep.h"
#include "gif/gif_read.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SCREEN_PIXELS 65536
#define MAX_FRAMES 64

typedef struct played {
    int w, h, n;
    int delay[MAX_FRAMES];
    uint64_t hash[MAX_FRAMES];
} played;

static void fail(const char *what, long a, long b)
{
    fprintf(stderr, "fuzz_gif_read: %s (%ld, %ld)\n", what, a, b);
    abort();
}

static uint64_t fnv1a(const uint8_t *p, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    while (n--) h = (h ^ *p++) * 1099511628211ull;
    return h;
}

static int on_frame(void *user, const uint8_t *canvas, int w, int h, int delay_cs)
{
    played *p = user;
    if (w != p->w || h != p->h) fail("canvas is not the screen's size", w, h);
    if (delay_cs < 0 || delay_cs > 65535) fail("delay out of range", delay_cs, p->n);
    p->delay[p->n] = delay_cs;
    p->hash[p->n] = fnv1a(canvas, (size_t)w * h * 4);
    return ++p->n == MAX_FRAMES;
}

/* 0 when the reader read the whole file (or its first MAX_FRAMES frames). */
static int play(const uint8_t *buf, size_t n, played *p)
{
    memset(p, 0, sizeof *p);
    p->w = buf[6] | buf[7] << 8;
    p->h = buf[8] | buf[9] << 8;
    FILE *fp = fmemopen((void *)buf, n, "rb");
    if (!fp) abort();
    gerr e;
    memset(&e, 0, sizeof e);
    gifc_error r = gif_read_frames(fp, on_frame, p, &e);
    fclose(fp);
    if (r != GIFC_OK && !e.msg[0]) fail("error without a message", r, 0);
    return r != GIFC_OK;
}

static void check_kept(const uint8_t *in, size_t n, const gbuf *out, int changed,
                       const played *before, int read_before)
{
    if (out->len > n + 8 * (size_t)changed) fail("output grew past a GCE a frame", out->len, n);
    if (out->len < 14 || memcmp(out->data, in, 13) || out->data[out->len - 1] != 0x3B)
        fail("output lost its header or trailer", out->len, 0);
    if (read_before) return;
    played after;
    if (play(out->data, out->len, &after)) fail("the normalised GIF does not read", n, 0);
    if (after.n != before->n) fail("frame count changed", before->n, after.n);
    for (int i = 0; i < after.n; i++) {
        int want = before->delay[i] < 2 ? 10 : before->delay[i];
        if (after.delay[i] != want) fail("delay not kept or not made 10 cs", i, after.delay[i]);
        if (after.hash[i] != before->hash[i]) fail("picture changed", i, 0);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 14 || size > 1 << 20) return 0;
    size_t pixels = (size_t)(data[6] | data[7] << 8) * (data[8] | data[9] << 8);
    played before;
    int bad = pixels > MAX_SCREEN_PIXELS || play(data, size, &before);
    gbuf out;
    memset(&out, 0, sizeof out);
    int changed = gif_keep_normalize(data, size, &out);
    if (changed >= 0) check_kept(data, size, &out, changed, &before, bad);
    gbuf_free(&out);
    return 0;
}

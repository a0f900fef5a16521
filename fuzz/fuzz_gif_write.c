/* libFuzzer target, a round trip through the GIF writer (src/gif/gifw.c and the LZW encoder
 * under it): random frames, palettes, placements, delays, disposals, transparency and lossy
 * levels written, then decoded by giflib (an independent decoder) and compared.
 *
 * Input: w-1, h-1 (1..32 each), loop (255: no loop extension), frames-1 (1..8), then per
 * frame 9 bytes: x, y, w-1, h-1 (each wrapped to fit the canvas), colours-1, transparent
 * index (>= colours: none), disposal (% 4), delay (cs, times 7), lossy level (0 on even
 * bytes, else the byte's value), then its palette (3 bytes a colour) and its indices (a
 * byte each, % colours); missing bytes are 0, missing indices come from a counter.
 * Checks: giflib reads the file;
 * the screen, the image count, each image's place and size, delay and disposal are the
 * ones written; at lossy 0, every pixel shows the colour it was given, or is transparent
 * exactly where it was.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "gif/gifw.h"

#include <gif_lib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FRAMES 8
#define OUT_BYTES (1 << 20) /* 8 frames of 32 x 32 take a few KB */

typedef struct input { const uint8_t *p; size_t n, at; unsigned counter; } input;

/* Missing bytes are 0 (one colour, exact, no delay: a short input stays cheap), but for
 * indices, which come from a counter so that the LZW has strings to find. */
static uint8_t next(input *in) { return in->at < in->n ? in->p[in->at++] : 0; }

static uint8_t next_index(input *in)
{
    return in->at < in->n ? in->p[in->at++] : (uint8_t)(in->counter++ * 97 / 61);
}

typedef struct frame {
    gifw_frame f;
    uint8_t palette[256 * 3];
    uint8_t indices[32 * 32];
} frame;

static void fail(const char *what, long a, long b)
{
    fprintf(stderr, "fuzz_gif_write: %s (%ld, %ld)\n", what, a, b);
    abort();
}

static void make_frame(input *in, frame *fr, int w, int h)
{
    gifw_frame *f = &fr->f;
    f->x = next(in) % w;
    f->y = next(in) % h;
    f->w = next(in) % (w - f->x) + 1;
    f->h = next(in) % (h - f->y) + 1;
    f->ncolors = next(in) + 1;
    int t = next(in);
    f->transparent = t < f->ncolors ? t : -1;
    f->disposal = next(in) % 4;
    f->delay_cs = next(in) * 7;
    int lossy = next(in);
    f->lossy = lossy & 1 ? lossy : 0;
    for (int k = 0; k < f->ncolors * 3; k++) fr->palette[k] = next(in);
    for (int k = 0; k < f->w * f->h; k++) fr->indices[k] = (uint8_t)(next_index(in) % f->ncolors);
    f->palette = fr->palette;
    f->indices = fr->indices;
    f->stride = f->w;
}

typedef struct reader { const uint8_t *p; size_t n, at; } reader;

static int read_mem(GifFileType *g, GifByteType *p, int n)
{
    reader *r = g->UserData;
    if ((size_t)n > r->n - r->at) n = (int)(r->n - r->at);
    memcpy(p, r->p + r->at, (size_t)n);
    r->at += (size_t)n;
    return n;
}

/* Image i of the decoded GIF against frame fr. */
static void compare(GifFileType *gif, int i, const gifw_frame *f)
{
    const SavedImage *s = &gif->SavedImages[i];
    const GifImageDesc *d = &s->ImageDesc;
    if (d->Left != f->x || d->Top != f->y || d->Width != f->w || d->Height != f->h)
        fail("image placed or sized otherwise", i, d->Width);
    GraphicsControlBlock gcb;
    if (DGifSavedExtensionToGCB(gif, i, &gcb) != GIF_OK) fail("image without a GCE", i, 0);
    if (gcb.DelayTime != f->delay_cs || gcb.DisposalMode != f->disposal)
        fail("delay or disposal changed", gcb.DelayTime, f->delay_cs);
    if (f->lossy) return;
    const ColorMapObject *cm = d->ColorMap ? d->ColorMap : gif->SColorMap;
    if (!cm) fail("image without a colour table", i, 0);
    for (int k = 0; k < f->w * f->h; k++) {
        int want = f->indices[k], got = s->RasterBits[k];
        int want_clear = want == f->transparent, got_clear = got == gcb.TransparentColor;
        if (want_clear != got_clear) fail("transparency changed", i, k);
        if (want_clear) continue;
        if (got >= cm->ColorCount) fail("index past the colour table", i, got);
        const GifColorType *c = &cm->Colors[got];
        const uint8_t *p = f->palette + 3 * want;
        if (c->Red != p[0] || c->Green != p[1] || c->Blue != p[2]) fail("colour changed", i, k);
    }
}

static void check(const uint8_t *gifbytes, size_t n, int w, int h, const frame *fr, int count)
{
    reader r = { gifbytes, n, 0 };
    int err = 0;
    GifFileType *gif = DGifOpen(&r, read_mem, &err);
    if (!gif) fail("giflib cannot open the GIF written", err, 0);
    if (DGifSlurp(gif) != GIF_OK) fail("giflib cannot read the GIF written", gif->Error, 0);
    if (gif->SWidth != w || gif->SHeight != h)
        fail("screen size changed", gif->SWidth, gif->SHeight);
    if (gif->ImageCount != count) fail("image count changed", gif->ImageCount, count);
    for (int i = 0; i < count; i++) compare(gif, i, &fr[i].f);
    DGifCloseFile(gif, &err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t out[OUT_BYTES];
    static frame fr[MAX_FRAMES];
    if (size < 4 || size > 1 << 16) return 0;
    input in = { data, size, 0, 0 };
    int w = next(&in) % 32 + 1, h = next(&in) % 32 + 1, loop = next(&in);
    int count = next(&in) % MAX_FRAMES + 1;
    FILE *fp = fmemopen(out, sizeof out, "w+b");
    if (!fp) abort();
    gifw *g = NULL;
    gerr e = { 0 };
    if (gifw_open(&g, fp, w, h, loop == 255 ? -1 : loop, &e) != GIFC_OK) fail("open failed", w, h);
    for (int i = 0; i < count; i++) {
        make_frame(&in, &fr[i], w, h);
        if (gifw_add(g, &fr[i].f, &e) != GIFC_OK) fail("add failed", i, e.code);
    }
    uint64_t bytes = 0;
    int64_t frames = 0;
    if (gifw_finish(g, &bytes, &frames, &e) != GIFC_OK) fail("finish failed", e.code, 0);
    gifw_free(&g);
    long pos = ftell(fp);
    fclose(fp);
    if (frames != count || pos < 0 || (uint64_t)pos != bytes)
        fail("frames or bytes miscounted", (long)frames, pos);
    check(out, bytes, w, h, fr, count);
    return 0;
}

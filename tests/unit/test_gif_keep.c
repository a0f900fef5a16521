/* gif_keep_normalize: a GIF with a 0 cs frame, a 1 cs frame and an image without any
 * Graphic Control Extension comes out with 10 cs on each, its pictures untouched, and
 * giflib reads it. Malformed input is refused.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#include "gif/gif_keep.h"

#include <gif_lib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

static gbuf sink;
static int write_mem(GifFileType *g, const GifByteType *p, int n)
{
    (void)g;
    return gbuf_put(&sink, p, (size_t)n) ? 0 : n;
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

/* Three 4x4 frames: delay 0, delay 1, and one with no GCE. */
static void make_gif(void)
{
    int err = 0;
    GifFileType *g = EGifOpen(NULL, write_mem, &err);
    GifColorType cols[2] = { { 0, 0, 0 }, { 255, 255, 255 } };
    ColorMapObject *cm = GifMakeMapObject(2, cols);
    EGifPutScreenDesc(g, 4, 4, 1, 0, cm);
    GifByteType row[4] = { 0, 1, 0, 1 };
    for (int f = 0; f < 3; f++) {
        if (f < 2) {
            GraphicsControlBlock gcb = { .DisposalMode = DISPOSAL_UNSPECIFIED, .DelayTime = f,
                                         .TransparentColor = NO_TRANSPARENT_COLOR };
            GifByteType ext[4];
            EGifGCBToExtension(&gcb, ext);
            EGifPutExtension(g, GRAPHICS_EXT_FUNC_CODE, 4, ext);
        }
        EGifPutImageDesc(g, 0, 0, 4, 4, false, NULL);
        for (int y = 0; y < 4; y++) EGifPutLine(g, row, 4);
    }
    EGifCloseFile(g, &err);
    GifFreeMapObject(cm);
}

int main(void)
{
    make_gif();
    gbuf out = { 0 };
    int changed = gif_keep_normalize(sink.data, sink.len, &out);
    CHECK(changed == 3, "changed %d frames, want 3", changed);
    CHECK(out.len == sink.len + 8, "size %zu, want input + 8 (%zu)", out.len, sink.len + 8);
    reader r = { out.data, out.len, 0 };
    int err = 0;
    GifFileType *g = DGifOpen(&r, read_mem, &err);
    CHECK(g && DGifSlurp(g) == GIF_OK, "giflib cannot read the result");
    if (g) {
        CHECK(g->ImageCount == 3, "%d frames", g->ImageCount);
        for (int i = 0; i < g->ImageCount; i++) {
            GraphicsControlBlock gcb = { 0 };
            CHECK(DGifSavedExtensionToGCB(g, i, &gcb) == GIF_OK && gcb.DelayTime == 10,
                  "frame %d delay %d", i, gcb.DelayTime);
            CHECK(g->SavedImages[i].RasterBits[1] == 1 && g->SavedImages[i].RasterBits[2] == 0,
                  "frame %d pixels changed", i);
        }
        DGifCloseFile(g, &err);
    }
    gbuf_reset(&out);
    CHECK(gif_keep_normalize(sink.data, sink.len - 1, &out) == -1, "truncated GIF accepted");
    gbuf_reset(&out);
    CHECK(gif_keep_normalize((const uint8_t *)"GIF89a", 6, &out) == -1, "header-only accepted");
    gbuf_free(&out);
    gbuf_free(&sink);
    if (failures) fprintf(stderr, "%d failure(s)\n", failures);
    else printf("gif_keep: all checks passed\n");
    return failures ? 1 : 0;
}

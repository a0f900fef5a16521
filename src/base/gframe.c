/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "base/gframe.h"
#include <stdlib.h>
#include <string.h>

int gframe_alloc(gframe *f, int w, int h)
{
    memset(f, 0, sizeof *f);
    if (w <= 0 || h <= 0 || (size_t)w > SIZE_MAX / 4 / (size_t)h) return -1;
    /* swscale's SIMD reads up to a vector past the last pixel of its input (valgrind, 1x1
     * frames): the slack keeps that inside the allocation. */
    f->rgba = calloc((size_t)w * h * 4 + 64, 1);
    if (!f->rgba) return -1;
    f->w = w;
    f->h = h;
    f->stride = w * 4;
    return 0;
}

void gframe_free(gframe *f)
{
    free(f->rgba);
    memset(f, 0, sizeof *f);
}

int gframe_copy(gframe *dst, const gframe *src)
{
    if (dst->w != src->w || dst->h != src->h || !dst->rgba) {
        gframe_free(dst);
        if (gframe_alloc(dst, src->w, src->h)) return -1;
    }
    for (int y = 0; y < src->h; y++)
        memcpy(dst->rgba + (size_t)y * dst->stride, src->rgba + (size_t)y * src->stride,
               (size_t)src->w * 4);
    dst->pts = src->pts;
    dst->duration = src->duration;
    dst->has_alpha = src->has_alpha;
    return 0;
}

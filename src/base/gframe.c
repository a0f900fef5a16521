/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "base/gframe.h"
#include <stdint.h>
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

/* Rows padded to 64 bytes, as swscale's SIMD stores like them. */
static int plane_stride(int w) { return (w + 63) & ~63; }

int gframe_alloc_yuv420(gframe *f, int w, int h)
{
    memset(f, 0, sizeof *f);
    if (w <= 0 || h <= 0 || (w | h) & 1 || w > INT32_MAX - 64 ||
        (size_t)plane_stride(w) > SIZE_MAX / 2 / (size_t)h)
        return -1;
    size_t luma = (size_t)plane_stride(w) * h, chroma = (size_t)plane_stride(w / 2) * (h / 2);
    /* the same slack after the last row as gframe_alloc */
    f->rgba = calloc(luma + 2 * chroma + 64, 1);
    if (!f->rgba) return -1;
    f->w = w;
    f->h = h;
    f->stride = plane_stride(w);
    f->yuv420 = 1;
    return 0;
}

void gframe_planes(const gframe *f, uint8_t *plane[3], int stride[3])
{
    stride[0] = plane_stride(f->w);
    stride[1] = stride[2] = plane_stride(f->w / 2);
    plane[0] = f->rgba;
    plane[1] = plane[0] + (size_t)stride[0] * f->h;
    plane[2] = plane[1] + (size_t)stride[1] * (f->h / 2);
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

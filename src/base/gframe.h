/* The one frame type passed between pipeline stages.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef GIFC_FRAME_H
#define GIFC_FRAME_H
#include <stdint.h>

/* An RGBA picture (8 bits a channel, non-premultiplied) with its place on the timeline.
 * One exception: a frame with yuv420 set holds limited-range Y'CbCr 4:2:0 planes in the
 * same buffer instead (gframe_planes), made only for a YUV encoder that gets the frames
 * straight from the decode stage with no stage in between that reads pixels (see
 * source_yuv_direct): converting to RGB and back would cost more than scaling itself. */
typedef struct gframe {
    uint8_t *rgba;      /* owned; stride bytes a row (yuv420: the planes, see gframe_planes) */
    int w, h, stride;
    double pts;         /* seconds from the start of the output timeline */
    double duration;    /* seconds this frame stays on screen */
    int has_alpha;      /* some pixel has alpha < 255 */
    int yuv420;         /* the buffer holds Y'CbCr 4:2:0 planes, w and h even */
} gframe;

int gframe_alloc(gframe *f, int w, int h);   /* 0 or -1; rgba zeroed */
/* A yuv420 frame (w and h even; the buffer zeroed); 0 or -1. */
int gframe_alloc_yuv420(gframe *f, int w, int h);
/* A yuv420 frame's three planes (Y, Cb, Cr) and their strides. */
void gframe_planes(const gframe *f, uint8_t *plane[3], int stride[3]);
void gframe_free(gframe *f);                 /* accepts a zeroed frame */
int gframe_copy(gframe *dst, const gframe *src); /* RGBA frames only */
#endif

/* The one frame type passed between pipeline stages.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef GIFC_FRAME_H
#define GIFC_FRAME_H
#include <stdint.h>

/* An RGBA picture (8 bits a channel, non-premultiplied) with its place on the timeline. */
typedef struct gframe {
    uint8_t *rgba;      /* owned; stride bytes a row */
    int w, h, stride;
    double pts;         /* seconds from the start of the output timeline */
    double duration;    /* seconds this frame stays on screen */
    int has_alpha;      /* some pixel has alpha < 255 */
} gframe;

int gframe_alloc(gframe *f, int w, int h);   /* 0 or -1; rgba zeroed */
void gframe_free(gframe *f);                 /* accepts a zeroed frame */
int gframe_copy(gframe *dst, const gframe *src);
#endif

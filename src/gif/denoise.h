/* Look-ahead temporal denoise for the GIF branch: a pixel that wobbles around one value over
 * the next few frames (sensor noise, water shimmer) takes that value, so it stays put on
 * screen instead of being re-sent with a fresh error every frame; where the picture really
 * changes (motion, a cut) the frames differ by more than the range and nothing is mixed.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef GIFC_DENOISE_H
#define GIFC_DENOISE_H
#include <stdint.h>

#define DENOISE_MAX_AHEAD 4

typedef struct denoise_frames {
    uint8_t *cur;          /* in: the frame to clean (RGBA); out: cleaned, in place */
    int cur_stride;        /* bytes a row */
    const uint8_t *prev;   /* in: the previous cleaned frame (w*4 bytes a row), or NULL */
    const uint8_t *next[DENOISE_MAX_AHEAD]; /* in: the raw frames after cur, in order */
    int next_stride[DENOISE_MAX_AHEAD];
    int nnext;             /* 0..DENOISE_MAX_AHEAD */
    int w, h;
    int range_sq;          /* squared weighted RGB distance (2dr^2+4dg^2+3db^2) within which
                              another frame's pixel counts as the same value plus noise */
} denoise_frames;

/* Replaces each opaque pixel of cur by the average of the samples within range of it: cur
 * itself, prev (weighing double) and the next frames. Transparent pixels and samples are
 * left out. */
void denoise_frame(const denoise_frames *d);
#endif

/* Limits on what one input may cost (see gifc_options.max_*): checked from what a file
 * declares before anything is allocated for it, then counted while it is decoded.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef GIFC_INPUT_LIMITS_H
#define GIFC_INPUT_LIMITS_H
#include "base/gerr.h"
#include <stddef.h>
#include <stdint.h>

typedef struct source_limits {
    uint64_t max_pixels;        /* per frame */
    int64_t max_frames;         /* decoded per reading pass */
    double max_duration;        /* seconds of source read per pass */
    uint64_t max_decoded_bytes; /* RGBA bytes decoded per pass */
} source_limits;

/* What one reading pass has used so far. */
typedef struct limits_usage {
    int64_t frames;
    uint64_t bytes;
    double first_pts;           /* < 0 until the first frame */
} limits_usage;

/* The options' limits, defaults filled in for fields left at 0. */
void limits_from_options(source_limits *l, const gifc_options *o);

/* GIFC_ERR_LIMIT when a w x h frame is over max_pixels. */
gifc_error limits_check_size(const source_limits *l, const char *name, int64_t w, int64_t h,
                             gerr *e);
/* GIFC_ERR_LIMIT when a declared frame count is over max_frames. */
gifc_error limits_check_declared_frames(const source_limits *l, const char *name,
                                        int64_t frames, gerr *e);
/* GIFC_ERR_LIMIT when the seconds a pass will read are over max_duration. */
gifc_error limits_check_declared_duration(const source_limits *l, const char *name,
                                          double seconds, gerr *e);
/* Counts one decoded frame (its size and timestamp in seconds) against every limit. */
gifc_error limits_count_frame(const source_limits *l, limits_usage *u, const char *name,
                              int w, int h, double pts, gerr *e);

/* The frame count an APNG's acTL chunk declares, from the file's first n bytes; -1 when
 * the bytes are not a PNG or hold no acTL before the image data. */
int64_t limits_apng_declared_frames(const uint8_t *head, size_t n);
#endif

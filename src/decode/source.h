/* The decode stage: any supported input as a stream of RGBA frames on the output timeline.
 * Dispatches to FFmpeg (decode_av.c) or libwebp (decode_webp.c), applies trim, speed and the
 * fps grid (timeline.c) before scaling so that dropped frames cost no scaling.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef GIFC_SOURCE_H
#define GIFC_SOURCE_H
#include "base/gerr.h"
#include "base/gframe.h"
#include "picture/geom.h"
#include "decode/limits.h"
#include <stddef.h>
#include <stdint.h>

typedef struct source_info {
    int width, height;     /* display size: rotation and sample aspect applied; after
                              source_set_geometry, the size of what is shown (cropped or
                              padded canvas) */
    int full_width, full_height; /* the whole display picture, whatever the geometry */
    double duration;       /* seconds, 0 when unknown */
    double fps;            /* average frame rate, 0 when unknown */
    int64_t frames;        /* frame count estimate, 0 when unknown */
    int is_animation;      /* GIF / APNG / WebP rather than a video */
    int has_alpha;         /* the decoded pictures carry alpha */
    const char *format;    /* short container name: "gif", "mp4", "webp"... */
    uint8_t gif_palette[256 * 3]; /* a GIF input's global colour table */
    int gif_palette_colors;       /* its entries, 0 when none */
    int yuv_matrix;        /* AVColorSpace of 8-bit YUV pictures that can go straight to
                              a YUV encoder (scale_direct_matrix), else 0 */
    int hdr;               /* PQ or HLG: tone-mapped to BT.709 SDR (its MP4 is tagged so) */
    char colour[200];      /* the video's colour tags and what is done with them, for -v
                              ("" for pictures without colour tags: GIF, WebP, APNG) */
} source_info;

typedef struct source_timing {
    double start, duration; /* source seconds; duration <= 0: to the end */
    double speed;           /* > 0 */
    double fps;             /* 0: keep the source timeline */
} source_timing;

typedef struct source source;

/* Opens path, or mem/mem_size when path is NULL (mem borrowed until source_free). Sizes
 * and counts the file declares are checked against lim (copied) before decoding. */
gifc_error source_open(source **out, const char *path, const uint8_t *mem, size_t mem_size,
                       int threads, const source_limits *lim, gerr *e);
const source_info *source_get_info(const source *s);
/* Crop and aspect from o (geometry.h), on the display picture; before source_start. The
 * info's width and height become the shown size. GIFC_ERR_INVALID_ARG for a crop outside
 * the picture. */
gifc_error source_set_geometry(source *s, const gifc_options *o, gerr *e);
/* Must be called before source_next, again before each further pass: output size (display
 * orientation) and timing. Starts counting the pass against the limits. */
gifc_error source_start(source *s, int out_w, int out_h, const source_timing *t, gerr *e);
/* on: the frames go to a YUV 4:2:0 encoder (MP4), see scaler_for_yuv(). */
void source_for_yuv(source *s, int on);
/* on: the frames go to a YUV 4:2:0 encoder with no stage in between that reads pixels, so
 * they may come as yuv420 frames (gframe.h) in one matrix, composited over background
 * (0xRRGGBB) when they have alpha. Returns that matrix (AVColorSpace), the one the encoder
 * must tag, or 0 when they stay RGBA (the pictures are not plain 8-bit YUV). */
int source_yuv_direct(source *s, int on, uint32_t background);
/* Next output frame into *f (reallocated as needed; keep passing the same frame).
 * *got = 0 at the end. */
gifc_error source_next(source *s, gframe *f, int *got, gerr *e);
void source_free(source **s);
#endif

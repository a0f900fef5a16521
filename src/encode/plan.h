/* What a conversion will produce: output format, size, timing and encoder settings, chosen
 * from the options and what the input is. The size-budget search edits copies of a plan.
 * SPDX-License-Identifier: GPL-3.0-or-later */
#ifndef GIFC_PLAN_H
#define GIFC_PLAN_H
#include "time/edit_order.h"
#include "gifc.h"
#include "decode/source.h"

typedef struct plan {
    gifc_format format;
    int w, h;
    source_timing timing;
    edit_params edit;     /* time edits after the timing (edit.h) */
    int fixed_size;       /* w x h is a rule (gifc_options.fill): a budget search may not
                             make the picture smaller */
    int64_t frames_estimate;
    double seconds;       /* output duration estimate, edits included (0 when the source's
                             is unknown) */
    /* GIF */
    int colors, quality, lossy;
    double dither;
    /* MP4 */
    int crf;
    int doubled;          /* text art drawn at twice its size (plan_double) */
    int64_t bitrate;      /* bits/s; 0: CRF mode */
    int pass;             /* 0 single, 1 / 2: two-pass x264 */
    const char *stats_path;
    int yuv_matrix;       /* the frames come as yuv420 in this matrix (source_yuv_direct);
                             0: RGBA */
    /* WebP */
    double webp_quality;  /* libwebp's 0..100; fractions are the budget search's fine steps */
    int lossless;
    /* WebM */
    int vp9_crf;          /* libvpx-vp9 0..63 */
    /* AVIF */
    int avif_q;           /* AV1 quantizer 0..63 */
} plan;

/* What to convert: the input (a path or a borrowed buffer) and where the result goes. */
typedef struct job {
    gifc_context *ctx;
    const char *in_path;       /* NULL for memory input */
    const uint8_t *in_mem;
    size_t in_size;
    const char *out_path;      /* NULL for memory output */
    uint8_t **out_mem;
    size_t *out_size;
} job;

/* Format from a path's extension (.gif, .mp4, .m4v, .webp, .apng, .webm, .avif, any case); AUTO when unknown. */
gifc_format plan_format_from_path(const char *path);
/* "GIF", "MP4", "WebP": the format's name in messages. */
const char *plan_format_label(gifc_format f);
void plan_make(const gifc_options *o, const source_info *si, const char *out_path, plan *p);
/* Whether an MP4 of this animation may be doubled: at its own size (no width, height or
 * size budget asked, not reduced to fit the box). */
int plan_may_double(const gifc_options *o, const source_info *si, const plan *p);
/* MP4 of text or flat art (textart.h): twice the source's size, every pixel copied to a
 * 2x2 block, so that 4:2:0 keeps one chroma sample per source pixel; a higher CRF pays
 * for the four times as many pixels. */
void plan_double(plan *p, const source_info *si);
#endif
